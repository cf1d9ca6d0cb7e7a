-- Write a list's initial contents, only if the key does not exist yet (atomically).
-- KEYS[1]: the list. ARGV: the elements (JSON text), left to right.
-- Returns 1 when written, 0 when the key existed (nothing written).
--@include list_push
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
rpush_all(KEYS[1], ARGV, 1, #ARGV)
return 1
