-- wrk script for bench/ingest.py: every request is a kiosk's POST of one finished
-- questionnaire (or, with SIPAS_WRK_BATCH > 0, of a queue of that many), each
-- response under an id never sent before.
--
-- Environment (set by bench/ingest.py):
--   SIPAS_WRK_PATH      the URL path to POST to
--   SIPAS_WRK_BODIES    a file, one line per body: the JSON after `"id":…,"counter":…,`
--   SIPAS_WRK_KIOSKS    a file, one line per kiosk: `counter code<TAB>cookie value`
--   SIPAS_WRK_NONCE     8 hex digits, unique to this run: the ids start with it
--   SIPAS_WRK_BATCH     0 for single submissions, else responses per request
-- Prints one line `SIPAS_WRK {json}` when done.

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  path = os.getenv("SIPAS_WRK_PATH")
  nonce = os.getenv("SIPAS_WRK_NONCE")
  batch = tonumber(os.getenv("SIPAS_WRK_BATCH") or "0")
  rests = {}
  for line in io.lines(os.getenv("SIPAS_WRK_BODIES")) do
    rests[#rests + 1] = line
  end
  codes, cookies = {}, {}
  for line in io.lines(os.getenv("SIPAS_WRK_KIOSKS")) do
    local code, cookie = line:match("^([^\t]+)\t(.*)$")
    codes[#codes + 1] = code
    cookies[#cookies + 1] = cookie
  end
  seq = 0
  ok, other, accepted = 0, 0, 0
  bad = ""
end

local function item(k)
  seq = seq + 1
  local id = string.format("%s-%04x-4000-8000-%012x", nonce, tid, seq)
  return '{"id":"' .. id .. '","counter":"' .. codes[k] .. '",' .. rests[seq % #rests + 1]
end

function request()
  -- One kiosk per request (its cookie, its counter); threads start apart.
  local k = (seq + tid * 7919) % #codes + 1
  local body
  if batch > 0 then
    local parts = {}
    for i = 1, batch do
      parts[i] = item(k)
    end
    body = '{"submissions":[' .. table.concat(parts, ",") .. "]}"
  else
    body = item(k)
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["Cookie"] = "sipas_kiosk=" .. cookies[k],
    ["Sipas-Queue-Length"] = "0",
  }
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status == 200 or status == 201 then
    ok = ok + 1
    if batch > 0 then
      local _, n = body:gsub('"status":201', "")
      accepted = accepted + n
    elseif status == 201 then
      accepted = accepted + 1
    end
  else
    other = other + 1
    bad = status .. " " .. body:sub(1, 300)
  end
end

function done(summary, latency, requests)
  local t_ok, t_other, t_acc, t_bad = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    t_ok = t_ok + t:get("ok")
    t_other = t_other + t:get("other")
    t_acc = t_acc + t:get("accepted")
    local b = t:get("bad")
    if b ~= nil and b ~= "" then
      t_bad = b
    end
  end
  t_bad = t_bad:gsub('[%c"\\]', " ")
  local e = summary.errors
  io.write(string.format(
    'SIPAS_WRK {"requests":%d,"seconds":%.3f,"ok":%d,"other":%d,"accepted":%d,'
      .. '"p50_ms":%.2f,"p99_ms":%.2f,"socket_errors":%d,"timeouts":%d,"bad":"%s"}\n',
    summary.requests, summary.duration / 1e6, t_ok, t_other, t_acc,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write, e.timeout, t_bad
  ))
end
