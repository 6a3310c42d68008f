import { isApiError } from './api/client';
import { ERROR_MESSAGES } from './errors.generated';

// The table comes from docs/openapi.yaml (ErrorCode's x-user-messages); only the codes the
// client makes up itself are added here.
const MESSAGES: Readonly<Record<string, string>> = {
  ...ERROR_MESSAGES,
  network_error: 'Could not reach the server. Check your connection and try again.',
};

/** A sentence for the user about an error from the API (or anything else). */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) {
    if (e.code === 'rate_limited' && e.retryAfter != null) {
      return `Too many attempts. Try again in ${formatSeconds(e.retryAfter)}.`;
    }
    if (e.code === 'account_locked') return lockedMessage(e.detail, e.retryAfter, e.lockedUntil);
    const known = MESSAGES[e.code];
    if (known) return known;
    if (e.status >= 500) return 'Something went wrong on the server. Please try again.';
    return e.detail || e.title || 'Something went wrong.';
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
const dayClock = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });

/**
 * What a locked account means for the person at the login form: until when (from
 * Retry-After when the server sends it), that the right password does not help meanwhile,
 * and the way in now. The server's own detail leads when it has one.
 */
function lockedMessage(detail: string | undefined, retryAfter: number | null, lockedUntil: Date | null = null): string {
  if (lockedUntil && !Number.isNaN(lockedUntil.getTime())) {
    // The server names the end of the lock: shown in the viewer's own time zone.
    const left = Math.max(1, Math.round((lockedUntil.getTime() - Date.now()) / 1000));
    const sameDay = lockedUntil.toDateString() === new Date().toDateString();
    const when = sameDay ? clock.format(lockedUntil) : dayClock.format(lockedUntil);
    return `Too many failed logins: this account is locked. The lock ends at ${when} (in about ${formatSeconds(left)}); until then even the right password is refused. To get in now, reset your password with the link we emailed you, or ask for a new one.`;
  }
  const why = detail ? `${detail.replace(/\.?$/, '.')}` : 'Too many failed logins: this account is locked.';
  const until =
    retryAfter != null
      ? `The lock ends at ${clock.format(new Date(Date.now() + retryAfter * 1000))} (in about ${formatSeconds(retryAfter)}); until then even the right password is refused.`
      : 'The lock ends by itself after a while (15 minutes unless this site chose otherwise); until then even the right password is refused.';
  return `${why} ${until} To get in now, reset your password with the link we emailed you, or ask for a new one.`;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.ceil(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** Conflict codes that are really about one form field. */
const CODE_FIELDS: Record<string, string> = {
  username_taken: 'username',
  email_taken: 'email',
  group_name_taken: 'name',
  wrong_password: 'currentPassword',
  unsupported_image: 'image',
};

export function fieldErrorsWithCodes(e: unknown): Record<string, string> {
  if (!isApiError(e)) return {};
  const f = { ...e.fields };
  const field = CODE_FIELDS[e.code];
  if (field && !(field in f)) f[field] = errorMessage(e);
  return f;
}
