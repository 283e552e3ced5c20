-- wrk script: `name=ci` (a fifth of the names match) on a different page each time, so that
-- no page is answered from a cache and each one scans every name and keeps every match.
math.randomseed(11)

request = function()
  return wrk.format("GET", "/v1/tokens?name=ci&page=" .. math.random(1, 8000))
end
