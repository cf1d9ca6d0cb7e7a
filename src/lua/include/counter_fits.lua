-- less(a, b): a < b; fits(h, l): within int64.
local function less(h1, l1, h2, l2)
 return h1 < h2 or (h1 == h2 and l1 < l2)
end
local function fits(h, l)
 return not less(9223372036, 854775807, h, l) and not less(h, l, -9223372037, 145224192)
end
