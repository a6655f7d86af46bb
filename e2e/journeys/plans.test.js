// Opportunity plans (R16, R20–R24): a seller records the buyer's evidence,
// the deal moves forward only once the evidence of every earlier stage is in
// (R24), and negotiation waits for every concern unless a reason is given,
// which is kept (R23).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

const desk = () => browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage());

const STAGE_ONE = ['Buying process', 'Decision-makers and influencers', 'Business needs', 'Budget'];
const LATER = ['Buying criteria', 'Competitors considered', "Buyer's view of our solution", "Buyer's view of each competitor"];

async function move(page, to) {
  await page.getByRole('button', { name: `Move to ${to}` }).click();
  await page.waitForLoadState();
}

test('a deal moves forward only once its evidence is in, and negotiation waits for concerns', async () => {
  const seller = await desk();
  await signIn(seller, coach.base, 'seller1@demo.example');
  await seller.goto(`${coach.base}/opportunities?stage=identify_needs`);
  const first = seller.locator('table tbody tr a').first();
  const deal = (await first.innerText()).trim();
  await first.click();
  await seller.waitForURL(/\/opportunities\/[0-9a-f-]+$/);
  await seller.getByRole('link', { name: /^Identify needs/ }).click();
  await seller.waitForURL(/\/plan$/);
  assert.ok(await seller.getByRole('heading', { name: 'Is it worth pursuing? (R20)' }).isVisible());

  // Without the budget, the deal cannot move on; the refusal names what is missing.
  for (const label of STAGE_ONE.slice(0, 3)) {
    const box = seller.getByLabel(label, { exact: false }).first();
    if ((await box.inputValue()).trim() === '') await box.fill(`${label}: heard from the buyer`);
  }
  await seller.getByLabel(/^. Budget/).fill('');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/notice=saved/);
  await move(seller, 'Establish criteria');
  const refusal = await seller.locator('#plan-error').innerText();
  assert.match(refusal, /Establish criteria needs the buyer's evidence first: budget/);
  assert.match(await seller.locator('.stage-track [aria-current=step]').innerText(), /Identify needs/);
  await shot(seller, '75-opportunity-plan-refused');

  // The evidence comes in, with the verdict; then the deal moves, stage by stage.
  await seller.getByLabel(/^. Budget/).fill('120k approved by the CFO for this year');
  await seller.getByRole('radio', { name: 'Worth pursuing', exact: true }).check();
  await seller.getByLabel('Why').fill('A named sponsor, a real need and a budget.');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/notice=saved/);
  await move(seller, 'Establish criteria');
  await seller.waitForURL(/notice=moved/);
  assert.match(await seller.locator('.stage-track [aria-current=step]').innerText(), /Establish criteria/);
  for (const label of LATER) {
    const box = seller.getByLabel(label, { exact: false }).first();
    if ((await box.inputValue()).trim() === '') await box.fill(`${label}: what the buyer told us`);
  }
  await seller.getByLabel('Concern 1', { exact: true }).fill('Rollout effort for the regions');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/notice=saved/);
  await move(seller, 'Assess solutions');
  await seller.waitForURL(/notice=moved/);
  await move(seller, 'Mitigate risks');
  await seller.waitForURL(/notice=moved/);
  assert.match(await seller.locator('.stage-track [aria-current=step]').innerText(), /Mitigate risks/);

  // R23: one concern is open, so negotiation waits, unless a reason is given.
  assert.match(await seller.getByRole('region', { name: 'Negotiation' }).innerText(), /1 concern still open/);
  await seller.getByRole('button', { name: 'Mark negotiation started' }).click();
  await seller.waitForLoadState();
  assert.match(await seller.locator('#plan-error').innerText(), /1 buyer concern is still open/);
  await seller.getByLabel('Start anyway? The reason, which is kept').fill('Their budget lapses at quarter end');
  await seller.getByRole('button', { name: 'Mark negotiation started' }).click();
  await seller.waitForURL(/notice=negotiating/);
  const negotiation = await seller.getByRole('region', { name: 'Negotiation' }).innerText();
  assert.match(negotiation, /Started/);
  assert.match(negotiation, /Their budget lapses at quarter end/);
  await shot(seller, '76-opportunity-plan-negotiation');

  // The manager sees the same plan, the moves, and the recorded reason.
  const manager = await desk();
  await signIn(manager, coach.base, 'manager1@demo.example');
  await manager.goto(seller.url().replace(/\?.*$/, ''));
  assert.match(await manager.locator('h1').innerText(), new RegExp(deal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const moves = await manager.getByRole('region', { name: 'Stage moves' }).innerText();
  assert.match(moves, /Assess solutions → Mitigate risks/);
  assert.match(await manager.locator('.warning').innerText(), /Negotiation started with concerns open/);
  // Another seller cannot open it.
  const peer = await desk();
  await signIn(peer, coach.base, 'seller2@demo.example');
  const r = await peer.goto(seller.url().replace(/\?.*$/, ''));
  assert.equal(r.status(), 404);
});

