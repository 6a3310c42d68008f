// Issue 18: ranks on likes. A rank typed first is used when liking (Enter or the button),
// a changed rank of a liked piece is saved when the field is left, ranks beyond the number
// of artworks are refused with a message, and the page says what a rank does.
import { addMember, advance, createEvent, createGroup, createUser, ok, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('ranks are kept, saved when changed, limited and explained', async ({ page, loginAs }) => {
  const owner = await createUser('rko');
  const bea = await createUser('rkb');
  const cal = await createUser('rkc');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  await addMember(owner, group, cal);
  const ev = await createEvent(owner, group);
  await uploadArtwork(owner, ev.id, 'Mine', 1);
  const heronArt = await uploadArtwork(bea, ev.id, 'Heron', 2);
  const frogArt = await uploadArtwork(cal, ev.id, 'Frog', 3);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  const likes = async () =>
    Object.fromEntries(
      (await ok<{ items: { artworkId: string; rank: number | null }[] }>(await owner.api.get(`/api/v1/events/${ev.id}/likes`), 'likes')).items.map((l) => [
        l.artworkId,
        l.rank,
      ]),
    );

  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await expect(page.getByTestId('rank-help')).toContainText('1 is your favourite, up to 3');
  const heron = page.getByTestId('artwork').filter({ hasText: 'Heron' });
  const frog = page.getByTestId('artwork').filter({ hasText: 'Frog' });

  // A rank typed before liking is used: Enter likes with it.
  await heron.getByLabel('Rank').fill('2');
  await heron.getByLabel('Rank').press('Enter');
  await expect(heron.getByText('Your rank: 2')).toBeVisible();
  await expect.poll(likes).toEqual({ [heronArt.id]: 2 });

  // Changing the rank of a liked piece is saved when the field is left.
  await heron.getByLabel('Rank').fill('1');
  await heron.getByLabel('Rank').press('Tab');
  await expect(heron.getByText('Your rank: 1')).toBeVisible();
  await expect.poll(likes).toEqual({ [heronArt.id]: 1 });

  // Beyond the number of artworks: refused with a message, nothing saved.
  await frog.getByLabel('Rank').fill('999');
  await frog.getByRole('button', { name: /^Like/ }).click();
  await expect(frog.getByRole('alert')).toContainText('from 1 to 3');
  await expect(frog.getByLabel('Rank')).toHaveAttribute('aria-invalid', 'true');
  await expectNoAxeViolations(page, 'rank error');
  await screenshots(page, 'likes-rank-error');
  expect(await likes()).toEqual({ [heronArt.id]: 1 });
  expect(frogArt.id).toBeTruthy();
});
