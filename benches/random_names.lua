-- wrk script: every request filters by a different name (two random letters) and page, so
-- that no page is answered from a cache and each one scans every name.
local letters = "abcdefghijklmnopqrstuvwxyz"
math.randomseed(7)

request = function()
  local a = math.random(1, 26)
  local b = math.random(1, 26)
  local needle = letters:sub(a, a) .. letters:sub(b, b)
  local path = "/v1/tokens?name=" .. needle .. "&page=" .. math.random(1, 50)
  return wrk.format("GET", path)
end
