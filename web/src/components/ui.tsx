import { useEffect, useId, useRef, useState, type ComponentPropsWithRef, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { isApiError } from '../api/client';
import type { Artwork, PublicUser } from '../api/types';
import { errorMessage, fieldErrorsWithCodes } from '../errors';
import { Link } from '../router';

interface FieldBase {
  label: string;
  error?: string;
  hint?: ReactNode;
}

function describedBy(hintId: string, errId: string, hint: unknown, error: unknown) {
  return [hint ? hintId : null, error ? errId : null].filter(Boolean).join(' ') || undefined;
}

export function TextField({ label, error, hint, id, ...input }: FieldBase & ComponentPropsWithRef<'input'>) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={fid}>{label}</label>
      <input id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy(`${fid}-hint`, `${fid}-err`, hint, error)} {...input} />
      {hint && <p className="hint" id={`${fid}-hint`}>{hint}</p>}
      {error && <p className="field-error" id={`${fid}-err`}>{error}</p>}
    </div>
  );
}

export function TextArea({ label, error, hint, id, ...input }: FieldBase & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={fid}>{label}</label>
      <textarea id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy(`${fid}-hint`, `${fid}-err`, hint, error)} {...input} />
      {hint && <p className="hint" id={`${fid}-hint`}>{hint}</p>}
      {error && <p className="field-error" id={`${fid}-err`}>{error}</p>}
    </div>
  );
}

export function SelectField({ label, error, hint, id, children, ...input }: FieldBase & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <label htmlFor={fid}>{label}</label>
      <select id={fid} aria-invalid={error ? true : undefined} aria-describedby={describedBy(`${fid}-hint`, `${fid}-err`, hint, error)} {...input}>
        {children}
      </select>
      {hint && <p className="hint" id={`${fid}-hint`}>{hint}</p>}
      {error && <p className="field-error" id={`${fid}-err`}>{error}</p>}
    </div>
  );
}

/**
 * The error of a form as a whole. Field errors of fields the form shows are
 * shown next to them; the others (`shown` lists those that are) are listed here.
 */
