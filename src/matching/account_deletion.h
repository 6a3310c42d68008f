#pragma once
// Matching's part of deleting an account (accounts/account_hooks.h, docs/product.md §3),
// run in the deletion's transaction: the person's open matches (PENDING, ACCEPTED) become
// DECLINED and each partner gets a MATCH_UPDATE; the person's likes go. (The matches
// themselves go afterwards with the person's artworks, as for any deleted artwork.)
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "accounts/export.h"
#include "db/database.h"
#include "notify/notifier.h"

namespace atelier::matching {

void WithdrawLeavingUser(db::Tx& tx, const notify::Notifier& notifier, std::int64_t user_id);

// For GET /me/export: the person's likes and matches (with the partner and both artworks).
void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out);

// Trades' part of deleting an account, run after the person's artworks went (and with them
// every match the person was in, whose messages and deliveries, both artists', cascade):
// whatever of the person's messages, deliveries and message-mail throttle rows is still
// there goes too, so nothing of theirs remains in the trade tables. The delivery images'
// files are the image collector's (artworks/image_collector.h).
void RemoveLeavingUserTrades(db::Tx& tx, std::int64_t user_id);

// For GET /me/export: the match messages the person sent and their deliveries, with each
// delivery's image as stored (`image_path` maps a stored key to its file).
void ExportTradesFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out,
                     const std::function<std::filesystem::path(const std::string& key)>& image_path);

}  // namespace atelier::matching
