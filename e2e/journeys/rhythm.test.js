// The rhythm planner (R10–R19): a manager with 8 sellers asks for a rhythm
// in 6 hours a week with weekly call coaching, sees that it does not fit,
// why, and that no cut is enough; with 10 hours accepts the cuts proposed,
// least harmful first, until it fits, and sees the load per week and the
// series; reads busy times from an exported calendar, applies the plan and
// finds the sessions on the home page and in the calendar feed.
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
  assert.match(refusal, /need 20 h 20 min a week on average, and 6 h are available \(R17\)/);
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
  const viablePlan = page.url();
  // Busy times from an exported calendar: a weekly pipeline call.
  const ics = [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//journey//EN', 'BEGIN:VEVENT', 'UID:pipeline@journey',
    'DTSTAMP:20261101T000000Z', 'SUMMARY:Pipeline call', 'DTSTART;TZID=Europe/Berlin:20261102T090000',
    'DTEND;TZID=Europe/Berlin:20261102T100000', 'RRULE:FREQ=WEEKLY;BYDAY=MO', 'END:VEVENT', 'END:VCALENDAR', '',
  ].join('\r\n');
  await page.getByLabel('Calendar export (.ics from Google or Outlook)').setInputFiles({ name: 'work.ics', mimeType: 'text/calendar', buffer: Buffer.from(ics) });
  await page.getByRole('button', { name: 'Read busy times' }).click();
  await page.waitForURL(/\/rhythm$/);
  assert.match(await page.locator('#busy').innerText(), /^5\d busy times from your calendar in the coming year/);
  // A file that is not a calendar changes nothing and says why.
  await page.getByLabel('Calendar export (.ics from Google or Outlook)').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from('name,email\nAna,ana@example.com\n') });
  await page.getByRole('button', { name: 'Read busy times' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Nothing was changed: this is not an iCalendar file/);
  assert.match(await page.locator('#busy').innerText(), /^5\d busy times/);
  // Back to the plan with the cuts accepted, and apply it.
  await page.goto(viablePlan);
  await page.getByRole('button', { name: 'Apply this rhythm' }).click();
  await page.waitForURL(`${coach.base}/`);
  const coming = page.locator('section[aria-labelledby="coach-h"] li');
  assert.ok(await coming.count() >= 3, 'the applied sessions are on the home page');
  await shot(page, '82-rhythm-applied-home');
  await page.goto(`${coach.base}/rhythm`);
  assert.match(await page.locator('#current').innerText(), /^\d+ series on your calendar, from /);
  // The calendar feed: its address on the profile, the sessions in it.
  await page.goto(`${coach.base}/profile#calendar`);
  const feed = await page.locator('#calendar-url').innerText();
  assert.match(feed, /\/calendar\/[A-Za-z0-9_-]{40,}\.ics$/);
  await shot(page, '83-profile-calendar-feed');
  const body = await (await fetch(feed)).text();
  assert.match(body, /^BEGIN:VCALENDAR\r\n/);
  assert.match(body, /RRULE:FREQ=WEEKLY;INTERVAL=\d+;BYDAY=(MO|FR)/);
  assert.match(body, /SUMMARY:Prepare: /);
  // Sellers may not plan a rhythm.
  const seller = await browser.newContext().then((c) => c.newPage());
  await signIn(seller, coach.base, 'seller1@demo.example');
  const r = await seller.goto(`${coach.base}/rhythm`);
  assert.equal(r.status(), 403);
});
