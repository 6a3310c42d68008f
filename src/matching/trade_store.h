#pragma once
// SQL for trades (migration 009): match messages, the per-(match, recipient) mail throttle,
// delivered pieces and the completion time of matches. Every function runs inside the
// caller's transaction; permissions and status rules are trade_service's job.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "db/database.h"

namespace atelier::matching::store {

struct MessageRow {
  std::int64_t id = 0;
  std::int64_t match_id = 0;
  std::int64_t author_id = 0;
  std::string author_username;
  std::string author_display_name;
  std::string text;
  Millis created_at = 0;
};

std::int64_t InsertMessage(db::Tx& tx, std::int64_t match_id, std::int64_t author_id, const std::string& text,
                           Millis now);
std::optional<MessageRow> FindMessage(db::Tx& tx, std::int64_t message_id);
// The match's messages newest first, before `before_id` when given.
std::vector<MessageRow> ListMessages(db::Tx& tx, std::int64_t match_id, std::optional<std::int64_t> before_id,
                                     int limit);
// How many messages `author_id` wrote in the match since `reader_id` last wrote there (all
// of them when the reader never wrote): what waits for the reader.
std::int64_t WaitingMessages(db::Tx& tx, std::int64_t match_id, std::int64_t author_id, std::int64_t reader_id);
// Claims the right to mail `user_id` about messages in the match: true, and the row moved to
// `now`, when no mail was claimed in the `interval_ms` before `now`. A conditional upsert, so
// it holds across transactions and processes (SQLite's one writer, PostgreSQL SERIALIZABLE).
bool ClaimMessageMail(db::Tx& tx, std::int64_t match_id, std::int64_t user_id, Millis now, Millis interval_ms);

struct DeliveryRow {
  std::int64_t id = 0;
  std::int64_t match_id = 0;
  std::int64_t user_id = 0;
  std::string title;
  std::string description;
  std::string image_key;
  std::string image_type;
  std::string thumb_key;
  std::string thumb_type;
  int width = 0;
  int height = 0;
  Millis created_at = 0;
};

// The match's deliveries, by user id.
std::vector<DeliveryRow> MatchDeliveries(db::Tx& tx, std::int64_t match_id);
std::optional<DeliveryRow> FindDelivery(db::Tx& tx, std::int64_t delivery_id);
// Inserts the participant's delivery, or replaces what it was (same id, new keys and time).
void UpsertDelivery(db::Tx& tx, const DeliveryRow& d);

void SetCompletedAt(db::Tx& tx, std::int64_t match_id, Millis now);
// COMPLETED matches of the event, newest completed first, after the key (completed_at, id)
// when given: (completed_at, id) of each.
std::vector<std::pair<std::int64_t, std::int64_t>> CompletedMatches(
    db::Tx& tx, std::int64_t event_id, std::optional<std::pair<std::int64_t, std::int64_t>> after, int limit);

}  // namespace atelier::matching::store
