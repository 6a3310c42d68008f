import { addMember, createEvent, createGroup, createUser, ok, uniq, uploadArtwork } from './support/api';
import { expect, test } from './fixtures';

test('owners edit the group and the event, revoke an invitation; artists edit and delete artworks', async ({ page, loginAs }) => {
  const owner = await createUser('editor');
  const bea = await createUser('edbea');
  const carl = await createUser('edcarl');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  await ok(await owner.api.post(`/api/v1/groups/${group.id}/invitations`, { data: { username: carl.username } }), 'invite');
  const ev = await createEvent(owner, group, { name: 'Editable' });
  const art = await uploadArtwork(owner, ev.id, 'First title', 4);
  await uploadArtwork(bea, ev.id, 'Hers', 6);

  await loginAs(page, owner);
  await page.goto(`/groups/${group.id}`);

  // Edit the group; a name that is too short is reported at the field.
  await page.getByRole('button', { name: 'Edit group' }).click();
  const form = page.locator('form').filter({ has: page.getByRole('button', { name: 'Save', exact: true }) });
  await form.getByLabel('Name').fill('ab');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
  const newName = uniq('Renamed');
  await form.getByLabel('Name').fill(newName);
  await form.getByLabel('Purpose').fill('Swapping prints');
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: newName })).toBeVisible();
  await expect(page.getByText('Swapping prints')).toBeVisible();

  // Revoke the pending invitation.
  const invites = page.getByRole('list', { name: 'Group invitations' });
  await invites.getByRole('button', { name: /^Revoke/ }).click();
  await expect(invites).toContainText('revoked');
  await expect(invites.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);

  // Edit the event's schedule; a time in the past is refused.
  await page.getByRole('link', { name: 'Editable' }).click();
  await page.getByRole('button', { name: 'Edit event' }).click();
  await page.getByLabel('Voting starts').fill('2001-01-01T10:00');
  await page.getByRole('button', { name: 'Save event' }).click();
  await expect(page.getByRole('alert').or(page.locator('.field-error')).first()).toBeVisible();
  await page.getByLabel('Voting starts').fill('2098-05-01T10:00');
  await page.getByRole('button', { name: 'Save event' }).click();
  await expect(page.getByRole('button', { name: 'Save event' })).toHaveCount(0);
  await expect(page.locator('.facts')).toContainText('2098');

  // The artist edits the artwork's title while OPEN.
  await page.getByRole('link', { name: 'First title' }).first().click();
  await page.getByRole('button', { name: 'Edit title and description' }).click();
  await page.getByLabel('Title').fill('Better title');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Better title' })).toBeVisible();
  // The full image loads with the cookie.
  await expect.poll(() => page.locator('.artwork-full img').evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(320);

  // Delete it from the gallery.
  await page.goto(`/events/${ev.id}`);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('artwork').filter({ hasText: 'Better title' }).getByRole('button', { name: /^Delete/ }).click();
  await expect(page.getByTestId('artwork').filter({ hasText: 'Better title' })).toHaveCount(0);
  const gone = await owner.api.get(`/api/v1/artworks/${art.id}`);
  expect(gone.status()).toBe(404);
  // The upload form is back (the limit counts only existing artworks).
  await expect(page.getByRole('button', { name: 'Submit artwork' })).toBeVisible();

  // Delete the group.
  await page.goto(`/groups/${group.id}`);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete group' }).click();
  await expect(page).toHaveURL(/\/groups$/);
  await expect(page.getByText(newName)).toHaveCount(0);
});
