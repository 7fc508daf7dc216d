-- Sluice: applies one change event to one cached row, atomically, unless the row already holds a newer version.
--
-- KEYS[1]  the row's data key
-- KEYS[2]  the row's version key, "{<data key>}:version": the same hash slot as the data key in Redis Cluster
-- ARGV[1]  'u' upsert (insert, update, snapshot read) or 'd' delete (a row delete, or one row of a truncate)
-- ARGV[2]  the event's version: unsigned decimal digits, no leading zeros (exact to 64 bits, unlike Lua numbers)
-- ARGV[3]  upsert: the row's time to live in ms, 0 for none; delete: the delete marker's time to live in ms
-- ARGV[4]  'h' the row is a hash, 'j' the row is a JSON string
-- ARGV[5]  n, the number of unchanged (TOAST) columns the event did not send
-- ARGV[6 .. 5+n]  those columns: hash field names, or in JSON mode their JSON-quoted names
-- then, for an upsert:  hash: field, value pairs of the non-null columns;
--                       JSON, n = 0: the row document;  JSON, n > 0: JSON-quoted name, JSON value pairs
--
-- Returns 1 when applied, 0 when the stored version is newer (nothing changed: the event was already applied),
-- 2 when applied by removing the cached row, because unchanged columns had no cached value to keep.
--
-- Errors are returned, never raised: a raised error reaches the client as "ERR Error running script" on Redis 6,
-- hiding the error code (READONLY, OOM, NOPERM) the sink decides by. Writes run in an order that never leaves a
-- stale row behind: the data key is removed before it is rewritten, and the version is written last.

