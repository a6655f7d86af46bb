// The ROA model: an admin adds an activity type with both standards (R4), a
// seller logs one, their manager scores it against the rubric, and the
// seller finds it on their scorecard; the team view and the model's chain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

const desk = () => browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage());
const NAME = 'Customer reference shared';

test('an activity type goes from the admin to a scored activity on the seller scorecard', async () => {
  const admin = await desk();
  await signIn(admin, coach.base, 'admin@demo.example');
  await admin.goto(`${coach.base}/model`);
  assert.ok(await admin.getByRole('heading', { name: 'Results, objectives and activities' }).isVisible());
  await shot(admin, '50-model');

  await admin.getByRole('link', { name: 'Add an activity type' }).click();
  await admin.waitForURL(/\/model\/activity-types\/new$/);
  await admin.getByLabel('Name', { exact: true }).fill(NAME);
  await admin.getByLabel('Group').selectOption({ label: 'Account' });
  await admin.getByLabel('Close rate').check();
  await admin.getByLabel('How many').fill('2');
  await admin.getByLabel('Per', { exact: true }).selectOption({ label: 'month' });
  // Active without a rubric: refused, citing R4, and nothing is lost.
  await admin.getByRole('button', { name: 'Add activity type' }).click();
  await admin.waitForSelector('.error-box');
  assert.match(await admin.locator('.error-box').innerText(), /R4/);
  assert.equal(await admin.getByLabel('Name', { exact: true }).inputValue(), NAME);

  await admin.getByLabel('Criterion 1 name').fill('Relevance');
  await admin.getByLabel('Criterion 1 levels, one per line').fill('Generic story\nSame industry\nSame problem, measured result');
  await admin.getByLabel('Criterion 2 name').fill('Permission');
  await admin.getByLabel('Criterion 2 levels, one per line').fill('Not asked\nVerbal\nIn writing');
  await admin.getByLabel('Good from level').selectOption('2');
  await shot(admin, '51-activity-type-form');
  await admin.getByRole('button', { name: 'Add activity type' }).click();
  await admin.waitForURL(/\/model\?notice=added/);
  const card = admin.locator('article', { hasText: NAME });
  assert.match(await card.innerText(), /2 a month, every seller/);
  assert.match(await card.innerText(), /rubric of 2 criteria/);

  await admin.getByRole('link', { name: 'Targets and values' }).click();
  await admin.waitForURL(/\/model\/targets$/);
  await admin.getByLabel('Result or objective').selectOption({ label: 'Deals won · Sales objective' });
  await admin.getByLabel(/^Target for/).fill('3');
  await admin.getByRole('button', { name: 'Save target' }).click();
  await admin.waitForURL(/notice=saved/);
  assert.ok(await admin.locator('tr', { hasText: 'Deals won' }).first().isVisible());
  await shot(admin, '58-targets');

  const seller = await desk();
  await signIn(seller, coach.base, 'seller1@demo.example');
  await seller.getByRole('link', { name: 'Scorecard', exact: true }).click();
  await seller.waitForURL(/\/scorecard\/[0-9a-f-]+$/);
  await seller.getByRole('link', { name: 'Activities', exact: true }).click();
  await seller.getByLabel('Activity', { exact: true }).first().selectOption({ label: `${NAME} · Account` });
  await seller.getByLabel('Note').fill('Told Cedar Health how Harbor Logistics cut costs');
  await seller.getByRole('button', { name: 'Log it' }).click();
  await seller.waitForURL(/notice=logged/);
  assert.ok(await seller.getByRole('link', { name: NAME }).first().isVisible());
  await shot(seller, '52-activities');

  const manager = await desk();
  await signIn(manager, coach.base, 'manager1@demo.example');
  await manager.goto(`${coach.base}/activities`);
  await manager.getByRole('link', { name: NAME }).first().click();
  await manager.waitForURL(/\/activities\/[0-9a-f-]+$/);
  await manager.getByLabel('Same problem, measured result').check();
  await manager.getByLabel('Verbal').check();
  await manager.getByLabel(/Feedback for/).fill('Great match of story to problem; ask for written permission next time.');
  await manager.getByRole('button', { name: 'Save score' }).click();
  await manager.waitForURL(/notice=scored/);
  assert.ok(await manager.locator('.pill.good', { hasText: 'Meets standard' }).first().isVisible());
  await shot(manager, '53-activity-scored');

  await manager.goto(`${coach.base}/scorecard`);
  await manager.waitForURL(/\/scorecard\/team$/);
  const rows = await manager.locator('tbody tr[data-unaligned]').count();
  assert.equal(rows, 8, 'the eight sellers of manager1');
  await shot(manager, '54-team-scorecards');

  await seller.goto(`${coach.base}/scorecard/me`);
  const line = seller.locator('tr', { has: seller.getByRole('link', { name: NAME }) });
  assert.match(await line.innerText(), /1 of 1 scored met the rubric/);
  assert.match(await line.innerText(), /On standard\s+1 of 1 scored/);
  assert.ok(await seller.locator('svg.chain-svg').isVisible());
  await shot(seller, '55-seller-scorecard');
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await signIn(phone, coach.base, 'seller1@demo.example');
  await phone.goto(`${coach.base}/scorecard/me`);
  await shot(phone, '59-seller-scorecard-phone');
});

test('a director sees every team and the flags of the one without a pipeline target', async () => {
  const page = await desk();
  await signIn(page, coach.base, 'director@demo.example');
  await page.goto(`${coach.base}/scorecard/team`);
  assert.equal(await page.locator('tr.team-row').count(), 3, 'three teams');
  assert.ok(await page.getByRole('heading', { name: 'Adoption, week by week' }).isVisible());
  await shot(page, '56-director-scorecards');
  const flagged = page.locator('tbody tr[data-unaligned]:not([data-unaligned="0"])');
  assert.equal(await flagged.count(), 8, 'the team without a pipeline target');
  await flagged.first().locator('a').click();
  await page.waitForURL(/\/scorecard\/[0-9a-f-]+\?period=/);
  assert.match(await page.locator('.warning').innerText(), /R3/);
  await shot(page, '57-unaligned-scorecard');
});
