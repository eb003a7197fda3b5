-- wrk script for bench/serve.py: each request picks a random path from a file (one per line),
-- sends the bearer token given as the second argument, and the run ends by printing one JSON line
-- with the latency percentiles in microseconds.
--
-- Two readings of latency come out. wrk's own ("p50", "p95", "p99", "max") is corrected for
-- coordinated omission before the script sees it (see bench/serve.py). The script also times
-- every request itself ("req_p50", "req_p95", "req_p99", "req_max"): from the moment wrk asks
-- for the request (just before writing it) to the moment its response is complete, with the
-- monotonic clock through LuaJIT's ffi. That is exact only when each wrk thread drives one
-- connection (serve.py runs wrk with as many threads as connections), since a thread's
-- request() and response() then alternate for that one connection.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } landrenew_timespec;
int clock_gettime(int clk_id, landrenew_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("landrenew_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local paths = {}
local token = nil
local threads = {}
local sent_at = nil

-- per thread (read by done() through thread:get, so global): how many requests took each
-- number of tenths of a millisecond, and the longest
latency_counts = {}
latency_max = 0

function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  token = args[2]
  local seed = os.time()
  for c in tostring({}):gmatch("%x") do seed = seed + tonumber(c, 16) end
  math.randomseed(seed)
end

function request()
  -- as QGIS, GDAL and browsers do: the server may answer kept pages gzip-compressed
  local headers = {["Accept-Encoding"] = "gzip"}
  if token and #token > 0 then headers["Authorization"] = "Bearer " .. token end
  sent_at = now_us()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function response(status, headers, body)
  if sent_at == nil then return end
  local us = now_us() - sent_at
  sent_at = nil
  local bucket = math.floor(us / 100)
  latency_counts[bucket] = (latency_counts[bucket] or 0) + 1
  if us > latency_max then latency_max = us end
end

-- the q-th percentile (0–100) of the merged counts, in microseconds (a bucket's upper edge)
local function percentile(buckets, counts, total, q)
  local want = math.ceil(total * q / 100)
  local seen = 0
  for _, b in ipairs(buckets) do
    seen = seen + counts[b]
    if seen >= want then return (b + 1) * 100 end
  end
  return 0
end

function done(summary, latency, requests)
  local counts, total, longest = {}, 0, 0
  for _, thread in ipairs(threads) do
    for b, n in pairs(thread:get("latency_counts") or {}) do
      counts[b] = (counts[b] or 0) + n
      total = total + n
    end
    longest = math.max(longest, thread:get("latency_max") or 0)
  end
  local buckets = {}
  for b in pairs(counts) do buckets[#buckets + 1] = b end
  table.sort(buckets)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50": %d, "p95": %d, "p99": %d, "max": %d, "requests": %d, "duration_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d, "timed": %d, "req_p50": %d, "req_p95": %d, ' ..
    '"req_p99": %d, "req_max": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    total, percentile(buckets, counts, total, 50), percentile(buckets, counts, total, 95),
    percentile(buckets, counts, total, 99), longest))
end
