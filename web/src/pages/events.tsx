import { useEffect, useRef, useState, type FormEvent } from 'react';
import * as artworksApi from '../api/artworks';
import { isApiError } from '../api/client';
import * as eventsApi from '../api/events';
import { getGroup } from '../api/groups';
import { allPages } from '../api/client';
import { PHASES, nextPhase, type Artwork, type Event, type EventUpdate, type Group, type Phase } from '../api/types';
import { AnonymousVotingField, ArtistByline, ArtistCell, Empty, ErrorBox, FormError, LoadMore, Loading, Notice, PhaseBadge, TextArea, TextField, Time, ZonedTime, artworkPageSizes, artworkSrcSet, countdown, useNow, RichText } from '../components/ui';
import { errorMessage } from '../errors';
import { useAction, useAsync, usePaged, useRefreshWhileVisible, useTitle } from '../hooks';
import { useNotify } from '../notify';
import { Link } from '../router';
import { useSession } from '../session';
import { MatchList } from './matches';
import { listTrades } from '../api/matches';
import { useConfirm, useModalDialog } from '../components/Confirm';
import { isoToLocal, localToIso } from './groups';

const MAX_UPLOAD = 20 * 1024 * 1024;
const ACCEPT = 'image/png,image/jpeg,image/webp,image/gif';

const PHASE_HELP: Record<Phase, string> = {
  OPEN: 'Submissions are open: upload your artwork.',
  VOTING: 'Voting is open. Votes are blind: counts stay hidden until voting ends.',
  MATCHING: 'Like the pieces you would love to trade for. Mutual likes become matches when this phase ends.',
  CLOSED: 'The event is over. See the results and your matches.',
};

export function EventPage({ id }: { id: string }) {
  const ev = useAsync(() => eventsApi.getEvent(id), [id]);
  const groupId = ev.data?.groupId;
  const grp = useAsync(() => (groupId ? getGroup(groupId) : Promise.resolve(undefined)), [groupId]);
  const { onLive } = useNotify();
  const reloadEvent = ev.reload;
  useTitle(ev.data?.name ?? 'Event');

  // A phase change announced live reloads the page's data.
  useEffect(
    () =>
      onLive((n) => {
        if (n.type === 'EVENT_STATUS_UPDATE' && n.data.eventId === id) reloadEvent();
      }),
    [onLive, id, reloadEvent],
  );

  if (ev.loading && !ev.data) return <Loading />;
  if (ev.error || !ev.data) return <ErrorBox error={ev.error} onRetry={ev.reload} page />;
  const event = ev.data;
  const group = grp.data;
  const admin = group?.myRole === 'owner' || group?.myRole === 'admin';
  const setEvent = (e: Event) => ev.setData(() => e);

  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/groups">Groups</Link> <span aria-hidden="true">›</span>{' '}
        {group ? <Link to={`/groups/${group.id}`}>{group.name}</Link> : <span>…</span>} <span aria-hidden="true">›</span>{' '}
        <span aria-current="page">{event.name}</span>
      </nav>
      <div className="page-head">
        <h1>{event.name}</h1>
        <PhaseBadge phase={event.phase} />
      </div>
      <PhaseSteps phase={event.phase} />
      <p className="lead" data-testid="phase-help">
        {PHASE_HELP[event.phase]}
      </p>
      {event.description && <RichText text={event.description} />}
      <EventFacts event={event} />
      {admin && event.phase !== 'CLOSED' && <AdminControls event={event} onChange={setEvent} />}
      <EventBody key={`${event.id}-${event.phase}`} event={event} group={group} onEvent={setEvent} />
    </section>
  );
}

function PhaseSteps({ phase }: { phase: Phase }) {
  const cur = PHASES.indexOf(phase);
  return (
    <ol className="steps" aria-label="Event phases">
      {PHASES.map((p, i) => (
        <li key={p} className={i < cur ? 'steps__done' : i === cur ? 'steps__current' : ''} aria-current={i === cur ? 'step' : undefined}>
          {p}
        </li>
      ))}
    </ol>
  );
}

const PHASE_WORD: Record<Phase, string> = { OPEN: 'Submissions', VOTING: 'Voting', MATCHING: 'Matching', CLOSED: 'Closed' };

/** When each phase of `event` ends, by schedule (null: by hand). */
function phaseEnd(event: Event, p: Phase): string | null {
  return p === 'OPEN' ? event.votingStartsAt : p === 'VOTING' ? event.matchingStartsAt : p === 'MATCHING' ? event.endsAt : null;
}

/**
 * The schedule as of the current phase: past phases say they are over (a manual advance
 * leaves the planned time behind), the current one says when it ends, later ones when they
 * start; times are in the viewer's time zone, with a countdown to the next change.
 */
