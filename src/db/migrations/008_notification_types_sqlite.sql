-- only on sqlite
-- The trade notifications (MATCH_MESSAGE, TRADE_DELIVERED, NO_MATCH, TRADE_REMINDER) and
-- DEADLINE_REMINDER join the types a notification may have. SQLite cannot change a CHECK
-- in place, so the table is built again with every column, constraint and index it had
-- (001, 003, 007), its rows copied with their ids (the stream's Last-Event-ID refers to
-- them). The PostgreSQL twin is the file of the same version.
CREATE TABLE notifications_next (
  id INTEGER PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('GROUP_INVITATION', 'EVENT_STATUS_UPDATE', 'VOTE_NOTIFICATION',
                                     'NEW_MATCH', 'MATCH_UPDATE', 'MATCH_MESSAGE', 'TRADE_DELIVERED',
                                     'NO_MATCH', 'TRADE_REMINDER', 'DEADLINE_REMINDER')),
  message TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  is_read INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
  rendered TEXT CHECK (rendered IS NULL OR (rendered LIKE '"type":%' AND json_valid('{' || rendered || '}'))),
  rendered_version INTEGER
);
INSERT INTO notifications_next (id, user_id, type, message, data, created_at, is_read, rendered, rendered_version)
  SELECT id, user_id, type, message, data, created_at, is_read, rendered, rendered_version FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_feed ON notifications(user_id, id, is_read, rendered_version, rendered);
CREATE INDEX notifications_unread ON notifications(user_id, is_read, id) WHERE is_read = 0;