test('a manager and a seller build a territory plan and see plan against execution', async () => {
  const manager = await desk();
  await signIn(manager, coach.base, 'manager1@demo.example');
  await manager.goto(`${coach.base}/sessions`);
  await manager.getByRole('link', { name: 'Territory', exact: true }).click();
  await manager.waitForURL(/\/territory$/);
  assert.ok(await manager.getByRole('heading', { name: 'Territory plans' }).isVisible());
  await shot(manager, '77-territory-plans');
  const seller = await desk();
  await signIn(seller, coach.base, 'seller1@demo.example');
  const sellerName = (await seller.locator('.me a').innerText()).trim();
  await manager.getByRole('link', { name: sellerName }).click();
  await manager.waitForURL(/\/territory\/[0-9a-f-]+$/);

  // Plan against execution: six months, three tiers, calls made against the pattern.
  const rows = manager.locator('table.execution tbody tr');
  assert.equal(await rows.count(), 6);
  assert.match(await rows.nth(1).innerText(), /of .* calls/);

  // A lower tier called more often than a higher one is refused, and nothing is lost.
  await manager.getByLabel('Tier B', { exact: true }).fill('3');
  await manager.getByRole('button', { name: 'Save the plan' }).click();
  assert.match(await manager.locator('#territory-error').innerText(), /lower tier/);
  await manager.getByLabel('Tier B', { exact: true }).fill('1');
  await manager.getByLabel('Tier A, per cent of accounts').fill('30');
  await manager.getByLabel('Weight of criterion 1').fill('6');
  await manager.getByRole('button', { name: 'Save the plan' }).click();
  await manager.waitForURL(/notice=saved/);
  assert.equal(await manager.getByLabel('Tier A, per cent of accounts').inputValue(), '30');

  // A prospect the scheme puts in C is moved up by hand, with the reason kept.
  const row = manager.locator('tbody tr', { has: manager.locator('.pill', { hasText: /^C$/ }) }).first();
  const account = (await row.locator('td').nth(1).innerText()).trim();
  await row.getByText('Change the tier').click();
  await row.getByLabel(`Tier for ${account}`).selectOption('a');
  await row.getByLabel(`Why, for ${account}`).fill('Their new CFO is consolidating suppliers');
  await row.getByRole('button', { name: 'Set' }).click();
  await manager.waitForURL(/notice=tier/);
  const moved = manager.locator('tbody tr', { hasText: account });
  assert.match(await moved.innerText(), /The scheme says C: Their new CFO is consolidating suppliers/);
  await shot(manager, '78-territory-plan');

  // The seller sees the same plan from their own Territory tab.
  await seller.goto(`${coach.base}/territory`);
  await seller.waitForURL(/\/territory\/[0-9a-f-]+$/);
  assert.match(await seller.locator('tbody tr', { hasText: account }).innerText(), /Their new CFO/);
  assert.equal(await seller.getByLabel('Tier A, per cent of accounts').inputValue(), '30');
});
