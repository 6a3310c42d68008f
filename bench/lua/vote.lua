-- PUT then DELETE /api/v1/artworks/{id}/vote of the same vote, alternately (both 200).
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.vote_request() end
