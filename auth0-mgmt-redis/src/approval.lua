-- The approval store of auth0-mgmt-redis: every state transition of an approval in one
-- atomic script (Redis runs a script alone), on the time the caller passes in.
--
-- KEYS[1]  the open index: ids of pending and approved approvals, scored by expiry (ms)
-- KEYS[2]  the index of every approval, scored by creation (ms)
-- KEYS[3]  check: the request's index (its approvals by creation); decide: the approval
-- ARGV[1]  the operation: check | decide | expire | open | recent
-- ARGV[2]  the prefix of approval keys (an approval is a hash at prefix .. id)
-- ARGV[3]  now, Unix ms (a string of digits)
-- ARGV[4]  how long records are kept past their expiry, ms
--
-- An approval hash: body (the immutable fields, JSON), state, expires_ms, ttl_ms,
-- decided_by, decided_ms, note, consumed_ms, req (the key of its request's index).
-- Every reply is an array of arrays: first {answer}, then the HGETALL of each approval.

local op = ARGV[1]
local prefix = ARGV[2]
local now_s = ARGV[3]
local now = tonumber(now_s)
local retention = tonumber(ARGV[4])
local open, all = KEYS[1], KEYS[2]

local function hkey(id)
  return prefix .. id
end

local function ms(n)
  return string.format('%.0f', n)
end

-- Keeps `key` at least until `until_ms` (on the caller's clock: the expiry is set as a
-- duration from now, so the caller's and Redis' clocks need not agree).
local function keep(key, until_ms)
  local want = until_ms - now
  if want < 1 then want = 1 end
  local left = redis.call('PTTL', key)
  if left == -2 then return end
  if left < 0 or left < want then
    redis.call('PEXPIRE', key, ms(want))
  end
end

local function expire_one(id)
  redis.call('HSET', hkey(id), 'state', 'expired')
  redis.call('ZREM', open, id)
end

if op == 'check' then
  local req = KEYS[3]
  local id, body, created, expires, ttl = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
  local expired, found = {}, {}
  for _, aid in ipairs(redis.call('ZRANGE', req, 0, -1)) do
    local f = redis.call('HMGET', hkey(aid), 'state', 'expires_ms')
    if not f[1] then
      redis.call('ZREM', req, aid)
    else
      local state, exp = f[1], tonumber(f[2])
      local live = exp > now
      if (state == 'pending' or state == 'approved') and not live then
        expire_one(aid)
        table.insert(expired, redis.call('HGETALL', hkey(aid)))
      elseif live and found[state] == nil then
        found[state] = aid
      end
    end
  end
  local answer, aid
  if found['approved'] then
    aid, answer = found['approved'], 'consumed'
    redis.call('HSET', hkey(aid), 'state', 'consumed', 'consumed_ms', now_s)
    redis.call('ZREM', open, aid)
  elseif found['denied'] then
    aid, answer = found['denied'], 'denied'
  elseif found['pending'] then
    aid, answer = found['pending'], 'pending'
  else
    aid, answer = id, 'requested'
    local k = hkey(aid)
    redis.call('HSET', k, 'body', body, 'state', 'pending', 'expires_ms', expires, 'ttl_ms', ttl, 'req', req)
    redis.call('ZADD', req, created, aid)
    redis.call('ZADD', open, expires, aid)
    redis.call('ZADD', all, created, aid)
    keep(k, tonumber(expires) + retention)
    keep(req, tonumber(expires) + retention)
  end
  local out = { { answer }, redis.call('HGETALL', hkey(aid)) }
  for _, e in ipairs(expired) do table.insert(out, e) end
  return out
end

if op == 'decide' then
  local k = KEYS[3]
  local id, verdict, by, note, has_note = ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9] == '1'
  local f = redis.call('HMGET', k, 'state', 'expires_ms', 'ttl_ms', 'req')
  if not f[1] then return { { 'not_found' } } end
  local state, exp, ttl, req = f[1], tonumber(f[2]), tonumber(f[3]), f[4]
  local applies = (verdict == 'approve' and state == 'pending')
    or (verdict == 'deny' and (state == 'pending' or state == 'approved'))
  if not applies then return { { 'not_open' }, redis.call('HGETALL', k) } end
  if exp <= now then
    expire_one(id)
    return { { 'expired' }, redis.call('HGETALL', k) }
  end
  local new_exp = now + ttl
  local new_state = 'denied'
  if verdict == 'approve' then new_state = 'approved' end
  redis.call('HSET', k, 'state', new_state, 'decided_by', by, 'decided_ms', now_s, 'expires_ms', ms(new_exp))
  if has_note then
    redis.call('HSET', k, 'note', note)
  else
    redis.call('HDEL', k, 'note')
  end
  if new_state == 'approved' then
    redis.call('ZADD', open, ms(new_exp), id)
  else
    redis.call('ZREM', open, id)
  end
  keep(k, new_exp + retention)
  if req then keep(req, new_exp + retention) end
  return { { 'done' }, redis.call('HGETALL', k) }
end

if op == 'expire' then
  local out = { { 'ok' } }
  for _, aid in ipairs(redis.call('ZRANGEBYSCORE', open, '-inf', now_s)) do
    local state = redis.call('HGET', hkey(aid), 'state')
    redis.call('ZREM', open, aid)
    if state == 'pending' or state == 'approved' then
      expire_one(aid)
      table.insert(out, redis.call('HGETALL', hkey(aid)))
    end
  end
  -- Tidy the index of every approval: records that Redis dropped after their retention.
  for _, aid in ipairs(redis.call('ZRANGE', all, 0, 99)) do
    if redis.call('EXISTS', hkey(aid)) == 0 then redis.call('ZREM', all, aid) end
  end
  return out
end

if op == 'open' then
  local out = { { 'ok' } }
  for _, aid in ipairs(redis.call('ZRANGE', open, 0, -1)) do
    local h = redis.call('HGETALL', hkey(aid))
    if #h == 0 then
      redis.call('ZREM', open, aid)
    else
      table.insert(out, h)
    end
  end
  return out
end

if op == 'recent' then
  local limit = tonumber(ARGV[5])
  local out = { { 'ok' } }
  if limit < 1 then return out end
  for _, aid in ipairs(redis.call('ZREVRANGE', all, 0, -1)) do
    local h = redis.call('HGETALL', hkey(aid))
    if #h == 0 then
      redis.call('ZREM', all, aid)
    else
      table.insert(out, h)
      if #out > limit then break end
    end
  end
  return out
end

return redis.error_reply('unknown operation ' .. tostring(op))
