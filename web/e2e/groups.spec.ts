import { addMember, createGroup, createUser, ok, uniq } from './support/api';
import { linkIn, waitForMail } from './support/mail';
import { expect, test } from './fixtures';

test.describe('groups and invitations', () => {
  test('create a group, invite by username, accept from /invitations with a live bell', async ({ browser, loginAs }) => {
    const owner = await createUser('owner');
    const invitee = await createUser('invitee');

    const ownerCtx = await browser.newContext();
    const ownerPage = await ownerCtx.newPage();
    await loginAs(ownerPage, owner);
    await ownerPage.goto('/groups');
    await expect(ownerPage.getByText('You are not in any group yet')).toBeVisible();
    await ownerPage.getByRole('button', { name: 'New group' }).click();
    const name = uniq('Foxes');
    await ownerPage.getByLabel('Name').fill(name);
    await ownerPage.getByLabel('Description').fill('We draw foxes.');
    await ownerPage.getByRole('button', { name: 'Create group' }).click();
    await expect(ownerPage.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(ownerPage.getByTestId(`member-${owner.username}`)).toContainText('owner');

    // The invitee has the app open; the bell must update live.
    const inviteeCtx = await browser.newContext();
    const inviteePage = await inviteeCtx.newPage();
    await loginAs(inviteePage, invitee);
    await inviteePage.goto('/groups');
    await expect(inviteePage.getByTestId('bell')).toHaveAccessibleName('Notifications, none unread');

    await ownerPage.getByLabel('Username to invite').fill(invitee.username);
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await expect(ownerPage.getByText(/Invitation sent to/)).toBeVisible();
    await expect(ownerPage.getByRole('list', { name: 'Group invitations' })).toContainText('pending');

    // Same person again → already_invited, shown at the field.
    await ownerPage.getByLabel('Username to invite').fill(invitee.username);
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await expect(ownerPage.getByLabel('Username to invite')).toHaveAttribute('aria-invalid', 'true');
    await expect(ownerPage.locator('.field-error')).toContainText(/pending invitation/);

    // Unknown username → 404, at the field.
    await ownerPage.getByLabel('Username to invite').fill(uniq('nobody'));
    await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
    await expect(ownerPage.locator('.field-error')).toContainText('No user with that username');

    await expect(inviteePage.getByTestId('unread-count')).toHaveText('1', { timeout: 25_000 });
    await inviteePage.getByRole('link', { name: /^Invitations/ }).click();
    const card = inviteePage.getByTestId('invitation').filter({ hasText: name });
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: /^Accept/ }).click();
    await expect(inviteePage.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(inviteePage.getByTestId(`member-${invitee.username}`)).toContainText('(you)');

    // Owner: promote to admin, then demote, then remove.
    await ownerPage.reload();
    const row = ownerPage.getByTestId(`member-${invitee.username}`);
    await row.getByRole('combobox').selectOption('admin');
    await expect(ownerPage.getByRole('status').filter({ hasText: 'is now admin' })).toHaveCount(1);
    await ownerPage.reload();
    await expect(ownerPage.getByTestId(`member-${invitee.username}`).getByRole('combobox')).toHaveValue('admin');
    ownerPage.once('dialog', (d) => void d.accept());
    await ownerPage.getByTestId(`member-${invitee.username}`).getByRole('button', { name: /^Remove/ }).click();
    await expect(ownerPage.getByTestId(`member-${invitee.username}`)).toHaveCount(0);

    // The removed member no longer sees the group.
    await inviteePage.reload();
    await expect(inviteePage.getByRole('alert')).toContainText(/Not found/);

    await ownerCtx.close();
    await inviteeCtx.close();
  });

  test('invite by email, decline, leave a group; the owner cannot leave', async ({ page, loginAs }) => {
    const owner = await createUser('owner2');
    const guest = await createUser('guest');
    const group = await createGroup(owner);

    await loginAs(page, owner);
    await page.goto(`/groups/${group.id}`);
    await page.getByRole('radio', { name: 'Email' }).check();
    await page.getByLabel('Email to invite').fill(guest.email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect(page.getByText(/Invitation sent to/)).toBeVisible();

    // The owner's own row offers no "Leave".
    await expect(page.getByTestId(`member-${owner.username}`).getByRole('button')).toHaveCount(0);

    // The guest follows the emailed link while logged out: log in, then /invitations.
    await page.context().clearCookies();
    const mail = await waitForMail(guest.email, '/invitations');
    await page.goto(linkIn(mail.text, '/invitations').replace(/^https?:\/\/[^/]+/, ''));
    await expect(page).toHaveURL(/\/login\?next=%2Finvitations/);
    await page.getByLabel('Username or email').fill(guest.email);
    await page.getByLabel('Password').fill(guest.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    // The link carries the invitation's preview token (invite-link.spec.ts).
    await expect(page).toHaveURL(/\/invitations\?preview=[\w-]+$/);
    // The guest declines.
    const card = page.getByTestId('invitation').filter({ hasText: group.name });
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: /^Decline/ }).click();
    await expect(page.getByText(`Declined the invitation to ${group.name}.`)).toBeVisible();
    await expect(page.getByText('No pending invitations.')).toBeVisible();

    // A second invitation is accepted by API; then the guest leaves by the UI.
    const inv = await ok<{ id: string }>(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: guest.username } }), 'invite');
    await ok(await guest.api.post(`/api/v1/invitations/${inv.id}/accept`), 'accept');
    await page.goto(`/groups/${group.id}`);
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId(`member-${guest.username}`).getByRole('button', { name: 'Leave group' }).click();
    await expect(page).toHaveURL(/\/groups$/);
    await expect(page.getByText('You are not in any group yet')).toBeVisible();
  });

  test('an unverified user cannot create a group and is told why', async ({ page, loginAs }) => {
    const u = await createUser('unverified', { verify: false });
    await loginAs(page, u);
    await page.goto('/groups');
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByLabel('Name').fill(uniq('Nope'));
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.getByRole('alert')).toContainText('verify your email');
  });

  test('a plain member sees no admin controls', async ({ page, loginAs }) => {
    const owner = await createUser('owner3');
    const member = await createUser('member3');
    const group = await createGroup(owner);
    await addMember(owner, group, member);
    await loginAs(page, member);
    await page.goto(`/groups/${group.id}`);
    await expect(page.getByRole('heading', { level: 1, name: group.name })).toBeVisible();
    await expect(page.getByRole('button', { name: 'New event' })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Invite' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  });
  test('an invitation by email reaches someone who signs up later', async ({ page }) => {
    const owner = await createUser('owner4');
    const group = await createGroup(owner);
    const username = uniq('newbie');
    const email = `${username}@example.test`;
    await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { email } }), 'invite by email');
    // Always emailed, with the link to /invitations.
    await waitForMail(email, '/invitations');

    await page.goto('/register');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a good long password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    const mail = await waitForMail(email, '/verify-email');
    await page.goto(linkIn(mail.text, '/verify-email').replace(/^https?:\/\/[^/]+/, ''));
    await expect(page.getByTestId('verify-ok')).toBeVisible();

    await page.goto('/invitations');
    const card = page.getByTestId('invitation').filter({ hasText: group.name });
    await card.getByRole('button', { name: /^Accept/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: group.name })).toBeVisible();
  });
});
