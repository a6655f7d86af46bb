// The admin adds a seller under manager1, signs out, and the seller signs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn, shots } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

test('an admin adds a seller under manager1 and the seller signs in', async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${coach.base}/login`);
  await shot(page, '01-sign-in');

  await signIn(page, coach.base, 'admin@demo.example');
  assert.match(await page.locator('h1').innerText(), /Good to see you/);
  await shot(page, '02-admin-home');

  await page.getByRole('link', { name: 'People', exact: true }).click();
  await page.waitForURL(/\/people/);
  assert.ok(await page.getByText('seller1@demo.example').isVisible());
  await shot(page, '03-people');
  await page.screenshot({ path: `${shots}/readme.png` });

  await page.getByRole('link', { name: 'Add person' }).click();
  await shot(page, '04-add-person');
  await page.getByLabel('Full name').fill('Nadia Brooks');
  await page.getByLabel('Work email').fill('nadia.brooks@demo.example');
  await page.getByLabel('Reports to').selectOption({ label: (await page.locator('#manager_id option', { hasText: 'Manager' }).first().innerText()) });
  const manager1 = await page.locator('#manager_id option').evaluateAll((opts) => opts.map((o) => o.textContent));
  assert.ok(manager1.length > 3);
  await page.getByLabel('First password').fill('short');
  await page.getByRole('button', { name: 'Add person' }).click();
  assert.ok(await page.getByText('Must be at least 8 characters').isVisible());
  await shot(page, '05-add-person-error');

  const m1 = await page.evaluate(async () => {
    const r = await fetch('/api/v1/users?q=manager1');
    return (await r.json()).data[0];
  });
  await page.getByLabel('Reports to').selectOption(m1.id);
  await page.getByLabel('First password').fill('nadia-first-pass');
  await page.getByRole('button', { name: 'Add person' }).click();
  await page.waitForURL(/notice=added/);
  assert.ok(await page.getByText('Person added').isVisible());
  await shot(page, '06-person-added');

  await page.getByRole('link', { name: 'Nadia Brooks' }).click();
  assert.ok(await page.getByText(m1.name).isVisible());
  await shot(page, '07-person');
  await page.getByText('Deactivate…').click();
  assert.ok(await page.getByRole('button', { name: 'Deactivate Nadia' }).isVisible(), 'deactivation asks to confirm');
  await shot(page, '07b-person-deactivate-confirm');
  await page.getByText('Deactivate…').click();

  await page.getByRole('link', { name: 'Teams' }).click();
  await shot(page, '08-teams');

  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Stage name in your CRM').fill('Verbal Commit');
  await page.getByLabel('Buying stage').selectOption({ label: 'Mitigate risks' });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/notice=saved/);
  assert.ok(await page.getByText('Verbal Commit').isVisible());
  await shot(page, '08b-settings-stages');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login/);
  assert.ok(await page.getByText('You are signed out').isVisible());

  await signIn(page, coach.base, 'nadia.brooks@demo.example', 'nadia-first-pass');
  assert.match(await page.locator('h1').innerText(), /Nadia/);
  assert.ok(await page.getByText(m1.name).isVisible(), 'the seller sees their manager');
  assert.equal(await page.getByRole('link', { name: 'People', exact: true }).count(), 0, 'a seller has no People page');
  await shot(page, '09-seller-home');

  await page.getByRole('link', { name: 'Nadia Brooks' }).click();
  await shot(page, '10-seller-profile');
  await page.getByLabel('Token name').fill('Pipeline script');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.locator('#new-token').innerText();
  assert.match(token, /^coach_/);
  const me = await page.evaluate(async (t) => (await fetch('/api/v1/me', { headers: { Authorization: `Bearer ${t}` } })).json(), token);
  assert.equal(me.email, 'nadia.brooks@demo.example', 'the token works for the API');
  await shot(page, '10b-seller-token-created');
  const denied = await page.goto(`${coach.base}/people`);
  assert.equal(denied.status(), 403);
  await shot(page, '11-seller-denied');
});

test('every demo role gets a signed-in home with the navigation of its role', async () => {
  const expectations = [
    ['director@demo.example', ['Home', 'My people', 'Teams', 'Coaching', 'Scorecard', 'Analytics', 'Accounts', 'Opportunities', 'Calls']],
    ['manager1@demo.example', ['Home', 'My people', 'Teams', 'Coaching', 'Scorecard', 'Analytics', 'Accounts', 'Opportunities', 'Calls']],
    ['seller5@demo.example', ['Home', 'Coaching', 'Scorecard', 'Analytics', 'Accounts', 'Opportunities', 'Calls']],
  ];
  for (const [email, nav] of expectations) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signIn(page, coach.base, email);
    const links = await page.locator('nav[aria-label="Main"] a').allInnerTexts();
    assert.deepEqual(links, nav, email);
    await shot(page, `20-home-${email.split('@')[0]}`);
    if (email.startsWith('manager1')) {
      await page.getByRole('link', { name: 'My people' }).click();
      const emails = await page.locator('tbody tr small').allInnerTexts();
      const demoSellers = emails.filter((e) => /^seller\d+@/.test(e)).sort();
      assert.deepEqual(demoSellers, [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `seller${n}@demo.example`).sort(), 'manager1 sees their eight sellers and nobody else\'s');
      await shot(page, '21-manager-people');
    }
  }
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await signIn(phone, coach.base, 'admin@demo.example');
  await phone.goto(`${coach.base}/people`);
  await shot(phone, '30-people-phone');
});
