// The signed-in start page: what needs the user now, soonest deadline first. Built from the
// existing lists (groups → events, /me/matches, /me/invitations); there is no feed endpoint.
import type { ReactNode } from 'react';
import { allPages } from '../api/client';
import * as groupsApi from '../api/groups';
import { listMyInvitations, listMyMatches } from '../api/me';
import type { Event, Group, Invitation, Match } from '../api/types';
import { Empty, ErrorBox, Loading, PhaseBadge, ZonedTime, countdown, useNow, userName } from '../components/ui';
import { useAsync, useTitle } from '../hooks';
import { Link } from '../router';
import { useSession } from '../session';
import { needsMe } from './matches';

interface Todo {
  key: string;
  deadline: string | null;
  node: ReactNode;
}

async function loadTodos(meId: string): Promise<{ events: { e: Event; g: Group }[]; active: { e: Event; g: Group }[]; invitations: Invitation[]; matches: Match[] }> {
  const [groups, invitations, matches] = await Promise.all([
    allPages((cursor) => groupsApi.listGroups({ cursor, limit: 100 })),
    listMyInvitations({ limit: 100 }).then((p) => p.items),
    listMyMatches({ limit: 100 }).then((p) => p.items.filter((m) => needsMe(m, meId))),
  ]);
  // The newest events of each group are the ones that can still be running.
  const perGroup = await Promise.all(groups.map((g) => groupsApi.listEvents(g.id, { limit: 20 }).then((p) => p.items.map((e) => ({ e, g })))));
  const active = perGroup.flat().filter(({ e }) => e.phase !== 'CLOSED');
  const events = active.filter(({ e }) => e.phase === 'VOTING' && e.myVotesRemaining > 0);
  return { events, active, invitations, matches };
}

// What members can do in each running phase, and what comes next.
const PHASE_NOW: Record<Event['phase'], string> = {
  OPEN: 'Submissions are open',
  VOTING: 'Voting is open',
  MATCHING: 'Artists like and rank pieces for trades',
  CLOSED: '',
};
const NEXT_WORDS: Record<Event['phase'], string> = { OPEN: 'voting starts', VOTING: 'matching starts', MATCHING: 'the event closes', CLOSED: '' };

function nextChange(e: Event): string | null {
  return e.phase === 'OPEN' ? e.votingStartsAt : e.phase === 'VOTING' ? e.matchingStartsAt : e.phase === 'MATCHING' ? e.endsAt : null;
}

export function Dashboard() {
  useTitle('Home');
  const { user } = useSession();
  const now = useNow(60_000);
  const data = useAsync(() => loadTodos(user!.id), [user?.id]);
  if (data.loading && !data.data) return <Loading />;
  if (data.error || !data.data) return <ErrorBox error={data.error} onRetry={data.reload} page />;
  const { events, active, invitations, matches } = data.data;
  const when = (t: string | null) =>
    t ? (
      <span className="muted small">
        {' '}
        · ends {countdown(new Date(t), now)} (<ZonedTime value={t} />)
      </span>
    ) : null;
  const todos: Todo[] = [
    ...events.map(({ e, g }) => ({
      key: `e${e.id}`,
      deadline: e.matchingStartsAt,
      node: (
        <>
          <Link to={`/events/${e.id}`}>Vote in {e.name}</Link> ({g.name}): {e.myVotesRemaining} of {e.votesPerMember} vote
          {e.votesPerMember === 1 ? '' : 's'} left{when(e.matchingStartsAt)}
        </>
      ),
    })),
    ...invitations.map((inv) => ({
      key: `i${inv.id}`,
      deadline: inv.expiresAt,
      node: (
        <>
          <Link to="/invitations">Invitation to {inv.group.name}</Link> from {userName(inv.invitedBy)}
          {inv.expiresAt && (
            <span className="muted small">
              {' '}
              · expires {countdown(new Date(inv.expiresAt), now)} (<ZonedTime value={inv.expiresAt} />)
            </span>
          )}
        </>
      ),
    })),
    ...matches.map((m) => {
      const other = m.participants.find((p) => p.user.id !== user?.id);
      return {
        key: `m${m.id}`,
        deadline: null,
        node: (
          <>
            <Link to="/matches">Match with {userName(other?.user)}</Link>: {m.status === 'PENDING' ? 'accept or decline it' : 'mark their art received once it arrives'}
          </>
        ),
      };
    }),
  ];
  // Soonest deadline first; things without one after them.
  todos.sort((a, b) => (a.deadline ? Date.parse(a.deadline) : Infinity) - (b.deadline ? Date.parse(b.deadline) : Infinity));
  return (
    <section>
      <h1>What needs you now</h1>
      {todos.length === 0 ? (
        <Empty>
          Nothing waits for you right now. See your <Link to="/groups">groups</Link> for what is happening.
        </Empty>
      ) : (
        <ul className="list" aria-label="What needs you now" data-testid="todos">
          {todos.map((t) => (
            <li key={t.key} className="list__item" data-testid="todo">
              <div>{t.node}</div>
            </li>
          ))}
        </ul>
      )}
      <h2 id="active-h">Happening in your groups</h2>
      {active.length === 0 ? (
        <Empty>No event is running in your groups.</Empty>
      ) : (
        <ul className="list" aria-labelledby="active-h">
          {[...active]
            .sort((a, b) => (nextChange(a.e) ? Date.parse(nextChange(a.e)!) : Infinity) - (nextChange(b.e) ? Date.parse(nextChange(b.e)!) : Infinity))
            .map(({ e, g }) => {
              const at = nextChange(e);
              return (
                <li key={e.id} className="list__item" data-testid="active-event">
                  <div>
                    <Link to={`/events/${e.id}`}>{e.name}</Link> <span className="muted">({g.name})</span> <PhaseBadge phase={e.phase} />
                    <p className="muted small running__when">
                      {PHASE_NOW[e.phase]} · {NEXT_WORDS[e.phase]}{' '}
                      {at ? (
                        <>
                          {Date.parse(at) > now ? countdown(new Date(at), now) : 'any moment now'} (<ZonedTime value={at} />)
                        </>
                      ) : (
                        'when an admin moves it on'
                      )}
                    </p>
                  </div>
                </li>
              );
            })}
        </ul>
      )}
      <p>
        <Link to="/groups">All your groups</Link>
      </p>
    </section>
  );
}
