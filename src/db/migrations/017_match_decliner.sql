-- 017: who declined a DECLINED match (issue 18). `declined` (010) marks both participants
-- of a DECLINED match for the unique index of live matches; `decliner` marks only the one
-- who declined it (POST /matches/{id}/decline). A match that ended because an artist left
-- the group or deleted their account has no decliner, and neither have the matches
-- declined before this migration (who declined them was not recorded).
ALTER TABLE match_participants ADD COLUMN decliner INTEGER NOT NULL DEFAULT 0 CHECK (decliner IN (0, 1));
