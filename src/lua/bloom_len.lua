-- The number of set bits of a Bloom filter (for its length estimate), after checking its
-- record.
-- KEYS[1]: the bitmap. KEYS[2]: its record. ARGV[1]: the handle's record. ARGV[2]: '1'
-- when a bitmap without a record is accepted.
-- Returns {1, BITCOUNT}, or the refusal of bloom_record().
--@include bloom_record
local refused = bloom_record()
if refused then return refused end
return {1, redis.call('BITCOUNT', KEYS[1])}