function EventFacts({ event }: { event: Event }) {
  const now = useNow(30_000);
  const cur = PHASES.indexOf(event.phase);
  const next = nextPhase(event.phase);
  const nextAt = phaseEnd(event, event.phase);
  const row = (p: Phase) => {
    const i = PHASES.indexOf(p);
    const end = phaseEnd(event, p);
    if (i < cur) return 'over';
    if (i === cur) {
      return (
        <>
          open now · ends {end ? <ZonedTime value={end} /> : p === 'MATCHING' ? 'when an admin closes the event' : 'when an admin moves the event on'}
        </>
      );
    }
    const start = phaseEnd(event, PHASES[i - 1]);
    return <>starts {start ? <ZonedTime value={start} /> : 'when an admin starts it'}</>;
  };
  return (
    <>
      {next && nextAt && (
        <p className="countdown" data-testid="next-deadline">
          {next === 'CLOSED' ? 'The event closes' : `${PHASE_WORD[next]} starts`}{' '}
          {/* The scheduler moves the phase within a minute or so of its time; until then no "3 minutes ago". */}
          {Date.parse(nextAt) > now ? countdown(new Date(nextAt), now) : 'any moment now'} (<ZonedTime value={nextAt} />)
        </p>
      )}
      {event.tradesDueAt && (
        <p className="countdown" data-testid="trades-due">
          {new Date(event.tradesDueAt).getTime() > now ? <>Trades are due {countdown(new Date(event.tradesDueAt), now)}</> : 'Trades were due'} (
          <ZonedTime value={event.tradesDueAt} />)
        </p>
      )}
      <dl className="facts facts--grid" data-testid="schedule">
        {(['OPEN', 'VOTING', 'MATCHING'] as const).map((p) => (
          <div key={p} className="facts__row">
            <dt>{PHASE_WORD[p]}</dt>
            <dd>{row(p)}</dd>
          </div>
        ))}
        <div className="facts__row">
          <dt>Event</dt>
          <dd>
            {event.phase === 'CLOSED' ? 'closed' : event.endsAt ? <>closes <ZonedTime value={event.endsAt} /></> : 'closes when an admin closes it'}
          </dd>
        </div>
        <div className="facts__row">
          <dt>Artworks</dt>
          <dd>
            {event.artworkCount} (up to {event.maxArtworksPerMember} per member)
          </dd>
        </div>
        <div className="facts__row">
          <dt>Votes per member</dt>
          <dd>{event.votesPerMember}</dd>
        </div>
        {event.anonymousVoting && (
          <div className="facts__row" data-testid="anonymous-voting">
            <dt>Anonymous voting</dt>
            <dd>{event.phase === 'OPEN' || event.phase === 'VOTING' ? 'artists are hidden until voting ends' : 'artists were hidden until voting ended'}</dd>
          </div>
        )}
        <div className="facts__row">
          <dt>Trades due</dt>
          <dd>{event.tradesDueAt ? <ZonedTime value={event.tradesDueAt} /> : 'no deadline'}</dd>
        </div>
        <div className="facts__row">
          <dt>Previous partners</dt>
          <dd>{event.avoidRepeatPartners ? 'not paired again' : 'may be paired again'}</dd>
        </div>
      </dl>
    </>
  );
}

// What each manual phase change does; phases only move forward, so none can be undone.
const ADVANCE_TEXT: Record<Phase, { title: string; body: string }> = {
  OPEN: { title: '', body: '' },
  VOTING: {
    title: 'Start voting now?',
    body: 'Submissions close: members can no longer upload, edit or delete their artworks, and voting opens. This cannot be undone — phases only move forward.',
  },
  MATCHING: {
    title: 'End voting now?',
    body: 'Voting ends for everyone and the vote counts and results are published. This cannot be undone — phases only move forward.',
  },
  CLOSED: {
    title: 'Close the event now?',
    body: 'Likes become final and Atelier pairs the artists into matches. This cannot be undone — phases only move forward.',
  },
};

function AdminControls({ event, onChange }: { event: Event; onChange: (e: Event) => void }) {
  const next = nextPhase(event.phase);
  const act = useAction();
  const [editing, setEditing] = useState(false);
  const { confirm, dialog } = useConfirm();
  const advance = async () => {
    if (!next) return;
    if (!(await confirm({ ...ADVANCE_TEXT[next], confirmLabel: `Advance to ${next}` }))) return;
    const e = await act.run(async () => {
      try {
        return await eventsApi.advanceEvent(event.id, next);
      } catch (err) {
        // Someone (or the schedule) moved it meanwhile: show where it is now.
        if (isApiError(err) && err.code === 'wrong_phase') eventsApi.getEvent(event.id).then(onChange, () => {});
        throw err;
      }
    });
    if (e) onChange(e);
  };
  return (
    <div className="card admin-controls">
      {dialog}
      <h2 className="card__title">Event admin</h2>
      <FormError error={act.error} />
      <div className="actions">
        {next && (
          <button type="button" className="btn btn--primary" onClick={() => void advance()} disabled={act.busy} data-testid="advance">
            {act.busy ? 'Advancing…' : `Advance to ${next}`}
          </button>
        )}
        {event.phase !== 'CLOSED' && (
          <button type="button" className="btn" aria-expanded={editing} onClick={() => setEditing((v) => !v)}>
            Edit event
          </button>
        )}
      </div>
      {editing && (
        <EditEventForm
          event={event}
          onSaved={(e) => {
            onChange(e);
            setEditing(false);
          }}
        />
      )}
    </div>
  );
}

