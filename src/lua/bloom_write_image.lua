-- Set many bits of a Bloom filter at once, after checking its record (which it writes when
-- there is none, or a stale one): the bits come as an image, a string whose set bits are the
-- ones to set (Redis' bit order), ORed into the bitmap. For a large batch on a small filter
-- this is far less to send and to parse than one offset per bit.
-- KEYS[1]: the bitmap. KEYS[2]: its record. KEYS[3]: a scratch key beside them, which exists
-- only while the script runs. ARGV[1]: the handle's record. ARGV[2]: '1' when a bitmap
-- without a record is accepted. ARGV[3]: the image (no longer than the bitmap needs to grow).
-- Returns {1}, or the refusal of bloom_record().
--@include bloom_record
local refused, rewrite = bloom_record()
if refused then return refused end
if rewrite then redis.call('SET', KEYS[2], ARGV[1]) end
redis.call('SET', KEYS[3], ARGV[3])
local done = redis.pcall('BITOP', 'OR', KEYS[1], KEYS[1], KEYS[3])
redis.call('DEL', KEYS[3])
if type(done) == 'table' and done.err then return done end
return {1}
