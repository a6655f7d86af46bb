// Starts a Coach demo server and a headless Chromium for the journeys, and
// saves a screenshot of every page visited under test-output/screenshots.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..', '..');
export const shots = join(root, 'test-output', 'screenshots');

function freePort() {
  return new Promise((ok, fail) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => ok(port)); });
    srv.on('error', fail);
  });
}

export async function startCoach() {
  const bin = process.env.COACH_BIN || join(root, 'target', 'release', 'coach');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'coach-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['demo', '--data-dir', dataDir, '--bind', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`coach exited early:\n${output}`);
    try { const r = await fetch(`${base}/readyz`); if (r.ok) return { base, stop: () => child.kill('SIGTERM'), output: () => output }; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`coach did not become ready:\n${output}`);
}

export async function startBrowser() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Accessibility: axe-core's WCAG 2 A and AA rules, run in the page. Evaluated
// through the DevTools protocol, so the page's CSP stays as it is.
export async function accessibilityProblems(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// Saves a screenshot of the page and checks it for accessibility problems.
export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const problems = await accessibilityProblems(page);
  if (problems.length > 0) throw new Error(`${name}: accessibility problems:\n${problems.join('\n')}`);
}

export async function signIn(page, base, email, password = 'coach-demo') {
  await page.goto(`${base}/login`);
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
