// Every main page: no axe violations, no horizontal overflow at 375 px, and a
// screenshot at phone and desktop sizes (web/test-results/screenshots/).
import { addMember, advance, createEvent, createGroup, createUser, like, uploadArtwork, vote } from './support/api';
import type { Page } from '@playwright/test';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test.describe('accessibility and layout', () => {
  test('public pages', async ({ page }) => {
    for (const [path, name, heading] of [
      ['/', 'home', 'Atelier'],
      ['/login', 'login', 'Log in'],
      ['/register', 'register', 'Create your account'],
      ['/forgot-password', 'forgot-password', 'Reset your password'],
      ['/reset-password?token=x', 'reset-password', 'Choose a new password'],
    ] as const) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expectNoAxeViolations(page, path);
      await screenshots(page, name);
    }
    // A field error state must be accessible too.
    await page.goto('/login');
    await page.getByLabel('Username or email').fill('nobody');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByTestId('login-error')).toBeVisible();
    await expectNoAxeViolations(page, 'login error');
    await screenshots(page, 'login-error');
  });

  test('keyboard: skip link, visible focus, menu on a phone', async ({ page }) => {
    await page.goto('/login');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // Focus is now in the main content (the first field), outlined.
    const focused = page.locator(':focus');
    await expect(focused).toHaveAttribute('name', 'login');
    const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe('none');

    const u = await createUser('kbd');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByLabel('Username or email').fill(u.username);
    await page.getByLabel('Password').fill(u.password);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Your groups' })).toBeVisible();
    const menu = page.getByRole('button', { name: 'Menu' });
    await expect(menu).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toBeHidden();
    await menu.focus();
    await page.keyboard.press('Enter');
    await expect(menu).toHaveAttribute('aria-expanded', 'true');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  });

  async function visit(page: Page, pages: [string, string, RegExp | string][]) {
    for (const [path, name, heading] of pages) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expect(page.locator('.loading')).toHaveCount(0);
      // Wait for the images (thumbnails) so screenshots show them.
      await expect.poll(() => page.evaluate(() => [...document.images].every((i) => i.complete))).toBe(true);
      await expectNoAxeViolations(page, path);
      await screenshots(page, name);
    }
  }

  test('signed-in pages', async ({ page, loginAs }) => {
    test.setTimeout(300_000);
    const owner = await createUser('a11yowner');
    const bea = await createUser('a11ybea');
    const invitee = await createUser('a11yinv');
    const group = await createGroup(owner);
    await addMember(owner, group, bea);
    await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: invitee.username } });
    const other = await createGroup(bea);
    await bea.api.post(`/api/v1/groups/${other.id}/invitations`, { data: { username: owner.username } });

    const open = await createEvent(owner, group, { name: 'Open call' });
    await uploadArtwork(bea, open.id, 'Sketch', 10);
    const voting = await createEvent(owner, group, { name: 'Spring show' });
    await uploadArtwork(owner, voting.id, 'Morning', 11);
    const hers = await uploadArtwork(bea, voting.id, 'Evening', 12);
    await advance(owner, voting.id, 'VOTING');
    await vote(owner, hers.id);

    await loginAs(page, owner);
    await visit(page, [
      ['/groups', 'groups', 'Your groups'],
      [`/groups/${group.id}`, 'group', group.name],
      ['/invitations', 'invitations', 'Invitations'],
      [`/events/${open.id}`, 'event-open', 'Open call'],
      [`/events/${voting.id}`, 'event-voting', 'Spring show'],
      [`/artworks/${hers.id}`, 'artwork', 'Evening'],
      ['/notifications', 'notifications', 'Notifications'],
      ['/profile', 'profile', 'Your profile'],
      ['/settings', 'settings', 'Settings'],
      [`/users/${bea.username}`, 'user', bea.username],
      ['/no/such/page', 'not-found', 'Page not found'],
    ]);
    // Forms opened: new group, new event.
    await page.goto('/groups');
    await page.getByRole('button', { name: 'New group' }).click();
    await expectNoAxeViolations(page, 'new group form');
    await page.goto(`/groups/${group.id}`);
    await page.getByRole('button', { name: 'New event' }).click();
    await expectNoAxeViolations(page, 'new event form');
    await screenshots(page, 'group-new-event');
  });

  test('matching pages: likes, results, matches', async ({ page, loginAs }) => {
    test.setTimeout(300_000);
    const owner = await createUser('a11ymowner');
    const bea = await createUser('a11ymbea');
    const group = await createGroup(owner);
    await addMember(owner, group, bea);
    const matching = await createEvent(owner, group, { name: 'Summer swap' });
    const m1 = await uploadArtwork(owner, matching.id, 'Noon', 13);
    const m2 = await uploadArtwork(bea, matching.id, 'Dusk', 14);
    await advance(owner, matching.id, 'VOTING');
    await vote(bea, m1.id);
    await advance(owner, matching.id, 'MATCHING');
    await like(owner, m2.id, 1);
    await loginAs(page, owner);
    await visit(page, [[`/events/${matching.id}`, 'event-matching', 'Summer swap']]);
    await like(bea, m1.id, 1);
    await advance(owner, matching.id, 'CLOSED');
    await visit(page, [
      [`/events/${matching.id}`, 'event-closed', 'Summer swap'],
      ['/matches', 'matches', 'Your matches'],
    ]);
  });
});