local function older(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end

-- Redis 6 puts the script's line in front of an error from redis.pcall ("@user_script: 43: -OOM ..."); the client
-- reads the error code from the start of the message, so it goes back there.
local function error_reply(reply)
  local message = reply.err
  return redis.error_reply(string.match(message, '^@user_script:%s*%d+:%s*%-(.*)$') or message)
end

local function call(...)
  local reply = redis.pcall(...)
  if type(reply) == 'table' and reply.err then
    return nil, error_reply(reply)
  end
  return reply
end

local data_key, version_key = KEYS[1], KEYS[2]
local op, version, ttl, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local unchanged = tonumber(ARGV[5])
local first_value = 6 + unchanged

-- Redis refuses to let a script create globals, so even the placeholder for ignored results is declared here.
local _
local stored, err = call('GET', version_key)
if err then
  return err
end
if stored and older(version, stored) then
  return 0
end

local function write_version(expiry)
  if expiry > 0 then
    return call('SET', version_key, version, 'PX', expiry)
  end
  return call('SET', version_key, version)
end

if op == 'd' then
  _, err = call('UNLINK', data_key)
  if err then
    return err
  end
  _, err = write_version(ttl)
  if err then
    return err
  end
  return 1
end

local expected = mode == 'h' and 'hash' or 'string'
local kind = redis.call('TYPE', data_key).ok
if kind ~= 'none' and kind ~= expected then
  return redis.error_reply('WRONGTYPE ' .. data_key .. ' holds a ' .. kind .. ' where Sluice keeps a ' .. expected
      .. '; was the value mode changed without clearing the keys?')
end

-- The members of a JSON object as written by Sluice, in order: {name = raw JSON name, value = raw JSON text}.
-- Raw text is kept as it is: decoding and re-encoding (cjson) would round numbers beyond 14 digits.
-- Returns nil for anything that is not a JSON object.
local function members(doc)
  local byte, sub, len = string.byte, string.sub, #doc
  local QUOTE, BACKSLASH, COMMA, COLON = 34, 92, 44, 58
  local OPEN_OBJ, CLOSE_OBJ, OPEN_ARR, CLOSE_ARR = 123, 125, 91, 93
  local i = 1
  local function space()
    while i <= len do
      local c = byte(doc, i)
      if c ~= 32 and c ~= 9 and c ~= 10 and c ~= 13 then
        return
      end
      i = i + 1
    end
  end
  local function skip_string()
    i = i + 1
    while i <= len do
      local c = byte(doc, i)
      if c == BACKSLASH then
        i = i + 2
      elseif c == QUOTE then
        i = i + 1
        return true
      else
        i = i + 1
      end
    end
    return false
  end
  local function skip_value()
    local c = byte(doc, i)
    if c == QUOTE then
      return skip_string()
    end
    if c == OPEN_OBJ or c == OPEN_ARR then
      local depth = 0
      while i <= len do
        c = byte(doc, i)
        if c == QUOTE then
          if not skip_string() then
            return false
          end
        else
          if c == OPEN_OBJ or c == OPEN_ARR then
            depth = depth + 1
          elseif c == CLOSE_OBJ or c == CLOSE_ARR then
            depth = depth - 1
          end
          i = i + 1
          if depth == 0 then
            return true
          end
        end
      end
      return false
    end
    local start = i
    while i <= len do
      c = byte(doc, i)
      if c == COMMA or c == CLOSE_OBJ or c == 32 or c == 9 or c == 10 or c == 13 then
        break
      end
      i = i + 1
    end
    return i > start
  end

  local out = {}
  space()
  if byte(doc, i) ~= OPEN_OBJ then
    return nil
  end
  i = i + 1
  space()
  if byte(doc, i) == CLOSE_OBJ then
    return out
  end
  while true do
    space()
    if byte(doc, i) ~= QUOTE then
      return nil
    end
    local name_start = i
    if not skip_string() then
      return nil
    end
    local name = sub(doc, name_start, i - 1)
    space()
    if byte(doc, i) ~= COLON then
      return nil
    end
    i = i + 1
    space()
    local value_start = i
    if i > len or not skip_value() then
      return nil
    end
    out[#out + 1] = {name = name, value = sub(doc, value_start, i - 1)}
    space()
    local c = byte(doc, i)
    if c == COMMA then
      i = i + 1
    elseif c == CLOSE_OBJ then
      return out
    else
      return nil
    end
  end
end

-- The row cannot be completed (an unchanged column has no cached value): remove it, so readers fall back to the
-- source instead of reading a row with a column missing, and keep the version so older changes stay refused.
local function invalidate()
  _, err = call('UNLINK', data_key)
  if err then
    return err
  end
  _, err = write_version(ttl)
  if err then
    return err
  end
  return 2
end

if mode == 'h' then
  local fields = {}
  for i = first_value, #ARGV do
    fields[#fields + 1] = ARGV[i]
  end
  if unchanged > 0 then
    local kept = redis.call('HMGET', data_key, unpack(ARGV, 6, 5 + unchanged))
    for i = 1, unchanged do
      if not kept[i] then
        return invalidate()
      end
      fields[#fields + 1] = ARGV[5 + i]
      fields[#fields + 1] = kept[i]
    end
  end
  _, err = call('UNLINK', data_key)
  if err then
    return err
  end
  _, err = call('HSET', data_key, unpack(fields))
  if err then
    return err
  end
  if ttl > 0 then
    redis.call('PEXPIRE', data_key, ttl)
  end
else
  local doc
  if unchanged == 0 then
    doc = ARGV[first_value]
  else
    local current = redis.call('GET', data_key)
    local held = current and members(current)
    if not held then
      return invalidate()
    end
    local new_values, wanted, used = {}, {}, {}
    for i = first_value, #ARGV, 2 do
      new_values[ARGV[i]] = ARGV[i + 1]
    end
    for i = 6, 5 + unchanged do
      wanted[ARGV[i]] = true
    end
    -- The cached row's column order first, with new values replacing old ones, then columns new to the row.
    local parts, found = {}, 0
    for _, member in ipairs(held) do
      local value = new_values[member.name]
      if value then
        used[member.name] = true
        parts[#parts + 1] = member.name .. ':' .. value
      elseif wanted[member.name] then
        found = found + 1
        parts[#parts + 1] = member.name .. ':' .. member.value
      end
    end
    if found < unchanged then
      return invalidate()
    end
    for i = first_value, #ARGV, 2 do
      if not used[ARGV[i]] then
        parts[#parts + 1] = ARGV[i] .. ':' .. ARGV[i + 1]
      end
    end
    doc = '{' .. table.concat(parts, ',') .. '}'
  end
  if ttl > 0 then
    _, err = call('SET', data_key, doc, 'PX', ttl)
  else
    _, err = call('SET', data_key, doc)
  end
  if err then
    return err
  end
end

_, err = write_version(ttl)
if err then
  return err
end
return 1
