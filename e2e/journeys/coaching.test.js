// The coaching conversation: a manager schedules an opportunity session, the
// seller prepares it (picks deals with fresh CRM data, R25–R27), the manager
// prepares questions (R37), a director joins to observe, the manager runs it
// from opening to close (R34, R36) while both keep notes (R38), the seller's
// summary becomes action items (R39, R41) that the next session reviews
// (R35), the seller gives feedback (R40) and the director files an
// observation (R43). Two tabs editing one note never lose a word (T5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCoach, startBrowser, shot, signIn } from './support.js';

let coach; let browser;
before(async () => { coach = await startCoach(); browser = await startBrowser(); });
after(async () => { await browser?.close(); coach?.stop(); });

const desk = () => browser.newContext({ viewport: { width: 1280, height: 800 } }).then((c) => c.newPage());

test('a session from scheduling to feedback and observation', async () => {
  const seller = await desk();
  await signIn(seller, coach.base, 'seller1@demo.example');
  const sellerName = (await seller.locator('.me a').innerText()).trim();

  const manager = await desk();
  await signIn(manager, coach.base, 'manager1@demo.example');
  await manager.getByRole('link', { name: 'Coaching', exact: true }).click();
  await manager.waitForURL(/\/sessions$/);
  assert.ok(await manager.getByRole('heading', { name: 'Coming up' }).isVisible());
  await shot(manager, '60-sessions');
  await manager.getByLabel('Seller', { exact: true }).selectOption({ label: sellerName });
  await manager.getByLabel('Kind').selectOption('opportunity');
  const day = new Date(Date.now() + 6 * 86400000).toISOString().slice(0, 10);
  await manager.getByLabel('Day').fill(day);
  await manager.getByLabel('Time').fill('10:00');
  await manager.getByRole('button', { name: 'Schedule' }).click();
  await manager.waitForURL(/\/sessions\/[0-9a-f-]+\?notice=scheduled/);
  const url = manager.url().replace(/\?.*$/, '');
  for (const section of ['Review of action items', 'Focused discussion', 'Next steps']) {
    assert.ok(await manager.getByRole('heading', { name: section }).isVisible(), section);
  }

  // The seller sees the preparation due on their home page, then picks deals.
  await seller.goto(`${coach.base}/`);
  assert.match(await seller.locator('#coach-h').locator('..').locator('..').innerText(), /Your preparation due/);
  await shot(seller, '61-home-preparation-due');
  await seller.goto(url);
  let picked = 0;
  while (picked < 2) {
    const box = seller.locator('#prepare details', { hasText: 'Pick a deal' });
    if (await box.count() === 0) break;
    if (await box.getAttribute('open') === null) await box.locator('summary').click();
    // A deal whose CRM data is stale is not picked: update it in the CRM first (R27).
    const fresh = box.locator('.pick-list li').filter({ hasNotText: 'CRM updated' });
    if (await fresh.count() === 0) break;
    await fresh.first().getByRole('button', { name: 'Pick' }).click();
    await seller.waitForURL(/notice=saved/);
    picked += 1;
  }
  assert.ok(picked > 0, 'a deal with fresh CRM data');
  await seller.getByRole('button', { name: 'I am prepared' }).click();
  await seller.waitForURL(/notice=prepared/);
  assert.match(await seller.locator('#prepare').innerText(), /Prepared/);
  await shot(seller, '62-seller-prepared');

  // The manager reads the picks and prepares questions from the bank.
  await manager.goto(url);
  assert.equal(await manager.locator('#prepare table tbody tr').count(), picked);
  const bank = manager.locator('#prepare details', { hasText: 'Add from the question bank' });
  await bank.locator('summary').click();
  await bank.locator('.pick-list li').first().getByRole('button', { name: 'Add' }).click();
  await manager.waitForURL(/notice=saved/);
  await manager.getByLabel('Minutes spent preparing').fill('45');
  await manager.getByRole('button', { name: 'I am prepared' }).click();
  await manager.waitForURL(/notice=prepared/);
  assert.match(await manager.locator('.page-head').innerText(), /Prepared/);
  await shot(manager, '63-manager-prepared');

  // A director joins to observe (R43).
  const director = await desk();
  await signIn(director, coach.base, 'director@demo.example');
  await director.goto(url);
  await director.getByRole('button', { name: 'Observe this session' }).click();
  await director.waitForURL(/notice=joined/);

  // The manager opens it: the room guides the conversation (R36).
  await manager.goto(url);
  await manager.getByRole('button', { name: 'Open the session' }).click();
  await manager.waitForURL(/notice=opened/);
  assert.ok(await manager.getByRole('heading', { name: 'The conversation' }).isVisible());
  await manager.locator('.steps').getByRole('button', { name: 'Seeking information' }).click();
  await manager.waitForURL(/notice=saved/);
  assert.match(await manager.locator('.guide').innerText(), /open-ended/);
  const focus = manager.locator('#agenda li.item', { has: manager.locator('a[href^="/opportunities/"]') }).first();
  await focus.getByRole('button', { name: 'Start' }).click();
  await manager.waitForURL(/notice=saved/);
  const decision = manager.locator('#agenda li.item', { has: manager.locator('a[href^="/opportunities/"]') }).first().locator('textarea');
  await decision.fill('Meet the economic buyer before the proposal');
  await manager.waitForFunction(() => [...document.querySelectorAll('#agenda .save-state')].some((s) => s.textContent === 'Saved'));
  await manager.getByLabel('Your note').fill('Seller talks more than before. Ask about the champion next time.');
  await manager.getByRole('button', { name: 'Save note' }).click();
  await manager.waitForURL(/notice=saved/);
  await shot(manager, '64-session-room');

  // The seller summarizes the next steps (R35, R39).
  await seller.goto(url);
  await seller.getByLabel('Next step', { exact: true }).fill('Book the meeting with the economic buyer');
  await seller.getByRole('button', { name: 'Add', exact: true }).last().click();
  await seller.waitForURL(/notice=saved/);
  await seller.getByLabel('Your note').fill('Criteria: security review, price per seat.');
  await seller.getByLabel('Share it').check();
  await seller.getByRole('button', { name: 'Save note' }).click();
  await seller.waitForURL(/notice=saved/);
  assert.match(await seller.locator('#next').innerText(), /Book the meeting with the economic buyer/);
  assert.doesNotMatch(await seller.locator('#notes').innerText(), /Ask about the champion/, "the manager's private note stays private");
  await shot(seller, '65-next-steps');

  // The manager closes: the agenda is reviewed (R34).
  await manager.goto(url);
  assert.match(await manager.locator('#notes').innerText(), /security review/, 'the shared note');
  await manager.getByRole('button', { name: 'Review the agenda and close' }).click();
  await manager.waitForURL(/notice=closed/);
  assert.match(await manager.locator('.page-head').innerText(), /Held/);
  assert.match(await manager.locator('#agenda').innerText(), /Meet the economic buyer before the proposal/);
  await shot(manager, '66-session-held');

  // The next session reviews the open item (R35 a).
  await manager.goto(`${coach.base}/sessions`);
  await manager.getByLabel('Seller', { exact: true }).selectOption({ label: sellerName });
  await manager.getByLabel('Kind').selectOption('account');
  await manager.getByLabel('Day').fill(new Date(Date.now() + 20 * 86400000).toISOString().slice(0, 10));
  await manager.getByRole('button', { name: 'Schedule' }).click();
  await manager.waitForURL(/notice=scheduled/);
  assert.match(await manager.locator('.agenda-section').first().innerText(), /Book the meeting with the economic buyer/);
  await shot(manager, '67-next-session-review');

  // The seller gives feedback (R40).
  await seller.goto(`${coach.base}/sessions`);
  await seller.getByRole('link', { name: /Opportunity coaching/ }).first().click();
  await seller.getByLabel('What was most valuable?').fill('Working through the criteria together.');
  await seller.getByLabel('4').check();
  await seller.locator('fieldset', { hasText: 'Would you have paid' }).getByLabel('Yes').check();
  await shot(seller, '68-feedback');
  await seller.getByRole('button', { name: 'Send feedback' }).click();
  await seller.waitForURL(/notice=feedback/);

  // The director files the observation; the manager reads it (R43).
  await director.goto(url);
  for (const q of ['prepared', 'agenda agreed', 'balanced', 'seller summarize', 'feedback']) {
    await director.locator('fieldset', { hasText: new RegExp(q, 'i') }).getByLabel('Yes').check();
  }
  await director.locator('fieldset', { hasText: 'ask before telling' }).getByLabel('No').check();
  await director.getByLabel('What you would tell the manager').fill('Good agenda. Ask one more open question before suggesting.');
  await director.getByRole('button', { name: 'File the observation' }).click();
  await director.waitForURL(/notice=observed/);
  await manager.goto(url);
  assert.match(await manager.locator('#observation').innerText(), /Ask one more open question/);
  assert.equal(await manager.locator('#observation .pill.below').count(), 1, 'one check answered no');
  await shot(manager, '69-observation');
  await seller.goto(url);
  assert.equal(await seller.locator('#observation').count(), 0, 'the seller does not see the observation');

  // The seller's action items, and the printable summary.
  await seller.goto(`${coach.base}/action-items`);
  assert.match(await seller.locator('table').innerText(), /Book the meeting with the economic buyer/);
  await shot(seller, '70-action-items');
  await manager.goto(`${url}/print`);
  assert.match(await manager.locator('main').innerText(), /Decision: Meet the economic buyer/);
  await shot(manager, '71-print');
});

