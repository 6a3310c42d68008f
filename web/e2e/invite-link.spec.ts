// Issue 18: a newcomer following an invitation email's link is told what it is about,
// keeps the way back through sign-up, and learns that the invitation appears once the
// address is verified.
import { createGroup, createUser, ok, uniq } from './support/api';
import { linkIn, tokenOf, waitForMail } from './support/mail';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('an invitation link leads a newcomer through sign-up to the invitation', async ({ page }) => {
  const owner = await createUser('ilo');
  const group = await createGroup(owner);
  const username = uniq('newbie');
  const email = `${username}@example.test`;
  await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { email } }), 'invite');
  const mail = await waitForMail(email, '/invitations');
  await page.goto(linkIn(mail.text, '/invitations'));

  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await expect(page.getByTestId('invited-notice')).toContainText('invited to a group');
  await expectNoAxeViolations(page, 'login from an invitation');
  await screenshots(page, 'login-invited');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/register\?next=%2Finvitations/);
  await expect(page.getByTestId('invited-notice')).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(`pw-${username}-Secret1`);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByTestId('invitation-after-verify')).toContainText('once the address is verified');
  await page.getByRole('link', { name: 'Continue to Atelier' }).click();
  await expect(page).toHaveURL(/\/invitations$/);
  await expect(page.getByTestId('verify-for-invitations')).toBeVisible();

  const verify = await waitForMail(email, '/verify-email');
  await page.goto(`/verify-email?token=${encodeURIComponent(tokenOf(linkIn(verify.text, '/verify-email')))}`);
  await expect(page.getByTestId('verify-ok')).toBeVisible();
  await page.goto('/invitations');
  await expect(page.getByTestId('invitation')).toContainText(group.name);
  await expect(page.getByTestId('verify-for-invitations')).toHaveCount(0);
});
