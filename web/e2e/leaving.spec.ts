// Issue 18, leaving cleanly: handing a group over, deleting one's account, and the
// one-click unsubscribe page an email links to.
import { addMember, createGroup, createUser, ok } from './support/api';
import { linkIn, waitForMail } from './support/mail';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('the owner hands the group over after confirming', async ({ page, loginAs }) => {
  const owner = await createUser('tro');
  const member = await createUser('trm');
  const group = await createGroup(owner);
  await addMember(owner, group, member);
  await loginAs(page, owner);
  await page.goto(`/groups/${group.id}`);
  const row = page.getByTestId(`member-${member.username}`);
  await row.getByRole('button', { name: /Make owner/ }).click();
  const dialog = page.getByRole('dialog', { name: /the owner of/ });
  await expect(dialog).toContainText('You become an admin');
  await expectNoAxeViolations(page, 'transfer confirmation');
  await screenshots(page, 'transfer-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect((await ok<{ myRole: string }>(await owner.api.get(`/api/v1/groups/${group.id}`), 'group')).myRole).toBe('owner');

  await row.getByRole('button', { name: /Make owner/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Transfer ownership' }).click();
  await expect(page.getByTestId('members-status')).toContainText('is now the owner');
  await expect(row.getByText('owner')).toBeVisible();
  expect((await ok<{ myRole: string }>(await owner.api.get(`/api/v1/groups/${group.id}`), 'group')).myRole).toBe('admin');
  expect((await ok<{ myRole: string }>(await member.api.get(`/api/v1/groups/${group.id}`), 'group')).myRole).toBe('owner');
  // No longer the owner: no more "Make owner" buttons.
  await expect(page.getByRole('button', { name: /Make owner/ })).toHaveCount(0);
});

test('deleting the account asks for the password and a confirmation', async ({ page, loginAs }) => {
  const u = await createUser('del');
  await loginAs(page, u);
  await page.goto('/profile');
  await expect(page.getByTestId('export-link')).toHaveAttribute('href', '/api/v1/me/export');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-link').click()]);
  expect(download.suggestedFilename()).toBe(`atelier-${u.username}.zip`);
  const bytes = await (await import('node:fs/promises')).readFile((await download.path())!);
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  await page.getByLabel('Password to confirm').fill('not the password');
  await page.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account for good?' });
  await expect(dialog).toContainText('cannot be undone');
  await expectNoAxeViolations(page, 'delete account confirmation');
  await screenshots(page, 'delete-account-confirm');
  await dialog.getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByRole('alert')).toContainText(/password/i);
  expect((await u.api.get('/api/v1/me')).status()).toBe(200);

  await page.getByLabel('Password to confirm').fill(u.password);
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByTestId('deleted-notice')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  expect((await u.api.get('/api/v1/me')).status()).toBe(401);
});

test('an owner must hand the group over before deleting the account', async ({ page, loginAs }) => {
  const u = await createUser('delo');
  await createGroup(u);
  await loginAs(page, u);
  await page.goto('/profile');
  await page.getByLabel('Password to confirm').fill(u.password);
  await page.getByRole('button', { name: 'Delete account' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete my account' }).click();
  await expect(page.getByRole('alert')).toContainText('Hand it over');
  expect((await u.api.get('/api/v1/me')).status()).toBe(200);
});

test('the unsubscribe link in a notification email confirms, then turns that email off', async ({ page }) => {
  const owner = await createUser('uso');
  const invitee = await createUser('usi');
  const group = await createGroup(owner);
  await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: invitee.username } }), 'invite');
  const mail = await waitForMail(invitee.email, '/unsubscribe?token=');
  expect(mail.headers['list-unsubscribe']).toMatch(/^<.*\/api\/v1\/unsubscribe\?token=/);
  expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  const path = linkIn(mail.text, '/unsubscribe').replace(/^https?:\/\/[^/]+/, '');

  // Not logged in: the page asks first.
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Unsubscribe' })).toBeVisible();
  await expect(page.getByText('Stop emails about invitations to groups?')).toBeVisible();
  await expectNoAxeViolations(page, 'unsubscribe');
  await screenshots(page, 'unsubscribe');
  expect((await ok<{ email: Record<string, boolean> }>(await invitee.api.get('/api/v1/me/notification-settings'), 'settings')).email.GROUP_INVITATION).toBe(true);
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByTestId('unsubscribed')).toContainText('invitations to groups');
  expect((await ok<{ email: Record<string, boolean> }>(await invitee.api.get('/api/v1/me/notification-settings'), 'settings')).email.GROUP_INVITATION).toBe(false);

  // An altered link is refused, visibly.
  await page.goto(path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
  await page.getByRole('button', { name: 'Unsubscribe' }).click();
  await expect(page.getByRole('alert')).toContainText(/invalid|not valid/i);
});
