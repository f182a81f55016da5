-- wrk script: POST /v1/verify, cycling through the API keys in $KEYS_FILE.
-- Env: SK (a secret key), KEYS_FILE, FEATURE (feature key; empty for a key-only check).
local keys = {}
local n = 0
local sk = os.getenv("SK")
local feature = os.getenv("FEATURE") or "api_calls"
local headers = { ["Authorization"] = "Bearer " .. sk, ["Content-Type"] = "application/json" }

function init(args)
  for line in io.lines(os.getenv("KEYS_FILE")) do keys[#keys + 1] = line end
  n = math.random(0, #keys)
end

function request()
  n = n + 1
  local key = keys[(n % #keys) + 1]
  local body
  if feature == "" then
    body = '{"key":"' .. key .. '"}'
  else
    body = '{"key":"' .. key .. '","feature":"' .. feature .. '"}'
  end
  return wrk.format("POST", "/v1/verify", headers, body)
end
