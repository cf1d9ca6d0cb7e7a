-- rpush_all(key, t, i, j) / lpush_all(key, t, i, j): push t[i..j] so that it ends up, in
-- order, at the end / at the front of the list, 1000 values per command (Lua's unpack
-- takes only a few thousand values).
local function rpush_all(key, t, i, j)
  while i <= j do
    local e = math.min(i + 999, j)
    redis.call('RPUSH', key, unpack(t, i, e))
    i = e + 1
  end
end
local function lpush_all(key, t, i, j)
  while j >= i do
    local s = math.max(j - 999, i)
    local chunk = {}
    for k = j, s, -1 do chunk[#chunk + 1] = t[k] end
    redis.call('LPUSH', key, unpack(chunk))
    j = s - 1
  end
end
