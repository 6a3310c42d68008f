#pragma once
// Creating notifications and mail, always inside the caller's transaction, so a change
// and what reports it commit together or not at all (docs/product.md §8). Live delivery happens
// after commit: the transaction signals the id range it inserted on the database's
// notification channel, and every server process's StreamHub pushes those rows to the
// streams it holds.
// Thread-safe.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "db/database.h"

namespace atelier::notify {

enum class Type {
  kGroupInvitation,
  kEventStatusUpdate,
  kVoteNotification,
  kNewMatch,
  kMatchUpdate,
  kMatchMessage,
  kTradeDelivered,
  kNoMatch,
  kTradeReminder,
  kDeadlineReminder,
};
std::string_view TypeName(Type t);
std::optional<Type> ParseType(std::string_view name);
// Whether a type is emailed when the user has not chosen (docs/product.md §8).
bool EmailedByDefault(Type t);

inline constexpr std::string_view kChannel = "atelier_notifications";

// The members of a notification's JSON that never change (api::WriteRenderedMembers), as
// text stored with the row as `rendered` together with api::kRenderedVersion, for the feed
// to splice.
std::string RenderedMembers(Type type, std::string_view message, std::string_view data_json, Millis created_at);

struct Mail {
  Mail() = default;
  Mail(std::string to_addr, std::string subject_text, std::string body_text, std::string unsubscribe_as = {})
      : to(std::move(to_addr)),
        subject(std::move(subject_text)),
        body(std::move(body_text)),
        unsubscribe(std::move(unsubscribe_as)) {}
  std::string to;
  std::string subject;
  std::string body;  // text/plain, UTF-8
  // For a notification mail, "<user id>:<TYPE>": the sender adds the one-click unsubscribe
  // headers and link for them (notify/unsubscribe.h). Empty for account mail.
  std::string unsubscribe;
};

class Notifier {
 public:
  Notifier(db::Database& db, const Clock& clock, std::string public_url)
      : db_(db), clock_(clock), public_url_(std::move(public_url)) {}

  const std::string& PublicUrl() const { return public_url_; }

  // Queues a mail; it is delivered by MailSender only if tx commits.
  void QueueMail(db::Tx& tx, const Mail& mail) const;

  // One in-app notification for one user, also emailed when the user's settings say so
  // (never when `may_email` is false: the news was mailed already). The mail links to
  // `mail_link` when given (an invitation's preview link), else to the type's page.
  // Returns its id.
  std::int64_t Notify(db::Tx& tx, std::int64_t user_id, Type type, const std::string& message,
                      const boost::json::object& data, bool may_email = true, const std::string& mail_link = {}) const;

  // One notification for every member of a group (owner and admins included), inserted
  // with one statement whatever the group's size, plus mail for those whose settings ask.
  // Returns how many were inserted.
  std::int64_t NotifyGroupMembers(db::Tx& tx, std::int64_t group_id, Type type, const std::string& message,
                                  const boost::json::object& data) const;

 private:
  void Signal(db::Tx& tx, std::int64_t first_id, std::int64_t last_id) const;
  db::Database& db_;
  const Clock& clock_;
  std::string public_url_;
};

}  // namespace atelier::notify
