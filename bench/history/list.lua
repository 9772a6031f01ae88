-- wrk script: GET /v1/reports?QUERY; a QUERY ending in "cursor=" gets a random cursor from CURSORS.
-- Each wrk thread seeds its own generator (unseeded, every thread would draw the same cursors in turn).
local query = os.getenv("QUERY")
local cursors = {}
for line in io.lines(os.getenv("CURSORS")) do cursors[#cursors + 1] = line end
local needs_cursor = query:sub(-7) == "cursor="

local threads = 0
setup = function(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
end

init = function(args)
    math.randomseed(os.time() + 7919 * (thread_id or 0))
end

request = function()
    local q = query
    if needs_cursor then q = q .. cursors[math.random(#cursors)] end
    return wrk.format("GET", "/v1/reports?" .. q)
end
