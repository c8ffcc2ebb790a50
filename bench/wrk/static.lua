-- One fixed request (no request() function, so wrk sends it at full speed).
-- BENCH_METHOD, BENCH_BODY (form-encoded) and BENCH_ACCEPT (an Accept header) come from the environment.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
local accept = os.getenv("BENCH_ACCEPT")
if accept and accept ~= "" then
  wrk.headers["Accept"] = accept
end
