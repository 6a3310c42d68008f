import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Notification } from '../api/types';
import { listMyInvitations } from '../api/me';
import { useNotify } from '../notify';
import { restoreDraft } from '../drafts';
import { notificationHref } from '../pages/notifications';
import { Link, useLocation } from '../router';
import { useSession } from '../session';

function BellIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
      <path d="M13.73 21a2 2 0 0 1-3.46 0" />
    </svg>
  );
}

function NavLink({ to, children, onNavigate }: { to: string; children: ReactNode; onNavigate?: () => void }) {
  const { pathname } = useLocation();
  const current = pathname === to || (to !== '/' && pathname.startsWith(`${to}/`));
  return (
    <Link to={to} aria-current={current ? 'page' : undefined} onClick={onNavigate}>
      {children}
    </Link>
  );
}

export function Bell() {
  const { unread } = useNotify();
  const label = unread === 0 ? 'Notifications, none unread' : `Notifications, ${unread} unread`;
  return (
    <>
      <Link to="/notifications" className="bell" aria-label={label} data-testid="bell">
        <BellIcon />
        {unread > 0 && (
          <span className="bell__count" data-testid="unread-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </Link>
    </>
  );
}

/** How many invitations wait for the user: on login, on each page change and when one arrives live. */
function usePendingInvitations(signedIn: boolean, pathname: string): number {
  const { onLive } = useNotify();
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => onLive((n) => n.type === 'GROUP_INVITATION' && setTick((t) => t + 1)), [onLive]);
  useEffect(() => {
    if (!signedIn) {
      setCount(0);
      return;
    }
    let live = true;
    listMyInvitations({ limit: 100 }).then(
      (p) => live && setCount(p.items.length),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [signedIn, pathname, tick]);
  return count;
}

const TOAST_MS = 8000;

/**
 * Live notifications as toasts: a polite status region (announced without moving focus),
 * each toast visible for a few seconds or until closed, linking where the notification leads.
 */
function Toasts() {
  const { onLive } = useNotify();
  const [toasts, setToasts] = useState<Notification[]>([]);
  useEffect(
    () =>
      onLive((n) => {
        setToasts((t) => [...t.filter((x) => x.id !== n.id), n].slice(-3));
        window.setTimeout(() => setToasts((t) => t.filter((x) => x.id !== n.id)), TOAST_MS);
      }),
    [onLive],
  );
  const close = (id: string) => setToasts((t) => t.filter((x) => x.id !== id));
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((n) => {
        const href = notificationHref(n);
        return (
          <div key={n.id} className="toast" data-testid="toast">
            <p>
              <span className="visually-hidden">New notification: </span>
              {href ? (
                <Link to={href} onClick={() => close(n.id)}>
                  {n.message}
                </Link>
              ) : (
                n.message
              )}
            </p>
            <button type="button" className="toast__close" onClick={() => close(n.id)} aria-label="Dismiss notification">
              ×
            </button>
          </div>
        );
      })}
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout } = useSession();
  const { pathname, href } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // Move focus to the new page's content after client-side navigation, as a
  // full page load would, so keyboard and screen reader users start there.
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [pathname]);

  const close = () => setMenuOpen(false);
  // null: nothing restored; otherwise the names of the files that must be chosen again.
  const [restored, setRestored] = useState<string[] | null>(null);
  const signedIn = !!user;
  // After a session ended mid-form and the user logged in again, the form gets its text back.
  useEffect(() => {
    setRestored(null);
    if (!signedIn) return;
    return restoreDraft(new URL(href, window.location.origin).pathname + new URL(href, window.location.origin).search, (files) => setRestored(files));
  }, [href, signedIn]);
  const invitations = usePendingInvitations(!!user, pathname);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className={`site-header__inner${user ? ' site-header__inner--authed' : ''}`}>
          <Link to="/" className="brand">
            Atelier
          </Link>
          {user && (
            <>
              <Bell />
              <button
                type="button"
                className="menu-toggle"
                aria-expanded={menuOpen}
                aria-controls="main-nav"
                onClick={() => setMenuOpen((o) => !o)}
              >
                Menu
              </button>
            </>
          )}
          <nav id="main-nav" aria-label="Main" className={`site-nav${menuOpen ? ' site-nav--open' : ''}`}>
            {user ? (
              <ul>
                <li>
                  <NavLink to="/groups" onNavigate={close}>Groups</NavLink>
                </li>
                <li>
                  <NavLink to="/invitations" onNavigate={close}>
                    Invitations
                    {invitations > 0 && (
                      <>
                        {' '}
                        <span className="nav-count" data-testid="invitation-count">
                          {invitations}
                        </span>
                        <span className="visually-hidden"> pending</span>
                      </>
                    )}
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/matches" onNavigate={close}>Matches</NavLink>
                </li>
                <li>
                  <NavLink to="/notifications" onNavigate={close}>Notifications</NavLink>
                </li>
                <li>
                  <NavLink to="/profile" onNavigate={close}>
                    <span className="nav-name" title={user.profile.displayName || user.username}>
                      {user.profile.displayName || user.username}
                    </span>
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/settings" onNavigate={close}>Settings</NavLink>
                </li>
                <li>
                  <button type="button" className="linklike" onClick={() => void logout()}>
                    Log out
                  </button>
                </li>
              </ul>
            ) : user === null ? (
              <ul>
                <li>
                  <NavLink to="/login">Log in</NavLink>
                </li>
                <li>
                  <NavLink to="/register">Sign up</NavLink>
                </li>
              </ul>
            ) : null}
          </nav>
        </div>
      </header>
      {user && !user.emailVerified && (
        <div className="banner" role="note">
          Your email is not verified yet: check your inbox for the link. Some actions (creating groups, joining them) need it.{' '}
          <Link to="/profile">Resend the email</Link>
        </div>
      )}
      {user && <Toasts />}
      <main id="main" ref={mainRef} tabIndex={-1}>
        {restored && (
          <div className="alert alert--info" role="status" data-testid="draft-restored">
            Your session had ended; what you typed before logging in again is back in the form.
            {restored.length > 0 && <> Files cannot be kept: choose {restored.map((f) => `“${f}”`).join(', ')} again.</>}
          </div>
        )}
        {children}
      </main>
      <footer className="site-footer">
        <p>Atelier — art events among friends.</p>
      </footer>
    </>
  );
}
