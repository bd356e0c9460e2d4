-- wrk script for bench/serve_load.sh: POST /v1/recommend, cycling through the bodies in $BODIES (one JSON per
-- line, the same users `evaluate` is timed on). Each wrk thread starts at another offset.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do bodies[#bodies + 1] = line end
local i = math.random(#bodies)
local headers = {["Content-Type"] = "application/json"}
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/recommend", headers, bodies[i])
end
