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
  Id id;
  std::string_view type;  // a NotificationType, as stored (notify::TypeName)
  std::string_view message;
  NotificationDataText data;
  Time createdAt;
  bool read = false;
};
BOOST_DESCRIBE_STRUCT(Notification, (), (id, type, message, data, createdAt, read))

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
  bool EVENT_STATUS_UPDATE = false;
  bool GROUP_INVITATION = false;
  bool MATCH_UPDATE = false;
  bool NEW_MATCH = false;
  bool VOTE_NOTIFICATION = false;
  friend bool operator==(const EmailSettings&, const EmailSettings&) = default;
};
BOOST_DESCRIBE_STRUCT(EmailSettings, (),
                      (EVENT_STATUS_UPDATE, GROUP_INVITATION, MATCH_UPDATE, NEW_MATCH, VOTE_NOTIFICATION))

// GET/PATCH /me/notification-settings.
struct NotificationSettings {
  EmailSettings email;
};
BOOST_DESCRIBE_STRUCT(NotificationSettings, (), (email))

}  // namespace atelier::api
