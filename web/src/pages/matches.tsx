import { useEffect, useMemo, useState } from 'react';
import { useNotify } from '../notify';
import { getEvent } from '../api/events';
import { getGroup } from '../api/groups';
import * as matchesApi from '../api/matches';
import type { Event, Group, Match, Page } from '../api/types';
import { Empty, ErrorBox, LoadMore, Loading, Time, UserLink, userName } from '../components/ui';
import { errorMessage } from '../errors';
import { useAction, useAsync, usePaged, useTitle } from '../hooks';
import { Link } from '../router';
import { useSession } from '../session';
import { useConfirm } from '../components/Confirm';
import { Conversation, DeliveryForm, DeliveryView } from './trade';

/** What the match waits for, said to whoever looks: a participant, or an admin looking on. */
function statusText(match: Match, meId: string | undefined): string {
  const me = match.participants.find((p) => p.user.id === meId);
  const other = match.participants.find((p) => p.user.id !== meId) ?? match.participants[1];
  const [a, b] = match.participants;
  switch (match.status) {
    case 'PENDING':
      if (!me) {
        const waiting = match.participants.filter((p) => !p.accepted).map((p) => userName(p.user));
        return `Waiting for ${waiting.join(' and ')} to accept`;
      }
      if (me.accepted) return `You accepted — waiting for ${userName(other.user)} to accept`;
      return other.accepted ? `${userName(other.user)} accepted — waiting for you` : 'Waiting for both of you to accept';
    case 'ACCEPTED':
      if (!me) return `Accepted — ${userName(a.user)} and ${userName(b.user)} are trading art`;
      if (me.received) return `You marked the art received — waiting for ${userName(other.user)} to receive yours`;
      return 'Accepted — trade your art, then mark it received';
    case 'DECLINED': {
      const decliner = match.participants.find((p) => p.declined);
      // No decliner: the match ended because an artist left the group or deleted their account.
      if (!decliner) return me ? 'Declined — the match ended, so the trade is off' : 'Declined — the match ended';
      if (!me) return `Declined by ${userName(decliner.user)}`;
      return decliner === me ? 'You declined this match' : `${userName(decliner.user)} declined this match`;
    }
    case 'COMPLETED':
      return 'Completed — both pieces received';
  }
}

/** Whether the viewer has something to do on the match. */
export function needsMe(match: Match, meId: string | undefined): boolean {
  const me = match.participants.find((p) => p.user.id === meId);
  if (!me) return false;
  return (match.status === 'PENDING' && !me.accepted) || (match.status === 'ACCEPTED' && !me.received);
}

interface Where {
  event: Event;
  group: Group;
}
// Matches name their event and group; many matches share them, so each is fetched once.
const whereCache = new Map<string, Promise<Where>>();
function whereOf(eventId: string): Promise<Where> {
  let p = whereCache.get(eventId);
  if (!p) {
    p = getEvent(eventId).then(async (event) => ({ event, group: await getGroup(event.groupId) }));
    p.catch(() => whereCache.delete(eventId));
    whereCache.set(eventId, p);
  }
  return p;
}

