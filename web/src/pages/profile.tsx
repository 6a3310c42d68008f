import { useEffect, useState, type FormEvent } from 'react';
import { changePassword, deleteMe, exportUrl, getNotificationSettings, updateMe, updateNotificationSettings } from '../api/me';
import { getUser } from '../api/users';
import type { NotificationSettings } from '../api/types';
import { useConfirm } from '../components/Confirm';
import { ErrorBox, FormError, Loading, Notice, TextArea, TextField, Time, RichText } from '../components/ui';
import { useAction, useAsync, useTitle } from '../hooks';
import { navigate } from '../router';
import { useSession } from '../session';
import { ResendVerification } from './auth';

export function ProfilePage() {
  useTitle('Your profile');
  const { user, setUser } = useSession();
  const [f, setF] = useState({ displayName: '', bio: '', portfolioUrl: '' });
  const [saved, setSaved] = useState(false);
  const act = useAction();

  useEffect(() => {
    if (user) {
      setF({
        displayName: user.profile.displayName ?? '',
        bio: user.profile.bio ?? '',
        portfolioUrl: user.profile.portfolioUrl ?? '',
      });
    }
  }, [user]);
  if (!user) return <Loading />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const body: { displayName?: string; bio?: string; portfolioUrl?: string | null } = {
      bio: f.bio,
      portfolioUrl: f.portfolioUrl.trim() === '' ? null : f.portfolioUrl.trim(),
    };
    if (f.displayName.trim() !== '') body.displayName = f.displayName.trim();
    const u = await act.run(() => updateMe(body));
    if (u) {
      setUser(u);
      setSaved(true);
    }
  };

  return (
    <section className="narrow">
      <h1>Your profile</h1>
      <dl className="facts">
        <dt>Username</dt>
        <dd>{user.username}</dd>
        <dt>Email</dt>
        <dd>
          {user.email} {user.emailVerified ? <span className="badge badge--ok">verified</span> : <span className="badge badge--warn">not verified</span>}
        </dd>
        <dt>Member since</dt>
        <dd>
          <Time value={user.createdAt} />
        </dd>
      </dl>
      {!user.emailVerified && (
        <div className="card">
          <h2>Verify your email</h2>
          <p>We sent you a link when you signed up. Didn’t get it?</p>
          <ResendVerification initialEmail={user.email} />
        </div>
      )}
      <h2>Edit profile</h2>
      <form onSubmit={submit} noValidate>
        {saved && <Notice kind="success">Profile saved.</Notice>}
        <FormError error={act.error} shown={['displayName', 'bio', 'portfolioUrl']} />
        <TextField
          label="Display name"
          name="displayName"
          maxLength={64}
          hint="Shown instead of your username (1–64 characters)"
          value={f.displayName}
          onChange={(e) => setF({ ...f, displayName: e.target.value })}
          error={act.fields.displayName}
        />
        <TextArea label="Bio" name="bio" rows={5} maxLength={2000} value={f.bio} onChange={(e) => setF({ ...f, bio: e.target.value })} error={act.fields.bio} hint={`${[...f.bio].length}/2000`} />
        <TextField
          label="Portfolio URL"
          name="portfolioUrl"
          type="url"
          inputMode="url"
          placeholder="https://…"
          value={f.portfolioUrl}
          onChange={(e) => setF({ ...f, portfolioUrl: e.target.value })}
          error={act.fields.portfolioUrl}
        />
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          {act.busy ? 'Saving…' : 'Save profile'}
        </button>
      </form>
      <h2>Your data</h2>
      <p>A ZIP file with your account, groups, artworks (with their original images), votes, likes, matches, notifications and settings.</p>
      <p>
        <a className="btn" href={exportUrl} download data-testid="export-link">
          Download my data
        </a>
      </p>
      <DeleteAccount />
    </section>
  );
}

function DeleteAccount() {
  const { setUser } = useSession();
  const [password, setPassword] = useState('');
  const act = useAction();
  const { confirm, dialog } = useConfirm();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await confirm({
      title: 'Delete your account for good?',
      body: (
        <p>
          Your artworks and their images, your memberships, likes, open votes and notifications are deleted, your open
          matches are declined (your partners are told), and you are logged out everywhere. This cannot be undone.
        </p>
      ),
      confirmLabel: 'Delete my account',
      danger: true,
    });
    if (!ok) return;
    const done = await act.run(async () => {
      await deleteMe(password);
      return true;
    });
    if (done) {
      setUser(null);
      navigate('/login?deleted=1', { replace: true });
    }
  };
  return (
    <section aria-labelledby="delete-h" className="card">
      <h2 id="delete-h">Delete account</h2>
      <p>
        If you own a group, make another member its owner first (on the group’s page). Your username and email become
        free for a new account.
      </p>
      <form onSubmit={submit} noValidate>
        <FormError error={act.error} shown={['password']} />
        <TextField
          label="Password to confirm"
          name="delete-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={act.fields.password}
        />
        <button type="submit" className="btn btn--danger" disabled={act.busy || password === ''}>
          Delete account
        </button>
      </form>
      {dialog}
    </section>
  );
}

