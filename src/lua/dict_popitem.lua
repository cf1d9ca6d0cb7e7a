-- Remove and return the first field HSCAN finds, scanning on past empty batches.
-- KEYS[1]: the hash. No ARGV.
-- Returns { field, value }, or false when the hash is empty.
local cursor = '0'
repeat
  local batch = redis.call('HSCAN', KEYS[1], cursor)
  cursor = batch[1]
  local entries = batch[2]
  if #entries > 0 then
    redis.call('HDEL', KEYS[1], entries[1])
    return { entries[1], entries[2] }
  end
until cursor == '0'
return false
