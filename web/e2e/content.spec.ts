// Issue 18: descriptions keep line breaks with safe clickable links, a non-image file is
// refused before submitting, results show thumbnails and say ties, and table headers do
// not break letter by letter on a phone.
import { addMember, advance, createEvent, createGroup, createUser, ok } from './support/api';
import { makePng } from './support/png';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('descriptions keep line breaks and safe links; a non-image is refused before submit', async ({ page, loginAs }) => {
  const owner = await createUser('cto');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group, { description: 'Line one\nSee https://example.com/brief.\njavascript:alert(1) stays text' });
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  const desc = page.locator('p.rich').filter({ hasText: 'Line one' });
  await expect(desc).toHaveCSS('white-space', 'pre-wrap');
  const link = desc.getByRole('link', { name: 'https://example.com/brief' });
  await expect(link).toHaveAttribute('href', 'https://example.com/brief');
  await expect(link).toHaveAttribute('rel', /noopener noreferrer/);
  await expect(desc.getByRole('link')).toHaveCount(1);
  await screenshots(page, 'description-links');

  await page.getByLabel('Title').fill('Notes');
  await page.getByLabel('Image').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByLabel('Image')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error')).toContainText('“notes.txt” is not an image');
  await expect(page.getByTestId('upload-preview')).toHaveCount(0);
  await expectNoAxeViolations(page, 'upload file error');
  await screenshots(page, 'upload-not-an-image');
});

test('results show thumbnails, say ties, and headers stay whole on a phone', async ({ page, loginAs }) => {
  const owner = await createUser('ctr');
  const bea = await createUser('cts');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  for (const [u, title, seed] of [
    [owner, 'Anextraordinarilylongtitlewithoutanyspacesatallforthephonelayout', 1],
    [bea, 'Short', 2],
  ] as const) {
    await ok(
      await u.api.post(`/api/v1/events/${ev.id}/artworks`, {
        multipart: { title, image: { name: 'a.png', mimeType: 'image/png', buffer: makePng(200, 150, seed) } },
      }),
      'upload',
    );
  }
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  await page.setViewportSize({ width: 375, height: 812 });
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  const results = page.getByTestId('results');
  await expect(results.locator('tbody tr')).toHaveCount(2);
  await expect(results.locator('tbody tr').first()).toContainText('1 (tie)');
  await expect(results.locator('tbody tr').first().locator('img')).toHaveAttribute('src', /\/thumbnail/);
  for (const th of await results.locator('thead th').all()) {
    if (!(await th.isVisible())) continue;
    const box = await th.boundingBox();
    expect(box!.height, `header "${await th.textContent()}" wraps`).toBeLessThan(48);
  }
  await expectNoAxeViolations(page, 'results');
  await screenshots(page, 'results-ties');
});

test('a too-large image is refused before the upload, with its size and the limit', async ({ page, loginAs }) => {
  const owner = await createUser('ctb');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/artworks')) posts.push(r.url());
  });
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  await page.getByLabel('Title').fill('Huge');
  const image = page.getByLabel('Image');
  await image.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(25 * 1024 * 1024) });
  await expect(image).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error')).toContainText('“huge.png” is 25.0 MiB, too large: the limit is 20 MiB per image');
  await expect(page.getByTestId('upload-preview')).toHaveCount(0);
  // The refused file does not stay picked in the field.
  expect(await image.evaluate((i: HTMLInputElement) => i.files?.length ?? 0)).toBe(0);
  await page.getByRole('button', { name: 'Submit artwork' }).click();
  await expect(page.locator('.field-error')).toContainText('Choose an image to upload');
  expect(posts).toEqual([]);
  await expectNoAxeViolations(page, 'upload too large');
  await screenshots(page, 'upload-too-large');
});
