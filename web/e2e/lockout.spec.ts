// Issue 18: the lockout message says more than "Try again later": what the lock means,
// until when (from Retry-After when the server sends it) and the way in now.
import { createUser } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('a locked account is explained, with the end of the lock when known', async ({ page }) => {
  const u = await createUser('lkm');
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(u.username);
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Password').fill(`wrong-${i}-password`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toContainText('do not match');
  }
  await page.getByLabel('Password').fill(u.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  const err = page.getByTestId('login-error');
  await expect(err).toContainText('locked');
  await expect(err).toContainText('even the right password is refused');
  await expect(err).toContainText('reset your password');
  await expect(err).not.toContainText('Try again later');
  // The server's lockedUntil, shown in the viewer's time zone (a clock time, not RFC 3339).
  await expect(err).toContainText(/The lock ends at [^(]*\d{1,2}:\d{2}/);
  await expect(err).not.toContainText(/\d{4}-\d{2}-\d{2}T/);
  await expectNoAxeViolations(page, 'lockout');
  await screenshots(page, 'lockout');

  // With Retry-After, the message says until when.
  await page.route('**/api/v1/auth/login', (route) =>
    route.fulfill({
      status: 423,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '600' },
      body: JSON.stringify({ type: 'about:blank', title: 'Locked', status: 423, code: 'account_locked', detail: 'Too many failed logins; the account is locked for now' }),
    }),
  );
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(err).toContainText('in about 10 minutes');
  await expect(err).toContainText(/The lock ends at \d{1,2}:\d{2}/);
});
