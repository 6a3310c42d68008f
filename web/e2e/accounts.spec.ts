import { anon, createUser, uniq } from './support/api';
import { linkIn, waitForMail } from './support/mail';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test.describe('accounts', () => {
  test('sign up, verify by the email link, edit the profile, log out and in', async ({ page }) => {
    const username = uniq('ann');
    const email = `${username}@example.test`;
    const password = 'correct horse battery';

    await page.goto('/register');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    await expect(page.getByText(email)).toBeVisible();

    // The unverified banner is shown until the link is opened.
    await page.getByRole('link', { name: 'Continue to Atelier' }).click();
    await expect(page.getByRole('heading', { name: 'Your groups' })).toBeVisible();
    await expect(page.getByRole('note')).toContainText('not verified');

    const mail = await waitForMail(email, '/verify-email');
    const link = linkIn(mail.text, '/verify-email');
    await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await expect(page.getByTestId('verify-ok')).toContainText('verified');
    await expect(page.getByRole('note')).toHaveCount(0);

    // Opening the same link again: single-use token.
    await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await expect(page.getByRole('alert')).toContainText(/invalid|already been used/i);

    // Profile: a bad URL is reported next to its field; a good one saves.
    await page.goto('/profile');
    await page.getByLabel('Display name').fill('Ann Artist');
    await page.getByLabel('Bio').fill('Paints foxes.\nMostly at night.');
    await page.getByLabel('Portfolio URL').fill('ftp://example.test/x');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const urlField = page.getByLabel('Portfolio URL');
    await expect(urlField).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('.field--error')).toContainText('Portfolio URL');
    await urlField.fill('https://ann.example.test');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByText('Profile saved.')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ann Artist' })).toBeVisible();

    await page.goto(`/users/${username}`);
    await expect(page.getByRole('heading', { name: 'Ann Artist' })).toBeVisible();
    await expect(page.getByText('Paints foxes.')).toBeVisible();

    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
    await page.goto('/groups');
    await expect(page).toHaveURL(/\/login\?next=%2Fgroups/);

    await page.getByLabel('Username or email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/groups$/);
    await expect(page.getByRole('heading', { name: 'Your groups' })).toBeVisible();
  });

  test('sign-up errors are shown next to their fields', async ({ page }) => {
    const taken = await createUser('taken', { verify: false });
    await page.goto('/register');
    await page.getByLabel('Username').fill(taken.username);
    await page.getByLabel('Email').fill(`${uniq('x')}@example.test`);
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('.field-error')).toContainText(/taken/i);

    // A password equal to the username is weak (422, field password).
    const name = uniq('weak');
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password').fill(name);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel('Username')).not.toHaveAttribute('aria-invalid', 'true');
  });

  test('login: wrong password, lockout (423) and rate limit (429) messages', async ({ page }) => {
    const u = await createUser('lock');
    await page.goto('/login');
    await page.getByLabel('Username or email').fill(u.username);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Password').fill(`wrong-${i}-password`);
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByTestId('login-error')).toContainText('do not match');
      await expect(page.getByRole('button', { name: 'Log in' })).toBeEnabled();
    }
    // Locked now: even the right password answers 423.
    await page.getByLabel('Password').fill(u.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toContainText('locked');
    await expect(page.getByTestId('login-error').getByRole('link', { name: 'Reset your password' })).toBeVisible();
    // The owner got a security alert with a reset link.
    await waitForMail(u.email, '/reset-password');

    // Rate limiting is off in the test server, so a 429 is simulated.
    await page.route('**/api/v1/auth/login', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '42' },
        body: JSON.stringify({ type: 'about:blank', title: 'Too Many Requests', status: 429, code: 'rate_limited', detail: 'Slow down' }),
      }),
    );
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toContainText('Try again in 42 seconds');
  });

  test('forgot and reset password through the emailed link', async ({ page }) => {
    const u = await createUser('reset');
    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    // By username: the mail goes to the account's address (issue 18).
    await page.getByLabel('Username or email').fill(u.username);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByText(/we sent a link to reset the password/)).toBeVisible();
    await expectNoAxeViolations(page, 'reset link sent');
    await screenshots(page, 'forgot-password-sent');

    const mail = await waitForMail(u.email, '/reset-password');
    const path = linkIn(mail.text, '/reset-password').replace(/^https?:\/\/[^/]+/, '');

    await page.goto(path);
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the new password').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-invalid', 'true');

    const fresh = 'a brand new passphrase';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByTestId('reset-ok')).toBeVisible();

    // The old session token was ended; the new password works.
    const me = await u.api.get('/api/v1/me');
    expect(me.status()).toBe(401);
    await page.getByRole('link', { name: 'Log in' }).last().click();
    await page.getByLabel('Username or email').fill(u.username);
    await page.getByLabel('Password').fill(fresh);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'Your groups' })).toBeVisible();

    // The link is single-use.
    await page.goto(path);
    await page.getByLabel('New password', { exact: true }).fill('another passphrase');
    await page.getByLabel('Repeat the new password').fill('another passphrase');
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByRole('alert')).toContainText(/invalid|already been used/i);
  });

  test('notification email settings and password change', async ({ page, loginAs }) => {
    const u = await createUser('settings');
    await loginAs(page, u);
    await page.goto('/settings');
    const votes = page.getByLabel('Voting results for my artworks');
    const matches = page.getByLabel('New matches');
    await expect(matches).toBeChecked(); // default on
    await expect(votes).not.toBeChecked(); // default off
    await votes.check();
    await matches.uncheck();
    await page.getByRole('button', { name: 'Save email settings' }).click();
    await expect(page.getByText('Email settings saved.')).toBeVisible();
    await page.reload();
    await expect(page.getByLabel('Voting results for my artworks')).toBeChecked();
    await expect(page.getByLabel('New matches')).not.toBeChecked();

    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('another fine password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByLabel('Current password')).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('Current password').fill(u.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Password changed.')).toBeVisible();
    const a = await anon();
    const res = await a.post('/api/v1/auth/login', { data: { login: u.username, password: 'another fine password' } });
    expect(res.status()).toBe(200);
  });
});
