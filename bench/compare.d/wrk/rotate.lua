-- Sends one Authorization value per request, in turn, from a file with one value per line:
--   wrk ... -s rotate.lua URL -- FILE [OFFSET]
-- OFFSET (default 0) skips the values a previous run (the warm-up) already sent, so the 100,000 unique
-- tokens stay unique across warm-up and measurement. Requests are formatted once, in init().
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local prepared = {}
local count = 0
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      count = count + 1
      prepared[count] = wrk.format(nil, nil, { ["Authorization"] = line })
    end
  end
  assert(count > 0, "rotate.lua: no values in " .. tostring(args[1]))
  index = tonumber(args[2] or "0") % count
end

function request()
  index = index % count + 1
  return prepared[index]
end
