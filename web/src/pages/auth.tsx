import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import * as auth from '../api/auth';
import * as notificationsApi from '../api/notifications';
import { isApiError } from '../api/client';
import type { User } from '../api/types';
import { InvitationPreviewNotice, previewTokenOf, useInvitationPreview } from '../components/InvitationPreview';
import { ErrorBox, FormError, Loading, Notice, TextField } from '../components/ui';
import { errorMessage } from '../errors';
import { useAction, useTitle } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Dashboard } from './home';

/** A `next` that stays on this site. */
function safeNext(n: string | null): string {
  return n && n.startsWith('/') && !n.startsWith('//') ? n : '/groups';
}

export function HomePage() {
  useTitle('');
  const { user } = useSession();
  if (user) return <Dashboard />;
  return (
    <section className="hero">
      <h1>Atelier</h1>
      <p className="lead">
        Run art events with your circle: submit your work, vote blind, like each other’s pieces — and trade art with your
        matches.
      </p>
      <p className="actions">
        <Link to="/register" className="btn btn--primary">
          Sign up
        </Link>
        <Link to="/login" className="btn">
          Log in
        </Link>
      </p>
    </section>
  );
}

/**
 * For someone who followed a link to the Invitations page without a preview token (emails
 * sent before invitations had one): nothing about the group can be shown before logging in.
 */
function InvitedNotice() {
  return (
    <Notice>
      <p data-testid="invited-notice">
        You have been invited to a group on Atelier. Invitations are private: log in to see yours, or create an account with the
        email address the invitation was sent to — it appears on your Invitations page once that address is verified.
      </p>
    </Notice>
  );
}

/** What a login or sign-up reached from an invitation's link says about it. */
function InvitedBy({ next, preview, on }: { next: string | null; preview: ReturnType<typeof useInvitationPreview>; on: 'login' | 'register' }) {
  if (!next || !safeNext(next).startsWith('/invitations')) return null;
  return previewTokenOf(safeNext(next)) ? <InvitationPreviewNotice preview={preview} on={on} /> : <InvitedNotice />;
}

