// Issue 18: the artwork page shows a screen-sized image (the original only in the full-size
// view), previous/next within the event, voting where the phase allows and a breadcrumb
// that includes the group.
import { addMember, advance, createEvent, createGroup, createUser, uploadArtwork } from './support/api';
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
  await pager.getByRole('link', { name: /Next/ }).click();
  await expect(page).toHaveURL(new RegExp(`/artworks/${a.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Alpha' })).toBeVisible();
  await pager.getByRole('link', { name: /Previous/ }).click();
  await pager.getByRole('link', { name: /Previous/ }).click();
  await expect(page).toHaveURL(new RegExp(`/artworks/${c.id}$`));

  await page.getByRole('button', { name: 'Vote for Gamma' }).click();
  await expect(page.getByRole('button', { name: /Voted/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('votes-left')).toContainText('1 of 2 votes left');
});
