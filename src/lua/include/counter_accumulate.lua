-- distinct(first): ARGV fields once each; accumulate(): add their counts.
local function distinct(first)
 local seen, fields = {}, {}
 for i = first, #ARGV, 2 do
  if not seen[ARGV[i]] then seen[ARGV[i]] = true; fields[#fields + 1] = ARGV[i] end
 end
 return fields
end
local function accumulate(key, first, sign, H, L)
 for i = first, #ARGV, 2 do
  local f = ARGV[i]
  local h, l = parse(ARGV[i + 1])
  if sign == '-' then h, l = neg(h, l) end
  h, l = add(H[f], L[f], h, l)
  if h > 1e14 or h < -1e14 then return {'range', key, f} end
  H[f], L[f] = h, l
 end
end