export function LoginPage() {
  useTitle('Log in');
  const { setUser } = useSession();
  const { search } = useLocation();
  const preview = useInvitationPreview(previewTokenOf(safeNext(search.get('next'))));
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const act = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await act.run(() => auth.login(login.trim(), password));
    if (res) {
      setUser(res.user);
      navigate(safeNext(search.get('next')), { replace: true });
    }
  };

  const code = isApiError(act.error) ? act.error.code : null;
  const next = search.get('next');
  const withNext = (path: string) => (next ? `${path}?next=${encodeURIComponent(safeNext(next))}` : path);
  return (
    <section className="narrow">
      <h1>Log in</h1>
      <InvitedBy next={next} preview={preview} on="login" />
      {search.get('deleted') === '1' && (
        <Notice kind="success">
          <p data-testid="deleted-notice">Your account was deleted. Thank you for the art you shared.</p>
        </Notice>
      )}
      <form onSubmit={submit} noValidate>
        {act.error != null && (
          <div className="alert alert--error" role="alert" data-testid="login-error">
            <p>{errorMessage(act.error)}</p>
            {code === 'account_locked' && (
              <p>
                <Link to="/forgot-password">Reset your password</Link> to unlock it now.
              </p>
            )}
          </div>
        )}
        <TextField label="Username or email" name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          {act.busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to={withNext('/register')}>Create an account</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  useTitle('Sign up');
  const { setUser } = useSession();
  const { search } = useLocation();
  const next = search.get('next');
  const [f, setF] = useState({ username: '', email: '', password: '' });
  const [done, setDone] = useState<User | null>(null);
  const act = useAction();
  const preview = useInvitationPreview(previewTokenOf(safeNext(next)));
  // The address the invitation went to is the one to sign up with: it must be verified
  // before the invitation reaches the account.
  const invited = preview.data?.status === 'pending' && !preview.data.invitee ? preview.data.email : null;
  useEffect(() => {
    if (invited) setF((cur) => (cur.email ? cur : { ...cur, email: invited }));
  }, [invited]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { username: f.username.trim().toLowerCase(), email: f.email.trim(), password: f.password };
    const user = await act.run(async () => {
      const u = await auth.register(body);
      // Log straight in: unverified users may use the site, and verifying
      // later from the email link works either way.
      try {
        const s = await auth.login(body.username, body.password);
        setUser(s.user);
      } catch {
        /* registration worked; the user can log in by hand */
      }
      return u;
    });
    if (user) setDone(user);
  };

  if (done) {
    return (
      <section className="narrow">
        <h1>Check your email</h1>
        <Notice kind="success">
          <p>
            Welcome, {done.username}! We sent a verification link to <strong>{done.email}</strong>. Open it to verify your
            address.
          </p>
          <p data-testid="invitation-after-verify">
            {preview.data?.status === 'pending' ? `The invitation to ${preview.data.group.name} and other invitations` : 'Invitations'} sent
            to this address appear on your Invitations page once the address is verified.
          </p>
        </Notice>
        {invited && invited !== done.email.toLowerCase() && (
          <Notice kind="warning">
            <p data-testid="invitation-other-address">
              The invitation was sent to {invited}, not to {done.email}: it reaches you only once an account of yours has verified {invited}.
              Ask the person who invited you to invite {done.email} instead.
            </p>
          </Notice>
        )}
        <p className="actions">
          <Link to={safeNext(next)} className="btn btn--primary">
            Continue to Atelier
          </Link>
        </p>
      </section>
    );
  }

  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  return (
    <section className="narrow">
      <h1>Create your account</h1>
      <InvitedBy next={next} preview={preview} on="register" />
      {search.get('deleted') === '1' && (
        <Notice kind="success">
          <p data-testid="deleted-notice">Your account was deleted. Thank you for the art you shared.</p>
        </Notice>
      )}
      <form onSubmit={submit} noValidate>
        <FormError error={act.error} shown={['username', 'email', 'password']} />
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          required
          minLength={3}
          maxLength={32}
          hint="3–32 characters: letters, digits and _"
          value={f.username}
          onChange={set('username')}
          error={act.fields.username}
        />
        <TextField label="Email" name="email" type="email" autoComplete="email" required value={f.email} onChange={set('email')} error={act.fields.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          hint="8–128 characters, not your username or email"
          value={f.password}
          onChange={set('password')}
          error={act.fields.password}
        />
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          {act.busy ? 'Creating…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already have an account? <Link to={next ? `/login?next=${encodeURIComponent(safeNext(next))}` : '/login'}>Log in</Link>
      </p>
    </section>
  );
}

function ResendVerification({ initialEmail = '' }: { initialEmail?: string }) {
  const [email, setEmail] = useState(initialEmail);
  const [sent, setSent] = useState(false);
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act.run(async () => {
      await auth.resendVerification(email.trim());
      return true;
    });
    if (ok) setSent(true);
  };
  if (sent) return <Notice kind="success">If an account uses that address, a new verification link is on its way.</Notice>;
  return (
    <form onSubmit={submit} className="inline-form" noValidate>
      <FormError error={act.error} />
      <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <button type="submit" className="btn" disabled={act.busy}>
        Send a new link
      </button>
    </form>
  );
}
export { ResendVerification };

export function VerifyEmailPage() {
  useTitle('Verify email');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { user, refresh } = useSession();
  const [state, setState] = useState<{ ok?: User; error?: unknown }>({});
  const started = useRef(false);

  useEffect(() => {
    if (started.current || !token) return;
    started.current = true; // tokens are single-use: never post twice
    auth.verifyEmail(token).then(
      (u) => {
        setState({ ok: u });
        void refresh(); // a logged-in user's banner goes away
      },
      (e: unknown) => setState({ error: e }),
    );
  }, [token, refresh]);

  return (
    <section className="narrow">
      <h1>Verify your email</h1>
      {!token ? (
        <>
          <ErrorBox error={new Error('This link has no token. Open the link from the email again, or ask for a new one.')} />
          <ResendVerification initialEmail={user?.email} />
        </>
      ) : state.ok ? (
        <>
          <Notice kind="success">
            <p data-testid="verify-ok">Thank you — {state.ok.email} is verified.</p>
          </Notice>
          <p className="actions">
            <Link to={user ? '/groups' : '/login'} className="btn btn--primary">
              {user ? 'Go to your groups' : 'Log in'}
            </Link>
          </p>
        </>
      ) : state.error ? (
        <>
          <ErrorBox error={state.error} />
          <h2>Get a new link</h2>
          <ResendVerification initialEmail={user?.email} />
        </>
      ) : (
        <Loading label="Verifying…" />
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  useTitle('Forgot password');
  const [login, setLogin] = useState('');
  const [sent, setSent] = useState(false);
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act.run(async () => {
      await auth.requestPasswordReset(login.trim());
      return true;
    });
    if (ok) setSent(true);
  };
  return (
    <section className="narrow">
      <h1>Reset your password</h1>
      {sent ? (
        <Notice kind="success">
          <p>If an account has the username or email {login}, we sent a link to reset the password to its email address. The link works for one hour.</p>
        </Notice>
      ) : (
        <form onSubmit={submit} noValidate>
          <p>Enter your username or your account’s email, and we will email you a reset link.</p>
          <FormError error={act.error} shown={['login']} />
          <TextField label="Username or email" name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} error={act.fields.login} />
          <button type="submit" className="btn btn--primary" disabled={act.busy}>
            Send reset link
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </section>
  );
}

const TYPE_NAMES: Record<string, string> = {
  GROUP_INVITATION: 'invitations to groups',
  EVENT_STATUS_UPDATE: 'event phase changes',
  VOTE_NOTIFICATION: 'voting results for your artworks',
  NEW_MATCH: 'new matches',
  MATCH_UPDATE: 'updates to your matches',
  MATCH_MESSAGE: 'messages from your trade partners',
  TRADE_DELIVERED: 'art delivered to you',
  NO_MATCH: 'events that leave you without a match',
  TRADE_REMINDER: 'reminders before a trade is due',
  DEADLINE_REMINDER: 'reminders before voting or matching ends',
};

/** `/unsubscribe?token=…`, the link at the end of a notification email: asks first, then POSTs. */
export function UnsubscribePage() {
  useTitle('Unsubscribe');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  // The token names the type in clear ("<user>.<TYPE>.<signature>"); the server checks it.
  const typeName = TYPE_NAMES[token.split('.')[1] ?? ''];
  const [done, setDone] = useState<string | null>(null);
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await act.run(() => notificationsApi.unsubscribe(token));
    if (res) setDone(TYPE_NAMES[res.type] ?? res.type);
  };
  return (
    <section className="narrow">
      <h1>Unsubscribe</h1>
      {!token ? (
        <ErrorBox error={new Error('This link has no token. Use the link from the email, or change your email settings.')} />
      ) : done ? (
        <Notice kind="success">
          <p data-testid="unsubscribed">
            Done: you will no longer get emails about {done}. You still see them in the app, and you can turn the emails
            back on in your <Link to="/settings">settings</Link>.
          </p>
        </Notice>
      ) : (
        <form onSubmit={submit}>
          <p>Stop emails about {typeName ?? 'this kind of notification'}? You will still see them in the app.</p>
          <FormError error={act.error} />
          <button type="submit" className="btn btn--primary" disabled={act.busy}>
            Unsubscribe
          </button>
        </form>
      )}
    </section>
  );
}

export function ResetPasswordPage() {
  useTitle('Choose a new password');
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const { setUser } = useSession();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const act = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    const ok = await act.run(async () => {
      await auth.confirmPasswordReset(token, password);
      return true;
    });
    if (ok) {
      setUser(null); // every session ended
      setDone(true);
    }
  };

  if (!token) {
    return (
      <section className="narrow">
        <h1>Choose a new password</h1>
        <ErrorBox error={new Error('This link has no token. Ask for a new reset link.')} />
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }
  const tokenProblem = isApiError(act.error) && ['invalid_token', 'token_expired'].includes(act.error.code);
  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {done ? (
        <>
          <Notice kind="success">
            <p data-testid="reset-ok">Your password has been changed. Log in with the new one.</p>
          </Notice>
          <p className="actions">
            <Link to="/login" className="btn btn--primary">
              Log in
            </Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <FormError error={act.error} shown={['password']} />
          {tokenProblem && (
            <p>
              <Link to="/forgot-password">Ask for a new link</Link>
            </p>
          )}
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            hint="8–128 characters, not your username or email"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={act.fields.password}
          />
          <TextField
            label="Repeat the new password"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={mismatch ? 'The two passwords differ.' : undefined}
          />
          <button type="submit" className="btn btn--primary" disabled={act.busy}>
            Set password
          </button>
        </form>
      )}
    </section>
  );
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const { pathname, search } = useLocation();
  useEffect(() => {
    if (user === null) {
      const here = pathname + (search.toString() ? `?${search}` : '');
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    }
  }, [user, pathname, search]);
  if (!user) return <Loading />;
  return <>{children}</>;
}
