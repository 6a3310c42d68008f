-- GET /api/v1/me: session lookup + the user; the probe of the login storm.
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.me_request() end
