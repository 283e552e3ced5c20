-- wrk script: `name=ci` (a fifth of the names match) on a different page each time, so that
-- no worker's page cache answers it. The seed is the script's argument.
init = function(args)
  math.randomseed(tonumber(args[1] or "1"))
end

request = function()
  return wrk.format("GET", "/v1/tokens?name=ci&page=" .. math.random(1, 8000))
end
