// Issue 18: anonymous voting. The option is a checkbox when creating an event and when
// editing it while OPEN; until voting ends every artwork card and page says "Artist hidden
// until voting ends" instead of the name (the artist sees their own); after VOTING the
// names show.
import { addMember, advance, createGroup, createUser, uniq, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('anonymous voting: checkbox on create and edit, artists hidden until voting ends', async ({ page, browser, loginAs }) => {
  test.setTimeout(120_000);
  const owner = await createUser('anono');
  const bea = await createUser('anonb');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);

  await loginAs(page, owner);
  await page.goto(`/groups/${group.id}`);
  await page.getByRole('button', { name: 'New event' }).click();
  const name = uniq('Masked');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Artworks per member').fill('2');
  await page.getByRole('checkbox', { name: 'Anonymous voting' }).check();
  await page.getByRole('button', { name: 'Create event' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('anonymous-voting')).toContainText('artists are hidden until voting ends');
  const eventId = page.url().split('/').pop()!;

  const beaArt = await uploadArtwork(bea, eventId, 'Heron', 5);
  const ownArt = await uploadArtwork(owner, eventId, 'Fox', 6);
  expect(beaArt.artist?.username).toBe(bea.username); // the artist's own answer is named

  const beaLink = `a[href="/users/${encodeURIComponent(bea.username)}"]`;
  const checkHidden = async () => {
    await page.reload();
    const card = page.getByTestId('artwork').filter({ hasText: 'Heron' });
    await expect(card).toContainText('Artist hidden until voting ends');
    await expect(card.locator(beaLink)).toHaveCount(0);
    // The owner's own piece keeps its name.
    const mine = page.getByTestId('artwork').filter({ hasText: 'Fox' });
    await expect(mine).toContainText('(you)');
    await expect(mine).not.toContainText('Artist hidden');
  };
  await checkHidden();
  await expectNoAxeViolations(page, 'event page with anonymous voting');
  await screenshots(page, 'anonymous-voting-gallery');

  // The artwork page says so too; the admin (owner) sees no name either.
  await page.goto(`/artworks/${beaArt.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Heron' })).toBeVisible();
  await expect(page.getByTestId('artist-hidden')).toHaveText('Artist hidden until voting ends');
  await expect(page.locator(`main ${beaLink}`)).toHaveCount(0);

  // The artist sees their own name.
  const beaContext = await browser.newContext();
  const beaPage = await beaContext.newPage();
  await loginAs(beaPage, bea);
  await beaPage.goto(`/artworks/${beaArt.id}`);
  await expect(beaPage.getByRole('heading', { level: 1, name: 'Heron' })).toBeVisible();
  await expect(beaPage.getByTestId('artist-hidden')).toHaveCount(0);
  await beaPage.goto(`/artworks/${ownArt.id}`);
  await expect(beaPage.getByTestId('artist-hidden')).toBeVisible();

  // Edit while OPEN: the checkbox shows the setting; turning it off shows names at once.
  await page.goto(`/events/${eventId}`);
  await page.getByRole('button', { name: 'Edit event' }).click();
  const box = page.getByRole('checkbox', { name: 'Anonymous voting' });
  await expect(box).toBeChecked();
  await box.uncheck();
  await page.getByRole('button', { name: 'Save event' }).click();
  await expect(page.getByTestId('anonymous-voting')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('artwork').filter({ hasText: 'Heron' }).locator(beaLink)).toBeVisible();
  await page.getByRole('button', { name: 'Edit event' }).click();
  await page.getByRole('checkbox', { name: 'Anonymous voting' }).check();
  await page.getByRole('button', { name: 'Save event' }).click();
  await expect(page.getByTestId('anonymous-voting')).toBeVisible();
  await checkHidden();

  // VOTING: still hidden, and the option can no longer be changed.
  await advance(owner, eventId, 'VOTING');
  await checkHidden();
  await page.getByRole('button', { name: 'Edit event' }).click();
  await expect(page.getByRole('checkbox', { name: 'Anonymous voting' })).toHaveCount(0);

  // After VOTING the names show, on the cards and on the artwork page.
  await advance(owner, eventId, 'MATCHING');
  await page.reload();
  const card = page.getByTestId('artwork').filter({ hasText: 'Heron' });
  await expect(card.locator(beaLink)).toBeVisible();
  await expect(card).not.toContainText('Artist hidden');
  await expect(page.getByTestId('anonymous-voting')).toContainText('artists were hidden until voting ended');
  await page.goto(`/artworks/${beaArt.id}`);
  await expect(page.getByTestId('artist-hidden')).toHaveCount(0);
  await expect(page.locator(`main ${beaLink}`).first()).toBeVisible();
  await beaContext.close();
});
