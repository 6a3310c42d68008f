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
