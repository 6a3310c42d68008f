#pragma once
// The rules of trades (docs/product.md §7 "Trades"): messages between the two artists of a
// match, the delivered pieces and their images, and the event's trade gallery.
//
// Errors: 404 not_found for an unknown match, event or delivery and for anything the caller
// may not see (messages and deliveries are the two participants' only: group owners and
// admins get 404 too; the gallery and, once the match is COMPLETED, the delivered images are
// for members of the group); 409 match_closed for a message in a DECLINED match and for a
// delivery in a DECLINED match or one the partner has already marked received (or a
// COMPLETED match); 409 wrong_phase for a delivery in a PENDING match (the trade starts when
// both accepted); 422 on the text or title/description fields.
//
// Thread-safety: no mutable state of its own; every call runs its own transaction.
#include <cstdint>
#include <optional>
#include <string>

#include "artworks/artwork_view.h"
#include "artworks/image.h"
#include "artworks/image_store.h"
#include "common/clock.h"
#include "common/json_describe.h"
#include "db/database.h"
#include "matching/resources.h"
#include "notify/notifier.h"

namespace atelier::matching {

// Message texts: 1–4000 characters, multi-line plain text (common/text.h).
inline constexpr size_t kMaxMessage = 4000;
// At most one MATCH_MESSAGE mail per match and recipient in this time.
inline constexpr Millis kMessageMailInterval = 3'600'000;

class TradeService {
 public:
  TradeService(db::Database& db, const Clock& clock, const notify::Notifier& notifier,
               const artworks::ArtworkHooks& artworks, artworks::ImageStore& images)
      : db_(db), clock_(clock), notifier_(notifier), artworks_(artworks), images_(images) {}

  // Checks the text (422 on `text`); returns it as it will be stored.
  static std::string CheckMessage(const std::string& text);
  // POST /matches/{id}/messages: the partner gets MATCH_MESSAGE, mailed at most once an hour
  // per match (the mail tells how many messages wait).
  api::MatchMessage PostMessage(std::int64_t user_id, std::int64_t match_id, const std::string& text,
                                db::CommitToken& durable);
  // GET /matches/{id}/messages, newest first.
  PageOfItems<api::MatchMessage> ListMessages(std::int64_t user_id, std::int64_t match_id, int limit,
                                              const std::optional<std::string>& cursor);

  // What a delivery checks before its body is read: a participant (else 404) of an ACCEPTED
  // match (409 wrong_phase while PENDING, match_closed when DECLINED) the partner has not
  // marked received (409 match_closed). Deliver checks it all again.
  void CheckCanDeliver(std::int64_t user_id, std::int64_t match_id);
  // Trims and checks title (1–120) and description (≤ 2000); 422 on failure.
  static void CheckText(std::string& title, std::optional<std::string>& description);
  // PUT /matches/{id}/delivery → the match. Stores the images first (content-addressed), then
  // inserts or replaces the caller's delivery with the match row locked; the partner gets
  // TRADE_DELIVERED.
  api::Match Deliver(std::int64_t user_id, std::int64_t match_id, const std::string& title,
                     const std::string& description, const artworks::ProcessedImage& image, db::CommitToken& durable);

  struct ImageRef {
    std::string key;
    std::string content_type;
  };
  // GET /deliveries/{id}/image|thumbnail: the participants, and once COMPLETED the members.
  ImageRef Image(std::int64_t user_id, std::int64_t delivery_id, bool thumbnail);

  // GET /events/{id}/trades: COMPLETED matches of the event, newest completed first.
  PageOfItems<api::Match> ListTrades(std::int64_t user_id, std::int64_t event_id, int limit,
                                     const std::optional<std::string>& cursor);

 private:
  db::Database& db_;
  const Clock& clock_;
  const notify::Notifier& notifier_;
  const artworks::ArtworkHooks& artworks_;
  artworks::ImageStore& images_;
};

}  // namespace atelier::matching
