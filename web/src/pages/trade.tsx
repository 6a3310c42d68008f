import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import * as matchesApi from '../api/matches';
import type { Match, MatchMessage, MatchParticipant } from '../api/types';
import { ErrorBox, FormError, Loading, TextArea, TextField, Time, userName } from '../components/ui';
import { useNotify } from '../notify';
import { useTitle, usePaged } from '../hooks';
import { Link } from '../router';
import { MatchCard } from './matches';

/** The conversation of the two artists of a match: newest at the bottom, live. */
export function Conversation({ match, meId }: { match: Match; meId: string }) {
  const [items, setItems] = useState<MatchMessage[] | null>(null);
  const [older, setOlder] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [text, setText] = useState('');
  const [sendError, setSendError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { onLive } = useNotify();

  const load = useCallback(async () => {
    try {
      const page = await matchesApi.listMessages(match.id, { limit: 50 });
      setItems(page.items);
      setOlder(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [match.id]);
  useEffect(() => void load(), [load]);
  useEffect(
    () =>
      onLive((n) => {
        const data = n.data as { matchId?: string };
        if (n.type === 'MATCH_MESSAGE' && data.matchId === match.id) void load();
      }),
    [onLive, load, match.id],
  );

  const loadOlder = async () => {
    if (!older) return;
    try {
      const page = await matchesApi.listMessages(match.id, { limit: 50, cursor: older });
      setItems((cur) => [...(cur ?? []), ...page.items]);
      setOlder(page.nextCursor);
    } catch (e) {
      setError(e);
    }
  };
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    try {
      const m = await matchesApi.postMessage(match.id, text);
      setItems((cur) => [m, ...(cur ?? []).filter((x) => x.id !== m.id)]);
      setText('');
      setSendError(null);
    } catch (err) {
      setSendError(err);
    } finally {
      setBusy(false);
    }
  };
  const closed = match.status === 'DECLINED';
  return (
    <div className="conversation">
      <h2 className="h3">Messages</h2>
      {error != null && <ErrorBox error={error} onRetry={() => void load()} />}
      {items == null && error == null && <Loading />}
      {older && (
        <button type="button" className="btn btn--small" onClick={() => void loadOlder()}>
          Show older messages
        </button>
      )}
      {items && items.length === 0 && <p className="muted small">No messages yet.</p>}
      {items && items.length > 0 && (
        <ol className="messages" aria-live="polite" data-testid="messages">
          {[...items].reverse().map((m) => (
            <li key={m.id} className={`message${m.author.id === meId ? ' message--mine' : ''}`} data-testid="message">
              <p className="message__meta small muted">
                {m.author.id === meId ? 'You' : userName(m.author)} · <Time value={m.createdAt} relative />
              </p>
              <p className="message__text">{m.text}</p>
            </li>
          ))}
        </ol>
      )}
      {!closed && (
        <form onSubmit={(e) => void send(e)} className="message-form">
          <TextArea label="Your message" value={text} onChange={(e) => setText(e.target.value)} maxLength={4000} rows={3} required />
          <FormError error={sendError} />
          <button type="submit" className="btn btn--primary btn--small" disabled={busy || !text.trim()}>
            Send
          </button>
        </form>
      )}
    </div>
  );
}

/** A participant's delivered piece, if any. */
export function DeliveryView({ p, meId }: { p: MatchParticipant; meId?: string }) {
  const d = p.delivery;
  if (!d) return null;
  return (
    <figure className="delivery" data-testid="delivery">
      <a href={d.imageUrl}>
        <img src={d.thumbnailUrl} alt={d.title} width={d.width} height={d.height} loading="lazy" />
      </a>
      <figcaption className="small">
        {p.user.id === meId ? 'You delivered' : `${userName(p.user)} delivered`} <strong>{d.title}</strong> ·{' '}
        <Time value={d.createdAt} relative />
        {d.description && <span className="muted"> — {d.description}</span>}
      </figcaption>
    </figure>
  );
}

/** The caller's delivery upload (ACCEPTED match, until the partner marked it received). */
export function DeliveryForm({ match, meId, onChange }: { match: Match; meId: string; onChange: (m: Match) => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fileId = useId();
  const me = match.participants.find((p) => p.user.id === meId);
  const other = match.participants.find((p) => p.user.id !== meId);
  if (!me || match.status !== 'ACCEPTED' || other?.received) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.append('title', title);
    if (description) form.append('description', description);
    form.append('image', file);
    setProgress(0);
    try {
      onChange(await matchesApi.deliver(match.id, form, setProgress));
      setTitle('');
      setDescription('');
      setFile(null);
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <form className="delivery-form" onSubmit={(e) => void submit(e)}>
      <h2 className="h3">{me.delivery ? 'Replace your delivery' : 'Deliver your piece'}</h2>
      <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} required />
      <TextArea label="Description (optional)" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} rows={2} />
      <div className="field">
        <label htmlFor={fileId}>Image (PNG, JPEG, WebP or GIF, up to 20 MiB)</label>
        <input id={fileId} type="file" accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
      </div>
      {progress != null && <progress value={progress} max={1} aria-label="Upload progress" />}
      <FormError error={error} />
      <button type="submit" className="btn btn--primary btn--small" disabled={progress != null || !file || !title.trim()}>
        {me.delivery ? 'Replace delivery' : 'Deliver'}
      </button>
    </form>
  );
}

/** GET /events/{id}/trades: the event's completed trades. */
export function TradesPage({ id }: { id: string }) {
  useTitle('Trades');
  const list = usePaged((cursor) => matchesApi.listTrades(id, { cursor }), [id]);
  return (
    <section>
      <h1>Trades</h1>
      <p className="lead">
        The completed trades of <Link to={`/events/${id}`}>this event</Link>: the pieces the artists delivered to each other.
      </p>
      {list.loading && !list.items && <Loading />}
      {list.error != null && <ErrorBox error={list.error} onRetry={list.reload} />}
      {list.items && list.items.length === 0 && <p className="muted">No completed trades yet.</p>}
      {list.items && list.items.length > 0 && (
        <ul className="cards" aria-label="Completed trades">
          {list.items.map((m) => (
            <MatchCard key={m.id} match={m} onChange={() => list.reload()} />
          ))}
        </ul>
      )}
    </section>
  );
}
