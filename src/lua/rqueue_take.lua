-- Deliver one item of a reliable queue to a consumer: first an item some consumer held for
-- longer than the visibility timeout (XAUTOCLAIM), else the oldest one never delivered
-- (XREADGROUP >). On the way, an item delivered max_deliveries times already, an entry
-- without an `item` field or whose item is surely not JSON, and the entry named by ARGV[6]
-- (one the client could not decode) move to the dead-letter stream: XADD there with the
-- original fields followed by dead_id, dead_deliveries and dead_reason, then XACK and XDEL
-- here. Creates the group at ID 0 (with MKSTREAM) when it does not exist.
-- KEYS[1]: the stream; KEYS[2]: the dead-letter stream.
-- ARGV[1]: group; ARGV[2]: consumer; ARGV[3]: visibility timeout (ms); ARGV[4]: max
-- deliveries (0: no limit); ARGV[5]: '1' to take an item, '0' only to bury ARGV[6];
-- ARGV[6]: '' or the ID of an entry this consumer holds at delivery count ARGV[7], to bury
-- as undecodable.
-- Returns { id, { field, value, ... }, deliveries } or, when nothing can be delivered,
-- { false, false, ms } where ms is the time until the first held item among the 100 oldest
-- may be taken over (-1: none is held).
--@include json_ok
local key, dead, group, consumer = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local idle, max = tonumber(ARGV[3]), tonumber(ARGV[4])

local function bury(entry, count, why)
  local args = { dead, '*' }
  for _, v in ipairs(entry[2]) do args[#args + 1] = v end
  args[#args + 1] = 'dead_id'
  args[#args + 1] = entry[1]
  args[#args + 1] = 'dead_deliveries'
  args[#args + 1] = tostring(count)
  args[#args + 1] = 'dead_reason'
  args[#args + 1] = why
  redis.call('XADD', unpack(args))
  redis.call('XACK', key, group, entry[1])
  redis.call('XDEL', key, entry[1])
end

-- Why an entry cannot be delivered, or nil: no item field, or an item json_ok could judge
-- (short, ASCII) and found not to be JSON. The client decodes the others itself.
local function foreign(fields)
  local item
  for i = 2, #fields, 2 do
    if fields[i - 1] == 'item' then item = fields[i] end
  end
  if not item then return 'no item field' end
  if #item <= 8192 and not string.find(item, '[\128-\255]') and not json_ok(item) then
    return 'item is not JSON'
  end
  return nil
end

local function held_count(id)
  local p = redis.call('XPENDING', key, group, id, id, 1)[1]
  if p and p[2] == consumer then return tonumber(p[4]) end
  return nil
end

-- Refuse a dead-letter key of another type before anything is written (a script is not
-- rolled back when a later command fails).
local dtype = redis.call('TYPE', dead).ok
if dtype ~= 'stream' and dtype ~= 'none' then
  return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
end

local claimed = redis.pcall('XAUTOCLAIM', key, group, consumer, idle, '0-0', 'COUNT', 1)
if type(claimed) == 'table' and claimed.err then
  if string.sub(claimed.err, 1, 7) ~= 'NOGROUP' then return claimed end
  redis.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
  claimed = { '0-0', {} }
end

if ARGV[6] ~= '' then
  local count = held_count(ARGV[6])
  local entry = redis.call('XRANGE', key, ARGV[6], ARGV[6])[1]
  if entry and count == tonumber(ARGV[7]) then bury(entry, count, 'item could not be decoded') end
end
if ARGV[5] ~= '1' then return { false, false, -1 } end

-- Held items past the visibility timeout, oldest ID first (up to 1000 per call).
for _ = 1, 1000 do
  local entry = claimed[2][1]
  if entry then
    local count = held_count(entry[1]) or 1
    local why = foreign(entry[2])
    if max > 0 and count > max then
      bury(entry, count - 1, 'delivered ' .. (count - 1) .. ' times')
    elseif why then
      bury(entry, count, why)
    else
      return { entry[1], entry[2], count }
    end
  end
  if claimed[1] == '0-0' then break end
  claimed = redis.call('XAUTOCLAIM', key, group, consumer, idle, claimed[1], 'COUNT', 1)
end

-- Never delivered: the oldest, skipping (burying) foreign entries.
for _ = 1, 1000 do
  local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', key, '>')
  if not read then break end
  local entry = read[1][2][1]
  local why = foreign(entry[2])
  if not why then return { entry[1], entry[2], 1 } end
  bury(entry, 1, why)
end

local wait = -1
for _, p in ipairs(redis.call('XPENDING', key, group, '-', '+', 100)) do
  local left = idle - tonumber(p[3])
  if left < 0 then left = 0 end
  if wait < 0 or left < wait then wait = left end
end
return { false, false, wait }
