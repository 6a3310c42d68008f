#pragma once
// Matching's part of deleting an account (accounts/account_hooks.h, docs/product.md §3),
// run in the deletion's transaction: the person's open matches (PENDING, ACCEPTED) become
// DECLINED and each partner gets a MATCH_UPDATE; the person's likes go. (The matches
// themselves go afterwards with the person's artworks, as for any deleted artwork.)
#include <cstdint>

#include "accounts/export.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::matching {

void WithdrawLeavingUser(db::Tx& tx, const notify::Notifier& notifier, std::int64_t user_id);

// For GET /me/export: the person's likes and matches (with the partner and both artworks).
void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out);

}  // namespace atelier::matching
