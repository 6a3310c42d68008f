// Issue 18: actions that cannot be undone (advancing a phase, declining a match) ask
// first, in an accessible dialog that says what happens; Escape and Cancel change nothing.
import { addMember, advance, createEvent, createGroup, createUser, like, ok, uploadArtwork } from './support/api';
import { expect, expectNoAxeViolations, screenshots, test } from './fixtures';

test('advancing a phase asks first; Escape and Cancel keep the phase', async ({ page, loginAs }) => {
  const owner = await createUser('cfo');
  const group = await createGroup(owner);
  const ev = await createEvent(owner, group);
  await loginAs(page, owner);
  await page.goto(`/events/${ev.id}`);
  const button = page.getByTestId('advance');
  // Keyboard only: focus the button, Enter opens the dialog, Escape cancels.
  await button.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Start voting now?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('cannot be undone');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectNoAxeViolations(page, 'advance confirmation');
  await screenshots(page, 'confirm-advance');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(button).toBeFocused();
  await expect(page.locator('.steps [aria-current="step"]')).toHaveText('OPEN');
  expect((await ok<{ phase: string }>(await owner.api.get(`/api/v1/events/${ev.id}`), 'event')).phase).toBe('OPEN');

  await button.click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect((await ok<{ phase: string }>(await owner.api.get(`/api/v1/events/${ev.id}`), 'event')).phase).toBe('OPEN');

  await button.click();
  await dialog.getByRole('button', { name: 'Advance to VOTING' }).click();
  await expect(page.locator('.steps [aria-current="step"]')).toHaveText('VOTING');
  await page.getByTestId('advance').click();
  await expect(page.getByRole('dialog', { name: 'End voting now?' })).toContainText('results are published');
});

test('declining a match asks first, then says who declined', async ({ page, loginAs }) => {
  const owner = await createUser('cfd');
  const bea = await createUser('cfb');
  const group = await createGroup(owner);
  await addMember(owner, group, bea);
  const ev = await createEvent(owner, group);
  const a = await uploadArtwork(owner, ev.id, 'Owl', 1);
  const b = await uploadArtwork(bea, ev.id, 'Lynx', 2);
  await advance(owner, ev.id, 'VOTING');
  await advance(owner, ev.id, 'MATCHING');
  await like(owner, b.id, 1);
  await like(bea, a.id, 1);
  await advance(owner, ev.id, 'CLOSED');

  await page.setViewportSize({ width: 375, height: 812 });
  await loginAs(page, bea);
  await page.goto('/matches');
  const match = page.getByTestId('match').first();
  await expect(match).toContainText('PENDING');
  await match.getByRole('button', { name: /^Decline/ }).click();
  const dialog = page.getByRole('dialog', { name: /Decline the match with/ });
  await expect(dialog).toContainText('cannot be undone');
  await expectNoAxeViolations(page, 'decline confirmation');
  await screenshots(page, 'confirm-decline');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(match).toContainText('PENDING');
  // Keyboard only: Enter opens the dialog on Cancel, Tab reaches "Decline match".
  await match.getByRole('button', { name: /^Decline/ }).focus();
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Decline match' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(match).toContainText('DECLINED');

  // Issue 18: the match says who declined, to each viewer, from the API (after a reload too).
  await expect(match.getByTestId('match-status')).toHaveText('You declined this match');
  await screenshots(page, 'match-declined');
  await page.reload();
  await expect(page.getByTestId('match').first().getByTestId('match-status')).toHaveText('You declined this match');
  await loginAs(page, owner);
  await page.goto('/matches');
  await expect(page.getByTestId('match').first().getByTestId('match-status')).toHaveText(`${bea.username} declined this match`);
  // An admin looking at others' match.
  const adm = await createUser('cfa');
  await addMember(owner, group, adm, 'admin');
  await loginAs(page, adm);
  await page.goto(`/events/${ev.id}`);
  await expect(page.getByTestId('match').first().getByTestId('match-status')).toHaveText(`Declined by ${bea.username}`);
});
