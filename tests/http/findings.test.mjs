// GET /v1/findings and /v1/findings/{code}: the catalog as an API, and the
// link from every finding in a report to its entry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { SOURCE_DIR } from './lib/contract.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-findings');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/** A template's expansion with sample values: each {name} becomes "v_name". */
const expand = (tmpl) => tmpl.replace(/\{\{|\}\}|\{([A-Za-z0-9_]+)\}/g, (m, name) => (name ? `v_${name}` : m[0]));

describe('the findings catalog', () => {
  it('lists every code once, in catalog order, each entry complete', async () => {
    const r = await srv.request('GET', '/v1/findings');
    assert.equal(r.status, 200);
    const codes = r.body.items.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    assert.ok(codes.length >= 40);
    assert.equal(codes[0], 'INPUT_RANK_MISMATCH');
    const doc = readFileSync(path.join(SOURCE_DIR, 'docs', 'findings.md'), 'utf8');
    for (const e of r.body.items) {
      assert.ok(e.explanation.length > 40 && e.fix.code.length > 0, e.code);
      assert.equal(e.href, `/v1/findings/${e.code}`);
      assert.ok(doc.includes(`## ${e.code}\n`), `docs/findings.md documents ${e.code}`);
    }
  });

  it('gives each framework text as a regular expression that matches the text it describes', async () => {
    const r = await srv.request('GET', '/v1/findings');
    let checked = 0;
    for (const e of r.body.items) {
      for (const fw of ['keras3', 'tf.keras2', 'tfjs']) {
        const text = e.errors[fw];
        const pattern = e.patterns[fw];
        if (text === null || text.startsWith('(')) {
          assert.equal(pattern, null, `${e.code} ${fw}`);
          continue;
        }
        const re = new RegExp(`^${pattern}$`, 's');
        const m = re.exec(expand(text));
        assert.ok(m, `${e.code} ${fw}: ${pattern} does not match its own text`);
        for (const [name, value] of Object.entries(m.groups ?? {})) assert.equal(value, `v_${name}`, `${e.code} ${fw} {${name}}`);
        checked++;
      }
      for (const v of e.variants) {
        if (v.text.startsWith('(')) { /* "(no error: ...)": a behaviour, not a text to match */
          assert.equal(v.pattern, null, `${e.code} variant ${v.framework}`);
          continue;
        }
        const m = new RegExp(`^${v.pattern}$`, 's').exec(expand(v.text));
        assert.ok(m, `${e.code} variant ${v.framework}: ${v.pattern} does not match its own text`);
        checked++;
      }
    }
    assert.ok(checked >= 80, `${checked} patterns checked`);
  });

  it('serves one entry by code, and 404 for an unknown code', async () => {
    let r = await srv.request('GET', '/v1/findings/LABEL_OUT_OF_RANGE');
    assert.equal(r.status, 200);
    assert.equal(r.body.severity, 'error');
    assert.match(r.body.errors.keras3, /outside the valid range of \[0, \{units\}\)/);
    r = await srv.request('GET', '/v1/findings/NO_SUCH_CODE');
    assert.equal(r.status, 404);
    assert.equal(r.body.type, '/problems/not-found');
    r = await srv.request('POST', '/v1/findings');
    assert.equal(r.status, 405);
  });

  it('links every finding of a report to its catalog entry', async () => {
    const request = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'tests', 'cases', 'seed1-keras3-flattened-mnist', 'request.json'), 'utf8'));
    const report = await srv.preflight(request);
    assert.ok(report.findings.length >= 1);
    for (const f of report.findings) {
      const entry = await srv.request('GET', f.href);
      assert.equal(entry.status, 200);
      assert.equal(entry.body.code, f.code);
      assert.equal(entry.body.title, f.title);
    }
  });
});
