-- l + other: a new list holding one list's elements, then another's (optional), then
-- values given, written only if the new key does not exist yet.
-- KEYS[1]: the new list (must not exist). KEYS[2]: the first list. KEYS[3] (optional):
-- the second list. ARGV: more elements (JSON text) to append after them.
-- Returns how many elements were written, or -1 when KEYS[1] existed (nothing written).
--@include list_push
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local a = redis.call('LRANGE', KEYS[2], 0, -1)
local b = {}
if #KEYS > 2 then b = redis.call('LRANGE', KEYS[3], 0, -1) end
rpush_all(KEYS[1], a, 1, #a)
rpush_all(KEYS[1], b, 1, #b)
rpush_all(KEYS[1], ARGV, 1, #ARGV)
return #a + #b + #ARGV
