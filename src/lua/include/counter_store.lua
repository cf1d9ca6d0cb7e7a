-- store(key, fields, H, L): write() if every count fits int64.
local function store(key, fields, H, L)
 for _, f in ipairs(fields) do
  if not fits(H[f], L[f]) then return {'range', key, f} end
 end
 write(key, fields, H, L)
end
