-- wrk script: GET <path><id> where id follows the seeds' cache mix: HOT_SHARE of requests go to a hot
-- set of HOT products (cache hits once warm), the rest to any of PRODUCTS (mostly misses), and the
-- Server-Timing entries of every response are summed per hop for the per-hop split.
-- env: BENCH_PATH (default /api/pages/products/), PRODUCTS, HOT, HOT_SHARE, HOST
local path = os.getenv("BENCH_PATH") or "/api/pages/products/"
local products = tonumber(os.getenv("PRODUCTS") or "10000")
local hot = tonumber(os.getenv("HOT") or "1000")
local hotShare = tonumber(os.getenv("HOT_SHARE") or "0.88")
local host = os.getenv("HOST") or "shop.requestflow.test"
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  sums, counts, non2xx, degraded = {}, {}, 0, 0
  wrk.headers["Host"] = host
end

function request()
  local pid
  if math.random() < hotShare then pid = math.random(1, hot) else pid = math.random(1, products) end
  return wrk.format("GET", path .. pid)
end

function response(status, headers, body)
  if status >= 300 then non2xx = non2xx + 1 end
  if string.find(body, '"degraded":["', 1, true) then degraded = degraded + 1 end
  local st = headers["server-timing"] or headers["Server-Timing"]
  if st == nil then return end
  for name, dur in string.gmatch(st, "([%w%-%._]+);dur=([%d%.]+)") do
    sums[name] = (sums[name] or 0) + tonumber(dur)
    counts[name] = (counts[name] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total, tcount, bad, deg = {}, {}, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    deg = deg + (t:get("degraded") or 0)
    local s, c = t:get("sums"), t:get("counts")
    for k, v in pairs(s or {}) do total[k] = (total[k] or 0) + v; tcount[k] = (tcount[k] or 0) + c[k] end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT path=%s rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f requests=%d errors=%d non2xx=%d degraded=%d\n",
    path, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, bad, deg))
  local names = {}
  for k in pairs(total) do table.insert(names, k) end
  table.sort(names, function(a, b) return total[a] / tcount[a] > total[b] / tcount[b] end)
  for _, k in ipairs(names) do
    io.write(string.format("SPLIT %s mean_ms=%.3f seen=%d\n", k, total[k] / tcount[k], tcount[k]))
  end
end