export function FormError({ error, shown = [] }: { error: unknown; shown?: string[] }) {
  const anchor = useRef<HTMLSpanElement>(null);
  // After a failed submit, focus goes to the first highlighted field (or the message),
  // so keyboard and screen reader users land on what to fix.
  useEffect(() => {
    if (!error) return;
    const t = window.requestAnimationFrame(() => {
      const form = anchor.current?.closest('form');
      const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>('.alert--error');
      first?.focus();
    });
    return () => window.cancelAnimationFrame(t);
  }, [error]);
  if (!error) return null;
  const marker = <span ref={anchor} hidden />;
  const fields = fieldErrorsWithCodes(error);
  const extra = Object.entries(fields).filter(([f]) => !shown.includes(f));
  // A conflict shown at its field (e.g. username_taken) needs no second message.
  if (isApiError(error) && error.code !== 'validation_failed' && extra.length === 0 && Object.keys(fields).length > 0) return marker;
  return (
    <div className="alert alert--error" role="alert" tabIndex={-1}>
      {marker}
      <p>{errorMessage(error)}</p>
      {extra.length > 0 && (
        <ul>
          {extra.map(([f, m]) => (
            <li key={f}>
              <strong>{f}</strong>: {m}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * An error from the API. `page` marks the error that stands for the whole page (what was
 * asked for could not be shown), which then has its own level-one heading.
 */
export function ErrorBox({ error, onRetry, page = false }: { error: unknown; onRetry?: () => void; page?: boolean }) {
  // Trying again cannot find what is not there: offer the way back instead.
  const missing = isApiError(error) && (error.status === 404 || error.status === 403);
  const box = (
    <div className="alert alert--error" role="alert">
      <p>{errorMessage(error)}</p>
      {missing && (
        <p>
          <Link to="/">Back to the start page</Link> · <Link to="/groups">Your groups</Link>
        </p>
      )}
      {onRetry && !missing && (
        <button type="button" className="btn btn--small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
  if (!page) return box;
  return (
    <section>
      <h1>{missing ? 'Not found' : 'This page could not be loaded'}</h1>
      {box}
    </section>
  );
}

export function Notice({ children, kind = 'info' }: { children: ReactNode; kind?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert--${kind}`} role="status">
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function LoadMore({ hasMore, loading, onClick, error }: { hasMore: boolean; loading: boolean; onClick: () => void; error?: unknown }) {
  if (!hasMore && !error) return null;
  return (
    <div className="load-more">
      {error ? <ErrorBox error={error} /> : null}
      {hasMore && (
        <button type="button" className="btn" onClick={onClick} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

export function userName(u: PublicUser | null | undefined): string {
  if (!u) return 'someone';
  return u.displayName || u.username;
}

export function UserLink({ user }: { user: PublicUser }) {
  return <Link to={`/users/${encodeURIComponent(user.username)}`}>{userName(user)}</Link>;
}

/** "by <artist>", or the notice that anonymous voting hides the artist (null) until voting ends. */
export function ArtistByline({ artist }: { artist: PublicUser | null }) {
  if (!artist) return <span data-testid="artist-hidden">Artist hidden until voting ends</span>;
  return (
    <>
      by <UserLink user={artist} />
    </>
  );
}

/** The artist's name in a table cell, or "hidden" while anonymous voting hides it. */
export function ArtistCell({ artist }: { artist: PublicUser | null }) {
  return artist ? <UserLink user={artist} /> : <span className="muted">Artist hidden until voting ends</span>;
}

/**
 * The screen-sized images of an artwork for `srcset`: the thumbnail (longest side 480 px)
 * and the display copy (longest side 1600 px, or the original when it is not larger). The
 * original itself is for the full-size view only.
 */
export function artworkSrcSet(a: Artwork): string {
  const scale = Math.min(1, 480 / Math.max(a.width, a.height));
  const thumbWidth = Math.max(1, Math.round(a.width * scale));
  if (a.displayWidth <= thumbWidth) return `${a.thumbnailUrl} ${thumbWidth}w`;
  return `${a.thumbnailUrl} ${thumbWidth}w, ${a.displayUrl} ${a.displayWidth}w`;
}

/**
 * `sizes` for an artwork shown at its own size, as large as the screen allows but never
 * beyond its largest screen copy (so a small image is not blown up by the w descriptors).
 */
export function artworkPageSizes(a: Artwork): string {
  return `(max-width: ${a.displayWidth}px) 100vw, ${a.displayWidth}px`;
}

/** The event option `anonymousVoting`, on the create and edit forms (changeable while OPEN). */
export function AnonymousVotingField({ checked, onChange, error }: { checked: boolean; onChange: (v: boolean) => void; error?: string }) {
  const id = useId();
  return (
    <div className={`field${error ? ' field--error' : ''}`}>
      <div className="check">
        <input type="checkbox" id={id} name="anonymousVoting" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={`${id}-hint`} />
        <label htmlFor={id}>Anonymous voting</label>
      </div>
      <p className="hint" id={`${id}-hint`}>
        Nobody but the artist sees who made an artwork until voting ends, admins included. Can be changed only while submissions are open.
      </p>
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function Time({ value, relative = false }: { value: string | null | undefined; relative?: boolean }) {
  if (!value) return <span>—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={value} title={d.toISOString()}>
      {relative ? relativeTime(d) : dateFmt.format(d)}
    </time>
  );
}

const zonedFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: undefined });
const zoneFmt = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

/** A time in the viewer's time zone, with the zone named (deadlines). */
export function ZonedTime({ value }: { value: string }) {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  const zone = zoneFmt.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return (
    <time dateTime={value} title={d.toISOString()}>
      {zonedFmt.format(d)} {zone}
    </time>
  );
}

/** The current time, refreshed every `ms` (for countdowns). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "in 3 days", "in 5 hours": how long until `d`, never a date. */
export function countdown(d: Date, now = Date.now()): string {
  const s = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400 * 2) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 86400 * 365) return rtf.format(Math.round(s / 86400), 'day');
  return rtf.format(Math.round(s / (86400 * 365.25)), 'year');
}
export function relativeTime(d: Date, now = Date.now()): string {
  const s = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(s / 86400), 'day');
  return dateFmt.format(d);
}

export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge badge--${phase.toLowerCase()}`}>{phase}</span>;
}

const URL_RE = /https?:\/\/[^\s<>"]+/gi;

/**
 * Text people wrote: line breaks kept (CSS pre-wrap) and http(s) links clickable. Only
 * http and https become links, so no javascript: or data: URL is ever an href; links open
 * without giving the page a window.opener or a Referer.
 */
export function RichText({ text, className = '' }: { text: string; className?: string }) {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    // Closing punctuation after a link belongs to the sentence.
    const trail = /[.,;:!?)\]'"]+$/.exec(url);
    if (trail) url = url.slice(0, -trail[0].length);
    const at = m.index ?? 0;
    parts.push(text.slice(last, at));
    parts.push(
      <a key={at} href={url} target="_blank" rel="noopener noreferrer nofollow">
        {url}
      </a>,
    );
    last = at + url.length;
  }
  parts.push(text.slice(last));
  return <p className={`rich ${className}`.trim()}>{parts}</p>;
}
