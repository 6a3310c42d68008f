#pragma once
// The content epoch (table content_epoch, migration 002): a counter that moves in every
// transaction changing what a cached rendering shows, and that a reader reads in the same
// snapshot as the rows it renders. Two snapshots that read the same epoch see the same
// rendered text, in any number of processes; see artworks/artwork_cache.h for the one
// cache that relies on it.
//
// Who moves it: the database, by the triggers of migration 005 (both dialects), when an
// artwork's title or description changes, an artwork is deleted (also by a cascade, e.g.
// a group's deletion) or a user's display name changes. Feature code never bumps it; a new
// kind of cached text needs a trigger there.
#include <cstdint>

#include "db/database.h"

namespace atelier::db {

inline std::int64_t ReadContentEpoch(Tx& tx) {
  auto row = tx.QueryOne("SELECT n FROM content_epoch WHERE id = 1");
  return row ? row->Int(0) : 0;
}

}  // namespace atelier::db
