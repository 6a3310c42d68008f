-- only on sqlite
-- Issue 17, pairing half: the trade deadline and the repeat-partner option of events, a
-- group's exclusions, why an artist was left unmatched, the reminders sent, and a second
-- match for an artist after a DECLINED one. The PostgreSQL twin is the file of the same
-- version.
ALTER TABLE events ADD COLUMN trades_due_at BIGINT;
ALTER TABLE events ADD COLUMN avoid_repeat_partners INTEGER NOT NULL DEFAULT 1
  CHECK (avoid_repeat_partners IN (0, 1));
CREATE INDEX events_trades_due ON events(trades_due_at) WHERE trades_due_at IS NOT NULL;

-- match_participants loses UNIQUE (event_id, user_id) (001): an artist may be matched
-- again after a DECLINED match. `declined` copies the match's status (1 when DECLINED,
-- set with it by matching's store), and a partial unique index keeps at most one live
-- match per artist per event. SQLite cannot drop a table constraint, so the table is
-- built again with every column, constraint and index it had, its rows copied.
CREATE TABLE match_participants_next (
  match_id BIGINT NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  artwork_id BIGINT NOT NULL REFERENCES artworks(id) ON DELETE CASCADE,
  accepted INTEGER NOT NULL DEFAULT 0 CHECK (accepted IN (0, 1)),
  received INTEGER NOT NULL DEFAULT 0 CHECK (received IN (0, 1)),
  declined INTEGER NOT NULL DEFAULT 0 CHECK (declined IN (0, 1)),
  PRIMARY KEY (match_id, user_id)
);
INSERT INTO match_participants_next (match_id, event_id, user_id, artwork_id, accepted, received, declined)
  SELECT p.match_id, p.event_id, p.user_id, p.artwork_id, p.accepted, p.received,
         CASE WHEN m.status = 'DECLINED' THEN 1 ELSE 0 END
  FROM match_participants p JOIN matches m ON m.id = p.match_id;
DROP TABLE match_participants;
ALTER TABLE match_participants_next RENAME TO match_participants;
CREATE INDEX match_participants_user ON match_participants(user_id, match_id);
CREATE INDEX match_participants_artwork ON match_participants(artwork_id);
CREATE UNIQUE INDEX match_participants_live ON match_participants(event_id, user_id) WHERE declined = 0;

-- Pairs of a group's members never matched; the smaller id first, one row per pair.
CREATE TABLE exclusions (
  id {{pk}},
  group_id BIGINT NOT NULL REFERENCES art_groups(id) ON DELETE CASCADE,
  user_a BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_b BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  CHECK (user_a < user_b),
  UNIQUE (group_id, user_a, user_b)
);

-- Artists the first pairing of an event left unmatched, and why (NO_MATCH).
CREATE TABLE unmatched_artists (
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL CHECK (reason IN ('no_mutual_likes', 'paired_elsewhere')),
  PRIMARY KEY (event_id, user_id)
);

-- Reminders sent (notify/reminders.h): one row per kind, user and subject, inserted with
-- ON CONFLICT DO NOTHING in the transaction that notifies, so each is sent once.
CREATE TABLE reminders_sent (
  kind TEXT NOT NULL,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  subject_id BIGINT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (kind, user_id, subject_id)
);

-- One row per CLOSED event that was paired: re-pairings update it first, so two of one
-- event are ordered (on PostgreSQL the later one is retried with a fresh snapshot).
CREATE TABLE pairing_rounds (
  event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
  round INTEGER NOT NULL DEFAULT 0
);
