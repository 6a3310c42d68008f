// Issue 18: what changes elsewhere shows without a reload — matches live, gallery and
// members soon after — and a live notification shows as a toast that does not take focus.
import { addMember, advance, createEvent, createGroup, createUser, like, ok, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('a live notification shows a toast without taking focus; matches update live', async ({ page, loginAs }) => {
  const owner = await createUser('lvo');
  const bea = await createUser('lvb');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  const x = await uploadArtwork(owner, ev.id, 'Kite', 1);
  const y = await uploadArtwork(bea, ev.id, 'Kelp', 2);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  await like(owner, y.id, 1);
  await like(bea, x.id, 1);

  await loginAs(page, bea);
  await page.goto('/matches');
  await expect(page.getByText('No matches yet.')).toBeVisible();
  await page.getByRole('link', { name: 'Settings' }).focus();
  await advance(owner, ev.id, 'CLOSED'); // NEW_MATCH (and the phase change) arrive live

  const toasts = page.getByTestId('toasts');
  await expect(toasts).toHaveAttribute('role', 'status');
  await expect(page.getByTestId('toast').first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'Settings' })).toBeFocused();
  const card = page.getByTestId('match').first();
  await expect(card.getByTestId('match-status')).toHaveText('Waiting for both of you to accept');
  await expectNoAxeViolations(page, 'toast');
  await screenshots(page, 'live-toast');

  const m = (await ok<{ items: { id: string }[] }>(await owner.api.get('/api/v1/me/matches'), 'matches')).items[0];
  await ok(await owner.api.post(`/api/v1/matches/${m.id}/accept`), 'accept');
  await expect(card.getByTestId('match-status')).toHaveText(`${owner.username} accepted — waiting for you`);
  await expect(toasts).toContainText('accepted your match');
});

test('new gallery entries and new members appear without a reload', async ({ page, loginAs }) => {
  const owner = await createUser('lvg');
  const bea = await createUser('lvh');
  const cal = await createUser('lvi');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await expect(page.getByText('No artworks yet')).toBeVisible();
  await uploadArtwork(bea, ev.id, 'Walrus', 4);
  await expect(page.getByTestId('artwork').filter({ hasText: 'Walrus' })).toBeVisible({ timeout: 40_000 });

  await page.goto(`/groups/${group.id}`);
  await expect(page.getByTestId(`member-${bea.username}`)).toBeVisible();
  await addMember(owner, group, cal);
  await expect(page.getByTestId(`member-${cal.username}`)).toBeVisible({ timeout: 40_000 });
  await expectNoAxeViolations(page, 'members, live');
  await screenshots(page, 'live-members');
});
