-- A weighted mix: of every 20 requests, 10 artwork list pages (event 1, cursors
-- followed), 5 notification feeds, 3 GET /me, 2 votes (PUT/DELETE pairs). No logins.
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
local n = 0
function request()
  n = n + 1
  local r = n % 20
  if r < 10 then return C.list_request(C.data.event)
  elseif r < 15 then return C.feed_request()
  elseif r < 18 then return C.me_request()
  else return C.vote_request() end
end
function response(status, headers, body)
  if status == 200 and body:find('"artist":', 1, true) then C.list_response(body) end
end
