// API behaviour the UI relies on, checked directly; every response here is
// also validated against docs/openapi.yaml by the `checked` wrapper.
import { request } from '@playwright/test';
import { addMember, anon, baseURL, createEvent, createGroup, createUser, ok, uploadArtwork } from './support/api';
import { expect, test } from './fixtures';

test('probes, errors, lists and images match the contract', async () => {
  const a = await anon();
  expect((await a.get('/healthz')).status()).toBe(200);
  expect((await a.get('/readyz')).status()).toBe(200);
  const metrics = await a.get('/metrics');
  expect(metrics.status()).toBe(200);
  expect(metrics.headers()['content-type']).toContain('text/plain');

  // Unknown API path: 404 problem, also unauthenticated.
  const nf = await a.get('/api/v1/no-such-thing');
  expect(nf.status()).toBe(404);
  expect(nf.headers()['content-type']).toContain('application/problem+json');
  expect((await nf.json()).code).toBe('not_found');
  // UI routes answer index.html.
  const ui = await a.get('/groups/123');
  expect(ui.status()).toBe(200);
  expect(ui.headers()['content-type']).toContain('text/html');

  const u = await createUser('contract');
  const bea = await createUser('cbea');
  const group = await createGroup(u);
  await addMember(u, group, bea);
  expect((await u.api.get('/api/v1/groups?limit=0')).status()).toBe(400);
  expect((await u.api.get('/api/v1/groups?limit=abc')).status()).toBe(400);
  expect((await u.api.get('/api/v1/groups?cursor=not-a-cursor')).status()).toBe(400);
  const page1 = await ok<{ items: unknown[]; nextCursor: string | null }>(await u.api.get(`/api/v1/groups/${group.id}/members?limit=1`), 'members');
  expect(page1.items).toHaveLength(1);
  expect(page1.nextCursor).not.toBeNull();
  const page2 = await ok<{ items: unknown[]; nextCursor: string | null }>(
    await u.api.get(`/api/v1/groups/${group.id}/members?limit=1&cursor=${encodeURIComponent(page1.nextCursor!)}`),
    'members 2',
  );
  expect(page2.items).toHaveLength(1);

  // 422 carries errors[] with field names.
  const bad = await u.api.post('/api/v1/groups', { data: { name: 'x' } });
  expect(bad.status()).toBe(422);
  const problem = await bad.json();
  expect(problem.errors.map((e: { field: string }) => e.field)).toContain('name');

  // Cookie auth without the CSRF header is refused; with it, accepted.
  const browserLike = await request.newContext({ baseURL: baseURL() });
  expect((await browserLike.post('/api/v1/auth/login', { data: { login: u.username, password: u.password } })).status()).toBe(200);
  const state = await browserLike.storageState();
  const csrf = state.cookies.find((c) => c.name === 'atelier_csrf')?.value;
  expect(csrf).toBeTruthy();
  expect(state.cookies.find((c) => c.name === 'atelier_session')?.httpOnly).toBe(true);
  const noHeader = await browserLike.post('/api/v1/notifications/read-all');
  expect(noHeader.status()).toBe(403);
  expect((await noHeader.json()).code).toBe('csrf_failed');
  expect((await browserLike.post('/api/v1/notifications/read-all', { headers: { 'X-CSRF-Token': csrf! } })).status()).toBe(204);

  // Images: right type, ETag, 304; the cookie works.
  const ev = await createEvent(u, group);
  const art = await uploadArtwork(u, ev.id, 'Etag test', 8);
  const img = await browserLike.get(`/api/v1/artworks/${art.id}/thumbnail`);
  expect(img.status()).toBe(200);
  expect(img.headers()['content-type']).toMatch(/^image\/(png|jpeg|webp|gif)/);
  const etag = img.headers().etag;
  expect(etag).toBeTruthy();
  expect((await browserLike.get(`/api/v1/artworks/${art.id}/thumbnail`, { headers: { 'If-None-Match': etag } })).status()).toBe(304);
  const full = await browserLike.get(`/api/v1/artworks/${art.id}/image`);
  expect(full.status()).toBe(200);
  expect(full.headers()['cache-control']).toBeTruthy();
  await browserLike.dispose();

  // Likes list and artwork edit are documented shapes.
  await ok(await u.api.get(`/api/v1/events/${ev.id}/likes`), 'likes');
  await ok(await u.api.patch(`/api/v1/artworks/${art.id}`, { data: { title: 'Edited' } }), 'edit artwork');
  await ok(await u.api.patch(`/api/v1/events/${ev.id}`, { data: { description: 'Now with a description' } }), 'edit event');
  await ok(await u.api.get(`/api/v1/users/${bea.username}`), 'user');
  await ok(await u.api.get('/api/v1/me/notification-settings'), 'settings');
});
