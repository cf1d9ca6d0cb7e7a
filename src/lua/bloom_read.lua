-- Membership of elements in a Bloom filter, after checking its record.
-- KEYS[1]: the bitmap. KEYS[2]: its record. ARGV[1]: the handle's record. ARGV[2]: '1'
-- when a bitmap without a record is accepted. ARGV[3]: k, the bits per element.
-- ARGV[4..]: k bit offsets for each element, element after element.
-- Returns {1, answer, answer, ...}: 1 when all of an element's bits are set, else 0; or the
-- refusal of bloom_record().
--@include bloom_record
local refused = bloom_record()
if refused then return refused end
local key, k = KEYS[1], tonumber(ARGV[3])
local out = {1}
for i = 4, #ARGV, k do
  local all = 1
  for j = i, i + k - 1 do
    if redis.call('GETBIT', key, ARGV[j]) == 0 then
      all = 0
      break
    end
  end
  out[#out + 1] = all
end
return out
