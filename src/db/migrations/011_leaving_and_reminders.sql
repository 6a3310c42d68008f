-- 011: what issue 18's server parts store (deadline reminders claim rows of reminders_sent,
-- migration 010).
-- Secrets the server makes itself at first start (the key of unsubscribe links): the
-- first process to insert one wins, every process reads the same value.
CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- For a notification mail, "<user id>:<TYPE>": the sender adds List-Unsubscribe and
-- List-Unsubscribe-Post with a signed link for them (notify/unsubscribe.h). NULL for account
-- mail (verification, reset, security alerts), which carries none.
ALTER TABLE mail_outbox ADD COLUMN unsubscribe TEXT;

-- A deleted account (DELETE /me) keeps its row, anonymised, where others' data still points
-- at it (completed matches, votes in finished events); deleted_at marks it.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
