// The one place that talks HTTP to the Atelier API. Resource modules (auth.ts,
// groups.ts, …) call `api` (openapi-fetch) with the types generated from
// docs/openapi.yaml, so a path, parameter or body that the document does not have
// fails `tsc`; `call()` turns the answer into data or an ApiError.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';
import type { FieldError, PageParams, Problem } from './types';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An API failure: the problem+json body made usable by the UI. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  /** field name → message, from a 422's `errors[]`. */
  readonly fields: Record<string, string>;
  readonly fieldCodes: Record<string, string>;
  /** Seconds, from a Retry-After header (429, 423). */
  readonly retryAfter: number | null;
  /** When an `account_locked` lock ends: the RFC 3339 time its `detail` names, else null. */
  readonly lockedUntil: Date | null;

  constructor(status: number, problem: Partial<Problem> | null, retryAfter: number | null = null) {
    const code = problem?.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    const title = problem?.title ?? (status === 0 ? 'Network error' : `Request failed (${status})`);
    super(problem?.detail || title);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = problem?.detail;
    this.retryAfter = retryAfter;
    const until = code === 'account_locked' ? /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/.exec(problem?.detail ?? '') : null;
    this.lockedUntil = until ? new Date(until[0]) : null;
    this.fields = {};
    this.fieldCodes = {};
    for (const e of (problem?.errors ?? []) as FieldError[]) {
      if (!(e.field in this.fields)) {
        this.fields[e.field] = e.message || e.code;
        this.fieldCodes[e.field] = e.code;
      }
    }
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Value of a cookie readable by scripts (`atelier_csrf`). */
export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

export function csrfHeaders(method: string): Record<string, string> {
  if (!UNSAFE.has(method.toUpperCase())) return {};
  const token = readCookie('atelier_csrf');
  return token ? { 'X-CSRF-Token': token } : {};
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized | null = null;
/** Called when an authenticated request answers 401 (the session ended). */
export function setUnauthorizedHandler(fn: Unauthorized | null): void {
  onUnauthorized = fn;
}

type PathParams = Record<string, string>;
type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * Fills `{name}` placeholders of an API path from the OpenAPI document, for the URLs that
 * do not go through `api` (EventSource, the upload's XMLHttpRequest).
 */
export function apiUrl<P extends keyof paths & string>(path: P, params?: PathParams, query?: Query): string {
  let url: string = path.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params?.[k];
    if (v === undefined) throw new Error(`missing path parameter ${k} for ${path}`);
    return encodeURIComponent(v);
  });
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
    }
    const s = q.toString();
    if (s) url += `?${s}`;
  }
  return url;
}

/** `?limit=&cursor=` of a list, without the empty ones. */
export function pageQuery(p?: PageParams): { limit?: number; cursor?: string } {
  return { limit: p?.limit, cursor: p?.cursor || undefined };
}

function parseRetryAfter(h: string | null): number | null {
  if (!h) return null;
  const n = Number(h);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const t = Date.parse(h);
  return Number.isNaN(t) ? null : Math.max(0, Math.round((t - Date.now()) / 1000));
}

function problemFromText(text: string): Partial<Problem> | null {
  try {
    return asProblem(JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

function asProblem(v: unknown): Partial<Problem> | null {
  return v && typeof v === 'object' ? (v as Partial<Problem>) : null;
}

/** Adds `X-CSRF-Token` to state-changing requests (cookie auth needs it; bearer ignores it). */
const csrf: Middleware = {
  onRequest({ request }) {
    for (const [k, v] of Object.entries(csrfHeaders(request.method))) request.headers.set(k, v);
  },
};

/**
 * The typed client of the API (openapi-fetch over the paths generated from
 * docs/openapi.yaml): paths, parameters, bodies and answers are checked by `tsc`.
 * Resource modules wrap each call in `call()`.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin', headers: { Accept: 'application/json' } });
api.use(csrf);

export interface RequestOptions {
  /** Do not call the global 401 handler (login, /me probe). */
  quiet401?: boolean;
}

/**
 * The answer's data, or an ApiError: problem+json made usable, status 0 when the server
 * could not be reached. A 401 also calls the handler of `setUnauthorizedHandler`.
 */
export async function call<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>, opts: RequestOptions = {}): Promise<T> {
  let res: Awaited<typeof pending>;
  try {
    res = await pending;
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // an AbortError, or a body that is not JSON
    throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the server. Check your connection.' });
  }
  const { data, error, response } = res;
  if (response.ok) return data as T;
  const err = new ApiError(response.status, asProblem(error), parseRetryAfter(response.headers.get('Retry-After')));
  if (response.status === 401 && !opts.quiet401) onUnauthorized?.();
  throw err;
}

/**
 * multipart/form-data POST (or PUT) through XMLHttpRequest, which (unlike fetch)
 * reports upload progress.
 */
export function upload<T>(
  url: string,
  form: FormData,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
  method: 'POST' | 'PUT' = 'POST',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders(method))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.total ? e.loaded / e.total : 0);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          reject(new ApiError(xhr.status, { title: 'Bad response from the server' }));
        }
        return;
      }
      if (xhr.status === 401) onUnauthorized?.();
      reject(new ApiError(xhr.status, problemFromText(xhr.responseText), parseRetryAfter(xhr.getResponseHeader('Retry-After'))));
    };
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'The upload failed. Check your connection.' }));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

/** Fetches every page of a collection (for small lists such as members). */
export async function allPages<T>(fetchPage: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>, max = 20): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < max; i++) {
    const page = await fetchPage(cursor);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}