const TYPE_LABELS: Record<keyof NotificationSettings['email'], string> = {
  GROUP_INVITATION: 'Invitations to groups',
  EVENT_STATUS_UPDATE: 'Event phase changes',
  VOTE_NOTIFICATION: 'Voting results for my artworks',
  NEW_MATCH: 'New matches',
  MATCH_UPDATE: 'Updates to my matches',
  MATCH_MESSAGE: 'Messages from my trade partners',
  TRADE_DELIVERED: 'Art delivered to me',
  NO_MATCH: 'When an event leaves me without a match',
  TRADE_REMINDER: 'Reminders before a trade is due',
  DEADLINE_REMINDER: 'Reminders before voting or matching ends',
};

function EmailSettings() {
  const s = useAsync(getNotificationSettings, []);
  const [draft, setDraft] = useState<NotificationSettings['email'] | null>(null);
  const [saved, setSaved] = useState(false);
  const act = useAction();
  useEffect(() => {
    if (s.data) setDraft(s.data.email);
  }, [s.data]);

  if (s.loading) return <Loading />;
  if (s.error) return <ErrorBox error={s.error} onRetry={s.reload} />;
  if (!draft) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const res = await act.run(() => updateNotificationSettings({ email: draft }));
    if (res) {
      setDraft(res.email);
      setSaved(true);
    }
  };
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Also send me an email for</legend>
        {(Object.keys(TYPE_LABELS) as (keyof typeof TYPE_LABELS)[]).map((k) => (
          <div className="check" key={k}>
            <input
              type="checkbox"
              id={`email-${k}`}
              name={k}
              checked={!!draft[k]}
              onChange={(e) => {
                setSaved(false);
                setDraft({ ...draft, [k]: e.target.checked });
              }}
            />
            <label htmlFor={`email-${k}`}>{TYPE_LABELS[k]}</label>
          </div>
        ))}
      </fieldset>
      {saved && <Notice kind="success">Email settings saved.</Notice>}
      <FormError error={act.error} />
      <button type="submit" className="btn btn--primary" disabled={act.busy}>
        Save email settings
      </button>
    </form>
  );
}

function PasswordChange() {
  const [f, setF] = useState({ currentPassword: '', newPassword: '' });
  const [done, setDone] = useState(false);
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const ok = await act.run(async () => {
      await changePassword(f.currentPassword, f.newPassword);
      return true;
    });
    if (ok) {
      setDone(true);
      setF({ currentPassword: '', newPassword: '' });
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      {done && <Notice kind="success">Password changed. Your other sessions were logged out.</Notice>}
      <FormError error={act.error} shown={['currentPassword', 'newPassword']} />
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={f.currentPassword}
        onChange={(e) => setF({ ...f, currentPassword: e.target.value })}
        error={act.fields.currentPassword}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        minLength={8}
        maxLength={128}
        value={f.newPassword}
        onChange={(e) => setF({ ...f, newPassword: e.target.value })}
        error={act.fields.newPassword}
        hint="8–128 characters, not your username or email"
      />
      <button type="submit" className="btn" disabled={act.busy}>
        Change password
      </button>
    </form>
  );
}

export function SettingsPage() {
  useTitle('Settings');
  return (
    <section className="narrow">
      <h1>Settings</h1>
      <h2>Notification emails</h2>
      <p className="hint">In-app notifications always appear under the bell. Account emails (verification, password reset, security alerts) are always sent.</p>
      <EmailSettings />
      <h2>Password</h2>
      <PasswordChange />
    </section>
  );
}

export function UserPage({ username }: { username: string }) {
  const u = useAsync(() => getUser(username), [username]);
  useTitle(u.data ? u.data.displayName || u.data.username : 'Artist');
  if (u.loading) return <Loading />;
  if (u.error || !u.data) return <ErrorBox error={u.error} onRetry={u.reload} page />;
  const p = u.data;
  return (
    <section className="narrow">
      <h1>{p.displayName || p.username}</h1>
      <p className="muted">@{p.username}</p>
      {p.bio ? <RichText className="bio" text={p.bio} /> : <p className="empty">No bio yet.</p>}
      {p.portfolioUrl && /^https?:\/\//i.test(p.portfolioUrl) && (
        <p>
          <a href={p.portfolioUrl} rel="noopener noreferrer nofollow" target="_blank">
            Portfolio
          </a>
        </p>
      )}
    </section>
  );
}
