#pragma once
// Whether Database::Listen signals can be missed, for whoever caches what they invalidate
// (accounts/session_cache.h). A free function beside database.h rather than a member of it:
// only a cache needs it.
#include <chrono>
#include <cstdint>
#include <functional>

#include "db/database.h"

namespace atelier::db {

// `callback` is called at once with the current state, then with false whenever the
// listening connection is found lost (signals committed from then until it is back are
// never delivered) and with true once every channel is listened to again. SQLite delivers
// signals in-process and never misses one: true, once. Calls are serialized and come from
// the calling thread (the first) or a background thread of the database; the callback must
// be quick and must not call OnListenState.
void OnListenState(Database& db, std::function<void(bool listening)> callback);

// Returns true once every signal committed (by any process) before the call has been
// delivered to this process's Listen callbacks; false after `timeout` or when nothing
// listens (then the caller must not rely on signals it may not have had). On PostgreSQL a
// SELECT 1 on the listening connection, whose answer the server sends after the
// notifications committed before it: one query at a time, answering every caller that came
// before it started, so concurrent callers share round trips. SQLite: true at once.
bool AwaitSignals(Database& db, std::chrono::milliseconds timeout = std::chrono::seconds(2));

// AwaitSignals in two halves, so that the wait can overlap other work: RequestSignals names
// every signal committed before the call (0 when nothing listens), and WaitForSignals
// returns true once those have been delivered, as AwaitSignals does.
std::uint64_t RequestSignals(Database& db);
bool WaitForSignals(Database& db, std::uint64_t ticket, std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace atelier::db
