-- The tenant's token-bucket model, shared by every process of a deployment: the same
-- state machine as auth0-mgmt's in-process `pacer::Bucket` (src/ratelimit/pacer.rs), run
-- atomically by Redis on Redis' clock. See pacer.rs of auth0-mgmt-redis for where it differs.
--
-- KEYS[1]  the model (a JSON document; expires 10 min after its last use)
-- ARGV[1]  "reserve" | "observe"
-- ARGV[2]  the longest probe spacing, ms (PacerConfig::backoff_max)
-- reserve:         ARGV[3] the request id (unique per process and request)
-- observe:         ARGV[3] n, then n groups of 8:
--                  id, kind ("a" answer | "u" no answer | "f" a send without a
--                  token, when a caller's wait ran out | "o" a request whose answer came
--                  while Redis was unreachable: it no longer counts), bucket (1 when limit and
--                  remaining make sense), limit, remaining, promise (ms from the answer, -1
--                  none), reset (ms from the answer, -1 none), throttled (1 for a 429),
--                  then one more: the request's round trip plus the answer's age, ms
-- Reply: { "now" | "at" | "ok", wait ms, first ms (predict), per call ms (predict), limit, rate }

local FIRST_ANSWER, PROBE, WINDOW, MAX_SAMPLES = 1000, 100, 10000, 64
local HORIZON, TTL = 60000, 600000

local key, mode = KEYS[1], ARGV[1]
local probe_max = math.max(tonumber(ARGV[2]) or 10000, PROBE)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000

local st
local raw = redis.call('GET', key)
if raw then
  local ok, v = pcall(cjson.decode, raw)
  if ok and type(v) == 'table' then st = v end
end
st = st or {}
st.inflight = (type(st.inflight) == 'table') and st.inflight or {}
st.samples = (type(st.samples) == 'table') and st.samples or {}
st.acc = tonumber(st.acc) or 0
st.failed = tonumber(st.failed) or 0

local function earliest(a, b)
  if a and b then return math.min(a, b) end
  return a or b
end

-- backon's exponential backoff without jitter: PROBE · 2^n, at most probe_max.
local function backoff(n)
  if n > 40 then n = 40 end
  return math.min(PROBE * (2 ^ n), probe_max)
end

local function expire()
  for id, sent in pairs(st.inflight) do
    if now - sent > HORIZON then st.inflight[id] = nil end
  end
end

local function in_flight()
  local n, newest = 0, nil
  for _, sent in pairs(st.inflight) do
    n = n + 1
    if not newest or sent > newest then newest = sent end
  end
  return n, newest
end

-- The modelled tokens now (nil: no bucket known).
local function available()
  local l = st.lv
  if not l then return nil end
  local grown = l.level + (st.rate or 0) * math.max(now - l.at, 0) / 1000
  if l.promise and l.promise <= now and l.level >= 0 then grown = math.max(grown, 1) end
  if l.cap then grown = math.min(grown, l.cap) end
  return grown
end

-- When the next token is there (nil: no bucket known, nothing to wait for).
local function next_token()
  local l = st.lv
  if not l then return nil end
  if available() >= 1 then return now end
  local by_rate = st.rate and (l.at + (1 - l.level) / st.rate * 1000) or nil
  local promised = (l.promise and l.level >= 0) and l.promise or nil
  local known = earliest(by_rate, promised)
  if (st.rate or known) and st.failed > 0 then
    -- Probes fail: wait for the rate or the promise; until a second probe fails, try
    -- half-way between the promise and the second before it.
    local halfway = nil
    if promised and l.after and st.failed == 1 then
      local from = math.max(l.after, l.at)
      local half = (promised - from) / 2
      if half >= PROBE then halfway = from + half end
    end
    return earliest(known, halfway)
  end
  local spacing = backoff(math.max(st.failed - 1, 0))
  local _, newest = in_flight()
  local probe
  if newest then
    probe = math.max(newest, l.at) + math.max(spacing, FIRST_ANSWER)
  else
    probe = l.at + spacing
  end
  return earliest(known, probe)
end

local function force(id)
  local a = available()
  if st.lv and a then
    st.lv.at, st.lv.level, st.lv.promise = now, a - 1, nil
  end
  st.inflight[id] = now
end

local function reserve(id)
  expire()
  if not st.answered then
    if st.first and now < st.first + FIRST_ANSWER then return st.first + FIRST_ANSWER end
    if not st.first then st.first = now end
  else
    local nt = next_token()
    if nt and nt > now then return nt end
    local a = available()
    if a and a < 1 - 1e-9 then st.probing = true end
  end
  force(id)
  return nil
end

