import { addMember, advance, createEvent, createGroup, createUser, ok } from './support/api';
import { expect, test } from './fixtures';

test.describe('notifications', () => {
  test('the bell counts live; the list marks one read and all read', async ({ page, loginAs }) => {
    const owner = await createUser('nowner');
    const member = await createUser('nmember');
    const group = await createGroup(owner);
    await addMember(owner, group, member);

    await loginAs(page, member);
    await page.goto('/groups');
    const bell = page.getByTestId('bell');
    await expect(bell).toBeVisible();
    // Start from zero.
    await ok(await member.api.post('/api/v1/notifications/read-all'), 'read-all');
    await page.reload();
    await expect(bell).toHaveAccessibleName('Notifications, none unread');

    // Creating an event sends every member one EVENT_STATUS_UPDATE; advancing another.
    const ev = await createEvent(owner, group);
    await expect(page.getByTestId('unread-count')).toHaveText('1', { timeout: 25_000 });
    await advance(owner, ev.id, 'VOTING');
    await expect(page.getByTestId('unread-count')).toHaveText('2', { timeout: 25_000 });
    await expect(bell).toHaveAccessibleName('Notifications, 2 unread');

    await bell.click();
    await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
    const items = page.getByTestId('notification');
    const unread = page.locator('[data-testid="notification"].notification--unread');
    // The invitation (read) and the two event updates (unread), newest first.
    await expect(items).toHaveCount(3);
    await expect(unread).toHaveCount(2);
    await expect(items.last()).toContainText(group.name);
    // A new one arrives live while the list is open, at the top.
    await advance(owner, ev.id, 'MATCHING');
    await expect(items).toHaveCount(4, { timeout: 25_000 });
    await expect(unread).toHaveCount(3);
    await expect(page.getByTestId('unread-count')).toHaveText('3');

    await items.first().getByRole('button', { name: /^Mark read/ }).click();
    await expect(unread).toHaveCount(2);
    await expect(page.getByTestId('unread-count')).toHaveText('2');
    await page.getByLabel('Show only unread').check();
    await expect(items).toHaveCount(2);
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await expect(page.getByTestId('unread-count')).toHaveCount(0);
    await page.reload();
    await expect(page.getByText('No unread notifications.')).toBeVisible();

    // Following a notification leads to its event.
    await page.getByLabel('Show only unread').uncheck();
    await items.first().getByRole('link').click();
    await expect(page).toHaveURL(new RegExp(`/events/${ev.id}$`));
  });
});
