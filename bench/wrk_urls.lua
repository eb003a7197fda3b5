-- wrk script for bench/serve.py: each request picks a random path from a file (one per line),
-- sends the bearer token given as the second argument, and the run ends by printing one JSON line
-- with the latency percentiles in microseconds.
local paths = {}
local token = nil

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
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON {"p50": %d, "p95": %d, "p99": %d, "max": %d, "requests": %d, "duration_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d}\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
