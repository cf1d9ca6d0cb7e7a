-- distinct(A, first): the fields of the field, count pairs A[first..] once each;
-- accumulate(): add their counts.
local function distinct(A, first)
 local seen, fields = {}, {}
 for i = first, #A, 2 do
  if not seen[A[i]] then seen[A[i]] = true; fields[#fields + 1] = A[i] end
 end
 return fields
end
local function accumulate(key, A, first, sign, H, L)
 for i = first, #A, 2 do
  local f = A[i]
  local h, l = parse(A[i + 1])
  if sign == '-' then h, l = neg(h, l) end
  h, l = add(H[f], L[f], h, l)
  if h > 1e14 or h < -1e14 then return {'range', key, f} end
  H[f], L[f] = h, l
 end
end
