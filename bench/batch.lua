-- wrk script: POST /v1/usage/batch with 1,000 new events per request, spread over the
-- customers in $CUSTOMERS_FILE. Env: SK, CUSTOMERS_FILE.
local customers = {}
local n = 0
local tag
local sk = os.getenv("SK")
local headers = { ["Authorization"] = "Bearer " .. sk, ["Content-Type"] = "application/json" }

function init(args)
  for line in io.lines(os.getenv("CUSTOMERS_FILE")) do customers[#customers + 1] = line end
  tag = tostring(math.random(1, 1000000000))
end

function request()
  n = n + 1
  local parts = {}
  for i = 1, 1000 do
    parts[i] = '{"customer":"' .. customers[((n + i) % #customers) + 1] ..
      '","feature":"api_calls","quantity":1,"event_id":"b' .. tag .. '-' .. n .. '-' .. i .. '"}'
  end
  return wrk.format("POST", "/v1/usage/batch", headers, '{"events":[' .. table.concat(parts, ",") .. ']}')
end
