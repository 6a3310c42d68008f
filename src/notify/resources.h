#pragma once
// The notification resources of the API, each described once (common/json_describe.h) and
// named as docs/openapi.yaml names them. Everything that sends a notification — feed pages,
// the live stream's events — writes it through these descriptions.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/json_describe.h"

namespace atelier::api {

// A notification's data object as JSON text that its reader vouched for (notify/feed.cpp:
// the stored text when it is canonical, else rewritten). A view, like Notification's text.
struct NotificationDataText {
  std::string_view text;
};
inline void WriteJsonValue(JsonWriter& w, const NotificationDataText& d) { w.Raw(d.text); }

// One notification (docs/product.md §8). Its text members are views into storage that
// whoever made the value owns (the row being read, or a NotificationPage's text): a
// Notification does not outlive that. Views, so that a page of them allocates nothing
// per item.
struct Notification {
  Id id = {};
  std::string_view type = {};  // a NotificationType, as stored (notify::TypeName)
  std::string_view message = {};
  NotificationDataText data = {};
  Time createdAt = {};
  bool read = false;
  // Not a member of the JSON: when set, the text RenderedMembers wrote for this
  // notification earlier (the stored rendering, of kRenderedVersion), written in place of
  // the members it holds; type, message, data and createdAt are then not read.
  std::string_view rendered = {};
};
BOOST_DESCRIBE_STRUCT(Notification, (), (id, type, message, data, createdAt, read))

// The members a notification's JSON may change after it is made; all others never do and
// are what RenderedMembers writes.
constexpr bool IsChangingMember(std::string_view name) { return name == "id" || name == "read"; }

// The version of RenderedMembers's text: a hash of the description's member names and
// order, and of kRenderedRevision (raise it when the way a member is written changes, e.g.
// the time format). Stored with the text; rows of another version are written from their
// columns, so a shape change can never send stale text.
inline constexpr std::uint32_t kRenderedRevision = 1;
consteval std::int64_t RenderedVersion() {
  std::uint32_t h = 2166136261u;  // FNV-1a
  auto add = [&](std::string_view s) {
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    h = (h ^ ',') * 16777619u;
  };
  boost::mp11::mp_for_each<boost::describe::describe_members<Notification, boost::describe::mod_public>>(
      [&](auto m) { add(m.name); });
  h = (h ^ kRenderedRevision) * 16777619u;
  return static_cast<std::int64_t>(h & 0x7fffffff);
}
inline constexpr std::int64_t kRenderedVersion = RenderedVersion();

// The members of n that never change ("type":…,"message":…,"data":…,"createdAt":…), as
// JSON text to store (a JsonWriter with no object open).
inline void WriteRenderedMembers(JsonWriter& w, const Notification& n) {
  boost::mp11::mp_for_each<boost::describe::describe_members<Notification, boost::describe::mod_public>>([&](auto m) {
    if (IsChangingMember(m.name)) return;
    w.Key(m.name);
    WriteJson(w, n.*m.pointer);
  });
}

// A notification as JSON: from its description, with the stored rendering in place of the
// members it holds when there is one (the same bytes: feed_test checks).
inline void WriteJsonValue(JsonWriter& w, const Notification& n) {
  w.BeginObject();
  bool spliced = false;
  boost::mp11::mp_for_each<boost::describe::describe_members<Notification, boost::describe::mod_public>>([&](auto m) {
    if (n.rendered.empty() || IsChangingMember(m.name)) {
      w.Key(m.name);
      WriteJson(w, n.*m.pointer);
    } else if (!spliced) {
      w.Members(n.rendered);
      spliced = true;
    }
  });
  w.EndObject();
}

// GET /notifications: {"items":[…],"nextCursor":…,"unreadCount":N}. `text` owns what the
// items' views point at (shared, so copies of a page stay valid); it is not part of the JSON.
struct NotificationPage : PageOfItems<Notification> {
  std::int64_t unreadCount = 0;
  std::shared_ptr<const std::string> text;
};
BOOST_DESCRIBE_STRUCT(NotificationPage, (PageOfItems<Notification>), (unreadCount))

// Per type, whether it is also emailed (notify::Feed fills in the defaults). Members
// named as the JSON members, which are the type names (notify::TypeName), in the order the
// settings were always written: by name.
struct EmailSettings {
  bool DEADLINE_REMINDER = false;
  bool EVENT_STATUS_UPDATE = false;
  bool GROUP_INVITATION = false;
  bool MATCH_MESSAGE = false;
  bool MATCH_UPDATE = false;
  bool NEW_MATCH = false;
  bool NO_MATCH = false;
  bool TRADE_DELIVERED = false;
  bool TRADE_REMINDER = false;
  bool VOTE_NOTIFICATION = false;
  friend bool operator==(const EmailSettings&, const EmailSettings&) = default;
};
BOOST_DESCRIBE_STRUCT(EmailSettings, (),
                      (DEADLINE_REMINDER, EVENT_STATUS_UPDATE, GROUP_INVITATION, MATCH_MESSAGE, MATCH_UPDATE, NEW_MATCH,
                       NO_MATCH, TRADE_DELIVERED, TRADE_REMINDER, VOTE_NOTIFICATION))

// GET/PATCH /me/notification-settings.
struct NotificationSettings {
  EmailSettings email;
};
BOOST_DESCRIBE_STRUCT(NotificationSettings, (), (email))

// POST /unsubscribe: the type whose email is now off.
struct Unsubscribed {
  std::string_view type;
  bool email = false;
};
BOOST_DESCRIBE_STRUCT(Unsubscribed, (), (type, email))

}  // namespace atelier::api