test('two tabs editing the same note: the stale save is shown, not lost (T5)', async () => {
  const a = await desk();
  await signIn(a, coach.base, 'seller2@demo.example');
  await a.goto(`${coach.base}/sessions`);
  await a.locator('#coming-h').locator('..').locator('..').locator('tbody a').first().click();
  const url = a.url();
  await a.getByLabel('Your note').fill('First thoughts');
  await a.getByRole('button', { name: 'Save note' }).click();
  await a.waitForURL(/notice=saved/);
  const b = await a.context().newPage();
  await b.goto(url);
  const boxA = a.locator('#notes textarea').first();
  const boxB = b.locator('#notes textarea').first();
  await boxA.fill('First thoughts, from tab A');
  await a.waitForFunction(() => [...document.querySelectorAll('#notes .save-state')].some((s) => s.textContent === 'Saved'));
  await boxB.fill('First thoughts, from tab B');
  await b.waitForSelector('#notes .conflict');
  assert.match(await b.locator('#notes .conflict').innerText(), /from tab A/);
  assert.equal(await boxB.inputValue(), 'First thoughts, from tab B', 'your text stays in the box');
  await shot(b, '72-note-conflict');
  await boxB.fill('First thoughts, from tab A and tab B');
  await b.waitForFunction(() => [...document.querySelectorAll('#notes .save-state')].some((s) => s.textContent === 'Saved'));
  await a.reload();
  assert.equal(await a.locator('#notes textarea').first().inputValue(), 'First thoughts, from tab A and tab B');
});

