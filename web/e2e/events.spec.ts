import { addMember, advance, createEvent, createGroup, createUser, like, ok, uniq, uploadArtwork, vote, type TestUser } from './support/api';
import { makeNoisyPng, makePng } from './support/png';
import { expect, test } from './fixtures';

async function community(): Promise<{ owner: TestUser; bea: TestUser; cal: TestUser; group: { id: string; name: string } }> {
  const owner = await createUser('olga');
  const bea = await createUser('bea');
  const cal = await createUser('cal');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  await addMember(owner, group, cal);
  return { owner, bea, cal, group };
}

test.describe('events', () => {
  test('full event: create, upload with preview and progress, blind voting, likes, results, matches', async ({ page, browser, loginAs }) => {
    test.setTimeout(300_000);
    const { owner, bea, cal, group } = await community();

    // The owner creates the event in the UI, with a schedule far in the future.
    await loginAs(page, owner);
    await page.goto(`/groups/${group.id}`);
    await expect(page.getByText('No events yet.')).toBeVisible();
    await page.getByRole('button', { name: 'New event' }).click();
    const eventName = uniq('Autumn');
    await page.getByLabel('Name', { exact: true }).fill(eventName);
    await page.getByLabel('Description').fill('Leaves and light');
    await page.getByLabel('Votes per member').fill('2');
    await page.getByLabel('Artworks per member').fill('1');
    await page.getByLabel('Voting starts').fill('2099-01-01T10:00');
    await page.getByLabel('Matching starts').fill('2099-01-02T10:00');
    await page.getByLabel('Event ends').fill('2099-01-03T10:00');
    await page.getByRole('button', { name: 'Create event' }).click();
    await expect(page.getByRole('heading', { level: 1, name: eventName })).toBeVisible();
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('OPEN');
    await expect(page.getByText('2099', { exact: false }).first()).toBeVisible();
    const eventId = page.url().split('/').pop()!;

    // Upload through the form: preview, progress bar, then the gallery card.
    await page.getByLabel('Title').fill('Red fox');
    await page.getByLabel('Description (optional)').fill('Oil on canvas');
    await page.getByLabel('Image').setInputFiles({ name: 'fox.png', mimeType: 'image/png', buffer: makePng(1200, 900, 3) });
    await expect(page.getByTestId('upload-preview')).toBeVisible();
    await page.getByRole('button', { name: 'Submit artwork' }).click();
    await expect(page.getByText('“Red fox” was submitted.')).toBeVisible();
    const foxCard = page.getByTestId('artwork').filter({ hasText: 'Red fox' });
    await expect(foxCard).toBeVisible();
    // The thumbnail loads with the session cookie.
    await expect
      .poll(async () => foxCard.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    // One artwork per member: the form is gone.
    await expect(page.getByText('You have submitted 1 of 1 allowed artwork.')).toBeVisible();

    // A file that is not an image is refused by the server (415), shown at the field.
    const beaArt = await uploadArtwork(bea, eventId, 'Blue heron', 5);
    const calArt = await uploadArtwork(cal, eventId, 'Green frog', 7);

    // VOTING, by the admin button.
    await page.getByTestId('advance').click();
    await page.getByRole('dialog').getByRole('button', { name: /^Advance to/ }).click();
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('VOTING');
    await expect(page.getByTestId('votes-left')).toContainText('2 of 2 votes left');
    // Blind: no counts anywhere.
    await expect(page.getByTestId('vote-count')).toHaveCount(0);
    // Own artwork has no vote button.
    await expect(foxCard.getByRole('button', { name: /^Vote/ })).toHaveCount(0);
    const heron = page.getByTestId('artwork').filter({ hasText: 'Blue heron' });
    const frog = page.getByTestId('artwork').filter({ hasText: 'Green frog' });
    await heron.getByRole('button', { name: /Vote/ }).click();
    await expect(page.getByTestId('votes-left')).toContainText('1 of 2 votes left');
    await expect(heron.getByRole('button', { name: /Voted/ })).toHaveAttribute('aria-pressed', 'true');
    await frog.getByRole('button', { name: /Vote/ }).click();
    await expect(page.getByTestId('votes-left')).toContainText('0 of 2 votes left');
    // Withdraw and vote again.
    await frog.getByRole('button', { name: /Voted/ }).click();
    await expect(page.getByTestId('votes-left')).toContainText('1 of 2 votes left');
    await frog.getByRole('button', { name: /Vote/ }).click();
    await expect(page.getByTestId('votes-left')).toContainText('0 of 2 votes left');

    const foxId = (await ok<{ items: { id: string; title: string }[] }>(await owner.api.get(`/api/v1/events/${eventId}/artworks`), 'list')).items.find(
      (a) => a.title === 'Red fox',
    )!.id;
    await vote(bea, foxId);
    await vote(cal, foxId);
    await vote(bea, calArt.id);

    // MATCHING: counts and results appear.
    await page.getByTestId('advance').click();
    await page.getByRole('dialog').getByRole('button', { name: /^Advance to/ }).click();
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('MATCHING');
    const results = page.getByTestId('results');
    await expect(results).toBeVisible();
    await expect(results.locator('tbody tr').first()).toContainText('Red fox');
    await expect(results.locator('tbody tr').first()).toContainText('2');
    await expect(foxCard.getByTestId('vote-count')).toHaveText('2 votes');

    // Likes with ranks.
    await heron.getByLabel('Rank').fill('1');
    await heron.getByRole('button', { name: /^Like/ }).click();
    await expect(heron.getByText('Your rank: 1')).toBeVisible();
    await frog.getByRole('button', { name: /^Like/ }).click();
    await expect(frog.getByText('Liked, unranked')).toBeVisible();
    await frog.getByRole('button', { name: /^Unlike/ }).click();
    await expect(frog.getByRole('button', { name: /^Like/ })).toHaveAttribute('aria-pressed', 'false');
    await like(bea, foxId, 1);
    await like(cal, beaArt.id, 1);

    // CLOSED: the owner and Bea like each other → a match.
    await page.getByTestId('advance').click();
    await page.getByRole('dialog').getByRole('button', { name: /^Advance to/ }).click();
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('CLOSED');
    await expect(page.getByTestId('advance')).toHaveCount(0);
    const match = page.getByTestId('match').first();
    await expect(match).toContainText('PENDING');
    await expect(match).toContainText('Blue heron');
    await expect(match).toContainText('Red fox');
    await match.getByRole('button', { name: /^Accept/ }).click();
    await expect(match.getByRole('button', { name: /^Accept/ })).toHaveCount(0);

    // Bea accepts on /matches in her own browser; both mark received.
    const beaCtx = await browser.newContext();
    const beaPage = await beaCtx.newPage();
    await loginAs(beaPage, bea);
    await beaPage.goto('/matches');
    const beaMatch = beaPage.getByTestId('match').first();
    await beaMatch.getByRole('button', { name: /^Accept/ }).click();
    await expect(beaMatch).toContainText('ACCEPTED');
    await beaMatch.getByRole('button', { name: /received/ }).click();
    await expect(beaMatch.getByRole('button', { name: /received/ })).toHaveCount(0);

    await page.goto('/matches');
    const myMatch = page.getByTestId('match').first();
    await expect(myMatch).toContainText('ACCEPTED');
    await myMatch.getByRole('button', { name: /received/ }).click();
    await expect(myMatch).toContainText('COMPLETED');
    await beaCtx.close();

    // Heron is matched.
    await page.goto(`/events/${eventId}`);
    await expect(page.getByTestId('artwork').filter({ hasText: 'Blue heron' }).getByText('matched')).toBeVisible();
  });

  test('upload errors: not an image (415) and too many artworks', async ({ page, loginAs }) => {
    const { owner, group } = await community();
    const ev = await createEvent(owner, group, { maxArtworksPerMember: 2 });
    await loginAs(page, owner);
    await page.goto(`/events/${ev.id}`);
    await page.getByLabel('Title').fill('Not a picture');
    await page.getByLabel('Image').setInputFiles({ name: 'pic.png', mimeType: 'image/png', buffer: Buffer.from('this is plain text, not a PNG') });
    await page.getByRole('button', { name: 'Submit artwork' }).click();
    await expect(page.getByLabel('Image')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('.field-error')).toContainText('not a PNG, JPEG, WebP or GIF');

    // A truncated PNG is refused too.
    const png = makePng(200, 200, 9);
    await page.getByLabel('Image').setInputFiles({ name: 'cut.png', mimeType: 'image/png', buffer: png.subarray(0, png.length - 40) });
    await page.getByRole('button', { name: 'Submit artwork' }).click();
    await expect(page.locator('.field-error')).toContainText('not a PNG, JPEG, WebP or GIF');

    await page.getByLabel('Image').setInputFiles({ name: 'ok.png', mimeType: 'image/png', buffer: makePng(200, 200, 9) });
    await page.getByRole('button', { name: 'Submit artwork' }).click();
    await expect(page.getByText('“Not a picture” was submitted.')).toBeVisible();
    await uploadArtwork(owner, ev.id, 'Second', 2);
    await page.reload();
    await expect(page.getByText('You have submitted 2 of 2 allowed artworks.')).toBeVisible();
  });

  test('a scheduled phase change arrives by itself and live', async ({ page, loginAs }) => {
    const { owner, group } = await community();
    const soon = new Date(Date.now() + 10_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const ev = await createEvent(owner, group, { votingStartsAt: soon });
    await loginAs(page, owner);
    await page.goto(`/events/${ev.id}`);
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('OPEN');
    // Within 5 s after the time, plus slack; the page reloads on the SSE notification.
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('VOTING', { timeout: 30_000 });
  });

  test('advancing twice does not skip a phase', async ({ page, loginAs }) => {
    const { owner, group } = await community();
    const ev = await createEvent(owner, group);
    // Another admin (here: the API) advanced meanwhile; the stale button is refused.
    await loginAs(page, owner);
    // No live updates here, so the page keeps showing the stale phase.
    await page.route('**/api/v1/notifications/stream', (route) => route.abort());
    await page.goto(`/events/${ev.id}`);
    await expect(page.getByTestId('advance')).toHaveText('Advance to VOTING');
    await advance(owner, ev.id, 'VOTING');
    await page.getByTestId('advance').click(); // still says "Advance to VOTING"
    await page.getByRole('dialog').getByRole('button', { name: 'Advance to VOTING' }).click();
    await expect(page.getByRole('alert')).toContainText('current phase');
    await expect(page.locator('.steps [aria-current="step"]')).toHaveText('VOTING');
  });
  test('the upload progress bar moves on a slow connection', async ({ page, loginAs }) => {
    const { owner, group } = await community();
    const ev = await createEvent(owner, group);
    await loginAs(page, owner);
    await page.goto(`/events/${ev.id}`);
    // About 300 KB at 100 KB/s: three seconds of upload.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 100 * 1024 });
    await page.getByLabel('Title').fill('Slow upload');
    await page.getByLabel('Image').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: makeNoisyPng() });
    await page.getByRole('button', { name: 'Submit artwork' }).click();
    const bar = page.getByTestId('upload-progress');
    await expect(bar).toBeVisible();
    await expect.poll(async () => Number(await bar.getAttribute('value')), { timeout: 20_000 }).toBeGreaterThan(0.1);
    await expect(page.getByText('“Slow upload” was submitted.')).toBeVisible({ timeout: 60_000 });
    await expect(bar).toHaveCount(0);
  });
});
