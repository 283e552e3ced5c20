-- wrk script of benches/soak.sh: a mix of listing requests, good and bad, in turn on every
-- connection, each answer checked against the status its scenario expects.
--
-- Secrets come from the environment: SOAK_READER_SECRET (lists tokens: 200) and
-- SOAK_NO_SCOPE_SECRET (lacks tokens:read: 403). Each request carries an X-Request-Id naming
-- its scenario; the server echoes it, so an answer is matched to its request even though
-- wrk's response() does not say which request it answers.
--
-- wrk runs this file in one Lua state per thread, plus one for setup() and done(): counts
-- live in each thread's globals and done() reads them through the thread objects that
-- setup() kept.

local reader = os.getenv("SOAK_READER_SECRET") or ""
local no_scope = os.getenv("SOAK_NO_SCOPE_SECRET") or ""

local scenarios = {
   { name = "status page",   expect = 200, secret = reader,
     path = "/v1/tokens?status=active&per_page=25&page=3" },
   { name = "unfiltered",    expect = 200, secret = reader,
     path = "/v1/tokens?per_page=100" },
   { name = "name filter",   expect = 200, secret = reader,
     path = "/v1/tokens?name=ci&per_page=25" },
   { name = "deep page",     expect = 200, secret = reader,
     path = "/v1/tokens?page=999&per_page=25" },
   { name = "bad query",     expect = 400, secret = reader,
     path = "/v1/tokens?page=0&per_page=101&status=Active&name=%zz" },
   { name = "missing token", expect = 401, secret = nil,
     path = "/v1/tokens" },
   { name = "no scope",      expect = 403, secret = no_scope,
     path = "/v1/tokens" },
}

-- In the main state: every thread, to read its counts when the run is done.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- In each thread's state. counts["<scenario index>:<status>"] = responses; index "?" when
-- the answer carried no id of ours.
counts = {}
local turn = 0
local serial = 0

function init(args)
   if reader == "" or no_scope == "" then
      error("set SOAK_READER_SECRET and SOAK_NO_SCOPE_SECRET")
   end
end

function request()
   turn = turn % #scenarios + 1
   serial = serial + 1
   local scenario = scenarios[turn]
   local headers = { ["X-Request-Id"] = "soak-" .. turn .. "-" .. serial }
   if scenario.secret then
      headers["Authorization"] = "Bearer " .. scenario.secret
   end
   return wrk.format("GET", scenario.path, headers)
end

function response(status, headers, body)
   local id = headers["x-request-id"] or headers["X-Request-Id"]
   local index = id and string.match(id, "^soak%-(%d+)%-") or "?"
   local key = index .. ":" .. status
   counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
   -- statuses[index][status] = responses, summed over the threads.
   local statuses = {}
   for _, thread in ipairs(threads) do
      for key, n in pairs(thread:get("counts") or {}) do
         local index, status = string.match(key, "^([^:]+):(%d+)$")
         statuses[index] = statuses[index] or {}
         statuses[index][status] = (statuses[index][status] or 0) + n
      end
   end

   local unexpected = 0
   io.write("\nscenario         expect  responses  unexpected  statuses\n")
   for index, scenario in ipairs(scenarios) do
      local seen = statuses[tostring(index)] or {}
      local total, wrong, list = 0, 0, {}
      for status, n in pairs(seen) do
         total = total + n
         if tonumber(status) ~= scenario.expect then
            wrong = wrong + n
         end
         table.insert(list, status .. "=" .. n)
      end
      table.sort(list)
      unexpected = unexpected + wrong
      io.write(string.format("%-16s %6d %10d %11d  %s\n", scenario.name, scenario.expect,
                             total, wrong, table.concat(list, " ")))
      if wrong > 0 then
         io.write(string.format("UNEXPECTED: %s got %s, expected %d\n", scenario.name,
                                table.concat(list, " "), scenario.expect))
      end
   end
   for status, n in pairs(statuses["?"] or {}) do
      unexpected = unexpected + n
      io.write(string.format("UNEXPECTED: %d answers with status %s carried no request id\n",
                             n, status))
   end

   local e = summary.errors
   io.write(string.format(
      "soak-result requests=%d unexpected=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, unexpected, e.connect, e.read, e.write, e.timeout))
end
