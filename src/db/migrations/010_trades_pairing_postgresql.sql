-- only on postgresql
-- 010 on PostgreSQL (see the SQLite twin for what each part is for).
ALTER TABLE events ADD COLUMN trades_due_at BIGINT;
ALTER TABLE events ADD COLUMN avoid_repeat_partners INTEGER NOT NULL DEFAULT 1
  CHECK (avoid_repeat_partners IN (0, 1));
CREATE INDEX events_trades_due ON events(trades_due_at) WHERE trades_due_at IS NOT NULL;

ALTER TABLE match_participants ADD COLUMN declined INTEGER NOT NULL DEFAULT 0 CHECK (declined IN (0, 1));
UPDATE match_participants p SET declined = 1 FROM matches m WHERE m.id = p.match_id AND m.status = 'DECLINED';
ALTER TABLE match_participants DROP CONSTRAINT match_participants_event_id_user_id_key;
CREATE UNIQUE INDEX match_participants_live ON match_participants(event_id, user_id) WHERE declined = 0;

CREATE TABLE exclusions (
  id {{pk}},
  group_id BIGINT NOT NULL REFERENCES art_groups(id) ON DELETE CASCADE,
  user_a BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_b BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CHECK (user_a < user_b),
  UNIQUE (group_id, user_a, user_b)
);

CREATE TABLE unmatched_artists (
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (reason IN ('no_mutual_likes', 'paired_elsewhere')),
  PRIMARY KEY (event_id, user_id)
);

CREATE TABLE reminders_sent (
  kind TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subject_id BIGINT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (kind, user_id, subject_id)
);

CREATE TABLE pairing_rounds (
  event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  round INTEGER NOT NULL DEFAULT 0
);