function EditEventForm({ event, onSaved }: { event: Event; onSaved: (e: Event) => void }) {
  const [f, setF] = useState({
    name: event.name,
    description: event.description ?? '',
    votingStartsAt: isoToLocal(event.votingStartsAt),
    matchingStartsAt: isoToLocal(event.matchingStartsAt),
    endsAt: isoToLocal(event.endsAt),
    tradesDueAt: isoToLocal(event.tradesDueAt),
  });
  const [anonymous, setAnonymous] = useState(event.anonymousVoting);
  const [avoidRepeat, setAvoidRepeat] = useState(event.avoidRepeatPartners);
  const act = useAction();
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: EventUpdate = { name: f.name.trim(), description: f.description };
    // Only send times that changed: a past time that is kept must not fail validation.
    const times = ['votingStartsAt', 'matchingStartsAt', 'endsAt', 'tradesDueAt'] as const;
    for (const k of times) {
      if (f[k] !== isoToLocal(event[k])) body[k] = localToIso(f[k]) ?? null;
    }
    // Only while OPEN, and only a change (the server refuses one later).
    if (anonymous !== event.anonymousVoting) body.anonymousVoting = anonymous;
    if (avoidRepeat !== event.avoidRepeatPartners) body.avoidRepeatPartners = avoidRepeat;
    const res = await act.run(() => eventsApi.updateEvent(event.id, body));
    if (res) onSaved(res);
  };
  return (
    <form onSubmit={submit} noValidate>
      <FormError error={act.error} shown={['name', 'description', 'votingStartsAt', 'matchingStartsAt', 'endsAt', 'tradesDueAt']} />
      <TextField label="Name" required maxLength={120} value={f.name} onChange={set('name')} error={act.fields.name} />
      <TextArea label="Description" rows={3} value={f.description} onChange={set('description')} error={act.fields.description} />
      <TextField label="Voting starts" type="datetime-local" value={f.votingStartsAt} onChange={set('votingStartsAt')} error={act.fields.votingStartsAt} />
      <TextField label="Matching starts" type="datetime-local" value={f.matchingStartsAt} onChange={set('matchingStartsAt')} error={act.fields.matchingStartsAt} />
      <TextField label="Event ends" type="datetime-local" value={f.endsAt} onChange={set('endsAt')} error={act.fields.endsAt} />
      {event.phase === 'OPEN' && <AnonymousVotingField checked={anonymous} onChange={setAnonymous} error={act.fields.anonymousVoting} />}
      <TextField label="Trades due" type="datetime-local" value={f.tradesDueAt} onChange={set('tradesDueAt')} error={act.fields.tradesDueAt} />
      {event.phase === 'OPEN' && (
        <div className="check">
          <input type="checkbox" id="edit-avoid-repeat" checked={avoidRepeat} onChange={(e) => setAvoidRepeat(e.target.checked)} />
          <label htmlFor="edit-avoid-repeat">Do not pair artists who were partners in the previous event</label>
        </div>
      )}
      <button type="submit" className="btn btn--primary" disabled={act.busy}>
        Save event
      </button>
    </form>
  );
}

/** Why the viewer was left without a match (the NO_MATCH notification's words). */
function NoMatchNotice({ eventId }: { eventId: string }) {
  const nm = useAsync(() => eventsApi.getNoMatch(eventId), [eventId]);
  if (!nm.data?.message) return null;
  return (
    <div data-testid="no-match">
      <Notice>{nm.data.message}.</Notice>
    </div>
  );
}

