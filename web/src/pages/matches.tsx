import { useState } from 'react';
import * as matchesApi from '../api/matches';
import type { Match, Page } from '../api/types';
import { Empty, ErrorBox, LoadMore, Loading, Time, UserLink, userName } from '../components/ui';
import { errorMessage } from '../errors';
import { useAction, usePaged, useTitle } from '../hooks';
import { Link } from '../router';
import { useSession } from '../session';
import { useConfirm } from '../components/Confirm';

const STATUS_TEXT: Record<Match['status'], string> = {
  PENDING: 'Waiting for both of you to accept',
  ACCEPTED: 'Accepted — trade your art, then mark it received',
  DECLINED: 'Declined',
  COMPLETED: 'Completed — both pieces received',
};

export function MatchCard({ match, onChange }: { match: Match; onChange: (m: Match) => void }) {
  const { user } = useSession();
  const act = useAction();
  const me = match.participants.find((p) => p.user.id === user?.id);
  const other = match.participants.find((p) => p.user.id !== user?.id) ?? match.participants[1];
  const { confirm, dialog } = useConfirm();
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
        <span className="muted small">{STATUS_TEXT[match.status]}</span>
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
              <span className="muted small">
                {p.accepted ? 'accepted' : 'not accepted yet'}
                {match.status !== 'PENDING' && match.status !== 'DECLINED' && (p.received ? ' · received the art' : ' · art not received yet')}
              </span>
            </figcaption>
          </figure>
        ))}
      </div>
      <p className="muted small">
        <Link to={`/events/${match.eventId}`}>View event</Link> · matched <Time value={match.createdAt} relative />
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
    </li>
  );
}

export function MatchList({ fetchPage, deps, emptyText }: { fetchPage: (cursor: string | null) => Promise<Page<Match>>; deps: unknown[]; emptyText: string }) {
  const list = usePaged(fetchPage, deps);
  const [changed, setChanged] = useState<Record<string, Match>>({});
  if (list.loading) return <Loading />;
  if (list.error) return <ErrorBox error={list.error} onRetry={list.reload} />;
  if (!list.items?.length) return <Empty>{emptyText}</Empty>;
  return (
    <>
      <ul className="cards" aria-label="Matches">
        {list.items.map((m) => {
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
