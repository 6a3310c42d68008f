-- Atelier's schema. One text for both backends: {{pk}} becomes the dialect's
-- auto-increment primary key. Times are integer milliseconds since the epoch (UTC),
-- booleans 0/1. Every invariant docs/product.md names is a constraint here as well as a rule in
-- code.

CREATE TABLE users (
  id {{pk}},
  username TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
  display_name TEXT NOT NULL,
  bio TEXT NOT NULL DEFAULT '',
  portfolio_url TEXT,
  failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Email verification and password reset tokens, stored as hashes only.
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('verify', 'reset')),
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens(user_id, kind);

-- Mail waiting for delivery. body is cleared once the mail is delivered. A sender claims
-- a row by moving claimed_until into the future (a lease), so with several processes
-- each mail is handed to one sender at a time.
CREATE TABLE mail_outbox (
  id {{pk}},
  to_addr TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT,
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until BIGINT NOT NULL DEFAULT 0,
  sent_at BIGINT,
  last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE notifications (
  id {{pk}},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('GROUP_INVITATION', 'EVENT_STATUS_UPDATE', 'VOTE_NOTIFICATION',
                                     'NEW_MATCH', 'MATCH_UPDATE')),
  message TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  is_read INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1))
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id, id) WHERE is_read = 0;

-- Only the choices a user changed; the defaults live in code (EmailedByDefault, notify/notifier.cpp).
CREATE TABLE notification_settings (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  email INTEGER NOT NULL CHECK (email IN (0, 1)),
  PRIMARY KEY (user_id, type)
);

-- "groups" is a keyword in both dialects.
CREATE TABLE art_groups (
  id {{pk}},
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL DEFAULT '',
  owner_id BIGINT NOT NULL REFERENCES users(id),
  member_count INTEGER NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
  group_id BIGINT NOT NULL REFERENCES art_groups(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id, group_id);
CREATE UNIQUE INDEX memberships_one_owner ON memberships(group_id) WHERE role = 'owner';

-- status 'expired' is written when a pending invitation is found past expires_at.
CREATE TABLE invitations (
  id {{pk}},
  group_id BIGINT NOT NULL REFERENCES art_groups(id) ON DELETE CASCADE,
  invitee_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  email TEXT,
  invited_by BIGINT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  CHECK (invitee_id IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX invitations_group ON invitations(group_id, id);
CREATE INDEX invitations_invitee ON invitations(invitee_id, status);
CREATE INDEX invitations_email ON invitations(email, status);
CREATE UNIQUE INDEX invitations_one_pending_user ON invitations(group_id, invitee_id)
  WHERE status = 'pending' AND invitee_id IS NOT NULL;
CREATE UNIQUE INDEX invitations_one_pending_email ON invitations(group_id, email)
  WHERE status = 'pending' AND invitee_id IS NULL;

CREATE TABLE events (
  id {{pk}},
  group_id BIGINT NOT NULL REFERENCES art_groups(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL CHECK (phase IN ('OPEN', 'VOTING', 'MATCHING', 'CLOSED')),
  voting_starts_at BIGINT,
  matching_starts_at BIGINT,
  ends_at BIGINT,
  votes_per_member INTEGER NOT NULL CHECK (votes_per_member BETWEEN 1 AND 50),
  max_artworks_per_member INTEGER NOT NULL CHECK (max_artworks_per_member BETWEEN 1 AND 10),
  artwork_count INTEGER NOT NULL DEFAULT 0 CHECK (artwork_count >= 0),
  created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
  created_at BIGINT NOT NULL,
  -- When the next automatic phase change is due; NULL when none is set.
  next_transition_at BIGINT
);
CREATE INDEX events_group ON events(group_id, id);
CREATE INDEX events_due ON events(next_transition_at) WHERE next_transition_at IS NOT NULL;

CREATE TABLE artworks (
  id {{pk}},
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  artist_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  image_key TEXT NOT NULL,
  image_type TEXT NOT NULL,
  thumb_key TEXT NOT NULL,
  thumb_type TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  vote_count INTEGER NOT NULL DEFAULT 0 CHECK (vote_count >= 0),
  created_at BIGINT NOT NULL
);
CREATE INDEX artworks_event ON artworks(event_id, id);
CREATE INDEX artworks_event_votes ON artworks(event_id, vote_count, id);
CREATE INDEX artworks_artist ON artworks(artist_id, event_id);

-- Votes a member has used in an event; the budget check is a conditional UPDATE of
-- this row in the transaction that inserts the vote.
CREATE TABLE vote_budgets (
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0 AND used <= 50),
  PRIMARY KEY (event_id, user_id)
);

CREATE TABLE votes (
  voter_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  artwork_id BIGINT NOT NULL REFERENCES artworks(id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (voter_id, artwork_id)
);
CREATE INDEX votes_artwork ON votes(artwork_id);
CREATE INDEX votes_event_voter ON votes(event_id, voter_id);

CREATE TABLE likes (
  liker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  artwork_id BIGINT NOT NULL REFERENCES artworks(id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  rank INTEGER CHECK (rank IS NULL OR rank >= 1),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (liker_id, artwork_id)
);
CREATE INDEX likes_artwork ON likes(artwork_id);
CREATE INDEX likes_event ON likes(event_id, liker_id);

CREATE TABLE matches (
  id {{pk}},
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'COMPLETED')),
  created_at BIGINT NOT NULL
);
CREATE INDEX matches_event ON matches(event_id, id);

-- Two rows per match. UNIQUE (event_id, user_id): an artist is in at most one match per
-- event.
CREATE TABLE match_participants (
  match_id BIGINT NOT NULL REFERENCES matches(id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  artwork_id BIGINT NOT NULL REFERENCES artworks(id) ON DELETE CASCADE,
  accepted INTEGER NOT NULL DEFAULT 0 CHECK (accepted IN (0, 1)),
  received INTEGER NOT NULL DEFAULT 0 CHECK (received IN (0, 1)),
  PRIMARY KEY (match_id, user_id),
  UNIQUE (event_id, user_id)
);
CREATE INDEX match_participants_user ON match_participants(user_id, match_id);
CREATE INDEX match_participants_artwork ON match_participants(artwork_id);
