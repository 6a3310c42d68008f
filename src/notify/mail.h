#pragma once
// Delivering the mail outbox (docs/product.md §1): to a mail dir (one *.eml file per message) or
// over SMTP (libcurl). A background sender claims due rows with a lease, delivers them
// outside any transaction, then marks them sent and drops their text; failures are
// retried with exponential backoff, so a mail is never lost. With the mail dir a message
// is written under its outbox id, so even a crash between writing and marking cannot
// produce a second copy; over SMTP such a crash re-sends with the same Message-ID.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/background_loop.h"
#include "common/clock.h"
#include "db/database.h"

namespace atelier::notify {

class UnsubscribeLinks;

struct OutgoingMail {
  std::int64_t id = 0;
  std::string from, to, subject, body, message_id;
  Millis date = 0;
  // Further headers (List-Unsubscribe…), written after Message-ID.
  std::vector<std::pair<std::string, std::string>> headers;
  // The message as RFC 5322 text with CRLF line ends (headers To, From, Subject, Date,
  // Message-ID, MIME-Version, Content-Type text/plain UTF-8).
  std::string Rfc5322() const;
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Delivers one message; throws std::runtime_error when it could not.
  virtual void Send(const OutgoingMail& mail) = 0;
};

class MailDirTransport final : public MailTransport {
 public:
  explicit MailDirTransport(std::string dir);
  void Send(const OutgoingMail& mail) override;

 private:
  std::string dir_;
};

class SmtpTransport final : public MailTransport {
 public:
  SmtpTransport(std::string url, std::string from);
  void Send(const OutgoingMail& mail) override;

 private:
  std::string url_;
  std::string from_;
};

// Runs on a thread of its own. Thread-safe.
class MailSender {
 public:
  // `unsubscribe` (may be null: no headers) signs the one-click unsubscribe links of
  // notification mail; it must outlive the sender.
  MailSender(db::Database& db, const Clock& clock, std::unique_ptr<MailTransport> transport, std::string from,
             std::string host, const UnsubscribeLinks* unsubscribe = nullptr);
  // Delivers what is due every half second, at once when a commit announces new mail
  // (channel atelier_mail); after a failed pass, every 2 s (common/background_loop.h).
  void Start();
  void Stop() { loop_.Stop(); }
  // Claims and delivers what is due now; returns how many were delivered.
  int RunOnce();

 private:
  // Adds the one-click unsubscribe headers and link for the row's `unsubscribe` value.
  void AddUnsubscribe(OutgoingMail& m, const std::string& named) const;
  db::Database& db_;
  const Clock& clock_;
  std::unique_ptr<MailTransport> transport_;
  std::string from_;
  std::string host_;
  const UnsubscribeLinks* unsubscribe_;
  BackgroundLoop loop_;
};

}  // namespace atelier::notify
