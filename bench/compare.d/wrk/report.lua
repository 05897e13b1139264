-- Loaded by every wrk run of bench/compare (directly with -s, or through dofile from the other scripts).
-- Counts answers per status code, so a server that answers 401 by mistake is caught rather than crowned,
-- and prints one machine-readable line at the end:  WRK_RESULT {json}

statuses = {}  -- global: done() reads it from each thread with thread:get()

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function object(fields)
  local parts = {}
  for _, kv in ipairs(fields) do
    parts[#parts + 1] = string.format('"%s":%s', kv[1], kv[2])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function status_counts()
  local counts = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local fields = {}
  for code, n in pairs(counts) do
    fields[#fields + 1] = { tostring(code), string.format("%d", n) }
  end
  return object(fields)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = object({ { "connect", e.connect }, { "read", e.read }, { "write", e.write },
                          { "status", e.status }, { "timeout", e.timeout } })
  local lat = object({ { "p50", latency:percentile(50) }, { "p90", latency:percentile(90) },
                       { "p99", latency:percentile(99) }, { "max", latency.max },
                       { "mean", string.format("%.1f", latency.mean) } })
  io.write("WRK_RESULT ", object({ { "requests", summary.requests }, { "duration_us", summary.duration },
                                   { "bytes", summary.bytes }, { "errors", errors },
                                   { "latency_us", lat }, { "statuses", status_counts() } }), "\n")
end
