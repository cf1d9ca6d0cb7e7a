-- Set bits of a Bloom filter, after checking its record, which it writes when there is
-- none (or a stale one): both in one step, so a bitmap never exists without the record of
-- the parameters that wrote it.
-- KEYS[1]: the bitmap. KEYS[2]: its record. ARGV[1]: the handle's record. ARGV[2]: '1'
-- when a bitmap without a record is accepted. ARGV[3..]: the bit offsets to set.
-- Returns {1}, or the refusal of bloom_record().
--@include bloom_record
local refused, rewrite = bloom_record()
if refused then return refused end
if #ARGV < 3 then return {1} end
if rewrite then redis.call('SET', KEYS[2], ARGV[1]) end
-- BITFIELD SET u1 is SETBIT, many bits a call (unpack takes a few thousand values at most)
local ops, n = {}, 0
for i = 3, #ARGV do
  ops[n + 1], ops[n + 2], ops[n + 3], ops[n + 4] = 'SET', 'u1', ARGV[i], '1'
  n = n + 4
  if n == 4000 or i == #ARGV then
    redis.call('BITFIELD', KEYS[1], unpack(ops, 1, n))
    n = 0
  end
end
return {1}
