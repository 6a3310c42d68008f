-- GET /api/v1/notifications?limit=20 (50 notifications per user, half unread).
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.feed_request() end
