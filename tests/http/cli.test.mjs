// The offline `fitcheck check` command (build/fitcheck): the same verdicts as the server from the
// same files, model.summary() and the findings as text, JSON and GitHub annotations, exit statuses,
// and --server posting to a team endpoint whose history then holds the report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { keras3Sequential } from './lib/fixtures.mjs';
import { npy } from './lib/npy.mjs';
import { FitcheckServer, makeTempDir, removeTempDir, serverBinary } from './lib/server.mjs';

const SOURCE = process.env.FITCHECK_SOURCE_DIR ?? path.resolve('.');
const SEED_KERAS = path.join(SOURCE, 'tests/fixtures/mnist-seed.keras');

function cliBinary() {
  const bin = process.env.FITCHECK_CLI ?? path.join(path.dirname(serverBinary()), 'fitcheck');
  assert.ok(existsSync(bin), `${bin}: no such file (FITCHECK_CLI names the fitcheck command)`);
  return bin;
}

function run(args, env = {}) {
  const r = spawnSync(cliBinary(), args, { encoding: 'utf8', env: { ...process.env, FITCHECK_KEY: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir;
let srv;
const file = (name) => path.join(dir, name);

before(async () => {
  dir = await makeTempDir('fitcheck-cli');
  writeFileSync(file('model.json'), JSON.stringify(keras3Sequential()));
  const n = 64;
  const x = new Float32Array(n * 28 * 28).map((_, i) => (i % 255) / 255);
  writeFileSync(file('x.npy'), npy('<f4', [n, 28, 28], x));
  writeFileSync(file('x_flat.npy'), npy('<f4', [n, 784], x));
  writeFileSync(file('y_ok.npy'), npy('<i8', [n], BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 10))));
  writeFileSync(file('y_11.npy'), npy('<i8', [n], BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 11))));
  writeFileSync(file('x_nan.npy'), npy('<f4', [n, 28, 28], x.map((v, i) => (i === 5 ? NaN : v))));
  writeFileSync(file('x_255.npy'), npy('<f4', [n, 28, 28], x.map((v) => v * 255)));
  writeFileSync(file('bad.npy'), Buffer.from('not an array'));
  srv = await FitcheckServer.start({ db: file('fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

const SPARSE = ['--loss', 'sparse_categorical_crossentropy'];
const codesOf = (report) => report.findings.map((f) => `${f.severity} ${f.code} ${f.location.pointer}`).sort();

describe('fitcheck check, offline', () => {
  it('prints model.summary() and the findings, and exits 1 on an error', () => {
    const r = run(['check', file('model.json'), '--x', file('x.npy'), '--y', file('y_11.npy'), ...SPARSE]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /^Model: "sequential" \(Sequential\)\n_{65}\n Layer \(type\) +Output Shape +Param #/);
    assert.match(r.stdout, /\n dense \(Dense\) +\(None, 10\) +7850\n/);
    assert.match(r.stdout, /Total params: 7,850 \(30\.66 KB\)/);
    assert.match(r.stdout, /\nerror LABEL_OUT_OF_RANGE at \/data\/y\n/);
    assert.match(r.stdout, /Keras 3 says:\n    Received a label value of 10 which is outside the valid range of \[0, 10\)/);
    assert.match(r.stdout, /  Fix: /);
  });

  it('gives the verdicts the server gives for the same files uploaded as .npy parts', async () => {
    const cases = [
      [['--x', 'x.npy', '--y', 'y_ok.npy'], 'pass'],
      [['--x', 'x.npy', '--y', 'y_11.npy'], 'fail'],
      [['--x', 'x_flat.npy', '--y', 'y_ok.npy'], 'fail'],
      [['--x', 'x_nan.npy', '--y', 'y_ok.npy'], 'fail'],
      [['--x', 'x_255.npy', '--y', 'y_ok.npy'], 'warn'],
    ];
    for (const [files, verdict] of cases) {
      const args = files.map((a) => (a.endsWith('.npy') ? file(a) : a));
      const offline = run(['check', file('model.json'), ...args, ...SPARSE, '--format', 'json', '--fail-on', 'never']);
      assert.equal(offline.status, 0, offline.stderr);
      const mine = JSON.parse(offline.stdout);
      const fd = new FormData();
      fd.append('request', JSON.stringify({ model: keras3Sequential(), compile: { loss: 'sparse_categorical_crossentropy' } }));
      fd.append('x', new Blob([await import('node:fs/promises').then((fs) => fs.readFile(file(files[1])))]), 'x.npy');
      fd.append('y', new Blob([await import('node:fs/promises').then((fs) => fs.readFile(file(files[3])))]), 'y.npy');
      const served = await srv.request('POST', '/v1/preflight', { body: fd });
      assert.equal(served.status, 201, served.text);
      assert.equal(mine.verdict, served.body.verdict, files.join(' '));
      if (verdict) assert.equal(mine.verdict, verdict, files.join(' '));
      assert.deepEqual(codesOf(mine), codesOf(served.body), files.join(' '));
      assert.deepEqual(mine.model, served.body.model);
    }
  });

  it('reads a .keras archive', () => {
    const r = run(['check', SEED_KERAS, '--x', file('x_flat.npy'), '--y', file('y_ok.npy'), ...SPARSE]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /error INPUT_RANK_MISMATCH at \/data\/x \(input 'pixels'\)/);
  });

  it('exits as --fail-on says', () => {
    // x_255: pixels not scaled to [0, 1] train, badly: a warning
    const base = ['check', file('model.json'), '--x', file('x_255.npy'), '--y', file('y_ok.npy'), ...SPARSE];
    const report = JSON.parse(run([...base, '--format', 'json', '--fail-on', 'never']).stdout);
    assert.equal(report.verdict, 'warn', JSON.stringify(report.findings.map((f) => f.code)));
    assert.equal(run(base).status, 0);
    assert.equal(run([...base, '--fail-on', 'warning']).status, 1);
    const failing = ['check', file('model.json'), '--x', file('x_flat.npy'), ...SPARSE];
    assert.equal(run([...failing, '--fail-on', 'never']).status, 0);
    assert.equal(run(failing).status, 1);
  });

  it('prints one GitHub annotation per finding, on one line each', () => {
    const r = run(['check', file('model.json'), '--x', file('x_255.npy'), '--y', file('y_11.npy'), ...SPARSE, '--format', 'github']);
    assert.equal(r.status, 1);
    const lines = r.stdout.trimEnd().split('\n');
    const annotations = lines.filter((l) => l.startsWith('::'));
    assert.ok(annotations.length >= 2, r.stdout);
    assert.match(annotations.find((l) => l.includes('LABEL_OUT_OF_RANGE')),
      new RegExp(`^::error file=${file('model.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},title=fitcheck LABEL_OUT_OF_RANGE::labels run from 0 to 10.*%0AAt: /data/y%0A`));
    assert.ok(annotations.some((l) => l.startsWith('::warning ') && l.includes('UNSCALED_INPUT')), 'unscaled pixels are a warning');
    assert.match(lines.at(-1), /^fitcheck: fail: /);
  });

  it('takes a request file, and the flags override it', () => {
    writeFileSync(file('req.json'), JSON.stringify({ model: keras3Sequential(), compile: { loss: 'mse' }, fit: { batch_size: 8 } }));
    const r = run(['check', '--request', file('req.json'), '--x', file('x.npy'), '--y', file('y_11.npy'), ...SPARSE, '--format', 'json']);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(JSON.parse(r.stdout).findings.some((f) => f.code === 'LABEL_OUT_OF_RANGE'), 'the loss from the flag was used');
    const twice = run(['check', file('model.json'), '--request', file('req.json')]);
    assert.equal(twice.status, 2);
    assert.match(twice.stderr, /the model is given twice/);
  });

  it('exits 2 on bad input, saying which file or flag', () => {
    const cases = [
      [['check', file('missing.json')], /cannot read the model .*missing\.json: No such file/],
      [['check', file('x.npy')], /x\.npy is not JSON/],
      [['check', file('model.json'), '--x', file('bad.npy')], /bad\.npy is not an array fitcheck can read/],
      [['check', file('model.json'), '--batch-size', 'ten'], /--batch-size must be a whole number, got 'ten'/],
      [['check', file('model.json'), '--format', 'xml'], /--format must be text, json or github/],
      [['check', file('model.json'), '--fail-on', 'sometimes'], /--fail-on must be error, warning or never/],
      [['check', file('model.json'), '--framework', 'pytorch'], /not one fitcheck can check: .*\(at \/framework\)/],
      [['check'], /give a model file/],
      [['frobnicate'], /Usage: fitcheck check/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});

describe('fitcheck check --server', () => {
  it('stores the report on the server, with its labels, and prints where', async () => {
    const r = run(['check', file('model.json'), '--x', file('x.npy'), '--y', file('y_11.npy'), ...SPARSE,
      '--server', srv.baseUrl, '--project', 'cli-test', '--run', 'r1']);
    assert.equal(r.status, 1, r.stderr);
    const where = r.stdout.match(/\nStored: (\S+)\n/);
    assert.ok(where, r.stdout);
    const id = where[1].match(/#\/reports\/([0-9a-f-]{36})$/)[1];
    const stored = await srv.request('GET', `/v1/reports/${id}`);
    assert.equal(stored.status, 200);
    assert.deepEqual(stored.body.labels, { project: 'cli-test', run: 'r1' });
    assert.ok(stored.body.findings.some((f) => f.code === 'LABEL_OUT_OF_RANGE'));
  });

  it('exits 3 when the server cannot be reached', async () => {
    const r = run(['check', file('model.json'), '--server', 'http://127.0.0.1:9']);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\/v1\/preflight/);
  });

  it('sends the key from --key or FITCHECK_KEY; a missing or wrong one exits 2 with the server\'s problem', async () => {
    const kdir = await makeTempDir('fitcheck-cli-keys');
    const db = path.join(kdir, 'fitcheck.db');
    const made = spawnSync(serverBinary(), ['keys', 'create', '--db', db, '--team', 'ci'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const key = made.stdout.trim();
    const keyed = await FitcheckServer.start({ db, extraArgs: ['--auth', 'keys'] });
    try {
      const args = ['check', file('model.json'), '--x', file('x.npy'), '--y', file('y_ok.npy'), ...SPARSE, '--server', keyed.baseUrl];
      const none = run(args);
      assert.equal(none.status, 2);
      assert.match(none.stderr, /the server answered 401 Unauthorized: this endpoint needs an API key/);
      assert.equal(run([...args, '--key', `${key}x`]).status, 2);
      assert.equal(run([...args, '--key', key]).status, 0);
      const fromEnv = run(args, { FITCHECK_KEY: key });
      assert.equal(fromEnv.status, 0, fromEnv.stderr);
      const list = await keyed.request('GET', '/v1/reports', { headers: { Authorization: `Bearer ${key}` } });
      assert.equal(list.body.items.length, 2);
    } finally {
      await keyed.stop();
      await removeTempDir(kdir);
    }
  });
});
