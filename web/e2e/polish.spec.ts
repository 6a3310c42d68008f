// Issue 18, the smaller findings: a session that ends mid-form keeps the text, a long
// display name does not break the header, form errors take focus, the notifications page
// is full width and "Mark read" moves nothing, role changes are confirmed visibly, and a
// page that does not exist offers a way back instead of "Try again".
import { request } from '@playwright/test';
import { addMember, baseURL, createEvent, createGroup, createUser, ok } from './support/api';
import { makePng } from './support/png';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('a session that ends mid-form keeps what was typed', async ({ page, loginAs }) => {
  const owner = await createUser('pso');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await page.getByLabel('Title').fill('Kept title');
  await page.getByLabel('Description (optional)').fill('Two\nlines');
  await page.getByLabel('Image').setInputFiles({ name: 'k.png', mimeType: 'image/png', buffer: makePng(64, 48, 1) });
  // The session ends elsewhere (logged out with its own token).
  const session = (await page.context().cookies()).find((c) => c.name === 'atelier_session')!.value;
  const other = await request.newContext({ baseURL: baseURL(), extraHTTPHeaders: { Authorization: `Bearer ${session}` } });
  expect((await other.post('/api/v1/auth/logout')).status()).toBe(204);
  await other.dispose();

  await page.getByRole('button', { name: 'Submit artwork' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
  await page.getByLabel('Username or email').fill(owner.username);
  await page.getByLabel('Password').fill(owner.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(new RegExp(`/events/${ev.id}$`));
  await expect(page.getByTestId('draft-restored')).toBeVisible();
  // The picked image cannot come back; the notice names it so it is chosen again.
  await expect(page.getByTestId('draft-restored')).toContainText('Files cannot be kept: choose “k.png” again.');
  await expect(page.getByLabel('Title')).toHaveValue('Kept title');
  await expect(page.getByLabel('Description (optional)')).toHaveValue('Two\nlines');
  await expectNoAxeViolations(page, 'restored draft');
  await screenshots(page, 'draft-restored');
});

test('long display name, focus on form errors, notifications layout, role confirmation, not found', async ({ page, loginAs }) => {
  const owner = await createUser('psl');
  const bea = await createUser('psm');
  await ok(await owner.api.patch('/api/v1/me', { data: { displayName: 'Maximiliana Wolkenkratzerbaumeisterin von Oberammergau-Partenki' } }), 'name');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  await loginAs(page, owner);

  // The header stays one row on a desktop and does not overflow on a phone.
  await page.goto('/groups');
  const header = page.locator('.site-header');
  expect((await header.boundingBox())!.height).toBeLessThan(90);
  await screenshots(page, 'long-display-name');

  // A failed submit moves focus to the first highlighted field.
  await page.getByRole('button', { name: 'New group' }).click();
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Name', { exact: true })).toBeFocused();
  await screenshots(page, 'form-error-focus');

  // Role changes are confirmed where one can see it.
  await page.goto(`/groups/${group.id}`);
  await page.getByLabel(`Role of ${bea.username}`).selectOption('admin');
  await expect(page.getByTestId('members-status')).toContainText(`${bea.username} is now admin.`);
  await expect(page.getByTestId('members-status').locator('.alert')).toBeVisible();
  // On a phone the member's buttons wrap as whole words ("Remove" never as "Remo-ve").
  await page.setViewportSize({ width: 375, height: 812 });
  for (const b of await page.getByTestId(`member-${bea.username}`).getByRole('button').all()) {
    expect((await b.boundingBox())!.height, `${await b.textContent()} wraps`).toBeLessThan(48);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshots(page, 'role-changed');

  // Notifications: full width, and marking one read moves nothing.
  await page.goto(`/events/${(await createEvent(owner, group)).id}`);
  await page.goto('/notifications');
  const item = page.getByTestId('notification').first();
  await expect(item).toBeVisible();
  const listWidth = (await page.locator('ul.notifications').boundingBox())!.width;
  expect(listWidth).toBeGreaterThan(900);
  const before = (await item.locator('a, span').first().boundingBox())!;
  await item.getByRole('button', { name: /^Mark read/ }).click();
  await expect(item.getByText('Read', { exact: true })).toBeVisible();
  const after = (await item.locator('a, span').first().boundingBox())!;
  expect(Math.abs(after.width - before.width)).toBeLessThan(1);
  // On a phone the slot wraps to its own row, and "Read" starts where the text does.
  await page.setViewportSize({ width: 375, height: 812 });
  const textLeft = (await item.locator('> div').first().boundingBox())!.x;
  expect(Math.abs((await item.getByText('Read', { exact: true }).boundingBox())!.x - textLeft)).toBeLessThan(8);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expectNoAxeViolations(page, 'notifications');
  await screenshots(page, 'notifications-read');

  // Not found: a way back, no "Try again".
  await page.goto('/events/999999999');
  await expect(page.getByRole('alert')).toContainText('Not found');
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  // The page says what it is, as its heading (axe: page-has-heading-one).
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await expectNoAxeViolations(page, 'not found');
  await screenshots(page, 'not-found');
  await page.goto('/artworks/999999999');
  await expect(page.getByRole('heading', { level: 1, name: 'Not found' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Back to the start page' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'What needs you now' })).toBeVisible();
});
