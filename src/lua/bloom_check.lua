-- Check that a handle may use a Bloom filter (its open): the record rules of
-- include/bloom_record.lua, without writing anything.
-- KEYS[1]: the bitmap. KEYS[2]: its record. ARGV[1]: the handle's record. ARGV[2]: '1'
-- when a bitmap without a record is accepted.
-- Returns {1}, or the refusal of bloom_record().
--@include bloom_record
local refused = bloom_record()
if refused then return refused end
return {1}
