// Every data-driven case in tests/cases (the seed articles' six examples among
// them) through the real server: POST /v1/preflight answers 201 with the
// expected verdict and exactly the expected finding codes, and the stored
// report is the one returned. The detailed expectations (texts, fixes) are
// checked in-process by tests/unit/test_cases.c.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR, checkSchema } from './lib/contract.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const CASES = path.join(SOURCE_DIR, 'tests', 'cases');
const names = readdirSync(CASES).filter((n) => !n.startsWith('.')).sort();
const load = (name, file) => JSON.parse(readFileSync(path.join(CASES, name, file), 'utf8'));

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-cases');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db'), maxBody: 1 << 20 });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

describe('tests/cases through POST /v1/preflight', () => {
  it('has the seed articles\' six examples', () => {
    for (let i = 1; i <= 6; i++) assert.ok(names.some((n) => n.startsWith(`seed${i}-`)), `seed${i}`);
  });

  for (const name of names) {
    it(name, async () => {
      const expected = load(name, 'expected.json');
      const request = load(name, 'request.json');
      // what the cases send is what the contract promises to accept
      const asRequest = checkSchema('PreflightRequest', request);
      assert.ok(asRequest.valid, `request.json against PreflightRequest: ${asRequest.message}`);
      const r = await srv.request('POST', '/v1/preflight', { json: request });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.verdict, expected.verdict);
      if (expected.framework) assert.equal(r.body.framework, expected.framework);
      assert.deepEqual(r.body.findings.map((f) => f.code).sort(), expected.findings.map((f) => f.code).sort());
      const stored = await srv.request('GET', r.headers.get('location'));
      assert.equal(stored.status, 200);
      assert.deepEqual(stored.body, r.body);
    });
  }
});