function EventBody({ event, group, onEvent }: { event: Event; group: Group | undefined; onEvent: (e: Event) => void }) {
  const { user } = useSession();
  const [sort, setSort] = useState<'new' | 'votes'>(event.phase === 'MATCHING' || event.phase === 'CLOSED' ? 'votes' : 'new');
  const list = usePaged((cursor) => eventsApi.listArtworks(event.id, { cursor, sort, limit: 50 }), [event.id, sort]);
  // New entries have no notification: look again now and then while the page is shown.
  useRefreshWhileVisible(list.reload, 15_000);
  const [votesLeft, setVotesLeft] = useState(event.myVotesRemaining);
  const mine = list.items?.filter((a) => !!user && a.artist?.id === user.id) ?? [];
  const participant = mine.length > 0;
  const countsVisible = event.phase === 'MATCHING' || event.phase === 'CLOSED';

  const replace = (a: Artwork) => list.setData((p) => p && { ...p, items: p.items.map((x) => (x.id === a.id ? a : x)) });
  const patchArtwork = (id: string, patch: Partial<Artwork>) =>
    list.setData((p) => p && { ...p, items: p.items.map((x) => (x.id === id ? { ...x, ...patch } : x)) });

  return (
    <>
      {event.phase === 'OPEN' && (
        <UploadSection
          event={event}
          myCount={mine.length}
          onUploaded={(a) => {
            list.setData((p) => p && { ...p, items: [a, ...p.items] });
            onEvent({ ...event, artworkCount: event.artworkCount + 1 });
          }}
        />
      )}
      {event.phase === 'VOTING' && (
        <p className="votes-left" role="status" aria-live="polite" data-testid="votes-left">
          <strong>{votesLeft}</strong> of {event.votesPerMember} vote{event.votesPerMember === 1 ? '' : 's'} left
        </p>
      )}
      {event.phase === 'MATCHING' && participant && (
        <RankHelp maxRank={Math.max(1, event.artworkCount)} />
      )}
      {event.phase === 'MATCHING' && !participant && list.items && (
        <Notice kind="warning">Only artists who submitted to this event can like. You can still browse.</Notice>
      )}
      {countsVisible && <ResultsSection eventId={event.id} />}
      {event.phase === 'CLOSED' && (
        <section aria-labelledby="matches-h">
          <h2 id="matches-h">Matches</h2>
          <TradesLink eventId={event.id} />
          <NoMatchNotice eventId={event.id} />
          <MatchList fetchPage={(cursor) => eventsApi.listEventMatches(event.id, { cursor })} deps={[event.id]} emptyText="No matches in this event." />
        </section>
      )}
      <section aria-labelledby="gallery-h">
        <div className="section-head">
          <h2 id="gallery-h">Gallery</h2>
          {countsVisible && (
            <div className="field field--inline">
              <label htmlFor="sort">Sort by</label>
              <select id="sort" value={sort} onChange={(e) => setSort(e.target.value as 'new' | 'votes')}>
                <option value="votes">most votes</option>
                <option value="new">newest</option>
              </select>
            </div>
          )}
        </div>
        {list.loading && !list.items ? (
          <Loading />
        ) : list.error ? (
          <ErrorBox error={list.error} onRetry={list.reload} />
        ) : list.items?.length === 0 ? (
          <Empty>{event.phase === 'OPEN' ? 'No artworks yet — be the first to submit one.' : 'No artworks were submitted.'}</Empty>
        ) : (
          <ul className="gallery" aria-label="Artworks">
            {list.items?.map((a) => (
              <ArtworkCard
                key={a.id}
                artwork={a}
                event={event}
                own={!!user && a.artist?.id === user.id}
                admin={group?.myRole === 'owner' || group?.myRole === 'admin'}
                votesLeft={votesLeft}
                participant={participant}
                onVotes={(id, myVote, remaining) => {
                  setVotesLeft(remaining);
                  patchArtwork(id, { myVote });
                }}
                onChange={replace}
                onDeleted={(id) => {
                  list.setData((p) => p && { ...p, items: p.items.filter((x) => x.id !== id) });
                  onEvent({ ...event, artworkCount: Math.max(0, event.artworkCount - 1) });
                }}
              />
            ))}
          </ul>
        )}
        <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
      </section>
    </>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function UploadSection({ event, myCount, onUploaded }: { event: Event; myCount: number; onUploaded: (a: Artwork) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [fileError, setFileError] = useState<string | undefined>();
  const [done, setDone] = useState<string | null>(null);
  const act = useAction();
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!file) {
      setPreview(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const full = myCount >= event.maxArtworksPerMember;
  const pick = (f: File | null) => {
    setDone(null);
    setFileError(undefined);
    if (f && !ACCEPT.split(',').includes(f.type)) {
      setFileError(`“${f.name}” is not an image Atelier takes: choose a PNG, JPEG, WebP or GIF file.`);
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
      return;
    }
    if (f && f.size > MAX_UPLOAD) {
      setFileError(`“${f.name}” is ${formatBytes(f.size)}, too large: the limit is 20 MiB per image. Choose a smaller file or export it at a lower size.`);
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
      return;
    }
    setFile(f);
    // The server refuses images over 100 megapixels: say so before the upload.
    if (f) {
      const url = URL.createObjectURL(f);
      const img = new Image();
      img.onload = () => {
        const mp = (img.naturalWidth * img.naturalHeight) / 1e6;
        if (mp > 100) {
          setFileError(`“${f.name}” is ${img.naturalWidth}×${img.naturalHeight} pixels (${mp.toFixed(0)} megapixels); the limit is 100 megapixels.`);
          setFile(null);
        }
        URL.revokeObjectURL(url);
      };
      img.onerror = () => URL.revokeObjectURL(url);
      img.src = url;
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (!file) {
      setFileError('Choose an image to upload.');
      return;
    }
    setProgress(0);
    const a = await act.run(() => eventsApi.submitArtwork(event.id, { title: title.trim(), description: description.trim() || undefined, image: file }, setProgress));
    setProgress(null);
    if (a) {
      onUploaded(a);
      setDone(`“${a.title}” was submitted.`);
      setTitle('');
      setDescription('');
      setFile(null);
      if (fileRef.current) fileRef.current.value = '';
    }
  };
  const imageError =
    fileError ??
    act.fields.image ??
    (isApiError(act.error) && ['unsupported_image', 'payload_too_large'].includes(act.error.code) ? errorMessage(act.error) : undefined);

  return (
    <section aria-labelledby="upload-h" className="card">
      <h2 id="upload-h" className="card__title">
        Submit an artwork
      </h2>
      {done && <Notice kind="success">{done}</Notice>}
      {full ? (
        <p>
          You have submitted {myCount} of {event.maxArtworksPerMember} allowed artwork{event.maxArtworksPerMember === 1 ? '' : 's'}.
        </p>
      ) : (
        <form onSubmit={submit} noValidate className="upload">
          <FormError error={imageError ? null : act.error} shown={['title', 'description', 'image']} />
          <div className="upload__fields">
            <TextField label="Title" name="title" required maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} error={act.fields.title} />
            <TextArea label="Description (optional)" name="description" rows={3} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} error={act.fields.description} />
            <TextField
              ref={fileRef}
              label="Image"
              name="image"
              type="file"
              accept={ACCEPT}
              required
              hint="PNG, JPEG, WebP or GIF, up to 20 MiB"
              onChange={(e) => pick(e.target.files?.[0] ?? null)}
              error={imageError}
            />
          </div>
          <div className="upload__preview">
            {preview ? (
              <figure>
                <img src={preview} alt={`Preview of ${file?.name ?? 'the selected image'}`} data-testid="upload-preview" />
                <figcaption className="muted small">
                  {file?.name} · {file ? formatBytes(file.size) : ''}
                </figcaption>
              </figure>
            ) : (
              <p className="muted small">The preview appears here.</p>
            )}
          </div>
          {progress !== null && (
            <div className="progress">
              <label htmlFor="upload-progress">Uploading… {Math.round(progress * 100)}%</label>
              <progress id="upload-progress" max={1} value={progress} data-testid="upload-progress" />
            </div>
          )}
          <button type="submit" className="btn btn--primary" disabled={act.busy}>
            {act.busy ? 'Uploading…' : 'Submit artwork'}
          </button>
        </form>
      )}
    </section>
  );
}

interface CardProps {
  artwork: Artwork;
  event: Event;
  own: boolean;
  admin: boolean;
  votesLeft: number;
  participant: boolean;
  onVotes: (id: string, myVote: boolean, remaining: number) => void;
  onChange: (a: Artwork) => void;
  onDeleted: (id: string) => void;
}

function ArtworkCard({ artwork: a, event, own, admin, votesLeft, participant, onVotes, onChange, onDeleted }: CardProps) {
  const act = useAction();

  const toggleVote = async () => {
    const res = await act.run(() => (a.myVote ? artworksApi.unvote(a.id) : artworksApi.vote(a.id)));
    if (res) onVotes(a.id, !a.myVote, res.votesRemaining);
  };
  const doDelete = async () => {
    if (!window.confirm(`Delete “${a.title}”?`)) return;
    const ok = await act.run(async () => {
      await artworksApi.deleteArtwork(a.id);
      return true;
    });
    if (ok) onDeleted(a.id);
  };

  const canDelete = (own && event.phase === 'OPEN') || admin;
  return (
    <li className="artwork" data-testid="artwork">
      <Link to={`/artworks/${a.id}`} className="artwork__img">
        <img src={a.thumbnailUrl} srcSet={artworkSrcSet(a)} sizes="(max-width: 40rem) 100vw, 18rem" alt={a.title} loading="lazy" width={a.width} height={a.height} />
      </Link>
      <div className="artwork__body">
        <h3 className="artwork__title">
          <Link to={`/artworks/${a.id}`}>{a.title}</Link>
        </h3>
        <p className="muted small">
          <ArtistByline artist={a.artist} />
          {own && ' (you)'}
        </p>
        {a.voteCount !== null && (
          <p className="small" data-testid="vote-count">
            {a.voteCount} vote{a.voteCount === 1 ? '' : 's'}
          </p>
        )}
        {a.isMatched && <span className="badge badge--ok">matched</span>}
        {event.phase === 'VOTING' && !own && (
          <button
            type="button"
            className={`btn btn--small${a.myVote ? ' btn--primary' : ''}`}
            aria-pressed={a.myVote}
            onClick={() => void toggleVote()}
            disabled={act.busy || (!a.myVote && votesLeft <= 0)}
          >
            {a.myVote ? 'Voted ✓' : 'Vote'}
            <span className="visually-hidden"> for {a.title}</span>
          </button>
        )}
        {event.phase === 'VOTING' && !own && !a.myVote && votesLeft <= 0 && <p className="muted small">No votes left</p>}
        {event.phase === 'MATCHING' && !own && participant && <LikeControl artwork={a} maxRank={Math.max(1, event.artworkCount)} onChange={onChange} />}
        {canDelete && (
          <button type="button" className="btn btn--small btn--danger" onClick={() => void doDelete()} disabled={act.busy}>
            Delete<span className="visually-hidden"> {a.title}</span>
          </button>
        )}
        {act.error != null && (
          <p className="field-error" role="alert">
            {errorMessage(act.error)}
          </p>
        )}
      </div>
    </li>
  );
}

const RANK_HELP_ID = 'rank-help';

/** What a like and its rank do, the same words in the gallery and on the artwork page. */
function RankHelp({ maxRank }: { maxRank: number }) {
  return (
    <p className="hint rank-help" id={RANK_HELP_ID} data-testid="rank-help">
      Like the pieces you would trade for. A rank is optional: 1 is your favourite, up to {maxRank}. When several artists like you
      back, Atelier pairs you with the one you ranked best; unranked likes count after ranked ones. Press Enter or leave the field
      to save a rank.
    </p>
  );
}

/**
 * Like and rank one artwork. The rank typed is the draft: Enter likes with it, and on a
 * piece already liked a changed rank is saved when the field is left or Enter is pressed.
 */
function LikeControl({ artwork: a, maxRank, onChange }: { artwork: Artwork; maxRank: number; onChange: (a: Artwork) => void }) {
  const act = useAction();
  const saved = a.myLike?.rank != null ? String(a.myLike.rank) : '';
  const [rank, setRank] = useState(saved);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const rankId = `rank-${a.id}`;

  const parse = (): number | null | undefined => {
    const t = rank.trim();
    if (t === '') return null;
    const r = Number(t);
    if (!Number.isInteger(r) || r < 1 || r > maxRank) {
      setInvalid(`Rank must be a whole number from 1 to ${maxRank}, or empty for no rank.`);
      return undefined;
    }
    return r;
  };
  const save = async () => {
    setInvalid(null);
    setStatus('');
    const r = parse();
    if (r === undefined) return;
    const like = await act.run(() => artworksApi.like(a.id, r));
    if (like) {
      setRank(like.rank != null ? String(like.rank) : '');
      setStatus(a.myLike ? 'Rank saved.' : 'Liked.');
      onChange({ ...a, myLike: { rank: like.rank } });
    }
  };
  const unlike = async () => {
    setInvalid(null);
    const ok = await act.run(async () => {
      await artworksApi.unlike(a.id);
      return true;
    });
    if (ok) {
      setRank('');
      setStatus('');
      onChange({ ...a, myLike: null });
    }
  };
  return (
    <form
      className="like"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="field field--inline">
        <label htmlFor={rankId}>Rank</label>
        <input
          id={rankId}
          type="number"
          min={1}
          max={maxRank}
          step={1}
          inputMode="numeric"
          placeholder="—"
          value={rank}
          aria-invalid={invalid ? true : undefined}
          aria-describedby={[invalid ? `${rankId}-err` : null, RANK_HELP_ID].filter(Boolean).join(' ')}
          onChange={(e) => {
            setRank(e.target.value);
            setInvalid(null);
          }}
          onBlur={() => {
            // A liked piece keeps the rank the field shows.
            if (a.myLike && rank.trim() !== saved && !act.busy) void save();
          }}
        />
      </div>
      {invalid && (
        <p id={`${rankId}-err`} className="field-error" role="alert">
          {invalid}
        </p>
      )}
      <div className="actions">
        <button type="submit" className={`btn btn--small${a.myLike ? ' btn--primary' : ''}`} aria-pressed={!!a.myLike} disabled={act.busy}>
          {a.myLike ? (rank.trim() !== saved ? 'Save rank' : 'Liked ♥') : 'Like'}
          <span className="visually-hidden"> {a.title}</span>
        </button>
        {a.myLike && (
          <button type="button" className="btn btn--small" onClick={() => void unlike()} disabled={act.busy}>
            Unlike<span className="visually-hidden"> {a.title}</span>
          </button>
        )}
      </div>
      {a.myLike && <p className="muted small">{a.myLike.rank != null ? `Your rank: ${a.myLike.rank}` : 'Liked, unranked'}</p>}
      <p className="visually-hidden" role="status">
        {status}
      </p>
      {act.error != null && (
        <p className="field-error" role="alert">
          {errorMessage(act.error)}
        </p>
      )}
    </form>
  );
}

function ResultsSection({ eventId }: { eventId: string }) {
  const list = usePaged((cursor) => eventsApi.listResults(eventId, { cursor }), [eventId]);
  return (
    <section aria-labelledby="results-h">
      <h2 id="results-h">Results</h2>
      {list.loading ? (
        <Loading />
      ) : list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.items?.length === 0 ? (
        <Empty>No artworks, so no results.</Empty>
      ) : (
        <table className="results" data-testid="results">
          <caption className="visually-hidden">Voting results, most votes first; equal counts share a rank</caption>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">
                <span className="visually-hidden">Image</span>
              </th>
              <th scope="col">Artwork</th>
              <th scope="col">Artist</th>
              <th scope="col">Votes</th>
            </tr>
          </thead>
          <tbody>
            {list.items?.map((r) => (
              <tr key={r.artwork.id}>
                <td className="results__rank">
                  {list.items!.filter((x) => x.rank === r.rank).length > 1 ? (
                    <>
                      {r.rank} <span className="muted small">(tie)</span>
                    </>
                  ) : (
                    r.rank
                  )}
                </td>
                <td className="results__thumb">
                  <img src={r.artwork.thumbnailUrl} alt="" width={r.artwork.width} height={r.artwork.height} loading="lazy" />
                </td>
                <td>
                  <Link to={`/artworks/${r.artwork.id}`}>{r.artwork.title}</Link>
                </td>
                <td>
                  <ArtistCell artist={r.artwork.artist} />
                </td>
                <td>{r.voteCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} error={list.moreError} />
    </section>
  );
}

/**
 * The original image in a modal dialog, fitted to the screen first; "Actual size" (or a click
 * on the image) shows it pixel for pixel in a region the arrow keys scroll. Escape or Close
 * ends it.
 */
function FullSize({ artwork: a, onClose }: { artwork: Artwork; onClose: () => void }) {
  const ref = useModalDialog();
  const [actual, setActual] = useState(false);
  return (
    <dialog
      ref={ref}
      className={`fullsize${actual ? ' fullsize--actual' : ''}`}
      aria-label={`${a.title}, full size`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="fullsize__bar">
        <a href={a.imageUrl} target="_blank" rel="noopener noreferrer">
          Open the original in a new tab
        </a>
        <div className="actions">
          <button type="button" className={`btn btn--small${actual ? ' btn--primary' : ''}`} aria-pressed={actual} onClick={() => setActual(!actual)} data-testid="actual-size">
            Actual size ({a.width}×{a.height})
          </button>
          <button type="button" className="btn btn--small" autoFocus onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <div className="fullsize__view" tabIndex={0} role="region" aria-label={`${a.title}; the arrow keys scroll the image`} data-testid="full-view">
        <img src={a.imageUrl} alt={a.title} width={a.width} height={a.height} data-testid="full-image" onClick={() => setActual(!actual)} />
      </div>
    </dialog>
  );
}

export function ArtworkPage({ id }: { id: string }) {
  const { user } = useSession();
  const art = useAsync(() => artworksApi.getArtwork(id), [id]);
  const eventId = art.data?.eventId;
  const ev = useAsync(() => (eventId ? eventsApi.getEvent(eventId) : Promise.resolve(undefined)), [eventId]);
  const groupId = ev.data?.groupId;
  const grp = useAsync(() => (groupId ? getGroup(groupId) : Promise.resolve(undefined)), [groupId]);
  // The event's artworks in gallery order, for previous/next and to know whether the viewer takes part.
  const siblings = useAsync(
    () => (eventId ? allPages((cursor) => eventsApi.listArtworks(eventId, { cursor, limit: 100 })) : Promise.resolve(undefined)),
    [eventId],
  );
  const [votesLeft, setVotesLeft] = useState<number | null>(null);
  const [full, setFull] = useState(false);
  const [editing, setEditing] = useState(false);
  const [f, setF] = useState({ title: '', description: '' });
  const act = useAction();
  // Keyboard users land back on the button that opened the form once it closes.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  useTitle(art.data?.title ?? 'Artwork');
  if (art.loading && !art.data) return <Loading />;
  if (art.error || !art.data) return <ErrorBox error={art.error} onRetry={art.reload} page />;
  const a = art.data;
  const own = !!user && a.artist?.id === user.id;
  const event = ev.data;
  const canEdit = own && event?.phase === 'OPEN';
  const list = siblings.data ?? [];
  const at = list.findIndex((x) => x.id === a.id);
  const prev = at > 0 ? list[at - 1] : null;
  const next = at >= 0 && at < list.length - 1 ? list[at + 1] : null;
  const participant = list.some((x) => !!user && x.artist?.id === user.id);
  const left = votesLeft ?? event?.myVotesRemaining ?? 0;
  const toggleVote = async () => {
    const res = await act.run(() => (a.myVote ? artworksApi.unvote(a.id) : artworksApi.vote(a.id)));
    if (res) {
      setVotesLeft(res.votesRemaining);
      art.setData((d) => d && { ...d, myVote: !a.myVote });
    }
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const res = await act.run(() => artworksApi.updateArtwork(a.id, { title: f.title.trim(), description: f.description }));
    if (res) {
      art.setData(() => res);
      setEditing(false);
    }
  };
  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/groups">Groups</Link> <span aria-hidden="true">›</span>{' '}
        {grp.data ? <Link to={`/groups/${grp.data.id}`}>{grp.data.name}</Link> : <span>…</span>} <span aria-hidden="true">›</span>{' '}
        <Link to={`/events/${a.eventId}`}>{ev.data?.name ?? 'Event'}</Link> <span aria-hidden="true">›</span> <span aria-current="page">{a.title}</span>
      </nav>
      {(prev || next) && (
        <nav aria-label="Artworks of this event" className="pager">
          {prev ? (
            <Link to={`/artworks/${prev.id}`} rel="prev">
              ‹ Previous<span className="visually-hidden">: {prev.title}</span>
            </Link>
          ) : (
            <span />
          )}
          {next && (
            <Link to={`/artworks/${next.id}`} rel="next">
              Next<span className="visually-hidden">: {next.title}</span> ›
            </Link>
          )}
        </nav>
      )}
      <h1>{a.title}</h1>
      <p className="muted">
        <ArtistByline artist={a.artist} /> · <Time value={a.createdAt} /> · {a.width}×{a.height}
        {a.voteCount !== null && ` · ${a.voteCount} vote${a.voteCount === 1 ? '' : 's'}`}
      </p>
      {/* The page shows the thumbnail or the display copy (srcset); the original (often megabytes) loads only in the full-size view. */}
      <figure className="artwork-full">
        <img src={a.thumbnailUrl} srcSet={artworkSrcSet(a)} sizes={artworkPageSizes(a)} alt={a.title} width={a.width} height={a.height} />
        <figcaption>
          <button type="button" className="btn btn--small" onClick={() => setFull(true)}>
            View full size<span className="visually-hidden"> of {a.title}</span> ({a.width}×{a.height})
          </button>
        </figcaption>
      </figure>
      {full && <FullSize artwork={a} onClose={() => setFull(false)} />}
      {a.description && <RichText text={a.description} />}
      {event?.phase === 'VOTING' && !own && (
        <div className="actions">
          <button type="button" className={`btn${a.myVote ? ' btn--primary' : ''}`} aria-pressed={a.myVote} onClick={() => void toggleVote()} disabled={act.busy || (!a.myVote && left <= 0)}>
            {a.myVote ? 'Voted ✓' : 'Vote'}
            <span className="visually-hidden"> for {a.title}</span>
          </button>
          <span className="muted" role="status" data-testid="votes-left">
            {left} of {event.votesPerMember} vote{event.votesPerMember === 1 ? '' : 's'} left
          </span>
        </div>
      )}
      {event?.phase === 'MATCHING' && !own && participant && (
        <>
          <RankHelp maxRank={Math.max(1, event.artworkCount)} />
          <LikeControl artwork={a} maxRank={Math.max(1, event.artworkCount)} onChange={(na) => art.setData(() => na)} />
        </>
      )}
      {own && event && event.phase !== 'OPEN' && <p className="muted small">Titles and descriptions can be edited only while submissions are open.</p>}
      {act.error != null && !editing && (
        <p className="field-error" role="alert">
          {errorMessage(act.error)}
        </p>
      )}
      {canEdit &&
        (editing ? (
          <form onSubmit={save} noValidate className="narrow">
            <FormError error={act.error} shown={['title', 'description']} />
            <TextField
              label="Title"
              required
              maxLength={120}
              autoFocus
              value={f.title}
              onChange={(e) => setF({ ...f, title: e.target.value })}
              error={act.fields.title}
            />
            <TextArea label="Description" rows={3} maxLength={2000} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} error={act.fields.description} />
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
          <button
            ref={editButton}
            type="button"
            className="btn"
            onClick={() => {
              setF({ title: a.title, description: a.description ?? '' });
              setEditing(true);
            }}
          >
            Edit title and description
          </button>
        ))}
    </section>
  );
}

/** A link to the event's trade gallery, once it has a completed trade. */
function TradesLink({ eventId }: { eventId: string }) {
  const trades = useAsync(() => listTrades(eventId, { limit: 1 }), [eventId]);
  if (!trades.data?.items.length) return null;
  return (
    <p>
      <Link to={`/events/${eventId}/trades`}>See the completed trades</Link>
    </p>
  );
}
