import { addMember, createEvent, createGroup, createUser } from './support/api';
import { expect, test } from './fixtures';

test.describe('pairing rules', () => {
  test('an admin keeps two members apart and removes the rule; a member does not see it', async ({ browser, loginAs }) => {
    const owner = await createUser('exowner');
    const ann = await createUser('ann');
    const bob = await createUser('bob');
    const group = await createGroup(owner);
    await addMember(owner, group, ann);
    await addMember(owner, group, bob);

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginAs(page, owner);
    await page.goto(`/groups/${group.id}`);
    const section = page.getByTestId('exclusions');
    await expect(section.getByText('No pairs are kept apart.')).toBeVisible();
    await section.getByLabel('Member', { exact: true }).selectOption(ann.id);
    await section.getByLabel('and member').selectOption(bob.id);
    await section.getByRole('button', { name: 'Keep apart' }).click();
    await expect(page.getByTestId('exclusions-status')).toContainText('will not be paired');
    await expect(section.getByTestId('exclusion')).toHaveCount(1);

    // The same pair again, in the other order: exclusion_exists.
    await section.getByLabel('Member', { exact: true }).selectOption(bob.id);
    await section.getByLabel('and member').selectOption(ann.id);
    await section.getByRole('button', { name: 'Keep apart' }).click();
    await expect(section.getByText('These two members are already kept apart.')).toBeVisible();

    // A plain member sees no such section.
    const memberCtx = await browser.newContext();
    const memberPage = await memberCtx.newPage();
    await loginAs(memberPage, ann);
    await memberPage.goto(`/groups/${group.id}`);
    await expect(memberPage.getByRole('heading', { level: 2, name: 'Members' })).toBeVisible();
    await expect(memberPage.getByTestId('exclusions')).toHaveCount(0);

    await section.getByTestId('exclusion').getByRole('button', { name: /^Stop keeping/ }).click();
    await expect(page.getByTestId('exclusions-status')).toContainText('may be paired again');
    await expect(section.getByTestId('exclusion')).toHaveCount(0);
    await ctx.close();
    await memberCtx.close();
  });

  test('the trade deadline shows as a countdown and can be edited', async ({ page, loginAs }) => {
    const owner = await createUser('dueowner');
    const group = await createGroup(owner);
    const due = new Date(Date.now() + 3 * 86_400_000 + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ev = await createEvent(owner, group, { tradesDueAt: due });
    await loginAs(page, owner);
    await page.goto(`/events/${ev.id}`);
    await expect(page.getByTestId('trades-due')).toContainText(/Trades are due in 3 days/);

    await page.getByRole('button', { name: 'Edit event' }).click();
    await page.getByLabel('Trades due').fill('');
    await page.getByLabel('Do not pair artists who were partners in the previous event').uncheck();
    await page.getByRole('button', { name: 'Save event' }).click();
    await expect(page.getByTestId('trades-due')).toHaveCount(0);
    await expect(page.getByTestId('schedule')).toContainText('no deadline');
    await expect(page.getByTestId('schedule')).toContainText('may be paired again');
  });
});
