-- wrk script of the benchmarks: rotates through the request bodies of the mix, fills in a session number from a
-- bounded pool per request kind, optionally stops after a number of requests, and prints the results (with p99.9)
-- as one JSON line.
--
--   wrk -s scripts/bench/mix.lua <url> -- <bodies file> [limit per thread] [session pool]
--
-- The bodies file has one request per line: "F\t<body>" for a fixed body, or "T\t<before>\t<after>" for a body
-- whose session number goes between <before> and <after>. JSON never holds a raw tab, so tabs separate safely.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function split(line)
  local parts = {}
  for part in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(parts, part)
  end
  return parts
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  fixed, before, after = {}, {}, {}
  n = 0
  for line in io.lines(args[1]) do
    if #line > 0 then
      local p = split(line)
      n = n + 1
      if p[1] == "F" then
        fixed[n] = wrk.format(nil, nil, nil, p[2])
      else
        before[n], after[n] = p[2], p[3]
      end
    end
  end
  limit = tonumber(args[2] or "0") or 0
  pool = tonumber(args[3] or "1000") or 1000
  offset = (tid or 0) * 7919
  stopped = false
end

function request()
  counter = counter + 1
  if limit > 0 and counter >= limit and not stopped then
    stopped = true
    io.write("BENCH_LIMIT_REACHED\n")
    io.stdout:flush()
    wrk.thread:stop()
  end
  local k = (counter % n) + 1
  local r = fixed[k]
  if r then
    return r
  end
  local sid = (math.floor(counter / n) + offset) % pool
  return wrk.format(nil, nil, nil, before[k] .. sid .. after[k])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.2f,"stdev":%.2f,"min":%d,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
