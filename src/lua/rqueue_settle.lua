-- Settle one delivery of a reliable queue, if the consumer still holds the entry at the
-- delivery count it got: acknowledge it (XACK, then XDEL: the stream keeps only what is not
-- yet acknowledged), or set its idle time (XCLAIM to the same consumer with IDLE, the count
-- kept), to give it back at once (idle = the visibility timeout) or to hold it longer (0).
-- KEYS[1]: the stream. ARGV[1]: group; ARGV[2]: consumer; ARGV[3]: entry ID; ARGV[4]: its
-- delivery count; ARGV[5]: 'ack', or the idle time to set (ms).
-- Returns 1 when settled, 0 when the consumer no longer holds that delivery (or there is no
-- such stream or group).
local key, group, consumer, id = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local pending = redis.pcall('XPENDING', key, group, id, id, 1)
if pending.err then
  if string.sub(pending.err, 1, 7) == 'NOGROUP' then return 0 end
  return pending
end
local p = pending[1]
if not p or p[2] ~= consumer or tostring(p[4]) ~= ARGV[4] then return 0 end
if ARGV[5] == 'ack' then
  redis.call('XACK', key, group, id)
  redis.call('XDEL', key, id)
else
  redis.call('XCLAIM', key, group, consumer, 0, id, 'IDLE', ARGV[5], 'RETRYCOUNT', ARGV[4], 'JUSTID')
end
return 1
