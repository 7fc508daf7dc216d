-- Sluice: the marker that tells whether Redis still holds everything the pipeline wrote to it.
--
-- KEYS[1]  the pipeline's marker, a hash: epoch (random id of the data set), seq (write batches counted), lost
--          (set once data loss was seen; stays until an operator deletes the marker after re-syncing)
-- ARGV[1]  'open': adopt the marker, creating it with epoch ARGV[2] if it does not exist
--          'check': before a write batch, with ARGV[2] the epoch adopted at open and ARGV[3] the highest seq this
--          sink has seen; counts the batch
--
-- Returns {'ok', epoch, seq} or {'lost', reason}. A Redis that restarted without persistence comes back without
-- the marker; one restored from an older snapshot, or that lost its last writes (appendfsync everysec), comes back
-- with a seq lower than one already seen. Either way rows whose offsets Sluice committed are gone, so the marker
-- records the loss: every sink of the pipeline, and every later start, then refuses to go on as healthy.
-- Write errors (OOM, READONLY) are returned, never raised, so the client sees their codes (see versioned-write.lua).

local marker = KEYS[1]
local now = redis.call('TIME')[1]

local function failed(reply)
  return type(reply) == 'table' and reply.err ~= nil
end

-- Redis 6 puts the script's line in front of an error from redis.pcall ("@user_script: 43: -OOM ..."); the client
-- reads the error code from the start of the message, so it goes back there.
local function error_reply(reply)
  local message = reply.err
  return redis.error_reply(string.match(message, '^@user_script:%s*%d+:%s*%-(.*)$') or message)
end

-- Recorded when Redis lets it; when it does not (out of memory), the loss is still reported to this sink.
local function lose(reason)
  redis.pcall('HSET', marker, 'lost', reason .. ' (noticed at unix time ' .. now .. ')')
  return {'lost', reason}
end

local state = redis.call('HMGET', marker, 'epoch', 'seq', 'lost')
local epoch, seq, lost = state[1], state[2], state[3]
if lost then
  return {'lost', lost}
end

if ARGV[1] == 'open' then
  if not epoch then
    local reply = redis.pcall('HSET', marker, 'epoch', ARGV[2], 'seq', 0, 'created', now)
    if failed(reply) then
      return error_reply(reply)
    end
    return {'ok', ARGV[2], '0'}
  end
  return {'ok', epoch, seq or '0'}
end

if not epoch then
  return lose('the marker key was gone: Redis lost its data, e.g. restarted without persistence')
end
if epoch ~= ARGV[2] then
  return lose('the marker holds epoch ' .. epoch .. ' instead of ' .. ARGV[2]
      .. ': Redis lost its data and another writer recreated the marker')
end
local next_seq = redis.pcall('HINCRBY', marker, 'seq', 1)
if failed(next_seq) then
  return error_reply(next_seq)
end
if next_seq <= tonumber(ARGV[3]) then
  return lose('the batch count went back from ' .. ARGV[3] .. ' to ' .. (next_seq - 1)
      .. ': Redis lost its latest writes, e.g. restored an older snapshot or lost unsynced appends')
end
return {'ok', epoch, tostring(next_seq)}
