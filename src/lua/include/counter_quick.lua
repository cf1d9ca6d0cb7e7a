-- expand(): counter_update's contributions as field, count pairs (list, first index),
-- whatever their layout (ARGV[3]: 'p' pairs, 'd' fields then counts, 'e' one count then
-- fields).
local function expand()
 local layout, n = ARGV[3], #ARGV
 if layout == 'p' then return ARGV, 4 end
 local P = {}
 if layout == 'e' then
  for i = 5, n do P[#P + 1] = ARGV[i]; P[#P + 1] = ARGV[4] end
 else
  local m = (n - 3) / 2
  for i = 1, m do P[#P + 1] = ARGV[3 + i]; P[#P + 1] = ARGV[3 + m + i] end
 end
 return P, 1
end
-- quick(key, sign): the common case in doubles, exact below 2^53: every stored count a
-- canonical integer of at most 15 characters and every ARGV count under 2^52 / #ARGV in
-- magnitude, so no sum can leave the exact range. Distinct fields ('d', 'e') need no table
-- of sums; each distinct text is parsed once and each distinct result formatted once.
-- Writes and returns the first field's new count as text, or returns nil having written
-- nothing, for the exact path to take over.
local function quick(key, sign)
 local A, nA, layout = ARGV, #ARGV, ARGV[3]
 local lim, num = 4503599627370496 / nA, {}
 -- a count's text not seen yet: its signed value (kept in num), or nil when too large
 local function count_of(c)
  local d = tonumber(c)
  if d > lim or d < -lim then return nil end
  if sign == '-' then d = -d end
  num[c] = d
  return d
 end
 local F, fo, n, one, C, co, S -- field k is F[fo + k]; its count one, C[co + k] or S[field]
 if layout == 'e' then
  one = count_of(A[4])
  if not one then return nil end
  F, fo, n = A, 4, nA - 4
 elseif layout == 'd' then
  n = (nA - 3) / 2
  F, fo, C, co = A, 3, A, 3 + n
 else
  S, F, fo, n = {}, {}, 0, 0
  for i = 4, nA, 2 do
   local f, c = A[i], A[i + 1]
   local d = num[c] or count_of(c)
   if not d then return nil end
   local s = S[f]
   if s then S[f] = s + d else S[f], n = d, n + 1; F[n] = f end
  end
 end
 local chunks, stored, text, initial = {}, {}, {}, A[1] == 'i'
 for i = 1, n, 1000 do
  local j = i + 999
  if j > n then j = n end
  local cur = not initial and redis.call('HMGET', key, unpack(F, fo + i, fo + j))
  local args, a = {}, 0
  for k = i, j do
   local f, v, d = F[fo + k], 0, one
   if not d then
    if S then
     d = S[f]
    else
     local c = C[co + k]
     d = num[c] or count_of(c)
     if not d then return nil end
    end
   end
   local c = cur and cur[k - i + 1]
   if c then
    v = stored[c]
    if not v then
     if #c > 15 or not (c == '0' or find(c, '^%-?[1-9]%d*$')) then return nil end
     v = tonumber(c)
     stored[c] = v
    end
   end
   v = v + d
   local t = text[v]
   if not t then t = format('%.0f', v); text[v] = t end
   args[a + 1], args[a + 2], a = f, t, a + 2
  end
  chunks[#chunks + 1] = args
 end
 for _, args in ipairs(chunks) do redis.call('HSET', key, unpack(args)) end
 return chunks[1][2]
end
