// The CRM records: a manager works through the team's pipeline, a seller
// sees their own, and an admin imports a Salesforce export in the browser.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

const desk = () => browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage());

test('a manager works through the team pipeline from list to deal to call', async () => {
  const page = await desk();
  await signIn(page, coach.base, 'manager1@demo.example');
  await page.getByRole('link', { name: 'Opportunities', exact: true }).click();
  await page.waitForURL(/\/opportunities/);
  const owners = await page.locator('#f-owner option').allInnerTexts();
  assert.equal(owners.length, 1 + 1 + 8, 'anyone, the manager, and the eight sellers');
  const stages = await page.locator('tbody .pill').allInnerTexts();
  assert.ok(stages.length > 0 && stages.every((s) => !/Closed/.test(s)), 'open deals by default');
  await shot(page, '40-opportunities');

  await page.getByLabel('Buying stage').selectOption({ label: 'Identify needs' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/stage=identify_needs/);
  assert.ok((await page.locator('tbody .pill.early').count()) > 0);
  await page.locator('tbody a').first().click();
  await page.waitForURL(/\/opportunities\/[0-9a-f-]+$/);
  assert.ok(await page.getByRole('heading', { name: 'Stage history' }).isVisible());
  assert.ok(await page.getByText('Early stage: coaching pays most here (R25)').isVisible());
  await shot(page, '41-opportunity');

  await page.getByRole('link', { name: 'Accounts', exact: true }).first().click();
  await page.getByLabel('Key accounts').selectOption({ label: 'Key accounts only' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/key=yes/);
  assert.equal(await page.locator('tbody tr').count(), await page.locator('tbody .pill.key').count(), 'only key accounts');
  await shot(page, '42-accounts');
  await page.locator('tbody td a').first().click();
  await page.waitForURL(/\/accounts\/[0-9a-f-]+$/);
  assert.ok(await page.getByRole('heading', { name: 'People' }).isVisible());
  await shot(page, '43-account');

  await page.locator('section:has(h2:text("Calls")) tbody a').first().click();
  await page.waitForURL(/\/calls\/[0-9a-f-]+$/);
  assert.ok(await page.getByRole('heading', { name: 'People met' }).isVisible());
  await shot(page, '44-call');

  const download = page.waitForEvent('download');
  await page.goto(`${coach.base}/calls`);
  await shot(page, '45-calls');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await (await download).path();
  assert.ok(file, 'the CSV downloads');
});

test('a seller sees only their own accounts, on a phone too', async () => {
  const page = await desk();
  await signIn(page, coach.base, 'seller5@demo.example');
  await page.goto(`${coach.base}/accounts`);
  assert.equal(await page.locator('#f-owner').count(), 0, 'no owner filter for a seller');
  const owners = new Set(await page.locator('tbody tr td:last-child').allInnerTexts());
  assert.equal(owners.size, 1, 'one owner: the seller');
  await shot(page, '46-seller-accounts');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } }).then((c) => c.newPage());
  await signIn(phone, coach.base, 'seller5@demo.example');
  await phone.goto(`${coach.base}/opportunities`);
  await shot(phone, '47-seller-opportunities-phone');
});

test('an admin imports a Salesforce export: preview, check, fix, import', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coach-import-'));
  const file = join(dir, 'opportunities.csv');
  writeFileSync(file, [
    'Id,Name,Owner.Email,Amount,CurrencyIsoCode,StageName,CloseDate',
    '006A000000JrNy1,Northwind Logistics – Telematics,seller1@demo.example,48000,EUR,Prospecting,2027-03-31',
    '006A000000JrNy2,Northwind Logistics – Training,seller1@demo.example,12000,EUR,Verbal Commit,2027-02-28',
  ].join('\n'));
  const page = await desk();
  await signIn(page, coach.base, 'admin@demo.example');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await shot(page, '50-import');
  await page.getByLabel('The file holds').selectOption('opportunities');
  await page.getByLabel('CSV file').setInputFiles(file);
  await page.getByRole('button', { name: 'Upload and preview' }).click();
  await page.waitForURL(/\/import\/[0-9a-f-]+$/);
  assert.ok(await page.getByText('Recognised as a Salesforce export').isVisible());
  await shot(page, '51-import-preview');

  await page.getByRole('button', { name: 'Check the whole file' }).click();
  assert.ok(await page.getByText(/problems? found/).isVisible());
  assert.ok(await page.locator('.errors').getByText('Verbal Commit').first().isVisible());
  await shot(page, '52-import-check-problems');

  await page.getByLabel('Leave out invalid rows and import the rest').check();
  await page.getByRole('button', { name: 'Import' }).click();
  assert.ok(await page.getByText('Imported: 1 new, 0 updated, 0 unchanged, 1 rejected.').isVisible());
  await shot(page, '53-import-done');
  await page.getByRole('link', { name: 'See the opportunities' }).click();
  await page.getByLabel('Opportunity name').fill('Telematics');
  await page.getByRole('button', { name: 'Filter' }).click();
  assert.equal(await page.locator('tbody tr').count(), 1);
});
