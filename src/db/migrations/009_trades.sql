-- Trades (docs/product.md §7 "Trades"): messages between the two artists of a match, the
-- mail throttle of those messages, each artist's delivered piece, and when a match was
-- completed (the trade gallery's order).

-- A message of one artist of a match to the other. Listed newest first by id.
CREATE TABLE match_messages (
  id {{pk}},
  match_id BIGINT NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
  author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  text TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
  created_at BIGINT NOT NULL
);
CREATE INDEX match_messages_match ON match_messages(match_id, id);
CREATE INDEX match_messages_author ON match_messages(match_id, author_id, id);

-- At most one MATCH_MESSAGE mail per (match, recipient) per hour: a message mails only if
-- its transaction moves last_mailed_at forward by a conditional upsert, so two processes
-- (or two messages at once) cannot both mail within the hour.
CREATE TABLE match_message_mail (
  match_id BIGINT NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_mailed_at BIGINT NOT NULL,
  PRIMARY KEY (match_id, user_id)
);

-- The piece one artist of a match delivered to the other: one row per (match, artist),
-- replaced in place (new image keys) until the partner marks it received.
CREATE TABLE match_deliveries (
  id {{pk}},
  match_id BIGINT NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  image_key TEXT NOT NULL,
  image_type TEXT NOT NULL,
  thumb_key TEXT NOT NULL,
  thumb_type TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  created_at BIGINT NOT NULL,
  UNIQUE (match_id, user_id)
);

-- Set when the match becomes COMPLETED; the trade gallery lists newest completed first.
ALTER TABLE matches ADD COLUMN completed_at BIGINT;
CREATE INDEX matches_completed ON matches(event_id, completed_at, id) WHERE status = 'COMPLETED';
