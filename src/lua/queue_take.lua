-- Take the oldest entry of a queue's stream: read it and, if its `item` field is JSON for
-- sure, delete it in the same atomic step, so that of several consumers exactly one gets
-- each entry and an entry the client cannot decode is never removed.
-- KEYS[1]: the stream. No ARGV.
-- Returns { id, { field, value, ... }, 1 if the entry was deleted else 0 }, or false when
-- the stream is empty or missing.
--@include json_ok
local entry = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if not entry then return false end
local fields, item = entry[2]
for i = 2, #fields, 2 do
  if fields[i - 1] == 'item' then item = fields[i] end
end
if not (item and json_ok(item)) then return { entry[1], fields, 0 } end
redis.call('XDEL', KEYS[1], entry[1])
return { entry[1], fields, 1 }
