// Test set-up through the HTTP API (bearer tokens, so no CSRF), so each UI
// journey starts from the state it needs without clicking through the others.
import { request, type APIRequestContext, type APIResponse } from '@playwright/test';
import { checkResponse } from './contract';
import { linkIn, tokenOf, waitForMail } from './mail';
import { makePng } from './png';

export const baseURL = () => {
  const u = process.env.ATELIER_URL;
  if (!u) throw new Error('ATELIER_URL is not set (global setup did not run?)');
  return u;
};

let counter = 0;
/** A username/email unique across runs and workers. */
export function uniq(prefix: string): string {
  counter += 1;
  const r = Math.random().toString(36).slice(2, 6);
  return `${prefix}_${Date.now().toString(36)}${process.env.TEST_WORKER_INDEX ?? '0'}${counter}${r}`.toLowerCase().slice(0, 32);
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  api: Api;
}

async function ok<T>(res: APIResponse, what: string): Promise<T> {
  if (!res.ok()) throw new Error(`${what}: ${res.status()} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

type Opts = Parameters<APIRequestContext['post']>[1];

/** A request context whose every response is checked against docs/openapi.yaml. */
export interface Api {
  get(url: string, opts?: Opts): Promise<APIResponse>;
  post(url: string, opts?: Opts): Promise<APIResponse>;
  put(url: string, opts?: Opts): Promise<APIResponse>;
  patch(url: string, opts?: Opts): Promise<APIResponse>;
  delete(url: string, opts?: Opts): Promise<APIResponse>;
  dispose(): Promise<void>;
}

export function checked(ctx: APIRequestContext): Api {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE') => async (url: string, opts?: Opts) => {
    const res = await ctx.fetch(url, { ...(opts ?? {}), method });
    const body = res.status() === 204 ? '' : await res.text();
    const problems = checkResponse(method, res.url(), res.status(), res.headers()['content-type'] ?? null, body);
    if (problems.length) throw new Error(`response does not match docs/openapi.yaml:\n${problems.join('\n')}`);
    return res;
  };
  return {
    get: call('GET'),
    post: call('POST'),
    put: call('PUT'),
    patch: call('PATCH'),
    delete: call('DELETE'),
    dispose: () => ctx.dispose(),
  };
}

export async function anon(): Promise<Api> {
  return checked(await request.newContext({ baseURL: baseURL() }));
}

export async function apiAs(token: string): Promise<Api> {
  return checked(await request.newContext({ baseURL: baseURL(), extraHTTPHeaders: { Authorization: `Bearer ${token}` } }));
}

/** Registers a user; verifies the email through the link in the mail unless `verify` is false. */
export async function createUser(prefix = 'user', opts: { verify?: boolean } = {}): Promise<TestUser> {
  const a = await anon();
  const username = uniq(prefix);
  const email = `${username}@example.test`;
  const password = `pw-${username}-Secret1`;
  const u = await ok<{ id: string }>(await a.post('/api/v1/auth/register', { data: { username, email, password } }), 'register');
  if (opts.verify !== false) {
    const mail = await waitForMail(email, '/verify-email');
    const token = tokenOf(linkIn(mail.text, '/verify-email'));
    await ok(await a.post('/api/v1/auth/verify-email', { data: { token } }), 'verify-email');
  }
  const login = await ok<{ token: string }>(await a.post('/api/v1/auth/login', { data: { login: username, password } }), 'login');
  await a.dispose();
  return { id: u.id, username, email, password, token: login.token, api: await apiAs(login.token) };
}

export interface Group {
  id: string;
  name: string;
}

export async function createGroup(owner: TestUser, name = uniq('Group')): Promise<Group> {
  return ok(await owner.api.post('/api/v1/groups', { data: { name, description: 'A group made by the e2e tests', purpose: 'Trading art' } }), 'create group');
}

/** Invites `user` by username and accepts as them. */
export async function addMember(owner: TestUser, group: Group, user: TestUser, role?: 'admin'): Promise<void> {
  const inv = await ok<{ id: string }>(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: user.username } }), 'invite');
  await ok(await user.api.post(`/api/v1/invitations/${inv.id}/accept`), 'accept');
  if (role) await ok(await owner.api.patch(`/api/v1/groups/${group.id}/members/${user.id}`, { data: { role } }), 'set role');
}

export interface ApiEvent {
  id: string;
  phase: string;
  name: string;
}

export async function createEvent(owner: TestUser, group: Group, body: Record<string, unknown> = {}): Promise<ApiEvent> {
  return ok(await owner.api.post(`/api/v1/groups/${group.id}/events`, { data: { name: uniq('Event'), votesPerMember: 2, ...body } }), 'create event');
}

export async function advance(owner: TestUser, eventId: string, to: string): Promise<ApiEvent> {
  return ok(await owner.api.post(`/api/v1/events/${eventId}/advance`, { data: { to } }), `advance to ${to}`);
}

export interface ApiArtwork {
  id: string;
  title: string;
  artist: { id: string; username: string } | null;
  imageUrl: string;
  displayUrl: string;
  displayWidth: number;
  displayHeight: number;
}

export async function uploadArtwork(user: TestUser, eventId: string, title: string, seed = 1, size: [number, number] = [320, 240]): Promise<ApiArtwork> {
  return ok(
    await user.api.post(`/api/v1/events/${eventId}/artworks`, {
      multipart: {
        title,
        description: `${title}, made for the tests`,
        image: { name: `${title}.png`, mimeType: 'image/png', buffer: makePng(size[0], size[1], seed) },
      },
    }),
    'upload artwork',
  );
}

export async function vote(user: TestUser, artworkId: string): Promise<void> {
  await ok(await user.api.put(`/api/v1/artworks/${artworkId}/vote`), 'vote');
}

export async function like(user: TestUser, artworkId: string, rank: number | null = null): Promise<void> {
  await ok(await user.api.put(`/api/v1/artworks/${artworkId}/like`, { data: { rank } }), 'like');
}

export { ok };
