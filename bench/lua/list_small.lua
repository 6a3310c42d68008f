-- GET /api/v1/events/2/artworks?limit=50 (event 2, the small one: 1,000 artworks), authenticated,
-- tokens spread over the users, cursors followed a few pages deep.
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.list_request(C.data.small_event) end
function response(status, headers, body) if status == 200 then C.list_response(body) end end
