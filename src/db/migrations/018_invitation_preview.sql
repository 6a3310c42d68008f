-- 018: the link in an invitation's email (issue 18) carries a token that shows, without
-- logging in, what the invitation is (GET /invitations/preview). Only its SHA-256 is kept,
-- as for every other token. Invitations made before this migration have none: their
-- emails linked to the bare /invitations page.
ALTER TABLE invitations ADD COLUMN preview_hash TEXT;
CREATE UNIQUE INDEX invitations_preview_hash ON invitations (preview_hash);
