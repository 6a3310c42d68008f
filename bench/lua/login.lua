-- POST /api/v1/auth/login with the right password (Argon2id verify, a new session).
local C = dofile("common.lua")
function setup(thread) C.setup(thread) end
function request() return C.login_request() end
