// The UI under the server's Content-Security-Policy: every page is served with the policy
// (and the other hardening headers), and walking the main pages — upload preview (blob:
// image), thumbnails, the notification stream included — raises no violation.
import type { Page } from '@playwright/test';
import { addMember, createEvent, createGroup, createUser, uploadArtwork } from './support/api';
import { makePng } from './support/png';
import { expect, test } from './fixtures';

// Collects violations from the page's own `securitypolicyviolation` events (the init
// script is injected by the browser driver, outside the policy) and from the console.
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) fromConsole.push(msg.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return async () => {
    const fromPage = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
    return [...fromPage, ...fromConsole];
  };
}

async function visit(page: Page, path: string): Promise<void> {
  const res = await page.goto(path);
  expect(res, path).not.toBeNull();
  const headers = res!.headers();
  expect(headers['content-security-policy'], `CSP on ${path}`).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('same-origin');
  await page.waitForLoadState('networkidle').catch(() => undefined); // the stream keeps the network busy
  await expect(page.locator('#root')).not.toBeEmpty();
}

test('the UI runs under the Content-Security-Policy without violations', async ({ page, loginAs }) => {
  test.setTimeout(180_000);
  const violations = await watchCsp(page);
  const owner = await createUser('csp');
  const other = await createUser('cspb');
  const group = await createGroup(owner);
  await addMember(owner, group, other);
  const event = await createEvent(owner, group);
  const art = await uploadArtwork(other, event.id, 'Under policy', 3);

  for (const path of ['/', '/login', '/register', '/forgot-password']) await visit(page, path);
  await loginAs(page, owner);
  for (const path of ['/groups', `/groups/${group.id}`, '/profile', '/settings', '/notifications', '/matches', '/invitations', `/users/${other.username}`, `/artworks/${art.id}`]) {
    await visit(page, path);
  }
  // The event page: thumbnails, and the upload preview (a blob: image).
  await visit(page, `/events/${event.id}`);
  const card = page.getByTestId('artwork').filter({ hasText: 'Under policy' });
  await expect(card).toBeVisible();
  await expect.poll(async () => card.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await page.getByLabel('Title').fill('Preview');
  await page.getByLabel('Image').setInputFiles({ name: 'p.png', mimeType: 'image/png', buffer: makePng(64, 48, 2) });
  await expect(page.getByTestId('upload-preview')).toBeVisible();
  await page.getByRole('button', { name: 'Submit artwork' }).click();
  await expect(page.getByText('“Preview” was submitted.')).toBeVisible();

  expect(await violations(), 'CSP violations').toEqual([]);

  // The watcher itself works: an inline script is blocked, and reported.
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'document.title = "inline ran"';
    document.body.appendChild(s);
  });
  await expect.poll(async () => (await violations()).join('\n')).toContain('script-src');
  expect(await page.title()).not.toBe('inline ran');
});
