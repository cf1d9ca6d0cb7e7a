-- neg, add and fmt (to decimal text) on exact counts.
local function neg(h, l)
 if l == 0 then return -h, 0 end
 return -h - 1, B - l
end
local function add(h1, l1, h2, l2)
 local h, l = h1 + h2, l1 + l2
 if l >= B then h, l = h + 1, l - B end
 return h, l
end
local function fmt(h, l)
 if h >= -1000000 and h < 1000000 then return format('%.0f', h * B + l) end
 local sign = ''
 if h < 0 then sign, h, l = '-', neg(h, l) end
 return sign .. format('%.0f%09.0f', h, l)
end
