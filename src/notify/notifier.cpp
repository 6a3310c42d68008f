#include "notify/notifier.h"

#include <boost/json.hpp>

#include "notify/resources.h"

namespace atelier::notify {

namespace {
// In the order of Type.
constexpr std::string_view kNames[] = {"GROUP_INVITATION", "EVENT_STATUS_UPDATE", "VOTE_NOTIFICATION", "NEW_MATCH",
                                       "MATCH_UPDATE",     "MATCH_MESSAGE",       "TRADE_DELIVERED",   "NO_MATCH",
                                       "TRADE_REMINDER",   "DEADLINE_REMINDER"};

std::string MailBody(const std::string& message, const std::string& public_url, Type type,
                     const std::string& mail_link = {}) {
  std::string link = !mail_link.empty()
                         ? mail_link
                         : public_url + (type == Type::kGroupInvitation ? "/invitations" : "/notifications");
  return message + "\n\nOpen Atelier: " + link +
         "\n\nYou can choose which notifications reach you by email in your notification settings.\n";
}
}  // namespace

std::string_view TypeName(Type t) { return kNames[static_cast<int>(t)]; }

std::optional<Type> ParseType(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kNames); ++i)
    if (kNames[i] == name) return static_cast<Type>(i);
  return std::nullopt;
}

std::string RenderedMembers(Type type, std::string_view message, std::string_view data_json, Millis created_at) {
  std::string out;
  out.reserve(64 + message.size() + data_json.size());
  JsonWriter w(out);
  api::WriteRenderedMembers(
      w, {.type = TypeName(type), .message = message, .data = {data_json}, .createdAt = {created_at}});
  return out;
}

// What reports a change the person must act on, or that ends their event without a
// partner, is mailed; news of phases and vote counts is not.
bool EmailedByDefault(Type t) { return t != Type::kEventStatusUpdate && t != Type::kVoteNotification; }

void Notifier::QueueMail(db::Tx& tx, const Mail& mail) const {
  Millis now = clock_.Now();
  if (mail.unsubscribe.empty())
    tx.Exec("INSERT INTO mail_outbox (to_addr, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)",
            mail.to, mail.subject, mail.body, now);
  else
    tx.Exec(
        "INSERT INTO mail_outbox (to_addr, subject, body, created_at, next_attempt_at, unsubscribe) "
        "VALUES ($1, $2, $3, $4, $4, $5)",
        mail.to, mail.subject, mail.body, now, mail.unsubscribe);
  db_.Notify(tx, "atelier_mail", "");
}

std::int64_t Notifier::Notify(db::Tx& tx, std::int64_t user_id, Type type, const std::string& message,
                              const boost::json::object& data, bool may_email, const std::string& mail_link) const {
  Millis now = clock_.Now();
  const std::string data_json = boost::json::serialize(data);
  auto row = tx.QueryOne(
      "INSERT INTO notifications (user_id, type, message, data, created_at, rendered, rendered_version) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      user_id, TypeName(type), message, data_json, now, RenderedMembers(type, message, data_json, now),
      api::kRenderedVersion);
  std::int64_t id = row->Int(0);
  if (!may_email) {
    Signal(tx, id, id);
    return id;
  }
  auto wants = tx.QueryOne(
      "SELECT u.email, COALESCE(s.email, $3) FROM users u LEFT JOIN notification_settings s "
      "ON s.user_id = u.id AND s.type = $2 WHERE u.id = $1 AND u.deleted_at IS NULL",
      user_id, TypeName(type), EmailedByDefault(type));
  if (wants && wants->Bool(1))
    QueueMail(tx, {wants->Str(0), message, MailBody(message, public_url_, type, mail_link),
                   std::to_string(user_id) + ":" + std::string(TypeName(type))});
  Signal(tx, id, id);
  return id;
}

std::int64_t Notifier::NotifyGroupMembers(db::Tx& tx, std::int64_t group_id, Type type, const std::string& message,
                                          const boost::json::object& data) const {
  Millis now = clock_.Now();
  const std::string data_json = boost::json::serialize(data);
  auto rows = tx.Query(
      "INSERT INTO notifications (user_id, type, message, data, created_at, rendered, rendered_version) "
      "SELECT user_id, $2, $3, $4, $5, $6, $7 FROM memberships WHERE group_id = $1 RETURNING id",
      group_id, TypeName(type), message, data_json, now, RenderedMembers(type, message, data_json, now),
      api::kRenderedVersion);
  if (rows.empty()) return 0;
  std::int64_t first = rows.front().Int(0), last = first;
  for (const auto& r : rows) {
    first = std::min(first, r.Int(0));
    last = std::max(last, r.Int(0));
  }
  auto mailed = tx.Exec(
      "INSERT INTO mail_outbox (to_addr, subject, body, created_at, next_attempt_at, unsubscribe) "
      "SELECT u.email, $2, $3, $4, $4, CAST(m.user_id AS TEXT) || ':' || $5 FROM memberships m "
      "JOIN users u ON u.id = m.user_id "
      "LEFT JOIN notification_settings s ON s.user_id = m.user_id AND s.type = $5 "
      "WHERE m.group_id = $1 AND COALESCE(s.email, $6) = 1",
      group_id, message, MailBody(message, public_url_, type), now, TypeName(type), EmailedByDefault(type));
  if (mailed > 0) db_.Notify(tx, "atelier_mail", "");
  Signal(tx, first, last);
  return static_cast<std::int64_t>(rows.size());
}

void Notifier::Signal(db::Tx& tx, std::int64_t first_id, std::int64_t last_id) const {
  db_.Notify(tx, kChannel, std::to_string(first_id) + ":" + std::to_string(last_id));
}

}  // namespace atelier::notify
