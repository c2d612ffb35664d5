-- Each connection keeps its cookies as a browser does: a Set-Cookie in an answer (a new
-- CSRF token on the first page after sign-in, the idle clock refreshed every 30 s) replaces
-- that cookie in the next requests. Sending the sign-in cookie for ever made every request
-- a first page after sign-in, which no browser does: a fresh CSRF token and a rewritten
-- session cookie on each of them.
local jar = {}
local order = {}
local prepared = nil

local function prepare()
  local parts = {}
  for _, name in ipairs(order) do
    parts[#parts + 1] = name .. "=" .. jar[name]
  end
  local headers = {}
  for key, value in pairs(wrk.headers) do
    if key ~= "Cookie" then headers[key] = value end
  end
  if #parts > 0 then headers["Cookie"] = table.concat(parts, "; ") end
  prepared = wrk.format(nil, nil, headers)
end

local function keep(name, value)
  if jar[name] == nil then order[#order + 1] = name end
  jar[name] = value
end

init = function(args)
  local given = wrk.headers["Cookie"]
  if given then
    for pair in string.gmatch(given, "[^;]+") do
      local name, value = pair:match("^%s*([^=]+)=(.*)$")
      if name then keep(name, value) end
    end
  end
  prepare()
end

request = function()
  return prepared
end

response = function(status, headers, body)
  local set = headers["Set-Cookie"]
  if set then
    local name, value = set:match("^%s*([^=]+)=([^;]*)")
    if name and jar[name] ~= value then
      keep(name, value)
      prepare()
    end
  end
end

-- wrk reports requests/s; this adds the latency percentiles as one JSON line.
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
