// `test` for the e2e specs: the base URL of the server started by global
// setup, a logged-in page helper, axe and screenshot helpers.
import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseURL, type TestUser } from './support/api';
import { checkResponse } from './support/contract';

const shotsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');

export const test = base.extend<{ loginAs: (page: Page, u: TestUser) => Promise<void>; contract: void }>({
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(baseURL());
  },
  // Every /api/v1 response the browser gets must match docs/openapi.yaml.
  contract: [
    async ({ context }, use, testInfo) => {
      const problems: string[] = [];
      const pending: Promise<void>[] = [];
      context.on('response', (res) => {
        const url = res.url();
        if (!url.includes('/api/v1/') || url.includes('/notifications/stream') || /\/(image|display|thumbnail)$/.test(new URL(url).pathname)) return;
        const req = res.request();
        pending.push(
          (async () => {
            let body = '';
            try {
              body = res.status() === 204 ? '' : await res.text();
            } catch {
              return; // the page navigated away before the body arrived
            }
            problems.push(...checkResponse(req.method(), url, res.status(), (await res.allHeaders())['content-type'] ?? null, body));
          })(),
        );
      });
      await use();
      await Promise.allSettled(pending);
      if (problems.length) {
        await testInfo.attach('contract-violations', { body: problems.join('\n\n'), contentType: 'text/plain' });
      }
      expect(problems, 'API responses that do not match docs/openapi.yaml').toEqual([]);
    },
    { auto: true },
  ],
  // eslint-disable-next-line no-empty-pattern
  loginAs: async ({}, use) => {
    await use(async (page, u) => {
      // Logging in through the page's own request context stores the session
      // and CSRF cookies in the browser, exactly as the login form would.
      const res = await page.request.post('/api/v1/auth/login', { data: { login: u.username, password: u.password } });
      expect(res.status(), await res.text()).toBe(200);
    });
  },
});

export { expect };

/** Runs axe (WCAG 2.1 A/AA) on the page and fails on any violation. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(' ')).join('\n  ')}`);
  expect(summary, `axe violations on ${what}`).toEqual([]);
}

/** Saves full-page screenshots at phone (375×812) and desktop (1280×800) sizes. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(shotsDir, { recursive: true });
  const original = page.viewportSize();
  for (const [w, h] of [
    [375, 812],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(100);
    // Nothing may overflow sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} overflows horizontally at ${w}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(shotsDir, `${name}-${w}x${h}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
