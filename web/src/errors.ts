import { isApiError } from './api/client';

const MESSAGES: Record<string, string> = {
  network_error: 'Could not reach the server. Check your connection and try again.',
  unauthenticated: 'Please log in to continue.',
  invalid_credentials: 'That username/email and password do not match.',
  account_locked: 'This account is locked after too many failed logins. Try again later, or reset your password — we emailed you a link.',
  rate_limited: 'Too many requests. Please wait a moment and try again.',
  email_not_verified: 'Please verify your email address first — check your inbox for the link.',
  csrf_failed: 'Your session check failed. Reload the page and try again.',
  forbidden: 'You do not have permission to do that.',
  not_found: 'Not found — it may have been deleted, or you are not a member.',
  invalid_token: 'This link is invalid or has already been used.',
  token_expired: 'This link has expired. Request a new one.',
  username_taken: 'That username is taken.',
  email_taken: 'An account with that email already exists.',
  group_name_taken: 'A group with that name already exists.',
  already_member: 'That person is already a member.',
  already_invited: 'That person already has a pending invitation.',
  invitation_not_pending: 'This invitation is no longer pending.',
  invitation_expired: 'This invitation has expired.',
  wrong_phase: 'That is not possible in the event’s current phase. Reload to see the latest state.',
  vote_budget_exhausted: 'You have no votes left in this event. Remove a vote to vote for something else.',
  artwork_limit_reached: 'You have submitted the maximum number of artworks for this event.',
  owner_cannot_leave: 'The owner cannot leave the group.',
  cannot_vote_own: 'You cannot vote for your own artwork.',
  cannot_like_own: 'You cannot like your own artwork.',
  not_a_participant: 'Only artists who submitted an artwork to this event can like.',
  wrong_password: 'Your current password is wrong.',
  payload_too_large: 'That file is too large (the limit is 20 MiB and 100 megapixels).',
  unsupported_image: 'That file is not a PNG, JPEG, WebP or GIF image we can read.',
  validation_failed: 'Please correct the highlighted fields.',
  bad_request: 'The request was not accepted.',
};

/** A sentence for the user about an error from the API (or anything else). */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) {
    if (e.code === 'rate_limited' && e.retryAfter != null) {
      return `Too many attempts. Try again in ${formatSeconds(e.retryAfter)}.`;
    }
    if (e.code === 'account_locked' && e.retryAfter != null) {
      return `${MESSAGES.account_locked} The lock ends in about ${formatSeconds(e.retryAfter)}.`;
    }
    const known = MESSAGES[e.code];
    if (known) return known;
    if (e.status >= 500) return 'Something went wrong on the server. Please try again.';
    return e.detail || e.title || 'Something went wrong.';
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
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
