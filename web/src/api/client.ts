// The one place that talks HTTP to the Atelier API. Resource modules
// (auth.ts, groups.ts, …) call these helpers with paths checked against the
// generated OpenAPI types, so a path renamed in docs/openapi.yaml fails `tsc`.
import type { ApiPaths, FieldError, PageParams, Problem } from './types';

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

/** Fills `{name}` placeholders of an API path from the OpenAPI document. */
export function apiUrl<P extends keyof ApiPaths & string>(path: P, params?: PathParams, query?: Query): string {
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

export function pageQuery(p?: PageParams, extra?: Query): Query {
  return { limit: p?.limit, cursor: p?.cursor ?? undefined, ...extra };
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
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' ? (v as Partial<Problem>) : null;
  } catch {
    return null;
  }
}

export interface RequestOptions {
  /** Do not call the global 401 handler (login, /me probe). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

export async function request<T>(method: string, url: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...csrfHeaders(method) };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: 'Could not reach the server. Check your connection.' });
  }
  if (res.status === 204 || res.status === 202) return undefined as T;
  const text = await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, problemFromText(text), parseRetryAfter(res.headers.get('Retry-After')));
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw err;
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(url: string, opts?: RequestOptions) => request<T>('GET', url, undefined, opts);
export const post = <T>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', url, body, opts);
export const put = <T>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', url, body, opts);
export const patch = <T>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', url, body, opts);
export const del = <T>(url: string, opts?: RequestOptions) => request<T>('DELETE', url, undefined, opts);

/**
 * multipart/form-data POST through XMLHttpRequest, which (unlike fetch)
 * reports upload progress.
 */
export function upload<T>(url: string, form: FormData, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders('POST'))) xhr.setRequestHeader(k, v);
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
