-- Membership of elements in a Bloom filter, after checking its record.
-- KEYS[1]: the bitmap. KEYS[2]: its record. ARGV[1]: the handle's record. ARGV[2]: '1'
-- when a bitmap without a record is accepted. ARGV[3]: k, the bits per element.
-- ARGV[4..]: k bit offsets for each element, element after element.
-- Returns {1, answer, answer, ...}: 1 when all of an element's bits are set, else 0; or the
-- refusal of bloom_record().
--@include bloom_record
local refused = bloom_record()
if refused then return refused end
-- BITFIELD GET u1 is GETBIT, many bits a call (unpack takes a few thousand values at most)
local k, bits, ops, n = tonumber(ARGV[3]), {}, {}, 0
for i = 4, #ARGV do
  ops[n + 1], ops[n + 2], ops[n + 3] = 'GET', 'u1', ARGV[i]
  n = n + 3
  if n == 3000 or i == #ARGV then
    local got = redis.call('BITFIELD', KEYS[1], unpack(ops, 1, n))
    for j = 1, #got do bits[#bits + 1] = got[j] end
    n = 0
  end
end
local out = {1}
for i = 1, #bits, k do
  local all = 1
  for j = i, i + k - 1 do
    if bits[j] == 0 then
      all = 0
      break
    end
  end
  out[#out + 1] = all
end
return out