test('an admin sets how the organization coaches', async () => {
  const admin = await desk();
  await signIn(admin, coach.base, 'admin@demo.example');
  await admin.goto(`${coach.base}/settings/coaching`);
  await admin.getByLabel('How sellers pick the deals to discuss').fill('Your three biggest deals in the first two stages, or one where you are stuck.');
  await admin.getByRole('button', { name: 'Save', exact: true }).click();
  await admin.waitForURL(/notice=saved/);
  await admin.locator('#bank details summary').click();
  await admin.getByLabel('Kind').selectOption('opportunity');
  await admin.getByLabel('Buying stage').selectOption('establish_criteria');
  await admin.getByLabel('Question', { exact: true }).fill('Who wrote the buying criteria, and what did you add?');
  await admin.getByRole('button', { name: 'Add', exact: true }).click();
  await admin.waitForURL(/notice=added/);
  assert.match(await admin.locator('#bank').innerText(), /Who wrote the buying criteria/);
  // A template without the next steps section is refused, citing R35.
  await admin.locator('summary', { hasText: 'Call' }).click();
  await admin.getByLabel('Items').last().fill('review | Updates | 5\nfocus | The call plan | 25');
  await admin.getByRole('button', { name: 'Save the Call template' }).click();
  await admin.waitForSelector('.error-box');
  assert.match(await admin.locator('.error-box').innerText(), /R35/);
  await shot(admin, '73-settings-coaching');
  // The cadence (R10–R13): one team's opportunity coaching every two weeks.
  await admin.getByRole('link', { name: 'Cadence', exact: true }).click();
  await admin.waitForURL(/\/settings\/cadence$/);
  const cadenceText = await admin.locator('main').innerText();
  assert.match(cadenceText, /R12: monthly, an hour; less often for long sales cycles/);
  await admin.getByLabel('Policy of').selectOption({ label: "Ines Lopez's team" });
  await admin.getByRole('button', { name: 'Show' }).click();
  await admin.waitForURL(/team=/);
  await admin.getByLabel('Set Opportunity here').check();
  await admin.getByLabel('Opportunity: every so many weeks').fill('2');
  await admin.getByRole('button', { name: 'Save' }).click();
  await admin.waitForURL(/notice=saved/);
  assert.equal(await admin.getByLabel('Opportunity: every so many weeks').inputValue(), '2');
  assert.match(await admin.locator('tbody tr', { hasText: 'Opportunity' }).innerText(), /the organization's: every 4 weeks, 60 min|the research default: every 4 weeks, 60 min/);
  await shot(admin, '84-settings-cadence');
});

test('a call plan is written, the outcome recorded against it, and the manager who attended gives feedback', async () => {
  const seller = await desk();
  await signIn(seller, coach.base, 'seller3@demo.example');
  await seller.goto(`${coach.base}/call-plans`);
  await seller.getByRole('link', { name: 'Write a call plan' }).click();
  await seller.waitForURL(/\/call-plans\/new$/);
  await seller.getByLabel('Objective of the call').fill('Agree the evaluation criteria with the CFO');
  await seller.getByLabel('Key questions to ask').fill('What would make this a success for you in a year?');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/\/call-plans\/[0-9a-f-]+\?notice=saved$/);
  assert.match(await seller.locator('.warning').innerText(), /possible solutions/, 'what a good plan also has (R28)');
  await seller.getByLabel('Possible solutions to discuss').fill('A pilot in one region');
  await seller.getByLabel('The next step to ask for').fill('A workshop with the CFO next week');
  await seller.getByRole('button', { name: 'Save the plan' }).click();
  await seller.waitForURL(/notice=saved$/);
  assert.equal(await seller.locator('.warning').count(), 0);
  await seller.locator('fieldset', { hasText: 'Did the buyer agree' }).getByLabel('Yes').check();
  await seller.getByLabel('What happened, against the plan').fill('The CFO agreed to the workshop; criteria drafted together.');
  await seller.getByLabel('A manager attended').selectOption({ index: 1 });
  await seller.getByRole('button', { name: 'Record it' }).click();
  await seller.waitForURL(/notice=saved$/);
  const url = seller.url().replace(/\?.*$/, '');

  const manager = await desk();
  await signIn(manager, coach.base, 'manager1@demo.example');
  await manager.goto(url);
  await manager.getByLabel('Your feedback, item by item against the plan').fill('The success question opened them up. Ask for the workshop date on the call next time.');
  await manager.getByRole('button', { name: 'Save feedback' }).click();
  await manager.waitForURL(/notice=saved$/);
  assert.match(await manager.locator('#out-h').locator('..').innerText(), /The success question opened them up/);
  await shot(manager, '74-call-plan');
  await manager.goto(`${coach.base}/call-plans`);
  assert.match(await manager.locator('table').innerText(), /Next step won · observed/);
});
