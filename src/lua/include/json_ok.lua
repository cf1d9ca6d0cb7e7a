-- json_ok(s): true only for text the client's decoder accepts (RFC 8259 plus NaN, Infinity
-- and -Infinity, nesting up to 512 deep), so that a script can check an item before it
-- removes it. To bound the server's time it does not judge texts over 8 KiB, nor raw bytes
-- outside ASCII (pottery and this library escape them): those are false, and the client
-- decodes and claims them itself. A part (--@include json_ok): defines locals only.
local find, byte, sub = string.find, string.byte, string.sub
local escapes = { [34] = 1, [47] = 1, [92] = 1, [98] = 1, [102] = 1, [110] = 1, [114] = 1, [116] = 1 }
local words = { [73] = 'Infinity', [78] = 'NaN', [102] = 'false', [110] = 'null', [116] = 'true' }
local function ws(s, p)
  local c = byte(s, p)
  if c ~= 32 and c ~= 9 and c ~= 10 and c ~= 13 then return p end
  local _, e = find(s, '^[ \t\n\r]*', p + 1)
  return e + 1
end
local function str(s, p)
  p = p + 1
  while true do
    local _, e = find(s, '^[^"\\%z\1-\31]*', p)
    p = e + 1
    local c = byte(s, p)
    if c == 34 then return p + 1 end
    if c ~= 92 then return nil end
    c = byte(s, p + 1)
    if c == 117 then
      if not find(s, '^%x%x%x%x', p + 2) then return nil end
      local u = tonumber(sub(s, p + 2, p + 5), 16)
      p = p + 6
      if u >= 0xDC00 and u <= 0xDFFF then return nil end
      if u >= 0xD800 and u <= 0xDBFF then
        if byte(s, p) ~= 92 or byte(s, p + 1) ~= 117 or not find(s, '^[dD][c-fC-F]%x%x', p + 2) then
          return nil
        end
        p = p + 6
      end
    elseif escapes[c] then
      p = p + 2
    else
      return nil
    end
  end
end
local function value(s, p, depth)
  local c = byte(s, p)
  if c == 34 then return str(s, p) end
  if c == 91 or c == 123 then
    if depth == 512 then return nil end
    local close = c + 2
    p = ws(s, p + 1)
    if byte(s, p) == close then return p + 1 end
    while true do
      if c == 123 then
        if byte(s, p) ~= 34 then return nil end
        p = str(s, p)
        if not p then return nil end
        p = ws(s, p)
        if byte(s, p) ~= 58 then return nil end
        p = ws(s, p + 1)
      end
      p = value(s, p, depth + 1)
      if not p then return nil end
      p = ws(s, p)
      local d = byte(s, p)
      if d == close then return p + 1 end
      if d ~= 44 then return nil end
      p = ws(s, p + 1)
    end
  end
  local w = words[c]
  if c == 45 and byte(s, p + 1) == 73 then w = '-Infinity' end
  if w then return sub(s, p, p + #w - 1) == w and p + #w or nil end
  if c == 45 then p = p + 1 end
  local _, e = find(s, '^%d+', p)
  if not e or (e > p and byte(s, p) == 48) then return nil end
  p = e + 1
  c = byte(s, p)
  if c == 46 then
    _, e = find(s, '^%d+', p + 1)
    if not e then return nil end
    p = e + 1
    c = byte(s, p)
  end
  if c == 101 or c == 69 then
    _, e = find(s, '^[%+%-]?%d+', p + 1)
    if not e then return nil end
    p = e + 1
  end
  return p
end
local function json_ok(s)
  if #s > 8192 or find(s, '[\128-\255]') then return false end
  local p = value(s, ws(s, 1), 0)
  return p ~= nil and ws(s, p) == #s + 1
end
