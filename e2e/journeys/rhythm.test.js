// The rhythm planner (R10–R19): a manager with 8 sellers asks for a rhythm
// in 6 hours a week with weekly call coaching, sees that it does not fit,
// why, and that no cut is enough; with 10 hours accepts the cuts proposed,
// least harmful first, until it fits, and sees the load per week and the
// series.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

test('a manager plans a rhythm, sees six hours is not enough and why, and accepts cuts until ten hours fit', async () => {
  const page = await browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage());
  await signIn(page, coach.base, 'manager1@demo.example');
  await page.goto(`${coach.base}/sessions`);
  await page.getByRole('link', { name: 'Rhythm', exact: true }).click();
  await page.waitForURL(/\/rhythm$/);
  await page.getByLabel('Hours a week for coaching and preparation').fill('6');
  await page.getByLabel('Weekly call coaching').check();
  await page.getByRole('button', { name: 'Plan' }).click();
  await page.waitForURL(/hours=6/);
  const refusal = await page.locator('#refusal').innerText();
  assert.match(refusal, /need 20 h 40 min a week on average, and you can give 6 h \(R17\)/);
  const cuts = page.locator('ol.cuts li');
  assert.match(await cuts.first().innerText(), /^Call: as needed instead of every week/);
  assert.match(await page.locator('.warning').innerText(), /Even with every cut below it needs .* a week: ask for more hours/);
  await shot(page, '80-rhythm-not-viable');
  // With ten hours, the cuts can make it fit: accept the least harmful
  // cut each time until it does.
  await page.getByLabel('Hours a week for coaching and preparation').fill('10');
  await page.getByRole('button', { name: 'Plan' }).click();
  await page.waitForURL(/hours=10/);
  for (let i = 0; i < 6 && await page.locator('#viable').count() === 0; i++) {
    await page.getByRole('link', { name: 'Accept this cut' }).first().click();
    await page.waitForLoadState();
  }
  assert.match(await page.locator('#viable').innerText(), /^It fits: \d+ series/);
  assert.ok((await page.locator('.load-row').count()) >= 13, 'three months of weeks');
  assert.match(await page.locator('main').innerText(), /Cuts accepted: Call coaching as needed/);
  const rows = page.getByRole('table').locator('tbody tr');
  assert.ok(await rows.count() > 8);
  await shot(page, '81-rhythm-viable');
  // Sellers may not plan a rhythm.
  const seller = await browser.newContext().then((c) => c.newPage());
  await signIn(seller, coach.base, 'seller1@demo.example');
  const r = await seller.goto(`${coach.base}/rhythm`);
  assert.equal(r.status(), 403);
});
