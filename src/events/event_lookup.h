#pragma once
// What other features read of an event inside their own transactions: the event itself,
// or 404, and the votes a member has used in it. The one definition of each; artworks and
// matching include this rather than events' store or service.
#include <cstdint>

#include "db/database.h"
#include "events/store.h"

namespace atelier::events {

// The event; throws 404 not_found when there is none. for_update locks the row (PostgreSQL)
// so the phase read stays the phase until commit.
EventInfo MustLoadEvent(db::Tx& tx, std::int64_t event_id, bool for_update = false);

// Votes the user has used in the event (0 when none): the row vote_budgets keeps for the
// budget (artworks' votes), read in tx.
int UsedVotes(db::Tx& tx, std::int64_t event_id, std::int64_t user_id);

}  // namespace atelier::events
