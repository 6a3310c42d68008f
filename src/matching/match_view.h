#pragma once
// The Match resource as one viewer sees it (its artworks with the viewer's marks, each
// participant's delivery), shared by service.h and trade_service.h. No permission check:
// the caller has made sure the viewer may see the match.
#include <cstdint>

#include "artworks/artwork_view.h"
#include "db/database.h"
#include "matching/resources.h"
#include "matching/store.h"
#include "matching/trade_store.h"

namespace atelier::matching {

api::Match ViewMatch(db::Tx& tx, const artworks::ArtworkHooks& hooks, const store::MatchRow& m, std::int64_t viewer);
// A delivery as the API writes it: its images at /api/v1/deliveries/{id}/image|thumbnail?v=….
api::Delivery DeliveryOf(const store::DeliveryRow& d);

}  // namespace atelier::matching
