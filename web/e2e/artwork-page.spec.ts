// Issue 18: the artwork page shows a screen-sized image (the original only in the full-size
// view), previous/next within the event, voting where the phase allows and a breadcrumb
// that includes the group.
import { addMember, advance, createEvent, createGroup, createUser, ok, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('artwork page: full size on demand, previous/next, vote, group in the breadcrumb', async ({ page, loginAs }) => {
  const owner = await createUser('apo');
  const bea = await createUser('apb');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group, { maxArtworksPerMember: 3 });
  const a = await uploadArtwork(owner, ev.id, 'Alpha', 1);
  const b = await uploadArtwork(owner, ev.id, 'Beta', 2);
  const c = await uploadArtwork(owner, ev.id, 'Gamma', 3);
  await advance(owner, ev.id, 'VOTING');

  const originals: string[] = [];
  page.on('request', (r) => {
    if (/\/artworks\/[^/]+\/image$/.test(new URL(r.url()).pathname)) originals.push(r.url());
  });
  await loginAs(page, bea);
  await page.goto(`/artworks/${b.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Beta' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText(group.name);
  await expect(page.locator('.artwork-full img')).toHaveAttribute('src', /\/thumbnail(\?|$)/);
  await expectNoAxeViolations(page, 'artwork page');
  await screenshots(page, 'artwork-page');
  expect(originals).toEqual([]);

  await page.getByRole('button', { name: /View full size/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Beta, full size' });
  await expect(dialog.getByTestId('full-image')).toHaveAttribute('src', /\/image(\?|$)/);
  await expect.poll(() => originals.length).toBeGreaterThan(0);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Newest first, as in the gallery: Gamma, Beta, Alpha.
  const pager = page.getByRole('navigation', { name: 'Artworks of this event' });
  await pager.getByRole('link', { name: /Next/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/artworks/${a.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Alpha' })).toBeVisible();
  await pager.getByRole('link', { name: /Previous/ }).click();
  await pager.getByRole('link', { name: /Previous/ }).click();
  await expect(page).toHaveURL(new RegExp(`/artworks/${c.id}$`));

  // The description belongs to the picture: right under it, above the vote.
  const descY = (await page.getByText('Gamma, made for the tests').boundingBox())!.y;
  expect(descY).toBeLessThan((await page.getByRole('button', { name: 'Vote for Gamma' }).boundingBox())!.y);
  await page.getByRole('button', { name: 'Vote for Gamma' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: /Voted/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('votes-left')).toContainText('1 of 2 votes left');
});

test('artwork page: like with a rank by keyboard while matching, explained as in the gallery', async ({ page, loginAs }) => {
  const owner = await createUser('apl');
  const bea = await createUser('apm');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  const otter = await uploadArtwork(owner, ev.id, 'Otter', 1);
  const badger = await uploadArtwork(bea, ev.id, 'Badger', 2);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  const likes = async () =>
    Object.fromEntries(
      (await ok<{ items: { artworkId: string; rank: number | null }[] }>(await bea.api.get(`/api/v1/events/${ev.id}/likes`), 'likes')).items.map((l) => [l.artworkId, l.rank]),
    );

  await loginAs(page, bea);
  await page.goto(`/artworks/${otter.id}`);
  // The same explanation as in the gallery: what a rank does, not only that it is optional.
  await expect(page.getByTestId('rank-help')).toContainText('Atelier pairs you with the one you ranked best');
  const rank = page.getByLabel('Rank');
  await rank.focus();
  await page.keyboard.type('1');
  await page.keyboard.press('Enter');
  await expect(page.getByText('Your rank: 1')).toBeVisible();
  await expect(page.getByRole('button', { name: /Liked/ })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(likes).toEqual({ [otter.id]: 1 });
  await rank.fill('2');
  await page.keyboard.press('Tab');
  await expect(page.getByText('Your rank: 2')).toBeVisible();
  await expect.poll(likes).toEqual({ [otter.id]: 2 });
  await expectNoAxeViolations(page, 'artwork page, liking');
  await screenshots(page, 'artwork-like');

  // One's own piece cannot be liked.
  await page.goto(`/artworks/${badger.id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Badger' })).toBeVisible();
  await expect(page.getByLabel('Rank')).toHaveCount(0);
});

test('full size: fitted to the screen, "Actual size" shows every pixel and scrolls with the arrow keys', async ({ page, loginAs }) => {
  const owner = await createUser('apz');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  const art = await uploadArtwork(owner, ev.id, 'Vista', 5, [2400, 1800]);
  await page.setViewportSize({ width: 375, height: 812 });
  await loginAs(page, owner);
  await page.goto(`/artworks/${art.id}`);
  const open = page.getByRole('button', { name: /View full size/ });
  await open.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Vista, full size' });
  const img = dialog.getByTestId('full-image');
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(2400);
  // Fitted: the whole picture on the phone's screen.
  let box = (await img.boundingBox())!;
  expect(box.width).toBeLessThanOrEqual(375);
  expect(box.height).toBeLessThanOrEqual(812);
  await expectNoAxeViolations(page, 'full size, fitted');
  await screenshots(page, 'artwork-full-fit');

  const actual = dialog.getByTestId('actual-size');
  await actual.focus();
  await page.keyboard.press('Space');
  await expect(actual).toHaveAttribute('aria-pressed', 'true');
  // Pressed shows, not only to screen readers.
  await expect(actual).toHaveClass(/btn--primary/);
  box = (await img.boundingBox())!;
  expect(Math.round(box.width)).toBe(2400);
  const view = dialog.getByTestId('full-view');
  await view.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => view.evaluate((v) => v.scrollLeft)).toBeGreaterThan(0);
  await expectNoAxeViolations(page, 'full size, actual size');
  await screenshots(page, 'artwork-full-actual');

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(open).toBeFocused();
});

test('the artist edits the title on the artwork page with the keyboard only', async ({ page, loginAs }) => {
  const owner = await createUser('ape');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  const art = await uploadArtwork(owner, ev.id, 'Draft name', 3);
  await loginAs(page, owner);
  await page.goto(`/artworks/${art.id}`);
  const edit = page.getByRole('button', { name: 'Edit title and description' });
  await edit.focus();
  await page.keyboard.press('Enter');
  // The form opens with the title focused, ready to type.
  await expect(page.getByLabel('Title')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('Final name');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Final name' })).toBeVisible();
  // Focus returns to the button that opened the form.
  await expect(edit).toBeFocused();
  expect((await ok<{ title: string }>(await owner.api.get(`/api/v1/artworks/${art.id}`), 'artwork')).title).toBe('Final name');
  await expectNoAxeViolations(page, 'artwork page, own artwork');
  await screenshots(page, 'artwork-own');
});
