-- wrk script: POST /v1/usage/batch with 1,000 new events per request, spread over the
-- customers in $CUSTOMERS_FILE. Env: SK, CUSTOMERS_FILE.
-- Event ids are new on every run: a tag of the run's start time and the wrk thread's number
-- (LuaJIT's math.random is not seeded, so it would repeat the ids of the previous run, and a
-- run of duplicates measures something else).
local customers = {}
local n = 0
local tag
local sk = os.getenv("SK")
local headers = { ["Authorization"] = "Bearer " .. sk, ["Content-Type"] = "application/json" }
local threads = 0
local started = os.time()

function setup(thread)
  threads = threads + 1
  thread:set("thread_tag", started .. "-" .. threads)
end

function init(args)
  for line in io.lines(os.getenv("CUSTOMERS_FILE")) do customers[#customers + 1] = line end
  tag = thread_tag
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
