-- write(key, fields, H, L): HSET the counts as text.
local function write(key, fields, H, L)
 for i = 1, #fields, 1000 do
  local args = {}
  for k = i, math.min(i + 999, #fields) do
   args[#args + 1] = fields[k]
   args[#args + 1] = fmt(H[fields[k]], L[fields[k]])
  end
  redis.call('HSET', key, unpack(args))
 end
end
