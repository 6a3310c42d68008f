#pragma once
// Whether Database::Listen signals can be missed, for whoever caches what they invalidate
// (accounts/session_cache.h). A free function beside database.h rather than a member of it:
// only a cache needs it.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

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

// Signals without a round trip of their own. ListenOnEveryConnection(db, channel) (a
// channel already Listen()ed; call it while the program is wired, before serving) has every
// pooled connection LISTEN it as well, and a thread that ends a transaction on one delivers
// what that connection brought, before the transaction's function returns. So a read learns
// of the signals committed before its own statement from its statement's answer. A signal
// of such a channel may reach its callbacks twice: they must not mind.
void ListenOnEveryConnection(Database& db, std::string channel);
// A point in time for SignalsDelivered and SyncSignals; 0 when signals come only through
// the listening connection (PostgreSQL without ListenOnEveryConnection; a Database not
// opened by db::Open). SQLite: 1.
std::uint64_t SignalStamp(Database& db);
// True once every signal (of the channels listened to on every connection) committed before
// SignalStamp returned `stamp` has been delivered: once, in any thread, a statement sent
// after the stamp has been answered outside a transaction (a single read's statement or a
// write's COMMIT at once; a read transaction's COMMIT when its connection is next lent; a
// write's first statement under a CommitCheck). Never blocks.
bool SignalsDelivered(Database& db, std::uint64_t stamp);
// SignalsDelivered, else one round trip on a pooled connection (an empty query), else the
// listening connection's wait: false when the signals cannot be known to be in within
// `timeout` (then the caller must not rely on them).
bool SyncSignals(Database& db, std::uint64_t stamp, std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace atelier::db
