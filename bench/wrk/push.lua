-- wrk script: POSTs one prepared body over and over.
-- BENCH_BODY: the body file; BENCH_CONTENT_TYPE: its Content-Type;
-- BENCH_AUTHORIZATION, if set: the Authorization header (basic auth to a gateway with users).
-- BENCH_SOURCES=N: push as N sources, /metrics/job/bench/instance/s0 ... s<N-1> in turn (each wrk
-- thread takes every BENCH_THREADS-th one, so no two threads push as one source at once).
-- BENCH_ROTATE=1 with no BENCH_SOURCES: hand out prepared requests from Lua as the sources runs
-- do, all to the one path, so that a delta run costs wrk what a sources run costs it.
local path = os.getenv("BENCH_BODY")
local file = assert(io.open(path, "rb"), "cannot open BENCH_BODY " .. tostring(path))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

local sources = tonumber(os.getenv("BENCH_SOURCES") or "0")
local rotate = os.getenv("BENCH_ROTATE") == "1"
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local created = 0

function setup(thread)
  thread:set("first", created)
  created = created + 1
end

if sources > 0 or rotate then
  local requests = {}
  local n = 0

  function init(args)
    -- every request built once: a request per push would cost wrk more than the server's difference
    if sources == 0 then
      requests[1] = wrk.format(nil, wrk.path)
    else
      for s = first, sources - 1, threads do
        requests[#requests + 1] = wrk.format(nil, wrk.path .. "/instance/s" .. s)
      end
    end
  end

  function request()
    n = n % #requests + 1
    return requests[n]
  end
end
