import { useEffect, useState } from 'react';
import * as api from '../api/notifications';
import type { Notification } from '../api/types';
import { Empty, ErrorBox, FormError, LoadMore, Loading, Time } from '../components/ui';
import { useAction, usePaged, useTitle } from '../hooks';
import { useNotify } from '../notify';
import { Link, navigate, useLocation } from '../router';

/** Where a notification leads. */
export function notificationHref(n: Notification): string | null {
  const d = n.data;
  switch (n.type) {
    case 'GROUP_INVITATION':
      return '/invitations';
    case 'EVENT_STATUS_UPDATE':
    case 'VOTE_NOTIFICATION':
    case 'NO_MATCH':
    case 'DEADLINE_REMINDER':
      return d.eventId ? `/events/${d.eventId}` : null;
    case 'NEW_MATCH':
    case 'MATCH_UPDATE':
    case 'MATCH_MESSAGE':
    case 'TRADE_DELIVERED':
    case 'TRADE_REMINDER':
      return '/matches';
    default:
      return null;
  }
}

const TYPE_LABEL: Record<string, string> = {
  GROUP_INVITATION: 'Invitation',
  EVENT_STATUS_UPDATE: 'Event',
  VOTE_NOTIFICATION: 'Votes',
  NEW_MATCH: 'New match',
  MATCH_UPDATE: 'Match',
  MATCH_MESSAGE: 'Message',
  TRADE_DELIVERED: 'Delivery',
  NO_MATCH: 'No match',
  TRADE_REMINDER: 'Trade due',
  DEADLINE_REMINDER: 'Deadline',
};

export function NotificationsPage() {
  useTitle('Notifications');
  // The filter lives in the URL so it survives a reload and can be linked.
  const { search } = useLocation();
  const unreadOnly = search.get('unread') === 'true';
  const setUnreadOnly = (v: boolean) => navigate(v ? '/notifications?unread=true' : '/notifications', { replace: true });
  const list = usePaged((cursor) => api.listNotifications({ cursor, unread: unreadOnly }), [unreadOnly]);
  const { onLive, setUnread } = useNotify();
  const [live, setLive] = useState<Notification[]>([]);
  const [readIds, setReadIds] = useState<Set<string>>(new Set());
  const act = useAction();

  useEffect(() => setLive([]), [list.data]);
  useEffect(() => onLive((n) => setLive((l) => (l.some((x) => x.id === n.id) ? l : [n, ...l]))), [onLive]);
  // The list's unreadCount is the truth whenever it loads.
  useEffect(() => {
    if (list.data) setUnread(() => list.data!.unreadCount);
  }, [list.data, setUnread]);

  const known = new Set(list.items?.map((n) => n.id));
  const items = [...live.filter((n) => !known.has(n.id)), ...(list.items ?? [])];
  const isRead = (n: Notification) => n.read || readIds.has(n.id);

  const markRead = async (n: Notification) => {
    const ok = await act.run(async () => {
      await api.markRead(n.id);
      return true;
    });
    if (ok) {
      setReadIds((s) => new Set(s).add(n.id));
      setUnread((c) => c - 1);
    }
  };
  const markAll = async () => {
    const ok = await act.run(async () => {
      await api.markAllRead();
      return true;
    });
    if (ok) {
      setReadIds(new Set(items.map((n) => n.id)));
      setUnread(() => 0);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>Notifications</h1>
        <button type="button" className="btn" onClick={() => void markAll()} disabled={act.busy || items.every(isRead)}>
          Mark all read
        </button>
      </div>
      <div className="check">
        <input type="checkbox" id="unread-only" checked={unreadOnly} onChange={(e) => setUnreadOnly(e.target.checked)} />
        <label htmlFor="unread-only">Show only unread</label>
      </div>
      <FormError error={act.error} />
      {list.loading && !list.items ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : items.length === 0 ? (
        <Empty>{unreadOnly ? 'No unread notifications.' : 'No notifications yet.'}</Empty>
      ) : (
        <ul className="list notifications" aria-label="Notifications">
          {items.map((n) => {
            const href = notificationHref(n);
            const read = isRead(n);
            return (
              <li key={n.id} className={`list__item notification${read ? '' : ' notification--unread'}`} data-testid="notification">
                <div>
                  <span className="badge">{TYPE_LABEL[n.type] ?? n.type}</span> {!read && <span className="visually-hidden">Unread: </span>}
                  {href ? (
                    <Link to={href} onClick={() => !read && void markRead(n)}>
                      {n.message}
                    </Link>
                  ) : (
                    <span>{n.message}</span>
                  )}
                  <div className="muted small">
                    <Time value={n.createdAt} relative />
                  </div>
                </div>
                {/* The slot keeps its width when read, so nothing moves. */}
                <div className="mark-slot">
                  {read ? (
                    <span className="muted small">Read</span>
                  ) : (
                    <button type="button" className="btn btn--small" onClick={() => void markRead(n)} disabled={act.busy}>
                      Mark read<span className="visually-hidden">: {n.message}</span>
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </section>
  );
}
