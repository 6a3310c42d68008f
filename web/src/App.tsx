import type { ReactNode } from 'react';
import { Layout } from './components/Layout';
import { NotifyProvider } from './notify';
import { ForgotPasswordPage, HomePage, LoginPage, RegisterPage, RequireAuth, ResetPasswordPage, UnsubscribePage, VerifyEmailPage } from './pages/auth';
import { ArtworkPage, EventPage } from './pages/events';
import { GroupPage, GroupsPage, InvitationsPage } from './pages/groups';
import { MatchesPage } from './pages/matches';
import { TradesPage } from './pages/trade';
import { NotificationsPage } from './pages/notifications';
import { ProfilePage, SettingsPage, UserPage } from './pages/profile';
import { Link, Routes, type Route } from './router';
import { SessionProvider } from './session';
import { useTitle } from './hooks';

const authed = (node: ReactNode) => <RequireAuth>{node}</RequireAuth>;

const routes: Route[] = [
  { path: '/', render: () => <HomePage /> },
  { path: '/login', render: () => <LoginPage /> },
  { path: '/register', render: () => <RegisterPage /> },
  { path: '/verify-email', render: () => <VerifyEmailPage /> },
  { path: '/forgot-password', render: () => <ForgotPasswordPage /> },
  { path: '/reset-password', render: () => <ResetPasswordPage /> },
  { path: '/unsubscribe', render: () => <UnsubscribePage /> },
  { path: '/profile', render: () => authed(<ProfilePage />) },
  { path: '/settings', render: () => authed(<SettingsPage />) },
  { path: '/users/:username', render: (p) => authed(<UserPage username={p.username} />) },
  { path: '/groups', render: () => authed(<GroupsPage />) },
  { path: '/groups/:id', render: (p) => authed(<GroupPage key={p.id} id={p.id} />) },
  { path: '/events/:id/trades', render: (p) => authed(<TradesPage key={p.id} id={p.id} />) },
  { path: '/events/:id', render: (p) => authed(<EventPage key={p.id} id={p.id} />) },
  { path: '/artworks/:id', render: (p) => authed(<ArtworkPage key={p.id} id={p.id} />) },
  { path: '/invitations', render: () => authed(<InvitationsPage />) },
  { path: '/matches', render: () => authed(<MatchesPage />) },
  { path: '/notifications', render: () => authed(<NotificationsPage />) },
];

function NotFound() {
  useTitle('Not found');
  return (
    <section className="narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/">Go to the start page</Link>.
      </p>
    </section>
  );
}

export function App() {
  return (
    <SessionProvider>
      <NotifyProvider>
        <Layout>
          <Routes routes={routes} fallback={<NotFound />} />
        </Layout>
      </NotifyProvider>
    </SessionProvider>
  );
}
