// Issue 18: the signed-in start page lists what needs the user now (votes left, invitations,
// matches), soonest deadline first, and the Invitations menu shows a count.
import { addMember, advance, createEvent, createGroup, createUser, like, ok, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('home lists what needs you, soonest deadline first; the menu counts invitations', async ({ page, loginAs }) => {
  const owner = await createUser('hmo');
  const bea = await createUser('hmb');
  const other = await createUser('hmx');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const later = await createEvent(owner, group, { matchingStartsAt: '2099-03-01T12:00:00Z' });
  const sooner = await createEvent(owner, group, { matchingStartsAt: '2099-02-01T12:00:00Z' });
  const done = await createEvent(owner, group);
  for (const e of [later, sooner, done]) await advance(owner, e.id, 'VOTING');
  await ok(await owner.api.patch(`/api/v1/events/${done.id}`, { data: { votesPerMember: 1 } }), 'votes');
  const elsewhere = await createGroup(other);
  await ok(await other.api.post(`/api/v1/groups/${elsewhere.id}/invitations`, { data: { username: bea.username, expiresInHours: 1 } }), 'invite');

  await loginAs(page, bea);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'What needs you now' })).toBeVisible();
  const todos = page.getByTestId('todo');
  await expect(todos).toHaveCount(4);
  await expect(todos.nth(0)).toContainText(`Invitation to ${elsewhere.name}`);
  await expect(todos.nth(1)).toContainText(`Vote in ${sooner.name}`);
  await expect(todos.nth(2)).toContainText(`Vote in ${later.name}`);
  await expect(todos.nth(1)).toContainText('2 of 2 votes left');
  await expect(page.getByTestId('invitation-count')).toHaveText('1');
  await expect(page.getByRole('link', { name: 'Invitations 1 pending' })).toBeVisible();
  await expectNoAxeViolations(page, 'home');
  await screenshots(page, 'home-signed-in');
});

test('home shows the running events with their next change, and the matches that need you', async ({ page, loginAs }) => {
  const owner = await createUser('hma');
  const bea = await createUser('hmc');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const open = await createEvent(owner, group, { votingStartsAt: '2099-05-01T12:00:00Z' });
  const traded = await createEvent(owner, group);
  const x = await uploadArtwork(owner, traded.id, 'Ibis', 1);
  const y = await uploadArtwork(bea, traded.id, 'Yak', 2);
  await advance(owner, traded.id, 'VOTING');
  await advance(owner, traded.id, 'MATCHING');
  await like(owner, y.id, 1);
  await like(bea, x.id, 1);
  await advance(owner, traded.id, 'CLOSED');
  const liking = await createEvent(owner, group, { endsAt: '2099-04-01T12:00:00Z' });
  await advance(owner, liking.id, 'VOTING');
  await advance(owner, liking.id, 'MATCHING');

  await loginAs(page, bea);
  await page.goto('/');
  await expect(page.getByTestId('todo').filter({ hasText: `Match with ${owner.username}` })).toContainText('accept or decline it');
  const running = page.getByTestId('active-event');
  await expect(running).toHaveCount(2);
  await expect(running.nth(0)).toContainText(liking.name);
  await expect(running.nth(0)).toContainText('MATCHING');
  await expect(running.nth(0)).toContainText(/Artists like and rank pieces for trades · the event closes in \d+ years/);
  await expect(running.nth(1)).toContainText(open.name);
  await expect(running.nth(1)).toContainText(/Submissions are open · voting starts in \d+ years/);
  await expect(page.getByRole('main')).not.toContainText(traded.name);
  await running.nth(1).getByRole('link', { name: open.name }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/events/${open.id}$`));
  await page.goBack();
  await expectNoAxeViolations(page, 'home, running events');
  await screenshots(page, 'home-running');
});
