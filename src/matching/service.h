#pragma once
// The rules of likes and matches (docs/product.md §7, docs/matching.md "API and lifecycle"): likes
// while MATCHING by members who submitted to the event, the pairing when the event
// leaves MATCHING (a phase hook, in the phase change's transaction), and the match
// lifecycle PENDING → ACCEPTED → COMPLETED, or → DECLINED, with its notifications.
//
// Errors: 404 not_found for an unknown artwork, event or match and for anything the
// caller may not see (non-members; match actions by non-participants); 409 wrong_phase for
// a like outside MATCHING and for a match action its status does not allow; 403
// cannot_like_own / not_a_participant; 422 for a rank that is not a positive integer.
//
// Answers are the resources of matching/resources.h (a match's artworks as
// artworks/artwork_view.h shows them); the routes write them. Artworks asks this service,
// through the hooks it registers (AddArtworkHooks), for the viewer's likes and matches on
// artworks and for what deleting an artwork does to its matches.
//
// Thread-safety: no mutable state of its own; every call runs its own transaction and may
// come from any thread.
#include <cstdint>
#include <optional>
#include <string>

#include "artworks/artwork_view.h"
#include "common/clock.h"
#include "common/json_describe.h"
#include "db/database.h"
#include "events/store.h"
#include "matching/pairing.h"
#include "matching/resources.h"
#include "notify/notifier.h"

namespace atelier::matching {

// The largest rank a like may carry (the column is a 32-bit INTEGER).
inline constexpr std::int64_t kMaxRank = 2147483647;

enum class MatchAction { kAccept, kDecline, kComplete };

// Methods that write take `durable`: they name their commit in it (db::CommitToken), and the
// route puts it on its response (http::Durable) so the answer waits for the disk.
class MatchService {
 public:
  // `artworks` (the hooks this service registers itself into, with AddArtworkHooks) must
  // outlive the service.
  MatchService(db::Database& db, const Clock& clock, const notify::Notifier& notifier,
               const artworks::ArtworkHooks& artworks)
      : db_(db), clock_(clock), notifier_(notifier), artworks_(artworks) {}

  // PUT /artworks/{id}/like; a repeat changes the rank (createdAt stays the first like's).
  // rank must already be checked (1…kMaxRank) by the caller.
  api::Like Like(std::int64_t user_id, std::int64_t artwork_id, std::optional<std::int64_t> rank,
                 db::CommitToken& durable);
  // DELETE /artworks/{id}/like (MATCHING only); removing a like that is not there is fine.
  void Unlike(std::int64_t user_id, std::int64_t artwork_id, db::CommitToken& durable);
  // GET /events/{id}/likes: the caller's likes in the event, by artwork id.
  PageOfItems<api::Like> ListLikes(std::int64_t user_id, std::int64_t event_id, int limit,
                                   const std::optional<std::string>& cursor);

  // POST /matches/{id}/accept|decline|complete → the match as the caller sees it.
  api::Match Act(std::int64_t user_id, std::int64_t match_id, MatchAction action, db::CommitToken& durable);
  // GET /events/{id}/matches: the caller's matches, or all of them for the group's owner
  // and admins; by match id.
  PageOfItems<api::Match> ListEventMatches(std::int64_t user_id, std::int64_t event_id, int limit,
                                           const std::optional<std::string>& cursor);
  // GET /me/matches: the caller's matches in the groups they belong to, newest first.
  PageOfItems<api::Match> ListMyMatches(std::int64_t user_id, int limit, const std::optional<std::string>& cursor);

  // The MATCHING → CLOSED hook: pairs the event's artists (ComputePairing), stores the
  // matches and sends NEW_MATCH to both artists of each, inside the phase change's
  // transaction. Writes nothing outside tx, so a retried transaction runs it again safely.
  // The pairing leaves out the group's exclusions, the pairs matched in the group's previous
  // CLOSED event when the event's avoidRepeatPartners is set, and (re-pairing) pairs that
  // declined and artists already in a live match. Every artist who submitted to the event
  // and is left unmatched gets NO_MATCH with the reason (unmatched_artists keeps it).
  void CreateMatches(db::Tx& tx, const events::EventInfo& event) const;
  // Pairs again, in tx, the artists of a CLOSED event who are in no PENDING, ACCEPTED or
  // COMPLETED match, on their remaining mutual likes (same rules as CreateMatches), unless
  // the event's tradesDueAt has passed. New pairs get NEW_MATCH. Runs after a decline and
  // when a membership ends.
  void RePair(db::Tx& tx, const events::EventInfo& event) const;
  // The membership hook (groups/membership_hooks.h): the user's PENDING and ACCEPTED
  // matches in the group's events become DECLINED, the partner is told (MATCH_UPDATE),
  // and each of those events is paired again.
  void MembershipEnded(db::Tx& tx, std::int64_t group_id, std::int64_t user_id) const;
  // GET /events/{id}/no-match (members).
  api::NoMatch GetNoMatch(std::int64_t user_id, std::int64_t event_id);
  // The TRADE_REMINDER job of notify::ReminderSweeper: each participant of an ACCEPTED
  // match whose trade is due within 24 hours, who has not delivered (PUT
  // /matches/{id}/delivery) and whose art is not marked received yet is reminded once
  // (reminders_sent). Returns how many were sent.
  int SendTradeReminders(db::Tx& tx, Millis now) const;

  // Registers this service's artwork hooks (artworks/artwork_view.h) in `hooks`: the
  // viewer's like and whether an artwork is matched (MarkViewer), and the end of an
  // artwork's matches when it is deleted (BeforeArtworkDeleted).
  void AddArtworkHooks(artworks::ArtworkHooks& hooks) const;
  // Likes exist only from MATCHING on (Like checks the phase under the event's row lock;
  // app/demo inserts its likes after advancing to MATCHING), matches only once CLOSED
  // (CreateMatches), and phases only move forward: a phase before them reads nothing.
  void MarkViewer(db::Tx& tx, events::Phase phase, std::int64_t viewer_id, std::int64_t lo, std::int64_t hi,
                  const artworks::ArtworkHooks::MarksOf& marks_of) const;
  // A match rests on its two artworks: removing one cancels the match. The artists of a
  // live one (PENDING or ACCEPTED) are told (MATCH_UPDATE); a DECLINED or COMPLETED one
  // just goes.
  void BeforeArtworkDeleted(db::Tx& tx, std::int64_t artwork_id, const events::EventInfo& event) const;

 private:
  // Inserts the pairs as PENDING matches and sends NEW_MATCH to both artists of each.
  void StorePairs(db::Tx& tx, const events::EventInfo& event, const std::vector<Pair>& pairs) const;

  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  const artworks::ArtworkHooks& artworks_;
};

}  // namespace atelier::matching
