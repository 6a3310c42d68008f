-- One pending invitation per person and group (docs/architecture.md, "Invitations"):
-- an invitation by email to an address that a user has since verified belongs to that
-- user, so it carries invitee_id and the unique index invitations_one_pending_user covers
-- it together with invitations by username. GroupService does this when an address is
-- verified; this brings older rows to the same state. A pending email invitation that
-- duplicates one the user already has, or is for a group the user is in, is revoked.
UPDATE invitations SET status = 'revoked'
WHERE status = 'pending' AND invitee_id IS NULL
  AND EXISTS (
    SELECT 1 FROM users u
    WHERE u.email = invitations.email AND u.email_verified = 1
      AND (EXISTS (SELECT 1 FROM invitations o
                   WHERE o.group_id = invitations.group_id AND o.invitee_id = u.id AND o.status = 'pending')
           OR EXISTS (SELECT 1 FROM memberships m
                      WHERE m.group_id = invitations.group_id AND m.user_id = u.id)));

UPDATE invitations
SET invitee_id = (SELECT u.id FROM users u WHERE u.email = invitations.email AND u.email_verified = 1)
WHERE status = 'pending' AND invitee_id IS NULL
  AND EXISTS (SELECT 1 FROM users u WHERE u.email = invitations.email AND u.email_verified = 1);
