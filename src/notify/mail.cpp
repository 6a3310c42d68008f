#include "notify/mail.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "common/crypto.h"
#include "common/json_util.h"
#include "common/log.h"
#include "notify/unsubscribe.h"

namespace atelier::notify {

namespace {

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// RFC 2047 encoded-word for a header value that is not plain ASCII.
std::string HeaderText(std::string_view s) {
  std::string clean;
  for (char c : s) clean.push_back(c == '\r' || c == '\n' ? ' ' : c);
  if (IsAscii(clean)) return clean;
  return "=?UTF-8?B?" + Base64Encode(clean) + "?=";
}

std::string Crlf(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 40);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\n' && (i == 0 || body[i - 1] != '\r')) out.push_back('\r');
    out.push_back(body[i]);
  }
  if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  return out;
}

// The address inside "Name <addr>", or the whole string.
std::string AddressOf(const std::string& s) {
  auto lt = s.find('<'), gt = s.find('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return s.substr(lt + 1, gt - lt - 1);
  return s;
}

}  // namespace

std::string OutgoingMail::Rfc5322() const {
  std::string m;
  m += "From: " + HeaderText(from) + "\r\n";
  m += "To: " + HeaderText(to) + "\r\n";
  m += "Subject: " + HeaderText(subject) + "\r\n";
  m += "Date: " + FormatMailDate(date) + "\r\n";
  m += "Message-ID: " + message_id + "\r\n";
  for (const auto& [name, value] : headers) m += name + ": " + HeaderText(value) + "\r\n";
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += Crlf(body);
  return m;
}

MailDirTransport::MailDirTransport(std::string dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

void MailDirTransport::Send(const OutgoingMail& mail) {
  std::string final_path = dir_ + "/" + std::to_string(mail.id) + ".eml";
  std::string tmp = dir_ + "/." + std::to_string(mail.id) + ".tmp";
  std::string text = mail.Rfc5322();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write to mail dir " + dir_);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write to mail dir " + dir_);
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), final_path.c_str()) != 0) throw std::runtime_error("cannot rename mail file");
}

SmtpTransport::SmtpTransport(std::string url, std::string from) : url_(std::move(url)), from_(std::move(from)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

void SmtpTransport::Send(const OutgoingMail& mail) {
  struct Upload {
    std::string data;
    size_t pos = 0;
  } up{mail.Rfc5322(), 0};
  CURL* curl = curl_easy_init();
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  std::string from = "<" + AddressOf(from_) + ">";
  struct curl_slist* rcpt = curl_slist_append(nullptr, ("<" + AddressOf(mail.to) + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      curl, CURLOPT_READFUNCTION, +[](char* buf, size_t size, size_t n, void* userp) -> size_t {
        auto* u = static_cast<Upload*>(userp);
        size_t len = std::min(size * n, u->data.size() - u->pos);
        std::copy_n(u->data.data() + u->pos, len, buf);
        u->pos += len;
        return len;
      });
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error(std::string("SMTP delivery failed: ") + curl_easy_strerror(rc));
}

MailSender::MailSender(db::Database& db, const Clock& clock, std::unique_ptr<MailTransport> transport, std::string from,
                       std::string host, const UnsubscribeLinks* unsubscribe)
    : db_(db),
      clock_(clock),
      transport_(std::move(transport)),
      from_(std::move(from)),
      host_(std::move(host)),
      unsubscribe_(unsubscribe),
      loop_({.component = "mail",
             .interval = std::chrono::milliseconds(500),
             .after_failure = std::chrono::milliseconds(2000),
             .first_pass_at_start = false},
            [this] { return RunOnce() > 0; }) {}

void MailSender::Start() {
  db_.Listen("atelier_mail", [this](std::string_view) { loop_.Wake(); });
  loop_.Start();
}

void MailSender::AddUnsubscribe(OutgoingMail& m, const std::string& named) const {
  // "<user id>:<TYPE>" as Notifier stored it (notify/unsubscribe.h).
  auto colon = named.find(':');
  if (!unsubscribe_ || colon == std::string::npos) return;
  auto user_id = ParseId(std::string_view(named).substr(0, colon));
  auto type = ParseType(std::string_view(named).substr(colon + 1));
  if (!user_id || !type) return;
  const std::string token = unsubscribe_->Token(*user_id, *type);
  m.headers.emplace_back("List-Unsubscribe", "<" + unsubscribe_->PostUrl(token) + ">");
  m.headers.emplace_back("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  m.body += "\nTo stop emails like this one: " + unsubscribe_->PageUrl(token) + "\n";
}

int MailSender::RunOnce() {
  constexpr Millis kLease = 120'000;
  Millis now = clock_.Now();
  // Claim a batch: a lease in claimed_until keeps other senders (processes) off it.
  std::vector<OutgoingMail> batch = db_.Write([&](db::Tx& tx) {
    std::vector<OutgoingMail> out;
    auto rows = tx.Query(std::string("SELECT id, to_addr, subject, body, created_at, unsubscribe FROM mail_outbox "
                                     "WHERE sent_at IS NULL AND next_attempt_at <= $1 AND claimed_until < $1 "
                                     "ORDER BY id LIMIT 20") +
                             tx.SkipLocked(),
                         now);
    for (const auto& r : rows) {
      if (tx.Exec("UPDATE mail_outbox SET claimed_until = $2 WHERE id = $1 AND claimed_until < $3", r.Int(0),
                  now + kLease, now) != 1)
        continue;
      OutgoingMail m;
      m.id = r.Int(0);
      m.to = r.Str(1);
      m.subject = r.Str(2);
      m.body = r.OptStr(3).value_or("");
      m.date = r.Int(4);
      AddUnsubscribe(m, r.OptStr(5).value_or(""));
      out.push_back(std::move(m));
    }
    return out;
  });
  int delivered = 0;
  for (auto& m : batch) {
    m.from = from_;
    m.message_id = "<atelier." + std::to_string(m.id) + "." + std::to_string(m.date) + "@" + host_ + ">";
    try {
      transport_->Send(m);
      db_.Write([&](db::Tx& tx) {
        tx.Exec("UPDATE mail_outbox SET sent_at = $2, body = NULL, claimed_until = 0, last_error = NULL WHERE id = $1",
                m.id, clock_.Now());
      });
      ++delivered;
    } catch (const db::Error&) {
      throw;
    } catch (const std::exception& e) {
      std::string error = e.what();
      std::int64_t attempts = 0;
      Millis backoff = 0;
      db_.Write([&](db::Tx& tx) {
        auto row = tx.QueryOne("SELECT attempts FROM mail_outbox WHERE id = $1", m.id);
        attempts = row ? row->Int(0) + 1 : 1;
        backoff = std::min<Millis>(3'600'000, 1000LL << std::min<std::int64_t>(attempts, 12));
        tx.Exec(
            "UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3, claimed_until = 0, last_error = $4 "
            "WHERE id = $1",
            m.id, attempts, clock_.Now() + backoff, error);
      });
      // Not the address or the text (which holds links with tokens): the outbox row has
      // them under mail_id. Rate-limited: with the mail server down, every queued mail
      // fails in turn.
      log::WriteLimited("mail.delivery", log::kRepeatEvery, log::Level::kError, "mail delivery failed",
                        {{"component", "mail"},
                         {"mail_id", m.id},
                         {"attempt", attempts},
                         {"retry_in_ms", backoff},
                         {"error", error}});
    }
  }
  return delivered;
}

}  // namespace atelier::notify
