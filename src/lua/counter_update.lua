-- Add counts to a counter or take them away (or write a new one's initial counts);
-- every result is checked before the first write. KEYS[1]: the counter.
-- ARGV: 'i' (initial, if the key does not exist) or 'u'; '+' or '-'; the layout of the
-- contributions, then they: 'p' field, count, ... (a field may repeat); 'd' distinct
-- fields, then their counts in the same order; 'e' one count, then distinct fields that
-- each get it.
-- Returns the first field's new count as text, or a failure array (counter_update.c).
--@include counter_parse
--@include counter_arith
--@include counter_fits
--@include counter_load
--@include counter_accumulate
--@include counter_write
--@include counter_store
--@include counter_quick
local key = KEYS[1]
if ARGV[1] == 'i' and redis.call('EXISTS', key) == 1 then return {'exists', key} end
local quick_count = quick(key, ARGV[2])
if quick_count then return quick_count end
local P, first = expand()
local fields, H, L = distinct(P, first), {}, {}
local err = current(key, fields, H, L) or accumulate(key, P, first, ARGV[2], H, L) or store(key, fields, H, L)
if err then return err end
return fmt(H[fields[1]], L[fields[1]])
