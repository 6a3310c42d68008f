// Issue 18: a newcomer following an invitation email's link sees, before logging in, what
// they are invited to (the link carries a preview token), keeps the way back through
// sign-up with the invited address filled in, and finds the invitation once the address is
// verified. Ended invitations and broken links are explained, with a way forward.
import type { Page } from '@playwright/test';
import { createGroup, createUser, ok, uniq } from './support/api';
import { linkIn, tokenOf, waitForMail } from './support/mail';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

// The expiry is shown in the viewer's time zone, with the zone named.
test.use({ timezoneId: 'Asia/Tokyo' });

/** The preview shows the group and the inviter at both screen sizes, and passes axe at both. */
async function expectPreviewAtBothSizes(page: Page, groupName: string, inviter: string, what: string): Promise<void> {
  for (const size of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    await page.setViewportSize(size);
    const preview = page.getByTestId('invitation-preview');
    await expect(preview).toBeVisible();
    await expect(preview).toContainText(groupName);
    await expect(preview).toContainText(`@${inviter}`);
    await expectNoAxeViolations(page, `${what} at ${size.width}px`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('an invitation link shows the invitation before login and leads a newcomer through sign-up to it', async ({ page }) => {
  const owner = await createUser('ilo');
  const group = await createGroup(owner);
  const username = uniq('newbie');
  const email = `${username}@example.test`;
  const inv = await ok<{ expiresAt: string }>(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { email } }), 'invite');
  const mail = await waitForMail(email, '/invitations?preview=');
  await page.goto(linkIn(mail.text, '/invitations'));

  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  const preview = page.getByTestId('invitation-preview');
  await expect(preview).toHaveAttribute('data-status', 'pending');
  await expect(preview).toContainText(`invited you to join ${group.name}`);
  await expect(preview).toContainText('A group made by the e2e tests');
  await expect(preview).toContainText(email);
  const expiry = preview.locator('time');
  await expect(expiry).toHaveAttribute('datetime', inv.expiresAt);
  await expect(expiry).toContainText('GMT+9');
  await expectPreviewAtBothSizes(page, group.name, owner.username, 'login from an invitation');
  await screenshots(page, 'login-invited');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/register\?next=%2Finvitations%3Fpreview%3D/);
  await expectPreviewAtBothSizes(page, group.name, owner.username, 'sign-up from an invitation');
  await screenshots(page, 'register-invited');
  await expect(page.getByLabel('Email')).toHaveValue(email);
  await expect(page.getByTestId('invitation-preview-next')).toContainText(`Sign up with ${email}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(`pw-${username}-Secret1`);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByTestId('invitation-after-verify')).toContainText(`The invitation to ${group.name}`);
  await expect(page.getByTestId('invitation-other-address')).toHaveCount(0);
  await page.getByRole('link', { name: 'Continue to Atelier' }).click();
  await expect(page).toHaveURL(/\/invitations\?preview=/);
  await expect(page.getByTestId('verify-for-invitations')).toBeVisible();

  const verify = await waitForMail(email, '/verify-email');
  await page.goto(`/verify-email?token=${encodeURIComponent(tokenOf(linkIn(verify.text, '/verify-email')))}`);
  await expect(page.getByTestId('verify-ok')).toBeVisible();
  await page.goto(linkIn(mail.text, '/invitations'));
  await expect(page.getByTestId('invitation')).toContainText(group.name);
  await expect(page.getByTestId('verify-for-invitations')).toHaveCount(0);
  await expect(page.getByTestId('invitation-preview')).toHaveCount(0);
  await page.getByRole('button', { name: `Accept invitation to ${group.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/groups/${group.id}$`));

  // The same link, once used, says so.
  await page.goto(linkIn(mail.text, '/invitations'));
  await expect(page.getByTestId('invitation-preview')).toHaveAttribute('data-status', 'accepted');
});

test('an invitation by username links to a login that names the account to use', async ({ page }) => {
  const owner = await createUser('ilu');
  const bob = await createUser('bob');
  const group = await createGroup(owner);
  await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: bob.username } }), 'invite');
  const mail = await waitForMail(bob.email, '/invitations?preview=');
  await page.goto(linkIn(mail.text, '/invitations'));
  await expect(page.getByTestId('invitation-preview')).toContainText(group.name);
  await expect(page.getByTestId('invitation-preview-next')).toContainText(`Log in as @${bob.username}`);
  await page.getByLabel('Username or email').fill(bob.username);
  await page.getByLabel('Password').fill(bob.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/invitations\?preview=/);
  await expect(page.getByTestId('invitation')).toContainText(group.name);
});

test('someone logged in with another account is told whom the link is for', async ({ page, loginAs }) => {
  const owner = await createUser('ile');
  const bob = await createUser('bob');
  const other = await createUser('other');
  const group = await createGroup(owner);
  await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: bob.username } }), 'invite');
  const link = linkIn((await waitForMail(bob.email, '/invitations?preview=')).text, '/invitations');
  await loginAs(page, other);
  await page.goto(link);
  await expect(page.getByTestId('invitation-elsewhere')).toContainText(`sent to @${bob.username}, not to this account (@${other.username}`);
  await expect(page.getByText('No pending invitations.')).toBeVisible();
  await expectNoAxeViolations(page, 'invitations from another account\'s link');
});

test('a revoked invitation and a broken link are explained before login', async ({ page }) => {
  const owner = await createUser('ilr');
  const group = await createGroup(owner);
  const email = `${uniq('late')}@example.test`;
  const inv = await ok<{ id: string }>(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { email } }), 'invite');
  await ok(await owner.api.delete(`/api/v1/invitations/${inv.id}`), 'revoke');
  const link = linkIn((await waitForMail(email, '/invitations?preview=')).text, '/invitations');

  await page.goto(link);
  const preview = page.getByTestId('invitation-preview');
  await expect(preview).toHaveAttribute('data-status', 'revoked');
  await expect(preview).toContainText(`join ${group.name} was withdrawn`);
  await expect(page.getByTestId('invitation-preview-next')).toContainText(`ask ${owner.username} for a new invitation`);
  await expectNoAxeViolations(page, 'login from a revoked invitation');
  await screenshots(page, 'login-invitation-revoked');

  // One character changed: the server refuses it, the page says what to do.
  const token = new URL(link).searchParams.get('preview') ?? '';
  const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
  await page.goto(`/invitations?preview=${altered}`);
  await expect(page.getByTestId('invitation-preview-invalid')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Create an account' })).toBeVisible();
  await expectNoAxeViolations(page, 'login from a broken invitation link');
});
