-- wrk script: POSTs one prepared body over and over.
-- BENCH_BODY: the body file; BENCH_CONTENT_TYPE: its Content-Type;
-- BENCH_AUTHORIZATION, if set: the Authorization header (basic auth to a gateway with users).
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
