// Unread count and live notifications, shared by the bell and the list page.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { listNotifications, subscribe } from './api/notifications';
import type { Notification } from './api/types';
import { useSession } from './session';

type Listener = (n: Notification) => void;

interface NotifyValue {
  unread: number;
  setUnread: (fn: (n: number) => number) => void;
  refreshUnread: () => void;
  /** Subscribes to notifications as they arrive; returns the unsubscribe. */
  onLive: (l: Listener) => () => void;
  connected: boolean;
  /** The last notification received live (for the polite announcement). */
  latest: Notification | null;
}

const NotifyContext = createContext<NotifyValue | null>(null);

export function NotifyProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [unread, setUnreadState] = useState(0);
  const [connected, setConnected] = useState(false);
  const [latest, setLatest] = useState<Notification | null>(null);
  const listeners = useRef(new Set<Listener>());
  const seen = useRef(new Set<string>());
  const userId = user?.id;

  // Only the newest count request may set the count, and a local change
  // (a live event, marking read) invalidates the ones in flight: a response
  // that was read before a notification arrived must not undo its increment.
  const seq = useRef(0);
  const refreshUnread = useCallback(() => {
    const mine = ++seq.current;
    listNotifications({ limit: 1, unread: true }).then(
      (p) => {
        if (mine === seq.current) setUnreadState(p.unreadCount);
      },
      () => {},
    );
  }, []);

  useEffect(() => {
    if (!userId) {
      setUnreadState(0);
      setConnected(false);
      return;
    }
    refreshUnread();
    const close = subscribe(
      (n) => {
        if (seen.current.has(n.id)) return;
        seen.current.add(n.id);
        if (!n.read) {
          seq.current++;
          setUnreadState((c) => c + 1);
        }
        setLatest(n);
        listeners.current.forEach((l) => l(n));
      },
      (open) => {
        setConnected(open);
        // After a reconnect the server replays what was missed, but a
        // refresh keeps the count right even if it could not.
        if (open) refreshUnread();
      },
    );
    return close;
  }, [userId, refreshUnread]);

  const onLive = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => {
      listeners.current.delete(l);
    };
  }, []);

  const setUnread = useCallback((fn: (n: number) => number) => {
    seq.current++;
    setUnreadState((n) => Math.max(0, fn(n)));
  }, []);

  const value = useMemo(
    () => ({ unread, setUnread, refreshUnread, onLive, connected, latest }),
    [unread, setUnread, refreshUnread, onLive, connected, latest],
  );
  return <NotifyContext.Provider value={value}>{children}</NotifyContext.Provider>;
}

export function useNotify(): NotifyValue {
  const v = useContext(NotifyContext);
  if (!v) throw new Error('useNotify outside NotifyProvider');
  return v;
}
