// Email on a server without a mail server (the demo): the admin sees that
// email is off, previews each kind of message on the demo's own records,
// sets the rules (a bad lead time changes nothing), and a seller chooses
// what they get on their profile, where a required kind stays on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

test('an admin sees email is off, previews every message and sets the rules; a seller chooses', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, coach.base, 'admin@demo.example');
  await page.goto(`${coach.base}/settings/cadence`);
  await page.getByRole('link', { name: 'Email', exact: true }).click();
  await page.waitForURL(/\/settings\/email$/);
  assert.match(await page.locator('#status-h + p').innerText(), /^Off This server has no mail server/);
  assert.equal(await page.locator('.link-list li').count(), 8);
  // The demo's made-up bookings were not queued for anyone.
  assert.match(await page.locator('section[aria-labelledby="recent-h"]').innerText(), /No messages yet/);
  await shot(page, '85-email-settings');

  // The weekly digest of a demo manager, written from the demo's records.
  await page.getByRole('link', { name: 'Weekly digest' }).click();
  await page.waitForURL(/preview\/weekly_digest$/);
  const envelope = await page.locator('.envelope').innerText();
  assert.match(envelope, /Subject\s+Your team's week: \d+ sessions?, \d+ overdue commitments?/);
  assert.match(envelope, /To\s+.+ <manager\d@demo\.example>/);
  const letter = await page.locator('.letter').innerText();
  assert.match(letter, /Kept as scheduled this month \(R14\)/);
  assert.match(letter, /Sessions this week/);
  assert.match(letter, /Overdue commitments on your team/);
  await shot(page, '86-email-preview-weekly-digest');

  // A session invitation: the calendar part and its method.
  await page.goto(`${coach.base}/settings/email`);
  await page.getByRole('link', { name: 'A session booked' }).click();
  await page.waitForURL(/preview\/invitation$/);
  assert.match(await page.locator('.envelope').innerText(), /Attached\s+Calendar invitation \(METHOD:REQUEST\)/);
  assert.match(await page.locator('.letter').innerText(), /Agenda \(R35\)/);
  await page.getByText('Calendar attachment').click();
  assert.match(await page.locator('pre.plain-text').last().innerText(), /BEGIN:VCALENDAR[\s\S]*METHOD:REQUEST[\s\S]*UID:/);
  await shot(page, '87-email-preview-invitation');

  // The demo's sessions are single ones: no rhythm yet to show, and the
  // preview says so rather than invent one.
  await page.goto(`${coach.base}/settings/email`);
  await page.getByRole('link', { name: 'A new coaching rhythm' }).click();
  await page.waitForURL(/preview\/rhythm$/);
  assert.match(await page.locator('main').innerText(), /No example yet: no coaching rhythm planned in your organization yet\./);

  // The rules: a lead time out of range changes nothing; then invitations
  // are required and reminders go 12 hours ahead.
  await page.goto(`${coach.base}/settings/email`);
  const hours = page.getByLabel('Preparation reminder, hours before the deadline');
  await hours.fill('500');
  assert.equal(await hours.evaluate((e) => e.validity.valid), false, 'the browser says so first');
  // Past the browser's own check, the server refuses it too.
  await page.locator('form[action="/settings/email"]').evaluate((f) => { f.noValidate = true; });
  await page.getByRole('button', { name: 'Save' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Nothing was saved\. Preparation reminders: expected a whole number of hours from 1 to 168/);
  await page.getByLabel('Preparation reminder, hours before the deadline').fill('12');
  await page.getByLabel('Require Invitations and changes').check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/notice=saved/);
  assert.equal(await page.getByLabel('Preparation reminder, hours before the deadline').inputValue(), '12');
  assert.ok(await page.getByLabel('Require Invitations and changes').isChecked());

  // A seller's choices: invitations are required, so they stay on.
  const seller = await browser.newContext({ viewport: { width: 1280, height: 900 } }).then((c) => c.newPage());
  await signIn(seller, coach.base, 'seller1@demo.example');
  await seller.goto(`${coach.base}/profile#email`);
  const email = seller.locator('#email');
  assert.match(await email.innerText(), /Email is off on this server/);
  assert.ok(await email.getByRole('checkbox', { name: /Invitations and changes/ }).isDisabled());
  await email.getByRole('checkbox', { name: /Session reminders/ }).uncheck();
  await email.getByRole('button', { name: 'Save email choices' }).click();
  await seller.waitForURL(/notice=email/);
  assert.match(await seller.locator('.notice').innerText(), /Email choices saved/);
  assert.equal(await seller.locator('#email').getByRole('checkbox', { name: /Session reminders/ }).isChecked(), false);
  assert.ok(await seller.locator('#email').getByRole('checkbox', { name: /Invitations and changes/ }).isChecked());
  await seller.locator('#email').scrollIntoViewIfNeeded();
  await shot(seller, '88-profile-email-choices');
});
