-- wrk script: ever-different name filters (two random letters) on a random page, so that no
-- worker's page cache answers them. The seed is the script's argument: clients with their own
-- seeds send different filters.
local letters = "abcdefghijklmnopqrstuvwxyz"

init = function(args)
  math.randomseed(tonumber(args[1] or "1"))
end

request = function()
  local a = math.random(1, 26)
  local b = math.random(1, 26)
  local needle = letters:sub(a, a) .. letters:sub(b, b)
  return wrk.format("GET", "/v1/tokens?name=" .. needle .. "&page=" .. math.random(1, 20))
end