export function MatchCard({ match, onChange }: { match: Match; onChange: (m: Match) => void }) {
  const { user } = useSession();
  const act = useAction();
  const me = match.participants.find((p) => p.user.id === user?.id);
  const other = match.participants.find((p) => p.user.id !== user?.id) ?? match.participants[1];
  const { confirm, dialog } = useConfirm();
  const where = useAsync(() => whereOf(match.eventId), [match.eventId]);
  const decline = async () => {
    const ok = await confirm({
      title: `Decline the match with ${userName(other.user)}?`,
      body: `The match ends for both of you and cannot be accepted again; ${userName(other.user)} is told. This cannot be undone.`,
      confirmLabel: 'Decline match',
      danger: true,
    });
    if (ok) await run(matchesApi.declineMatch);
  };
  const run = async (fn: (id: string) => Promise<Match>) => {
    const m = await act.run(() => fn(match.id));
    if (m) onChange(m);
  };
  return (
    <li className="card match" data-testid="match">
      {dialog}
      <div className="match__head">
        <span className={`badge badge--${match.status.toLowerCase()}`}>{match.status}</span>
        <span className="small" data-testid="match-status">
          {statusText(match, user?.id)}
        </span>
      </div>
      <div className="match__pair">
        {match.participants.map((p) => (
          <figure key={p.user.id} className="match__side">
            <Link to={`/artworks/${p.artwork.id}`}>
              <img src={p.artwork.thumbnailUrl} alt={p.artwork.title} width={p.artwork.width} height={p.artwork.height} loading="lazy" />
            </Link>
            <figcaption>
              <strong>{p.artwork.title}</strong>
              <br />
              by <UserLink user={p.user} />
              {p.user.id === user?.id && ' (you)'}
              <br />
              <DeliveryView p={p} meId={user?.id} />
              <span className="muted small">
                {p.accepted ? 'accepted' : 'not accepted yet'}
                {match.status !== 'PENDING' && match.status !== 'DECLINED' && (p.received ? ' · received the art' : ' · art not received yet')}
              </span>
            </figcaption>
          </figure>
        ))}
      </div>
      <p className="muted small" data-testid="match-where">
        {where.data ? (
          <>
            <Link to={`/events/${match.eventId}`}>{where.data.event.name}</Link> in <Link to={`/groups/${where.data.group.id}`}>{where.data.group.name}</Link>
          </>
        ) : (
          <Link to={`/events/${match.eventId}`}>View event</Link>
        )}{' '}
        · matched <Time value={match.createdAt} relative />
      </p>
      {me && (
        <div className="actions">
          {match.status === 'PENDING' && !me.accepted && (
            <button type="button" className="btn btn--primary btn--small" onClick={() => void run(matchesApi.acceptMatch)} disabled={act.busy}>
              Accept<span className="visually-hidden"> match with {userName(other.user)}</span>
            </button>
          )}
          {match.status === 'PENDING' && (
            <button type="button" className="btn btn--small btn--danger" onClick={() => void decline()} disabled={act.busy}>
              Decline<span className="visually-hidden"> match with {userName(other.user)}</span>
            </button>
          )}
          {match.status === 'ACCEPTED' && !me.received && (
            <button type="button" className="btn btn--primary btn--small" onClick={() => void run(matchesApi.completeMatch)} disabled={act.busy}>
              Mark {userName(other.user)}’s art received
            </button>
          )}
        </div>
      )}
      {act.error != null && (
        <p className="field-error" role="alert">
          {errorMessage(act.error)}
        </p>
      )}
      {me && user && <DeliveryForm match={match} meId={user.id} onChange={onChange} />}
      {me && user && <Conversation match={match} meId={user.id} />}
    </li>
  );
}

export function MatchList({ fetchPage, deps, emptyText }: { fetchPage: (cursor: string | null) => Promise<Page<Match>>; deps: unknown[]; emptyText: string }) {
  const { user } = useSession();
  const list = usePaged(fetchPage, deps);
  const [changed, setChanged] = useState<Record<string, Match>>({});
  const { onLive } = useNotify();
  const reload = list.reload;
  // A new match or a partner's action arrives live: show the list as it is now.
  useEffect(
    () =>
      onLive((n) => {
        if (n.type === 'NEW_MATCH' || n.type === 'MATCH_UPDATE' || n.type === 'TRADE_DELIVERED') {
          setChanged({});
          reload();
        }
      }),
    [onLive, reload],
  );
  // The order is fixed when the list loads, so a card does not jump away on a click.
  const needing = useMemo(() => new Set((list.items ?? []).filter((m) => needsMe(m, user?.id)).map((m) => m.id)), [list.items, user?.id]);
  if (list.loading && !list.items) return <Loading />;
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (!list.items?.length) return <Empty>{emptyText}</Empty>;
  return (
    <>
      <ul className="cards" aria-label="Matches">
        {[...list.items.filter((m) => needing.has(m.id)), ...list.items.filter((m) => !needing.has(m.id))].map((m) => {
          const cur = changed[m.id] ?? m;
          return <MatchCard key={m.id} match={cur} onChange={(nm) => setChanged((c) => ({ ...c, [nm.id]: nm }))} />;
        })}
      </ul>
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </>
  );
}

export function MatchesPage() {
  useTitle('Your matches');
  return (
    <section>
      <h1>Your matches</h1>
      <p className="lead">When you and another artist like each other’s work, an event’s end pairs you up to trade art.</p>
      <MatchList fetchPage={(cursor) => matchesApi.listMyMatches({ cursor })} deps={[]} emptyText="No matches yet. Like artworks during an event’s matching phase." />
    </section>
  );
}
