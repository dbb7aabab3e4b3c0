-- Per-agent budgets of auth0-mgmt-redis: rolling windows, one sorted set per (agent,
-- counted, period) holding the charges of the window (member: the charge's token,
-- score: its time in ms). All or nothing, in one atomic script.
--
-- KEYS     one key per window
-- ARGV[1]  acquire | release
-- ARGV[2]  now, Unix ms; empty: Redis' own clock (one clock for every process)
-- ARGV[3]  the charge's token (the sorted-set member)
-- ARGV[4 + 2(i-1)], ARGV[5 + 2(i-1)]  window i: its length (ms) and its limit

local op, member = ARGV[1], ARGV[3]

if op == 'release' then
  for _, key in ipairs(KEYS) do redis.call('ZREM', key, member) end
  return { 1, 0, 0 }
end

if op ~= 'acquire' then return redis.error_reply('unknown operation ' .. tostring(op)) end

local now
if ARGV[2] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[2])
end

local worst, worst_wait = 0, -1
for i, key in ipairs(KEYS) do
  local period, limit = tonumber(ARGV[2 + 2 * i]), tonumber(ARGV[3 + 2 * i])
  -- A call leaves the window `period` after it was made.
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now - period))
  local n = redis.call('ZCARD', key)
  -- The limit may have been lowered by a policy reload: keep the newest `limit`.
  if n > limit then
    redis.call('ZREMRANGEBYRANK', key, 0, n - limit - 1)
    n = limit
  end
  if n >= limit then
    local oldest = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
    local wait = oldest + period - now
    if wait < 0 then wait = 0 end
    if wait > worst_wait then worst, worst_wait = i, wait end
  end
end
if worst > 0 then return { 0, worst, worst_wait } end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, string.format('%.0f', now), member)
  redis.call('PEXPIRE', key, string.format('%.0f', tonumber(ARGV[2 + 2 * i]) + 1000))
end
return { 1, 0, 0 }
