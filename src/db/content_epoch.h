#pragma once
// The content epoch (table content_epoch, migration 002): a counter that every transaction
// changing what a cached rendering shows must bump, and that a reader reads in the same
// snapshot as the rows it renders. Two snapshots that read the same epoch see the same
// rendered text, in any number of processes; see artworks/artwork_cache.h for the one
// cache that relies on it.
//
// Who bumps it, today: an artwork's title or description changing, an artwork deleted (also
// through a group's deletion), a user's display name changing.
#include <cstdint>

#include "db/database.h"

namespace atelier::db {

inline std::int64_t ReadContentEpoch(Tx& tx) {
  auto row = tx.QueryOne("SELECT n FROM content_epoch WHERE id = 1");
  return row ? row->Int(0) : 0;
}

// Takes the row's write lock until the transaction ends: concurrent bumps serialize.
inline void BumpContentEpoch(Tx& tx) { tx.Exec("UPDATE content_epoch SET n = n + 1 WHERE id = 1"); }

}  // namespace atelier::db
