-- load(key, fields, H, L): stored counts; current(): or 0 each for ARGV[1] == 'i'.
local function load(key, fields, H, L)
 for i = 1, #fields, 1000 do
  local j = math.min(i + 999, #fields)
  local cur = redis.call('HMGET', key, unpack(fields, i, j))
  for k = i, j do
   local f, v = fields[k], cur[k - i + 1]
   local h, l = 0, 0
   if v then
    h, l = parse(v)
    if not h then return {'decode', key, f, v} end
   end
   H[f], L[f] = h, l
  end
 end
end
local function current(key, fields, H, L)
 if ARGV[1] ~= 'i' then return load(key, fields, H, L) end
 for _, f in ipairs(fields) do H[f], L[f] = 0, 0 end
end
