// Issue 18: match cards say what they wait for from the viewer's side, name their event
// and group, and put the matches that need the viewer first.
import { addMember, advance, createEvent, createGroup, createUser, like, ok, uploadArtwork, type Group, type TestUser } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

async function matchedEvent(owner: TestUser, group: Group, a: TestUser, b: TestUser): Promise<{ id: string; name: string }> {
  // The same two are paired in each event: repeat partners allowed.
  const ev = await createEvent(owner, group, { avoidRepeatPartners: false });
  const x = await uploadArtwork(a, ev.id, 'Moth', 1);
  const y = await uploadArtwork(b, ev.id, 'Newt', 2);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  await like(a, y.id, 1);
  await like(b, x.id, 1);
  await advance(owner, ev.id, 'CLOSED');
  return ev;
}

test('match cards speak to the viewer, name event and group, and list what needs you first', async ({ page, loginAs }) => {
  const owner = await createUser('mco');
  const bea = await createUser('mcb');
  const cal = await createUser('mcc');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  await addMember(owner, group, cal);
  const first = await matchedEvent(owner, group, bea, cal);
  const second = await matchedEvent(owner, group, bea, cal);
  const m2 = (await ok<{ items: { id: string }[] }>(await bea.api.get(`/api/v1/events/${second.id}/matches`), 'matches')).items[0];
  await ok(await bea.api.post(`/api/v1/matches/${m2.id}/accept`), 'accept');

  await loginAs(page, bea);
  await page.goto('/matches');
  const cards = page.getByTestId('match');
  await expect(cards).toHaveCount(2);
  // The older match still needs Bea, so it comes first.
  await expect(cards.nth(0).getByTestId('match-where')).toContainText(`${first.name} in ${group.name}`);
  await expect(cards.nth(0).getByTestId('match-status')).toHaveText('Waiting for both of you to accept');
  await expect(cards.nth(1).getByTestId('match-where')).toContainText(`${second.name} in ${group.name}`);
  await expect(cards.nth(1).getByTestId('match-status')).toHaveText(`You accepted — waiting for ${cal.username} to accept`);
  await expectNoAxeViolations(page, 'matches');
  await screenshots(page, 'match-cards');

  // The owner (an admin) looks at others' match: no "both of you".
  await loginAs(page, owner);
  await page.goto(`/events/${second.id}`);
  const seen = page.getByTestId('match').first();
  await expect(seen.getByTestId('match-status')).toHaveText(`Waiting for ${cal.username} to accept`);
  await expect(seen).not.toContainText('both of you');
});
