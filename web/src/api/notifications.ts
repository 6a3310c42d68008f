import { api, apiUrl, call, pageQuery } from './client';
import type { Notification, PageParams } from './types';

export { getNotificationSettings, updateNotificationSettings } from './me';

export const listNotifications = (p?: PageParams & { unread?: boolean }) =>
  call(api.GET('/api/v1/notifications', { params: { query: { ...pageQuery(p), unread: p?.unread ? true : undefined } } }));
export const markRead = (notificationId: string) =>
  call(api.POST('/api/v1/notifications/{notificationId}/read', { params: { path: { notificationId } } }));
/** One-click unsubscribe: the signed token from the email's link is the authority (no login needed). */
export const unsubscribe = (token: string) => call(api.POST('/api/v1/unsubscribe', { params: { query: { token } } }));

export const markAllRead = () => call(api.POST('/api/v1/notifications/read-all'));

export const STREAM_URL = apiUrl('/api/v1/notifications/stream');

/**
 * Opens the live stream (cookie-authenticated; EventSource reconnects by
 * itself and sends Last-Event-ID so missed notifications are replayed).
 * Returns a function that closes it.
 */
export function subscribe(onNotification: (n: Notification) => void, onStatus?: (open: boolean) => void): () => void {
  if (typeof EventSource === 'undefined') return () => {};
  const es = new EventSource(STREAM_URL);
  es.addEventListener('notification', (ev) => {
    try {
      onNotification(JSON.parse((ev as MessageEvent<string>).data) as Notification);
    } catch {
      /* a malformed event is ignored; the list is the source of truth */
    }
  });
  es.onopen = () => onStatus?.(true);
  es.onerror = () => onStatus?.(false);
  return () => es.close();
}
