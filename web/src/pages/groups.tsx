import { useState, type FormEvent } from 'react';
import { allPages, isApiError } from '../api/client';
import * as groupsApi from '../api/groups';
import { acceptInvitation, declineInvitation, listMyInvitations, revokeInvitation } from '../api/invitations';
import type { Event, EventCreate, Exclusion, Group, Invitation, InvitationPreview, Member, User } from '../api/types';
import { useConfirm } from '../components/Confirm';
import { InvitationPreviewNotice, useInvitationPreview } from '../components/InvitationPreview';
import { AnonymousVotingField, Empty, ErrorBox, FormError, LoadMore, Loading, Notice, PhaseBadge, SelectField, TextArea, TextField, Time, UserLink, userName, RichText } from '../components/ui';
import { errorMessage } from '../errors';
import { useAction, useAsync, usePaged, useRefreshWhileVisible, useTitle, type Async } from '../hooks';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';

const isAdmin = (g: Group) => g.myRole === 'owner' || g.myRole === 'admin';

export function GroupsPage() {
  useTitle('Your groups');
  const list = usePaged((cursor) => groupsApi.listGroups({ cursor }), []);
  const [showCreate, setShowCreate] = useState(false);
  return (
    <section>
      <div className="page-head">
        <h1>Your groups</h1>
        <button type="button" className="btn btn--primary" aria-expanded={showCreate} aria-controls="create-group" onClick={() => setShowCreate((s) => !s)}>
          New group
        </button>
      </div>
      {showCreate && (
        <div id="create-group" className="card">
          <CreateGroupForm onCancel={() => setShowCreate(false)} />
        </div>
      )}
      {list.loading ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.items && list.items.length === 0 ? (
        <Empty>
          You are not in any group yet. Create one, or accept an invitation on the <Link to="/invitations">invitations page</Link>.
        </Empty>
      ) : (
        <ul className="cards" aria-label="Groups">
          {list.items?.map((g) => (
            <li key={g.id} className="card">
              <h2 className="card__title">
                <Link to={`/groups/${g.id}`}>{g.name}</Link>
              </h2>
              {g.description && <RichText text={g.description} />}
              <p className="muted">
                {g.memberCount} member{g.memberCount === 1 ? '' : 's'} · you are {g.myRole}
              </p>
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </section>
  );
}

function CreateGroupForm({ onCancel }: { onCancel: () => void }) {
  const [f, setF] = useState({ name: '', description: '', purpose: '' });
  const act = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const g = await act.run(() =>
      groupsApi.createGroup({ name: f.name.trim(), description: f.description.trim() || undefined, purpose: f.purpose.trim() || undefined }),
    );
    if (g) navigate(`/groups/${g.id}`);
  };
  return (
    <form onSubmit={submit} noValidate>
      <h2>Create a group</h2>
      <FormError error={act.error} shown={['name', 'description', 'purpose']} />
      <TextField label="Name" name="name" required minLength={3} maxLength={64} hint="3–64 characters" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={act.fields.name} />
      <TextArea label="Description" name="description" rows={3} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} error={act.fields.description} />
      <TextField label="Purpose" name="purpose" value={f.purpose} onChange={(e) => setF({ ...f, purpose: e.target.value })} error={act.fields.purpose} />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          {act.busy ? 'Creating…' : 'Create group'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function GroupPage({ id }: { id: string }) {
  const g = useAsync(() => groupsApi.getGroup(id), [id]);
  useTitle(g.data?.name ?? 'Group');
  if (g.loading && !g.data) return <Loading />;
  if (g.error || !g.data) return <ErrorBox error={g.error} onRetry={g.reload} page />;
  const group = g.data;
  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/groups">Groups</Link> <span aria-hidden="true">›</span> <span aria-current="page">{group.name}</span>
      </nav>
      <div className="page-head">
        <h1>{group.name}</h1>
        <span className="badge">{group.myRole}</span>
      </div>
      {group.description && <RichText className="lead" text={group.description} />}
      {group.purpose && (
        <p>
          <strong>Purpose:</strong> {group.purpose}
        </p>
      )}
      <p className="muted">
        Owner: <UserLink user={group.owner} /> · {group.memberCount} member{group.memberCount === 1 ? '' : 's'} · since <Time value={group.createdAt} />
      </p>
      <div className="columns">
        <div>
          <EventsSection group={group} />
        </div>
        <div>
          <MembersSection group={group} onChanged={g.reload} />
          {isAdmin(group) && <InviteSection group={group} />}
          {isAdmin(group) && <ExclusionsSection group={group} />}
          <GroupAdminSection group={group} onSaved={(ng) => g.setData(() => ng)} />
        </div>
      </div>
    </section>
  );
}

function EventsSection({ group }: { group: Group }) {
  const list = usePaged((cursor) => groupsApi.listEvents(group.id, { cursor }), [group.id]);
  const [showCreate, setShowCreate] = useState(false);
  return (
    <section aria-labelledby="events-h">
      <div className="section-head">
        <h2 id="events-h">Events</h2>
        {isAdmin(group) && (
          <button type="button" className="btn btn--primary" aria-expanded={showCreate} aria-controls="create-event" onClick={() => setShowCreate((s) => !s)}>
            New event
          </button>
        )}
      </div>
      {showCreate && (
        <div id="create-event" className="card">
          <CreateEventForm groupId={group.id} onCancel={() => setShowCreate(false)} />
        </div>
      )}
      {list.loading ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.items?.length === 0 ? (
        <Empty>No events yet.{isAdmin(group) ? ' Start one with “New event”.' : ''}</Empty>
      ) : (
        <ul className="list" aria-label="Events">
          {list.items?.map((ev) => <EventRow key={ev.id} ev={ev} />)}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </section>
  );
}

function EventRow({ ev }: { ev: Event }) {
  return (
    <li className="list__item">
      <div>
        <Link to={`/events/${ev.id}`} className="strong">
          {ev.name}
        </Link>{' '}
        <PhaseBadge phase={ev.phase} />
      </div>
      <div className="muted small">
        {ev.artworkCount} artwork{ev.artworkCount === 1 ? '' : 's'}
        {ev.phase === 'OPEN' && ev.votingStartsAt && (
          <>
            {' '}· voting starts <Time value={ev.votingStartsAt} />
          </>
        )}
        {ev.phase === 'VOTING' && ev.matchingStartsAt && (
          <>
            {' '}· voting ends <Time value={ev.matchingStartsAt} />
          </>
        )}
        {ev.phase === 'MATCHING' && ev.endsAt && (
          <>
            {' '}· ends <Time value={ev.endsAt} />
          </>
        )}
      </div>
    </li>
  );
}

/** `<input type=datetime-local>` value (local time) → RFC 3339 UTC, or undefined. */
export function localToIso(v: string): string | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoToLocal(v: string | null | undefined): string {
  if (!v) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function CreateEventForm({ groupId, onCancel }: { groupId: string; onCancel: () => void }) {
  const [f, setF] = useState({ name: '', description: '', votingStartsAt: '', matchingStartsAt: '', endsAt: '', tradesDueAt: '', votesPerMember: '3', maxArtworksPerMember: '1' });
  const [anonymous, setAnonymous] = useState(false);
  const [avoidRepeat, setAvoidRepeat] = useState(true);
  const act = useAction();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: EventCreate = {
      name: f.name.trim(),
      description: f.description.trim() || undefined,
      votingStartsAt: localToIso(f.votingStartsAt),
      matchingStartsAt: localToIso(f.matchingStartsAt),
      endsAt: localToIso(f.endsAt),
      votesPerMember: Number(f.votesPerMember),
      maxArtworksPerMember: Number(f.maxArtworksPerMember),
      anonymousVoting: anonymous,
      tradesDueAt: localToIso(f.tradesDueAt),
      avoidRepeatPartners: avoidRepeat,
    };
    const ev = await act.run(() => groupsApi.createEvent(groupId, body));
    if (ev) navigate(`/events/${ev.id}`);
  };
  const shown = ['name', 'description', 'votingStartsAt', 'matchingStartsAt', 'endsAt', 'tradesDueAt', 'votesPerMember', 'maxArtworksPerMember', 'anonymousVoting', 'avoidRepeatPartners'];
  return (
    <form onSubmit={submit} noValidate>
      <h3>New event</h3>
      <FormError error={act.error} shown={shown} />
      <TextField label="Name" name="name" required maxLength={120} value={f.name} onChange={set('name')} error={act.fields.name} />
      <TextArea label="Description" name="description" rows={3} value={f.description} onChange={set('description')} error={act.fields.description} />
      <div className="row">
        <TextField label="Votes per member" name="votesPerMember" type="number" min={1} max={50} value={f.votesPerMember} onChange={set('votesPerMember')} error={act.fields.votesPerMember} />
        <TextField
          label="Artworks per member"
          name="maxArtworksPerMember"
          type="number"
          min={1}
          max={10}
          value={f.maxArtworksPerMember}
          onChange={set('maxArtworksPerMember')}
          error={act.fields.maxArtworksPerMember}
        />
      </div>
      <AnonymousVotingField checked={anonymous} onChange={setAnonymous} error={act.fields.anonymousVoting} />
      <fieldset>
        <legend>Schedule (optional)</legend>
        <p className="hint">Phases move on by themselves at these times; leave empty to advance by hand. Times are in your time zone.</p>
        <TextField label="Voting starts" name="votingStartsAt" type="datetime-local" value={f.votingStartsAt} onChange={set('votingStartsAt')} error={act.fields.votingStartsAt} />
        <TextField label="Matching starts" name="matchingStartsAt" type="datetime-local" value={f.matchingStartsAt} onChange={set('matchingStartsAt')} error={act.fields.matchingStartsAt} />
        <TextField label="Event ends" name="endsAt" type="datetime-local" value={f.endsAt} onChange={set('endsAt')} error={act.fields.endsAt} />
        <TextField
          label="Trades due"
          name="tradesDueAt"
          type="datetime-local"
          hint="When matched artists should have traded their art (after the event ends)."
          value={f.tradesDueAt}
          onChange={set('tradesDueAt')}
          error={act.fields.tradesDueAt}
        />
      </fieldset>
      <div className="check">
        <input type="checkbox" id="avoid-repeat" name="avoidRepeatPartners" checked={avoidRepeat} onChange={(e) => setAvoidRepeat(e.target.checked)} />
        <label htmlFor="avoid-repeat">Do not pair artists who were partners in the previous event</label>
      </div>
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          {act.busy ? 'Creating…' : 'Create event'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Pairs of members the pairing never matches; only the owner and admins see them. */
function ExclusionsSection({ group }: { group: Group }) {
  const list = usePaged((cursor) => groupsApi.listExclusions(group.id, { cursor }), [group.id]);
  const members = useAsync(() => allPages((cursor) => groupsApi.listMembers(group.id, { cursor, limit: 100 })), [group.id]);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [status, setStatus] = useState('');
  const act = useAction();
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const res = await act.run(() => groupsApi.createExclusion(group.id, [a, b]));
    if (res) {
      list.reload();
      setA('');
      setB('');
      setStatus(`${userName(res.users[0])} and ${userName(res.users[1])} will not be paired.`);
    }
  };
  const remove = async (x: Exclusion) => {
    const res = await act.run(async () => {
      await groupsApi.deleteExclusion(x.id);
      return true;
    });
    if (res) {
      list.reload();
      setStatus(`${userName(x.users[0])} and ${userName(x.users[1])} may be paired again.`);
    }
  };
  const options = members.data ?? [];
  return (
    <section aria-labelledby="exclusions-h" data-testid="exclusions">
      <h2 id="exclusions-h">Kept apart</h2>
      <p className="hint">Two members listed here are never matched with each other. Only the owner and admins see this list.</p>
      <FormError error={act.error} shown={['userIds']} />
      <div role="status" data-testid="exclusions-status">
        {status && <p className="alert alert--success">{status}</p>}
      </div>
      {list.items && list.items.length === 0 && <Empty>No pairs are kept apart.</Empty>}
      {list.items && list.items.length > 0 && (
        <ul className="list" aria-label="Pairs kept apart">
          {list.items.map((x) => (
            <li key={x.id} className="list__item member" data-testid="exclusion">
              <span>
                <UserLink user={x.users[0]} /> and <UserLink user={x.users[1]} />
              </span>
              <button type="button" className="btn btn--small" onClick={() => void remove(x)} disabled={act.busy} aria-label={`Stop keeping ${userName(x.users[0])} and ${userName(x.users[1])} apart`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
      <form onSubmit={add} noValidate>
        <div className="row">
          <SelectField label="Member" name="exclusionA" value={a} onChange={(e) => setA(e.target.value)} error={act.fields.userIds}>
            <option value="">Choose…</option>
            {options.map((m) => (
              <option key={m.user.id} value={m.user.id}>
                {userName(m.user)}
              </option>
            ))}
          </SelectField>
          <SelectField label="and member" name="exclusionB" value={b} onChange={(e) => setB(e.target.value)}>
            <option value="">Choose…</option>
            {options.map((m) => (
              <option key={m.user.id} value={m.user.id}>
                {userName(m.user)}
              </option>
            ))}
          </SelectField>
        </div>
        <button type="submit" className="btn" disabled={act.busy || !a || !b}>
          Keep apart
        </button>
      </form>
    </section>
  );
}

function MembersSection({ group, onChanged }: { group: Group; onChanged: () => void }) {
  const { user } = useSession();
  const list = usePaged((cursor) => groupsApi.listMembers(group.id, { cursor }), [group.id]);
  // Joining sends no notification to the others: look again now and then.
  useRefreshWhileVisible(list.reload, 15_000);
  const act = useAction();
  const [status, setStatus] = useState('');
  const { confirm, dialog } = useConfirm();

  const transfer = async (m: Member) => {
    const ok = await confirm({
      title: `Make ${userName(m.user)} the owner of ${group.name}?`,
      body: (
        <p>
          {userName(m.user)} becomes the owner and may then do everything, including deleting the group. You become an
          admin, and only the new owner can give the group back.
        </p>
      ),
      confirmLabel: 'Transfer ownership',
      danger: true,
    });
    if (!ok) return;
    const res = await act.run(() => groupsApi.transferGroup(group.id, m.user.id));
    if (res) {
      list.reload();
      onChanged();
      setStatus(`${userName(m.user)} is now the owner; you are an admin.`);
    }
  };

  const setRole = async (m: Member, role: 'admin' | 'member') => {
    const res = await act.run(() => groupsApi.setMemberRole(group.id, m.user.id, role));
    if (res) {
      list.reload();
      setStatus(`${userName(m.user)} is now ${role}.`);
    }
  };
  const remove = async (m: Member) => {
    const self = m.user.id === user?.id;
    if (!window.confirm(self ? `Leave ${group.name}?` : `Remove ${userName(m.user)} from ${group.name}?`)) return;
    const res = await act.run(async () => {
      await groupsApi.removeMember(group.id, m.user.id);
      return true;
    });
    if (res) {
      if (self) navigate('/groups');
      else {
        list.reload();
        onChanged();
        setStatus(`${userName(m.user)} was removed.`);
      }
    }
  };

  const canManage = isAdmin(group);
  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      <FormError error={act.error} />
      <div role="status" data-testid="members-status">
        {status && <p className="alert alert--success">{status}</p>}
      </div>
      {list.loading && !list.items ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : (
        <ul className="list" aria-label="Members">
          {list.items?.map((m) => {
            const self = m.user.id === user?.id;
            const canRemove = m.role !== 'owner' && (self || (canManage && !(group.myRole === 'admin' && m.role === 'admin')));
            return (
              <li key={m.user.id} className="list__item member" data-testid={`member-${m.user.username}`}>
                <div>
                  <UserLink user={m.user} /> <span className="muted small">@{m.user.username}</span>
                  {self && <span className="muted small"> (you)</span>}
                </div>
                <div className="member__actions">
                  {group.myRole === 'owner' && m.role !== 'owner' ? (
                    <SelectField
                      label={`Role of ${userName(m.user)}`}
                      className="compact"
                      value={m.role}
                      disabled={act.busy}
                      onChange={(e) => void setRole(m, e.target.value as 'admin' | 'member')}
                    >
                      <option value="member">member</option>
                      <option value="admin">admin</option>
                    </SelectField>
                  ) : (
                    <span className="badge">{m.role}</span>
                  )}
                  {group.myRole === 'owner' && m.role !== 'owner' && (
                    <button type="button" className="btn btn--small" onClick={() => void transfer(m)} disabled={act.busy}>
                      Make owner<span className="visually-hidden"> {userName(m.user)}</span>
                    </button>
                  )}
                  {canRemove && (
                    <button type="button" className="btn btn--small btn--danger" onClick={() => void remove(m)} disabled={act.busy}>
                      {self ? 'Leave group' : <>Remove<span className="visually-hidden"> {userName(m.user)}</span></>}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
      {dialog}
    </section>
  );
}

function InviteSection({ group }: { group: Group }) {
  const [by, setBy] = useState<'username' | 'email'>('username');
  const [who, setWho] = useState('');
  const [hours, setHours] = useState('168');
  const [sent, setSent] = useState<Invitation | null>(null);
  const act = useAction();
  const invites = usePaged((cursor) => groupsApi.listGroupInvitations(group.id, { cursor }), [group.id]);
  const revokeAct = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSent(null);
    const body = by === 'username' ? { username: who.trim().toLowerCase() } : { email: who.trim() };
    const inv = await act.run(() => groupsApi.createInvitation(group.id, { ...body, expiresInHours: Number(hours) || undefined }));
    if (inv) {
      setSent(inv);
      setWho('');
      invites.reload();
    }
  };
  const revoke = async (inv: Invitation) => {
    const ok = await revokeAct.run(async () => {
      await revokeInvitation(inv.id);
      return true;
    });
    if (ok) invites.reload();
  };
  // Errors about the person (unknown username, already a member or invited) are shown at the field.
  const whoError =
    act.fields[by] ??
    (isApiError(act.error) && act.error.status === 404
      ? 'No user with that username.'
      : isApiError(act.error) && ['already_member', 'already_invited'].includes(act.error.code)
        ? errorMessage(act.error)
        : undefined);
  return (
    <section aria-labelledby="invite-h">
      <h2 id="invite-h">Invite</h2>
      <form onSubmit={submit} noValidate>
        <fieldset className="radios">
          <legend>Invite by</legend>
          <div className="check">
            <input type="radio" id="by-username" name="by" value="username" checked={by === 'username'} onChange={() => setBy('username')} />
            <label htmlFor="by-username">Username</label>
          </div>
          <div className="check">
            <input type="radio" id="by-email" name="by" value="email" checked={by === 'email'} onChange={() => setBy('email')} />
            <label htmlFor="by-email">Email</label>
          </div>
        </fieldset>
        {sent && <Notice kind="success">Invitation sent to {sent.invitee ? userName(sent.invitee) : sent.email}.</Notice>}
        <FormError error={whoError ? null : act.error} shown={['username', 'email', 'expiresInHours']} />
        <TextField
          label={by === 'username' ? 'Username to invite' : 'Email to invite'}
          name="invitee"
          type={by === 'email' ? 'email' : 'text'}
          autoComplete="off"
          required
          value={who}
          onChange={(e) => setWho(e.target.value)}
          error={whoError}
        />
        <TextField label="Expires after (hours)" name="expiresInHours" type="number" min={1} max={720} value={hours} onChange={(e) => setHours(e.target.value)} error={act.fields.expiresInHours} hint="1–720; default one week" />
        <button type="submit" className="btn btn--primary" disabled={act.busy}>
          Send invitation
        </button>
      </form>
      <h3>Invitations</h3>
      <FormError error={revokeAct.error} />
      {invites.loading ? (
        <Loading />
      ) : invites.error ? (
        <ErrorBox error={invites.error} onRetry={invites.reload} />
      ) : invites.items?.length === 0 ? (
        <Empty>No invitations yet.</Empty>
      ) : (
        <ul className="list" aria-label="Group invitations">
          {invites.items?.map((inv) => (
            <li key={inv.id} className="list__item">
              <div>
                {inv.invitee ? <UserLink user={inv.invitee} /> : inv.email} <span className={`badge badge--${inv.status}`}>{inv.status}</span>
                <div className="muted small">
                  by {userName(inv.invitedBy)}, <Time value={inv.createdAt} relative /> · expires <Time value={inv.expiresAt} />
                </div>
              </div>
              {inv.status === 'pending' && (
                <button type="button" className="btn btn--small" onClick={() => void revoke(inv)} disabled={revokeAct.busy}>
                  Revoke<span className="visually-hidden"> invitation for {inv.invitee ? userName(inv.invitee) : inv.email}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={invites.hasMore} loading={invites.loadingMore} onClick={invites.loadMore} error={invites.moreError} />
    </section>
  );
}

function GroupAdminSection({ group, onSaved }: { group: Group; onSaved: (g: Group) => void }) {
  const [editing, setEditing] = useState(false);
  const [f, setF] = useState({ name: group.name, description: group.description ?? '', purpose: group.purpose ?? '' });
  const act = useAction();
  if (!isAdmin(group)) return null;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const g = await act.run(() => groupsApi.updateGroup(group.id, { name: f.name.trim(), description: f.description, purpose: f.purpose }));
    if (g) {
      onSaved(g);
      setEditing(false);
    }
  };
  const del = async () => {
    if (!window.confirm(`Delete ${group.name} with all its events and artworks? This cannot be undone.`)) return;
    const ok = await act.run(async () => {
      await groupsApi.deleteGroup(group.id);
      return true;
    });
    if (ok) navigate('/groups');
  };
  return (
    <section aria-labelledby="admin-h">
      <h2 id="admin-h">Manage group</h2>
      {editing ? (
        <form onSubmit={save} noValidate>
          <FormError error={act.error} shown={['name', 'description', 'purpose']} />
          <TextField label="Name" required minLength={3} maxLength={64} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} error={act.fields.name} />
          <TextArea label="Description" rows={3} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} error={act.fields.description} />
          <TextField label="Purpose" value={f.purpose} onChange={(e) => setF({ ...f, purpose: e.target.value })} error={act.fields.purpose} />
          <div className="actions">
            <button type="submit" className="btn btn--primary" disabled={act.busy}>
              Save
            </button>
            <button type="button" className="btn" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="actions">
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            Edit group
          </button>
          {group.myRole === 'owner' && (
            <button type="button" className="btn btn--danger" onClick={() => void del()} disabled={act.busy}>
              Delete group
            </button>
          )}
        </div>
      )}
      {!editing && <FormError error={act.error} />}
    </section>
  );
}

/**
 * The invitation of the email link this page was opened from (`?preview=T`), when the list
 * cannot show it: it has ended, or it was sent to another address or account.
 */
function LinkedInvitation({ preview, listed, user }: { preview: Async<InvitationPreview | null>; listed: Invitation[] | undefined; user: User | null }) {
  if (preview.loading || listed === undefined) return null;
  const p = preview.data;
  if (preview.error || (p && p.status !== 'pending')) return <InvitationPreviewNotice preview={preview} on="invitations" />;
  if (!p || !user?.emailVerified || listed.some((i) => i.group.name === p.group.name)) return null;
  const to = p.email ?? (p.invitee ? `@${p.invitee.username}` : 'someone else');
  return (
    <Notice kind="warning">
      <p data-testid="invitation-elsewhere">
        The invitation to <strong>{p.group.name}</strong> from {userName(p.invitedBy)} was sent to {to}, not to this account (@{user.username},{' '}
        {user.email}). Log in with the account that has that address verified, or ask {userName(p.invitedBy)} to invite you here.
      </p>
    </Notice>
  );
}

export function InvitationsPage() {
  useTitle('Invitations');
  const { user } = useSession();
  const { search } = useLocation();
  const previewToken = search.get('preview');
  const preview = useInvitationPreview(previewToken);
  const list = usePaged((cursor) => listMyInvitations({ cursor }), []);
  const act = useAction();
  const [msg, setMsg] = useState('');

  const accept = async (inv: Invitation) => {
    const g = await act.run(() => acceptInvitation(inv.id));
    if (g) navigate(`/groups/${g.id}`);
  };
  const decline = async (inv: Invitation) => {
    const ok = await act.run(async () => {
      await declineInvitation(inv.id);
      return true;
    });
    if (ok) {
      setMsg(`Declined the invitation to ${inv.group.name}.`);
      list.reload();
    }
  };
  return (
    <section className="narrow">
      <h1>Invitations</h1>
      {user && !user.emailVerified && (
        <Notice kind="warning">
          <span data-testid="verify-for-invitations">
            Invitations sent to {user.email} appear here once you verify that address: open the link we emailed you.
          </span>
        </Notice>
      )}
      {/* Once the person answered an invitation here, the link's state is old news. */}
      {previewToken && !msg && <LinkedInvitation preview={preview} listed={list.loading ? undefined : (list.items ?? [])} user={user ?? null} />}
      <FormError error={act.error} />
      {msg && <Notice>{msg}</Notice>}
      {list.loading ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.items?.length === 0 ? (
        <Empty>No pending invitations.</Empty>
      ) : (
        <ul className="list" aria-label="Pending invitations">
          {list.items?.map((inv) => (
            <li key={inv.id} className="list__item invitation" data-testid="invitation">
              <div>
                <strong>{inv.group.name}</strong>
                <div className="muted small">
                  Invited by {userName(inv.invitedBy)} <Time value={inv.createdAt} relative /> · expires <Time value={inv.expiresAt} />
                </div>
              </div>
              <div className="actions">
                <button type="button" className="btn btn--primary btn--small" onClick={() => void accept(inv)} disabled={act.busy}>
                  Accept<span className="visually-hidden"> invitation to {inv.group.name}</span>
                </button>
                <button type="button" className="btn btn--small" onClick={() => void decline(inv)} disabled={act.busy}>
                  Decline<span className="visually-hidden"> invitation to {inv.group.name}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </section>
  );
}
