-- wrk script: a mix of what a shared fitcheckd sees. Of every 10 requests per connection: 4 POST
-- /v1/preflight (the body named by BODY), 2 GET /v1/reports?limit=20, 2 GET /v1/reports/{id} of a
-- report this thread stored, 2 POST /v1/explain. Counts answers by class; done() prints them.
local body = assert(io.open(os.getenv("BODY"), "rb")):read("*a")
local explain = '{"error":"ValueError: Shapes (None, 1) and (None, 10) are incompatible"}'
local threads = {}
local n = 0
local ids = {}
counts = {ok = 0, c4 = 0, c5 = 0}

function setup(thread)
    table.insert(threads, thread)
end

function request()
    n = n + 1
    local k = n % 10
    if k < 4 or #ids == 0 then
        return wrk.format("POST", "/v1/preflight", {["Content-Type"] = "application/json"}, body)
    elseif k < 6 then
        return wrk.format("GET", "/v1/reports?limit=20")
    elseif k < 8 then
        return wrk.format("GET", ids[(n % #ids) + 1])
    end
    return wrk.format("POST", "/v1/explain", {["Content-Type"] = "application/json"}, explain)
end

function response(status, headers, _)
    if status >= 500 then
        counts.c5 = counts.c5 + 1
    elseif status >= 400 then
        counts.c4 = counts.c4 + 1
    else
        counts.ok = counts.ok + 1
    end
    local loc = headers["Location"]
    if loc and #ids < 1000 then
        table.insert(ids, loc)
    end
end

function done(summary, latency, requests)
    local ok, c4, c5 = 0, 0, 0
    for _, t in ipairs(threads) do
        local c = t:get("counts")
        ok, c4, c5 = ok + c.ok, c4 + c.c4, c5 + c.c5
    end
    io.write(string.format("answers: %d 2xx/3xx, %d 4xx, %d 5xx; socket errors: %d connect, %d read, %d write, %d timeout\n",
        ok, c4, c5, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
