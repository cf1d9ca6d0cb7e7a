-- Propose the next id of a NextID sequence: store it only over nothing, over text that is
-- not a number, or over a smaller number, so that the value only ever moves up (the rule
-- pottery's own script follows; both can run on the same key). When it refuses, it answers
-- the value it holds, so the proposer can jump past it without another read.
-- KEYS[1]: nextid:<key>. ARGV[1]: the proposed id, decimal text (stored as given).
-- Returns { 1, ARGV[1] } when stored, { 0, held value as text } when refused.
local held = redis.call('GET', KEYS[1])
local current = held and tonumber(held) or nil
if current == nil or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return { 1, ARGV[1] }
end
return { 0, held }
