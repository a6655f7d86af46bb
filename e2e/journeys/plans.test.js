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

test('an account plan with its people map, and account coaching marked strategic or tactical', async () => {
  const seller = await desk();
  await signIn(seller, coach.base, 'seller17@demo.example');
  const sellerName = (await seller.locator('.me a').innerText()).trim();
  await seller.goto(`${coach.base}/account-plans`);
  assert.ok(await seller.getByRole('heading', { name: 'Account plans' }).isVisible());
  // seller17's key accounts have no plan yet, and the organization requires one (R7).
  const missing = seller.locator('tbody tr', { hasText: 'Required, none yet' }).first();
  const account = (await missing.locator('td').first().innerText()).trim();
  await missing.getByRole('link').click();
  await seller.waitForURL(/\/accounts\/[0-9a-f-]+\/plan$/);
  const planUrl = seller.url();
  assert.match(await seller.locator('.warning').innerText(), /Every key account needs a plan/);

  // The map starts from the CRM's contacts; the seller fills in the rest.
  await seller.getByLabel('Assessment of the account').fill('Growing in two regions; we supply one.');
  await seller.getByLabel('Goals, objectives and initiatives').fill('Halve onboarding time this year.');
  await seller.getByLabel('Mutual-value plan').fill('A region a quarter, priced per region.');
  const rows = seller.locator('table.edit-rows').first().locator('tbody tr');
  const blank = await rows.count() - 2;
  await seller.getByLabel(`Name, person ${blank + 1}`).fill('Dana Whitfield');
  await seller.getByLabel(`Title, person ${blank + 1}`).fill('Chief Operating Officer');
  await seller.getByLabel(`Role, person ${blank + 1}`).selectOption('decision_maker');
  await seller.getByLabel(`Stance, person ${blank + 1}`).selectOption('supporter');
  await seller.getByLabel(`Relationship, person ${blank + 1}`).selectOption('strong');
  await seller.getByLabel('Activity, step 1').fill('Executive briefing with the COO');
  await seller.getByLabel('Time frame, step 1').fill('This quarter');
  await seller.getByLabel('Owner, step 1').fill('Me');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/notice=saved/);
  const map = seller.getByRole('table', { name: 'People by role and stance' });
  const deciders = map.getByRole('row').filter({ hasText: 'Decision-makers' });
  assert.match(await deciders.innerText(), /Dana Whitfield[\s\S]*Strong/);
  assert.equal(await seller.locator('.warning', { hasText: 'Every key account needs a plan' }).count(), 0);

  // A step without an activity is refused and nothing typed is lost.
  await seller.getByLabel('Owner, step 2').fill('Somebody');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  assert.match(await seller.locator('#account-plan-error').innerText(), /each step to say what is done/);
  assert.equal(await seller.getByLabel('Owner, step 2').inputValue(), 'Somebody');

  // The manager discusses the account in an account session and marks it
  // strategic; the plan shows what recent coaching on the account dwelt on.
  const manager = await desk();
  await signIn(manager, coach.base, 'manager3@demo.example');
  await manager.goto(`${coach.base}/sessions`);
  await manager.getByLabel('Seller', { exact: true }).selectOption({ label: sellerName });
  await manager.getByLabel('Kind').selectOption('account');
  const day = new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10);
  await manager.getByLabel('Day').fill(day);
  await manager.getByLabel('Time').fill('09:00');
  await manager.getByRole('button', { name: 'Schedule' }).click();
  await manager.waitForURL(/\/sessions\/[0-9a-f-]+\?notice=scheduled/);
  await manager.getByText('Add an agenda item').click();
  await manager.getByLabel('Item', { exact: true }).fill('Where the account is heading');
  await manager.getByLabel('About').selectOption({ label: `Account: ${account}` });
  await manager.getByRole('button', { name: 'Add', exact: true }).click();
  await manager.waitForLoadState();
  await manager.getByLabel('Focus').selectOption('strategic');
  await manager.getByRole('button', { name: 'Mark' }).click();
  await manager.waitForURL(/notice=saved/);
  assert.match(await manager.locator('.focus-line').innerText(), /Strategic/);
  await manager.goto(planUrl);
  const coached = await manager.getByRole('region', { name: 'Coaching on this account' }).innerText();
  assert.match(coached, /1 strategic, 0 tactical/);
  await shot(manager, '79-account-plan');
});
