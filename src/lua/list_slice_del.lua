-- Delete l[start:stop:step]: exactly the selected elements (overwritten with the
-- placeholder and removed, for an extended slice).
-- KEYS[1]: the list. ARGV[1..3]: start, stop, step ('' = omitted; never a step of 0).
-- ARGV[4]: a fresh placeholder (a uuid4 in plain text, never JSON).
-- Returns how many elements were removed.
--@include list_resolve
--@include list_push
--@include list_replace_range
local key = KEYS[1]
local len = redis.call('LLEN', key)
local start, stop, step, n = resolve(len, ARGV[1], ARGV[2], ARGV[3])
if n == 0 then return 0 end
if step == 1 then replace_range(key, len, start, start + n, ARGV, 1, 0); return n end
if step == -1 then replace_range(key, len, start - n + 1, start + 1, ARGV, 1, 0); return n end
for k = 0, n - 1 do redis.call('LSET', key, start + k * step, ARGV[4]) end
redis.call('LREM', key, 0, ARGV[4])
return n
