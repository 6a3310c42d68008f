// The invitation behind an email's link (`/invitations?preview=T`), shown before logging in
// (login and sign-up) and to a logged-in person whose invitation has ended. The token is
// the only authority: it shows the invitation and cannot answer it.
import { previewInvitation } from '../api/invitations';
import { isApiError } from '../api/client';
import type { InvitationPreview, PublicUser } from '../api/types';
import { useAsync, type Async } from '../hooks';
import { Loading, Notice, RichText, ZonedTime, userName } from './ui';

/** The preview token of an `/invitations?preview=T` path (a login or sign-up `next`), else null. */
export function previewTokenOf(path: string | null): string | null {
  if (!path || !path.startsWith('/invitations')) return null;
  try {
    const url = new URL(path, window.location.origin);
    return url.pathname === '/invitations' ? url.searchParams.get('preview') || null : null;
  } catch {
    return null;
  }
}

/** The preview the token names, loaded once; null without a token. */
export function useInvitationPreview(token: string | null): Async<InvitationPreview | null> {
  return useAsync(() => (token ? previewInvitation(token) : Promise.resolve(null)), [token]);
}

/** A person as a newcomer can recognise them: the display name and the username, once if they are the same. */
function named(u: PublicUser): string {
  return u.displayName && u.displayName !== u.username ? `${u.displayName} (@${u.username})` : `@${u.username}`;
}

/** To whom the invitation was sent: the address, else the account. */
function addressee(p: InvitationPreview): string {
  if (p.email) return p.email;
  return p.invitee ? `@${p.invitee.username}` : 'you';
}

/**
 * The preview as a notice: who invited whom to which group and until when, or why the
 * invitation no longer stands and what to do instead. `on` (the page showing it) changes
 * the advice.
 */
export function InvitationPreviewNotice({ preview, on }: { preview: Async<InvitationPreview | null>; on: 'login' | 'register' | 'invitations' }) {
  const loggedIn = on === 'invitations';
  if (preview.loading) return <Loading label="Loading the invitation…" />;
  if (preview.error) {
    if (isApiError(preview.error) && preview.error.code === 'invalid_token') {
      return (
        <Notice kind="warning">
          <p data-testid="invitation-preview-invalid">
            This invitation link is not valid: it may be incomplete, or the invitation was removed with its group. Ask the person
            who invited you to send a new one.
          </p>
        </Notice>
      );
    }
    return (
      <Notice>
        <p data-testid="invited-notice">
          You have been invited to a group on Atelier. Log in to see your invitations, or create an account with the email address
          the invitation was sent to — it appears on your Invitations page once that address is verified.
        </p>
      </Notice>
    );
  }
  const p = preview.data;
  if (!p) return null;
  const inviter = userName(p.invitedBy);
  const group = <strong>{p.group.name}</strong>;
  if (p.status === 'pending') {
    return (
      <Notice>
        <div data-testid="invitation-preview" data-status={p.status}>
          <p className="lead">
            {named(p.invitedBy)} invited you to join {group} on Atelier.
          </p>
          {p.group.description && <RichText className="muted" text={p.group.description} />}
          <p className="small">
            Sent to <strong>{addressee(p)}</strong> · expires <ZonedTime value={p.expiresAt} />
          </p>
          {!loggedIn && (
            <p className="small" data-testid="invitation-preview-next">
              {p.invitee
                ? on === 'register'
                  ? `It is for the existing account @${p.invitee.username}: log in as @${p.invitee.username} instead to accept it.`
                  : `Log in as @${p.invitee.username} to accept it.`
                : on === 'register'
                  ? `Sign up with ${p.email ?? 'that address'} and verify it: the invitation will be waiting on your Invitations page.`
                  : `Create an account with ${p.email ?? 'that address'} and verify it, or log in if your account has that address verified: the invitation will be waiting on your Invitations page.`}
            </p>
          )}
        </div>
      </Notice>
    );
  }
  const why: Record<string, string> = {
    expired: 'has expired',
    revoked: 'was withdrawn',
    declined: 'was declined',
    accepted: 'was accepted already',
  };
  return (
    <Notice kind="warning">
      <div data-testid="invitation-preview" data-status={p.status}>
        <p>
          The invitation from {named(p.invitedBy)} to join {group} {why[p.status] ?? 'no longer stands'}
          {p.status === 'expired' && (
            <>
              {' '}
              (it ran until <ZonedTime value={p.expiresAt} />)
            </>
          )}
          .
        </p>
        <p className="small" data-testid="invitation-preview-next">
          {p.status === 'accepted'
            ? `If you accepted it, ${loggedIn ? 'the group is in your groups' : 'log in to find the group in your groups'}.`
            : `To join, ask ${inviter} for a new invitation.${loggedIn ? '' : ' You can still create an account or log in meanwhile.'}`}
        </p>
      </div>
    </Notice>
  );
}
