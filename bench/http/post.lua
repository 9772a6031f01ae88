-- wrk script: POST the request body named by BODY (an environment variable) as JSON, with
-- Authorization: Bearer $KEY when KEY is set (a server run with --auth keys).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
wrk.headers["Content-Type"] = "application/json"
if os.getenv("KEY") then
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
end
f:close()
