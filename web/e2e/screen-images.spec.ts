// Issue 18: images sized for the screen. The gallery and the artwork page offer the
// thumbnail (480 w) and the display copy (1600 w) through srcset/sizes; on a phone the
// artwork page never downloads the original, which only "View full size" loads.
import { addMember, createEvent, createGroup, createUser, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('a phone loads screen-sized images, never the original, until "View full size"', async ({ page, loginAs }) => {
  test.setTimeout(120_000);
  const owner = await createUser('scro');
  const bea = await createUser('scrb');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  const art = await uploadArtwork(owner, ev.id, 'Panorama', 4, [2400, 1800]);
  expect(art.displayUrl).toMatch(/\/display\?v=/);
  expect([art.displayWidth, art.displayHeight]).toEqual([1600, 1200]);

  const requested: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (/\/api\/v1\/artworks\/[^/]+\/(image|display|thumbnail)$/.test(path)) requested.push(path.split('/').pop()!);
  });
  await page.setViewportSize({ width: 375, height: 812 });
  await loginAs(page, bea);

  // The gallery: srcset with both screen sizes, the thumbnail taken on a phone.
  await page.goto(`/events/${ev.id}`);
  const cardImg = page.getByTestId('artwork').filter({ hasText: 'Panorama' }).locator('img');
  await expect(cardImg).toHaveAttribute('srcset', new RegExp(`/thumbnail\\?v=\\w+ 480w, .*/display\\?v=\\w+ 1600w`));
  await expect(cardImg).toHaveAttribute('sizes', /.+/);
  await expect.poll(() => cardImg.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  // The artwork page at 375x812: a screen-sized image, loaded, and no original.
  await page.goto(`/artworks/${art.id}`);
  const img = page.locator('.artwork-full img');
  await expect(img).toHaveAttribute('srcset', /480w, .*1600w/);
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
  const current = await img.evaluate((i: HTMLImageElement) => i.currentSrc);
  expect(current).toMatch(/\/(thumbnail|display)\?v=/);
  expect(requested).not.toContain('image');
  expect(requested.length).toBeGreaterThan(0);
  await expectNoAxeViolations(page, 'artwork page on a phone');
  await screenshots(page, 'screen-images-artwork');
  expect(requested, 'the desktop size takes the display copy, not the original').not.toContain('image');

  // Only the full-size view fetches the original.
  await page.getByRole('button', { name: /View full size/ }).click();
  await expect(page.getByRole('dialog', { name: 'Panorama, full size' }).getByTestId('full-image')).toHaveAttribute('src', /\/image\?v=/);
  await expect.poll(() => requested.includes('image')).toBe(true);
});
