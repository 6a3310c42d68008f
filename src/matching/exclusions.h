#pragma once
// A group's exclusions (docs/product.md §7, "Exclusions"): pairs of members the pairing
// never matches, kept by the group's owner and admins and shown to nobody else. Stored
// with the smaller user id first, one row per pair (UNIQUE (group_id, user_a, user_b)).
//
// Errors: 404 not_found for non-members and unknown ids; 403 forbidden for plain members;
// 422 on userIds (two different members of the group); 409 exclusion_exists for a pair the
// group has already, in either order.
//
// Thread-safety: no mutable state; every call runs its own transaction.
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/json_describe.h"
#include "db/database.h"
#include "matching/resources.h"

namespace atelier::matching {

class ExclusionService {
 public:
  ExclusionService(db::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // POST /groups/{id}/exclusions {"userIds":[a,b]} (ids already parsed; the route checks
  // there are two).
  api::Exclusion Create(std::int64_t user_id, std::int64_t group_id, std::int64_t a, std::int64_t b,
                        db::CommitToken& durable);
  // GET /groups/{id}/exclusions, by id.
  PageOfItems<api::Exclusion> List(std::int64_t user_id, std::int64_t group_id, int limit,
                                   const std::optional<std::string>& cursor);
  // DELETE /exclusions/{id}.
  void Delete(std::int64_t user_id, std::int64_t exclusion_id, db::CommitToken& durable);

 private:
  db::Database& db_;
  const Clock& clock_;
};

}  // namespace atelier::matching
