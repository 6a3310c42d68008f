#pragma once
// Artworks' part of deleting an account (accounts/account_hooks.h, docs/product.md §3), run
// in the deletion's transaction: the person's votes in events still OPEN or VOTING are
// withdrawn (vote_count and the budget kept right; votes in events past VOTING stay, as
// the published counts do), and every artwork of theirs is deleted as an admin's deletion
// would (ArtworkHooks::RunBeforeDelete first: matching removes its matches and tells the
// artists of open ones). Image files are content-addressed and may be shared by several
// artworks, so only the rows go; unreferenced files are the file collector's.
#include <cstdint>

#include <functional>
#include <string>

#include "accounts/export.h"
#include "artworks/artwork_view.h"
#include "db/database.h"

namespace atelier::artworks {

void RemoveLeavingUser(db::Tx& tx, const ArtworkHooks& hooks, std::int64_t user_id);

// For GET /me/export: the person's artworks with their metadata (the vote count only once
// the event is past VOTING, as everywhere) and original images (`image_path` maps a stored
// key to its file), and the votes they cast.
void ExportFor(db::Tx& tx, std::int64_t user_id, accounts::ExportSink& out,
               const std::function<std::filesystem::path(const std::string& key)>& image_path);

}  // namespace atelier::artworks
