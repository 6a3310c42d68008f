-- Shared by the scenario scripts: the seeded data (bench/seed.py writes the file named
-- by BENCH_DATA) and which users this wrk thread drives. wrk runs one Lua state per
-- thread; setup() (main state) numbers the threads so they use disjoint users.
local M = {}
M.data = dofile(os.getenv("BENCH_DATA") or "bench-data.lua")

local threads = 0
function M.setup(thread)
  thread:set("thread_no", threads)
  threads = threads + 1
end

-- wrk starts every thread with the same script; thread_no is set by setup before init.
-- BENCH_THREADS (bench/run passes -t) gives the stride.
M.stride = tonumber(os.getenv("BENCH_THREADS") or "2")

-- The k-th user (k >= 0) of this thread: users thread_no+1, thread_no+1+stride, ...
function M.user(k)
  local per = math.floor(M.data.users / M.stride)
  return (thread_no or 0) + 1 + M.stride * (k % per)
end

function M.token(u) return string.format("bench-token-%06d", u) end

function M.auth(u) return { ["Authorization"] = "Bearer " .. M.token(u) } end

-- Vote pairs: PUT then DELETE of the same vote, alternately. Each user has one pair, so
-- a DELETE overtaking its PUT on another connection leaves at most one vote behind per
-- user (the seed leaves every user 5 of 50 votes), and the budget never runs out.
local vote_n = 0
function M.vote_request()
  local u = M.user(math.floor(vote_n / 2))
  local method = (vote_n % 2 == 0) and "PUT" or "DELETE"
  vote_n = vote_n + 1
  return wrk.format(method, "/api/v1/artworks/" .. M.data.vote_art[u] .. "/vote", M.auth(u))
end

-- Artwork list of an event, 50 a page, following nextCursor a few pages deep: of every
-- 4 requests one starts at the first page, three continue from a cursor some earlier
-- response returned (FIFO, at most 256 kept: a chain ends when its cursor is dropped).
local cursors, head, tail, list_n = {}, 1, 1, 0
function M.list_request(event)
  list_n = list_n + 1
  local u = M.user(list_n)
  local path = "/api/v1/events/" .. event .. "/artworks?limit=50"
  if list_n % 4 ~= 0 and head < tail then
    path = path .. "&cursor=" .. cursors[head]
    cursors[head] = nil
    head = head + 1
  end
  return wrk.format("GET", path, M.auth(u))
end
function M.list_response(body)
  if tail - head >= 256 then return end
  local i = body:find('"nextCursor":"', -120, true)
  if i then
    local c = body:match('^([^"]+)', i + 14)
    if c then cursors[tail] = c; tail = tail + 1 end
  end
end

local feed_n = 0
function M.feed_request()
  feed_n = feed_n + 1
  return wrk.format("GET", "/api/v1/notifications?limit=20", M.auth(M.user(feed_n)))
end

local me_n = 0
function M.me_request()
  me_n = me_n + 1
  return wrk.format("GET", "/api/v1/me", M.auth(M.user(me_n)))
end

local login_n = 0
function M.login_request()
  login_n = login_n + 1
  local u = M.user(login_n)
  local body = string.format('{"login":"bench%d","password":"%s"}', u, M.data.password)
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end

return M
