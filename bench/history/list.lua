-- wrk script: GET /v1/reports?QUERY; a QUERY ending in "cursor=" gets a random cursor from CURSORS.
local query = os.getenv("QUERY")
local cursors = {}
for line in io.lines(os.getenv("CURSORS")) do cursors[#cursors + 1] = line end
local needs_cursor = query:sub(-7) == "cursor="

request = function()
    local q = query
    if needs_cursor then q = q .. cursors[math.random(#cursors)] end
    return wrk.format("GET", "/v1/reports?" .. q)
end
