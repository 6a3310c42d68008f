-- only on postgresql
-- 008 on PostgreSQL: the same types (see the SQLite twin), by replacing the CHECK that 001
-- created (PostgreSQL named it notifications_type_check).
ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check
  CHECK (type IN ('GROUP_INVITATION', 'EVENT_STATUS_UPDATE', 'VOTE_NOTIFICATION', 'NEW_MATCH', 'MATCH_UPDATE',
                  'MATCH_MESSAGE', 'TRADE_DELIVERED', 'NO_MATCH', 'TRADE_REMINDER', 'DEADLINE_REMINDER'));