-- The best refill rate (tokens/s) the newest sample proves with each earlier one.
local function bound()
  local n = #st.samples
  local b = st.samples[n]
  if not b then return nil end
  local best = nil
  for i = n - 1, 1, -1 do
    local a = st.samples[i]
    local gained = b.rem - a.rem + (b.acc - a.acc) - a.fl
    local below = { { a.at, a.rtt } }
    if a.reset then below[2] = { a.reset - 1000, 0 } end
    local above = { { b.at, gained - 1 - (b.rem - b.floor) } }
    if b.reset then above[2] = { b.reset, gained - b.over } end
    for _, f in ipairs(below) do
      for _, t in ipairs(above) do
        local span = t[1] - f[1]
        if span >= 0 then
          span = span + f[2]
          if t[2] > 0 and span > 0 then
            local r = t[2] / (span / 1000)
            if not best or r > best then best = r end
          end
        end
      end
    end
  end
  return best
end

local function observe(id, kind, has_bucket, limit, remaining, promise, reset, throttled, rtt)
  expire()
  if kind == 'f' then
    force(id)
    return
  end
  if kind == 'o' then
    st.inflight[id] = nil
    return
  end
  st.answered, st.first = true, nil
  st.inflight[id] = nil
  if kind == 'u' then
    st.probing = nil
    return
  end
  if has_bucket and st.limit ~= limit then
    -- Another bucket: what was learned about the old one does not apply.
    st.limit, st.rate, st.failed, st.samples = limit, nil, 0, {}
  end
  local probed = st.probing
  st.probing = nil
  if not throttled then
    st.acc = st.acc + 1
  elseif probed or not st.rate then
    st.failed = st.failed + 1
  else
    -- A send the model held a token for met a 429: learn again from here.
    st.rate, st.samples = nil, {}
  end
  local promise_at = (promise >= 0) and (now + promise) or nil
  local reset_at = (reset >= 0) and (now + reset) or nil
  local flying = in_flight()
  if not has_bucket then
    -- Accepted without bucket headers: nothing to pace by. A 429: empty until the
    -- server-named wait, whatever the bucket's size.
    if throttled then
      st.lv = { at = now, level = -flying, cap = st.limit, promise = promise_at }
    else
      st.lv = nil
    end
    return
  end
  local rate = st.rate or 0
  -- Answers observed since this request was sent may have been counted after it: the
  -- smallest `remaining` among them (with the refill since) is the freshest view.
  local floor, over = remaining, 0
  for i = #st.samples, 1, -1 do
    local s = st.samples[i]
    if now - s.at > rtt then break end
    floor = math.min(floor, s.rem + rate * (now - s.at) / 1000)
    over = over + 1
  end
  table.insert(st.samples, {
    at = now, rem = remaining, acc = st.acc, fl = flying, rtt = rtt, floor = floor, reset = reset_at, over = over,
  })
  while #st.samples > MAX_SAMPLES or (#st.samples > 0 and now - st.samples[1].at > WINDOW) do
    table.remove(st.samples, 1)
  end
  local was_empty = st.lv and st.lv.level < 1
  if was_empty or remaining * 2 < limit then
    local b = bound()
    if b then st.rate = math.max(st.rate or b, b) end
  end
  local quickest = nil
  for _, s in ipairs(st.samples) do
    if not quickest or s.rtt < quickest then quickest = s.rtt end
  end
  local level = floor - flying + rate * (quickest or 0) / 1000
  local after = nil
  if reset_at and promise_at == reset_at then after = reset_at - 1000 end
  st.lv = { at = now, level = level, cap = limit, promise = promise_at, after = after }
end

local kind, wait = 'ok', 0
if mode == 'reserve' then
  local at = reserve(ARGV[3])
  if at then kind, wait = 'at', at - now else kind = 'now' end
elseif mode == 'observe' then
  local n = tonumber(ARGV[3]) or 0
  for i = 0, n - 1 do
    local b = 4 + i * 9
    observe(ARGV[b], ARGV[b + 1], ARGV[b + 2] == '1', tonumber(ARGV[b + 3]) or 0, tonumber(ARGV[b + 4]) or 0,
      tonumber(ARGV[b + 5]) or -1, tonumber(ARGV[b + 6]) or -1, ARGV[b + 7] == '1', tonumber(ARGV[b + 8]) or 0)
  end
else
  return redis.error_reply('unknown mode')
end

-- What a newcomer would wait (the in-process `predict`), for the processes' own lines.
local first = 0
if st.answered then first = math.max((next_token() or now) - now, 0) end
local per_call = 0
if st.rate then
  per_call = 1000 / st.rate
elseif st.lv then
  per_call = backoff(st.failed)
end

redis.call('SET', key, cjson.encode(st), 'PX', TTL)
return {
  kind,
  string.format('%.3f', wait),
  string.format('%.3f', first),
  string.format('%.3f', per_call),
  st.limit and tostring(st.limit) or '',
  st.rate and string.format('%.6f', st.rate) or '',
}
