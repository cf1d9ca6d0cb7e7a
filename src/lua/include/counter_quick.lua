-- quick(key, sign): the common case in doubles, exact below 2^53: every stored count a
-- canonical integer of at most 15 characters and every ARGV count under 2^52 / #ARGV in
-- magnitude, so no sum can leave the exact range. Each distinct text is parsed once and
-- each distinct result formatted once. Writes and returns the first field's new count as
-- text, or returns nil having written nothing, for the exact path to take over.
local function quick(key, sign)
 local argv, nargv = ARGV, #ARGV
 local lim, S, fields, n, num = 4503599627370496 / nargv, {}, {}, 0, {}
 for i = 3, nargv, 2 do
  local f, c = argv[i], argv[i + 1]
  local d = num[c]
  if not d then
   d = tonumber(c)
   if d > lim or d < -lim then return nil end
   if sign == '-' then d = -d end
   num[c] = d
  end
  local s = S[f]
  if s then S[f] = s + d else S[f], n = d, n + 1; fields[n] = f end
 end
 local chunks, stored, text, initial = {}, {}, {}, argv[1] == 'i'
 for i = 1, n, 1000 do
  local j = i + 999
  if j > n then j = n end
  local cur = not initial and redis.call('HMGET', key, unpack(fields, i, j))
  local args, a = {}, 0
  for k = i, j do
   local f, v = fields[k], 0
   local c = cur and cur[k - i + 1]
   if c then
    v = stored[c]
    if not v then
     if #c > 15 or not (c == '0' or find(c, '^%-?[1-9]%d*$')) then return nil end
     v = tonumber(c)
     stored[c] = v
    end
   end
   v = v + S[f]
   local t = text[v]
   if not t then t = format('%.0f', v); text[v] = t end
   args[a + 1], args[a + 2], a = f, t, a + 2
  end
  chunks[#chunks + 1] = args
 end
 for _, args in ipairs(chunks) do redis.call('HSET', key, unpack(args)) end
 return chunks[1][2]
end
