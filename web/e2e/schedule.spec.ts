// Issue 18: the event's schedule follows its phase (a manual or live advance leaves the
// planned times behind), counts down to the next change in the viewer's time zone, and an
// event without dates does not promise an admin action once it is CLOSED.
import { advance, createEvent, createGroup, createUser } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test.use({ timezoneId: 'America/New_York', locale: 'en-US' });

test('the schedule follows manual and live phase changes, in the viewer’s time zone', async ({ page, loginAs }) => {
  const owner = await createUser('sch');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group, {
    votingStartsAt: '2099-01-01T15:00:00Z',
    matchingStartsAt: '2099-01-02T15:00:00Z',
    endsAt: '2099-01-03T15:00:00Z',
  });
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  const schedule = page.getByTestId('schedule');
  await expect(schedule).toContainText('starts Jan 1, 2099, 10:00 AM EST');
  await expect(page.getByTestId('next-deadline')).toContainText(/Voting starts in \d+ years \(Jan 1, 2099, 10:00 AM EST\)/);

  // A manual advance: voting is on now, and the planned start is no longer announced.
  await page.getByTestId('advance').click();
  await page.getByRole('dialog').getByRole('button', { name: 'Advance to VOTING' }).click();
  await expect(page.locator('.steps [aria-current="step"]')).toHaveText('VOTING');
  await expect(schedule).toContainText('open now · ends Jan 2, 2099, 10:00 AM EST');
  await expect(schedule).not.toContainText('Jan 1, 2099');
  await expect(page.getByTestId('next-deadline')).toContainText('Matching starts in');

  // Another admin advances: the live event updates the schedule.
  await advance(owner, ev.id, 'MATCHING');
  await expect(page.locator('.steps [aria-current="step"]')).toHaveText('MATCHING');
  await expect(schedule).toContainText('open now · ends Jan 3, 2099, 10:00 AM EST');
  await expect(page.getByTestId('next-deadline')).toContainText('The event closes in');
  await expectNoAxeViolations(page, 'schedule');
  await screenshots(page, 'schedule-matching');
});

test('an event without dates says nothing about admins once CLOSED', async ({ page, loginAs }) => {
  const owner = await createUser('schc');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  for (const p of ['VOTING', 'MATCHING', 'CLOSED']) await advance(owner, ev.id, p);
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await expect(page.locator('.steps [aria-current="step"]')).toHaveText('CLOSED');
  await expect(page.getByTestId('schedule')).toContainText('closed');
  await expect(page.locator('main')).not.toContainText('when an admin');
  await expect(page.getByTestId('next-deadline')).toHaveCount(0);
  await expectNoAxeViolations(page, 'closed schedule');
  await screenshots(page, 'schedule-closed');
});

test('a planned change that is due says "any moment now", not "ago"', async ({ page, loginAs }) => {
  const owner = await createUser('schd');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group, { votingStartsAt: '2099-01-01T15:00:00Z' });
  // The viewer's clock is past the planned start; the server has not moved the phase yet.
  await page.clock.setFixedTime(new Date('2099-01-01T15:03:00Z'));
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await expect(page.getByTestId('next-deadline')).toContainText('Voting starts any moment now (Jan 1, 2099, 10:00 AM EST)');
  await expect(page.getByTestId('next-deadline')).not.toContainText('ago');
  await expectNoAxeViolations(page, 'due schedule');
  await screenshots(page, 'schedule-due');
  await page.goto('/');
  const running = page.getByTestId('active-event').filter({ hasText: ev.name });
  await expect(running).toContainText('voting starts any moment now');
});
