// The dashboard in a real browser (playwright-core driving Debian's chromium, headless) against a real
// fitcheckd with --auth keys: the key typed once and kept for the session, the history and its
// filters, a report's page (findings, fixes, model summary, the diff against the previous run), and
// a report stored by someone else appearing live. With FITCHECK_SCREENSHOTS=1 it also writes the
// screenshots the README shows (docs/screenshots/).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { chromium } from 'playwright-core';

import { SOURCE_DIR } from '../http/lib/contract.mjs';
import { failingRequest, mnistRequest, passingRequest, tensor } from '../http/lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir, serverBinary } from '../http/lib/server.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.FITCHECK_SCREENSHOTS === '1' ? path.join(SOURCE_DIR, 'docs', 'screenshots') : null;

let dir;
let srv;
let browser;
let page;
let key;
const stored = [];

async function post(body) {
  const r = await srv.request('POST', '/v1/preflight', { json: body, headers: { Authorization: `Bearer ${key}` } });
  assert.equal(r.status, 201, r.text);
  stored.push(r.body);
  return r.body;
}

/** The MNIST request with a categorical loss: integer labels (the mistake) or one-hot rows (the fix). */
function mnist(project, run, oneHot) {
  const body = mnistRequest({ x: [60000, 28, 28], labels: { project, run } });
  body.compile.loss = 'categorical_crossentropy';
  body.data.y = oneHot
    ? tensor([60000, 10], 'float32', { min: 0, max: 1, row_sum_min: 1, row_sum_max: 1 })
    : tensor([60000], 'uint8', { min: 0, max: 9 });
  return body;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM} (scripts/deps.sh test installs Debian's chromium)`);
  dir = await makeTempDir('fitcheck-browser');
  const db = path.join(dir, 'fitcheck.db');
  const made = spawnSync(serverBinary(), ['keys', 'create', '--db', db, '--team', 'vision'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  key = made.stdout.trim();
  srv = await FitcheckServer.start({ db, extraArgs: ['--auth', 'keys'] });
  await post(mnist('mnist-cnn', 'baseline', false));
  await post(passingRequest({ labels: { project: 'digits', run: 'r1' } }));
  await post(failingRequest({ labels: { project: 'digits', run: 'r2' } }));
  await post(mnist('mnist-cnn', 'one-hot labels', true));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await removeTempDir(dir);
});

const rows = () => page.locator('#reports tbody tr');

describe('dashboard', () => {
  it('asks for a key, then keeps it for the session and shows the history', async () => {
    await page.goto(`${srv.baseUrl}/`);
    await page.locator('#notice').waitFor({ state: 'visible' });
    assert.match(await page.locator('#notice').textContent(), /API key/);
    await page.fill('#key', key);
    await page.click('#key-form button');
    await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 4);
    assert.equal(await rows().first().getAttribute('data-id'), stored.at(-1).id, 'newest first');
    assert.equal(await page.locator('#notice').isHidden(), true);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 4);
    assert.equal(await page.inputValue('#key'), key, 'kept in the session');
    await page.locator('#live.on').waitFor();
    assert.ok((await page.locator('#chart-verdicts rect').count()) >= 2, 'verdict bars');
    assert.ok((await page.locator('#chart-codes rect').count()) >= 1, 'code bars');
  });

  it('filters the history', async () => {
    await page.selectOption('select[name=verdict]', 'fail');
    await page.click('#filters button');
    await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 2);
    for (const v of await page.locator('#reports tbody .badge').allTextContents()) assert.equal(v, 'fail');
    await page.selectOption('select[name=verdict]', '');
    await page.fill('input[name=project]', 'mnist-cnn');
    await page.click('#filters button');
    await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 2);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.fill('input[name=project]', '');
      await page.click('#filters button');
      await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 4);
      await page.screenshot({ path: path.join(SHOTS, 'history.png') });
      await page.fill('input[name=project]', 'mnist-cnn');
      await page.click('#filters button');
      await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 2);
    }
  });

  it('opens a report: findings, fixes, the model summary and what changed since the previous run', async () => {
    const fixed = stored[3];
    await page.click(`#reports tbody tr[data-id="${fixed.id}"]`);
    await page.locator('#report-head').waitFor();
    assert.match(await page.locator('#diff').textContent(), /LABELS_SPARSE_FOR_CATEGORICAL resolved/);
    const table = page.locator('.summary-table');
    assert.match(await table.textContent(), /dense \(Dense\)/);
    assert.match(await table.textContent(), /7,850/);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'report.png'), fullPage: true });
    // the failing run before it: its finding, its framework text and a fix to copy
    await page.click('#diff a');
    await page.waitForFunction((id) => location.hash.endsWith(id), stored[0].id);
    const card = page.locator('.finding').first();
    await card.waitFor();
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'finding.png'), fullPage: true });
    assert.match(await card.textContent(), /LABELS_SPARSE_FOR_CATEGORICAL/);
    assert.ok((await card.locator('pre').count()) >= 1, 'the framework text or a fix is shown as code');
    assert.ok((await card.locator('button.copy').count()) >= 1, 'a fix with a copy button');
    // the code links to its catalog entry, fetched with the key (a bare /v1 link would be a 401)
    await card.locator('h3 a').click();
    const entry = page.locator('#catalog-entry');
    await entry.waitFor();
    assert.match(await entry.textContent(), /LABELS_SPARSE_FOR_CATEGORICAL/);
    assert.match(await entry.textContent(), /Fix/);
    assert.ok((await entry.locator('pre').count()) >= 2, 'the fix and what a framework prints');
  });

  it('shows a report stored elsewhere as it arrives', async () => {
    await page.goto(`${srv.baseUrl}/#/`);
    await page.fill('input[name=project]', 'mnist-cnn');
    await page.click('#filters button');
    await page.waitForFunction(() => document.querySelectorAll('#reports tbody tr').length === 2);
    await page.locator('#live.on').waitFor();
    const fresh = await post(mnist('mnist-cnn', 'from a notebook', true));
    await post(passingRequest({ labels: { project: 'elsewhere' } })); // filtered out
    await page.waitForFunction((id) => document.querySelector('#reports tbody tr')?.dataset.id === id, fresh.id);
    assert.equal(await rows().count(), 3);
  });
});
