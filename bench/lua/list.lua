-- GET /api/v1/events/1/artworks?limit=50 (the 100,000-artwork event), authenticated,
-- tokens spread over the users, cursors followed a few pages deep.
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.list_request(C.data.event) end
function response(status, headers, body) if status == 200 then C.list_response(body) end end
