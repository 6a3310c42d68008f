// Issue 17 (trades): two artists in two browsers accept their match, write to each other
// (live both ways), one delivers a piece, both mark the art received, and the event's
// Trades page shows the completed trade. At desktop and phone sizes, axe clean.
import type { Locator, Page } from '@playwright/test';
import { addMember, advance, createEvent, createGroup, createUser, like, ok, uploadArtwork, type TestUser } from './support/api';
import { makePng } from './support/png';
import { expect, expectNoAxeViolations, test } from './fixtures';

for (const [width, height] of [
  [1280, 800],
  [375, 812],
] as const) {
  test(`a trade from accept to the gallery at ${width}x${height}`, async ({ page, browser, loginAs }) => {
    const owner = await createUser('tro');
    const ana = await createUser('tra');
    const ben = await createUser('trb');
    const group = await createGroup(owner);
    await addMember(owner, group, ana);
    await addMember(owner, group, ben);
    const ev = await createEvent(owner, group);
    const x = await uploadArtwork(ana, ev.id, 'Heron', 1);
    const y = await uploadArtwork(ben, ev.id, 'Otter', 2);
    await advance(owner, ev.id, 'VOTING');
    await advance(owner, ev.id, 'MATCHING');
    await like(ana, y.id, 1);
    await like(ben, x.id, 1);
    await advance(owner, ev.id, 'CLOSED');

    await page.setViewportSize({ width, height });
    await loginAs(page, ana);
    await page.goto('/matches');
    const benCtx = await browser.newContext({ viewport: { width, height } });
    const benPage = await benCtx.newPage();
    await loginAs(benPage, ben as TestUser);
    await benPage.goto('/matches');

    const anaCard = page.getByTestId('match').first();
    const benCard = benPage.getByTestId('match').first();
    await anaCard.getByRole('button', { name: /^Accept/ }).click();
    await benCard.getByRole('button', { name: /^Accept/ }).click();
    await expect(benCard).toContainText('ACCEPTED');
    await expect(page.getByTestId('match').first()).toContainText('ACCEPTED'); // live (MATCH_UPDATE)

    // Messages both ways, each arriving live in the other browser.
    await page.getByTestId('match').first().getByLabel('Your message').fill('Hello Ben!\nShall we trade?');
    await page.getByTestId('match').first().getByRole('button', { name: 'Send' }).click();
    await expect(benPage.getByTestId('message').last()).toContainText('Shall we trade?');
    await benPage.getByTestId('match').first().getByLabel('Your message').fill('Yes, sending mine soon');
    await benPage.getByTestId('match').first().getByRole('button', { name: 'Send' }).click();
    await expect(page.getByTestId('message').last()).toContainText('Yes, sending mine soon');
    await expect(page.getByTestId('message')).toHaveCount(2);
    await expectNoAxeViolations(page, 'a match with its conversation');

    // Ana delivers her piece; Ben sees it live.
    const card = page.getByTestId('match').first();
    await card.getByLabel('Title').fill('Heron, the original');
    await card.getByLabel(/^Image/).setInputFiles({ name: 'heron.png', mimeType: 'image/png', buffer: makePng(320, 240, 7) });
    await card.getByRole('button', { name: 'Deliver' }).click();
    await expect(page.getByTestId('delivery')).toContainText('Heron, the original');
    await expect(benPage.getByTestId('delivery')).toContainText('Heron, the original');
    await expectNoAxeViolations(benPage, 'a match with a delivery');
    const overflow = await benPage.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // Both mark the art received: COMPLETED.
    await benPage.getByTestId('match').first().getByRole('button', { name: /received/ }).click();
    await page.getByTestId('match').first().getByRole('button', { name: /received/ }).click();
    await expect(page.getByTestId('match').first()).toContainText('COMPLETED');

    // The event links to its trades; the gallery shows the delivery.
    await page.goto(`/events/${ev.id}`);
    await page.getByRole('link', { name: 'See the completed trades' }).click();
    await expect(page.getByRole('heading', { name: 'Trades' })).toBeVisible();
    await expect(page.getByTestId('delivery')).toContainText('Heron, the original');
    await expectNoAxeViolations(page, 'the trade gallery');
    await benCtx.close();
  });
}

/** Moves the focus with `key` (Tab or Shift+Tab) until `target` has it: keyboard only. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab', max = 80): Promise<void> {
  await expect(target).toBeVisible();
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${key} ${max} times did not reach ${target.toString()}`);
}

// Issue 17: a participant can trade with the keyboard only (Tab, Shift+Tab, Enter, Space):
// accept the match, write a message, mark the art received. Ana never touches the mouse;
// Ben acts through the API.
test('a trade with the keyboard only', async ({ page, loginAs }) => {
  const owner = await createUser('tko');
  const ana = await createUser('tka');
  const ben = await createUser('tkb');
  const group = await createGroup(owner);
  await addMember(owner, group, ana);
  await addMember(owner, group, ben);
  const ev = await createEvent(owner, group);
  const x = await uploadArtwork(ana, ev.id, 'Kestrel', 3);
  const y = await uploadArtwork(ben, ev.id, 'Badger', 4);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  await like(ana, y.id, 1);
  await like(ben, x.id, 1);
  await advance(owner, ev.id, 'CLOSED');
  const matchOf = async () => (await ok<{ items: { id: string; status: string; participants: { user: { id: string }; accepted: boolean; received: boolean }[] }[] }>(await ben.api.get(`/api/v1/events/${ev.id}/matches`), 'matches')).items[0];
  const mid = (await matchOf()).id;

  await loginAs(page, ana);
  await page.goto('/matches');
  const card = page.getByTestId('match').first();
  const status = card.getByTestId('match-status');
  await expect(status).toHaveText('Waiting for both of you to accept');

  // Accept: Tab to the button, Enter.
  await tabTo(page, card.getByRole('button', { name: /^Accept/ }), 'Tab');
  await page.keyboard.press('Enter');
  await expect(status).toHaveText(`You accepted — waiting for ${ben.username} to accept`);
  await ok(await ben.api.post(`/api/v1/matches/${mid}/accept`), 'accept');
  await expect(card).toContainText('ACCEPTED'); // live (MATCH_UPDATE)

  // A message: Tab to the text box, type, Tab to Send, Enter.
  await tabTo(page, card.getByLabel('Your message'), 'Tab');
  await page.keyboard.type('Hello Ben, typed without a mouse');
  await page.keyboard.press('Tab');
  await expect(card.getByRole('button', { name: 'Send' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(card.getByTestId('message').last()).toContainText('typed without a mouse');
  const msgs = await ok<{ items: { text: string; author: { id: string } }[] }>(await ben.api.get(`/api/v1/matches/${mid}/messages`), 'messages');
  expect(msgs.items.map((m) => [m.author.id, m.text])).toEqual([[ana.id, 'Hello Ben, typed without a mouse']]);

  // Mark Ben's art received: back up with Shift+Tab to the button above, Space.
  await tabTo(page, card.getByRole('button', { name: /received$/ }), 'Shift+Tab');
  await page.keyboard.press('Space');
  await expect(status).toHaveText(`You marked the art received — waiting for ${ben.username} to receive yours`);
  const m = await matchOf();
  expect(m.status).toBe('ACCEPTED');
  expect(m.participants.find((p) => p.user.id === ana.id)?.received).toBe(true);
});
