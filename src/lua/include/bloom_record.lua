-- bloom_record(): may this handle use the Bloom filter at KEYS[1], whose parameters are
-- recorded at KEYS[2]? ARGV[1] is the record of the handle ('m=959 k=7 hashing=pottery'),
-- ARGV[2] '1' when a bitmap without a record may be used (pottery's hashing). Returns the
-- reply that refuses the handle, or nil and whether the record must be (re)written:
-- {0, record} another filter's parameters; {2, text} a record this library did not write
-- (its first bytes); {3} a bitmap without a record that needs one; {4, type} a record key of
-- another Redis type. A record whose bitmap is gone (pottery's
-- clear(), DEL, expiry) is stale: ignored, and replaced by the next write. A bitmap of
-- another type fails with WRONGTYPE before anything is written. A part
-- (--@include bloom_record): defines locals only.
local function bloom_record()
  -- the common case costs one GET: the handle's own record
  local record = redis.pcall('GET', KEYS[2])
  if record == ARGV[1] then return nil, false end
  if type(record) == 'table' then return {4, redis.call('TYPE', KEYS[2]).ok} end
  local btype = redis.call('TYPE', KEYS[1]).ok
  if btype ~= 'none' and btype ~= 'string' then
    return redis.error_reply('WRONGTYPE Operation against a key holding the wrong kind of value')
  end
  if record and not string.match(record, '^m=%d+ k=%d+ hashing=%w+$') then
    return {2, string.sub(record, 1, 120)}
  end
  if btype == 'none' then return nil, true end
  if record then return {0, record} end
  if ARGV[2] ~= '1' then return {3} end
  return nil, true
end
