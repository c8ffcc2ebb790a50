-- Walk a list of keys: BENCH_KEYS (one key a line), BENCH_PATH (with KEY where the key goes),
-- BENCH_METHOD, BENCH_BODY, BENCH_THREADS, BENCH_MODE:
--   once  - every key is used at most once: thread i takes lines i, i+n, i+2n... and stops
--           (marking itself exhausted) if it runs out, so no key is ever sent twice;
--   cycle - every thread walks the whole list round and round (for requests that consume nothing).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local once = os.getenv("BENCH_MODE") == "once"
  local method = os.getenv("BENCH_METHOD") or "GET"
  local template = os.getenv("BENCH_PATH")
  local body = os.getenv("BENCH_BODY")
  local headers = {}
  if body and body ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  else
    body = nil
  end
  requests = {}
  local line_no = 0
  for key in io.lines(os.getenv("BENCH_KEYS")) do
    if key ~= "" then
      if not once or line_no % nthreads == id then
        -- a "%" in the replacement would be read as a capture: escape it
        local path = string.gsub(template, "KEY", (string.gsub(key, "%%", "%%%%")))
        requests[#requests + 1] = wrk.format(method, path, headers, body)
      end
      line_no = line_no + 1
    end
  end
  walk_once = once
  position = 0
  exhausted = 0
end

function request()
  position = position + 1
  if position > #requests then
    if walk_once then
      exhausted = 1
      wrk.thread:stop()
      position = #requests  -- wrk sends this one more time before it stops: the reply is a 404
    else
      position = 1
    end
  end
  return requests[position]
end
