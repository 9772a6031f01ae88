// GET /v1/reports and /v1/reports/{id}: keyset pagination, filters, parameter
// errors, 404s, and persistence across a restart on the same database file.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest, summaryOf } from './lib/fixtures.mjs';
import { parseExposition, valueOf } from './lib/prometheus.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let db;
let srv;
const created = []; // reports in creation order

before(async () => {
  dir = await makeTempDir('fitcheck-reports');
  db = path.join(dir, 'fitcheck.db');
  srv = await FitcheckServer.start({ db });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/** Newest-first summaries of the created reports that satisfy pred. */
function expected(pred = () => true) {
  return created.filter(pred).map(summaryOf).reverse();
}

/** Follows next_cursor from the first page to the last; returns {items, pages}. */
async function listAll(query = {}) {
  const items = [];
  const pages = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const params = new URLSearchParams(query);
    if (cursor !== null) params.set('cursor', cursor);
    const qs = params.toString();
    const r = await srv.request('GET', `/v1/reports${qs ? '?' + qs : ''}`);
    assert.equal(r.status, 200, r.text);
    pages.push(r.body);
    items.push(...r.body.items);
    if (r.body.next_cursor === null) return { items, pages };
    assert.ok(r.body.items.length > 0, 'a page with a next_cursor is not empty');
    cursor = r.body.next_cursor;
  }
  assert.fail('pagination did not end within 100 pages');
}

function assertNewestFirst(items) {
  const ids = items.map((it) => it.id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  for (let i = 1; i < items.length; i++) {
    assert.ok(ids[i - 1] > ids[i], `ids strictly decreasing: ${ids[i - 1]} then ${ids[i]}`);
    assert.ok(items[i - 1].created_at >= items[i].created_at, 'created_at not increasing');
  }
}

describe('GET /v1/reports on an empty database', () => {
  it('returns no items and a null next_cursor', async () => {
    const r = await srv.request('GET', '/v1/reports');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { items: [], next_cursor: null });
  });
});

describe('GET /v1/reports pagination and filters', () => {
  before(async () => {
    // 5 in p1 and 2 in p2, interleaved, with both verdicts.
    const plan = [
      ['p1', failingRequest],
      ['p2', passingRequest],
      ['p1', passingRequest],
      ['p1', failingRequest],
      ['p2', failingRequest],
      ['p1', passingRequest],
      ['p1', failingRequest],
    ];
    for (const [project, make] of plan) {
      created.push(await srv.preflight(make({ labels: { project, run: `run-${created.length}` } })));
    }
    assert.deepEqual(
      created.map((r) => r.verdict),
      ['fail', 'pass', 'pass', 'fail', 'fail', 'pass', 'fail'],
      'the fixtures give the verdicts the filters below rely on',
    );
  });

  it('lists every report newest first with the default limit', async () => {
    const r = await srv.request('GET', '/v1/reports');
    assert.equal(r.status, 200);
    assert.equal(r.body.next_cursor, null);
    assertNewestFirst(r.body.items);
    assert.deepEqual(r.body.items, expected());
  });

  it('pages with limit=2 through next_cursor to the end', async () => {
    const { items, pages } = await listAll({ limit: '2' });
    assert.deepEqual(pages.map((p) => p.items.length), [2, 2, 2, 1]);
    assert.equal(pages.at(-1).next_cursor, null);
    for (const p of pages.slice(0, -1)) assert.equal(typeof p.next_cursor, 'string');
    assertNewestFirst(items);
    assert.deepEqual(items, expected());
  });

  it('with limit equal to the count, the page is full and next_cursor leads to an empty page or is null', async () => {
    const { items, pages } = await listAll({ limit: String(created.length) });
    assert.deepEqual(items, expected());
    assert.ok(pages.length <= 2);
    if (pages.length === 2) assert.deepEqual(pages[1].items, []);
  });

  it('filters by project', async () => {
    const p1 = await listAll({ project: 'p1', limit: '2' });
    assert.equal(p1.items.length, 5);
    assertNewestFirst(p1.items);
    assert.deepEqual(p1.items, expected((r) => r.labels.project === 'p1'));
    const p2 = await listAll({ project: 'p2', limit: '2' });
    assert.deepEqual(p2.items, expected((r) => r.labels.project === 'p2'));
    assert.equal(p2.pages.length, 1);
    const none = await srv.request('GET', '/v1/reports?project=nope');
    assert.equal(none.status, 200);
    assert.deepEqual(none.body, { items: [], next_cursor: null });
    const prefix = await srv.request('GET', '/v1/reports?project=p');
    assert.deepEqual(prefix.body.items, [], 'project matches exactly, not by prefix');
  });

  it('filters by verdict', async () => {
    for (const verdict of ['fail', 'pass', 'warn']) {
      const { items } = await listAll({ verdict, limit: '2' });
      assertNewestFirst(items);
      assert.deepEqual(items, expected((r) => r.verdict === verdict), `verdict=${verdict}`);
    }
  });

  it('combines project and verdict filters', async () => {
    const { items } = await listAll({ project: 'p1', verdict: 'fail', limit: '1' });
    assert.equal(items.length, 3);
    assert.deepEqual(items, expected((r) => r.labels.project === 'p1' && r.verdict === 'fail'));
  });

  it('accepts limit=1 and limit=200', async () => {
    const one = await srv.request('GET', '/v1/reports?limit=1');
    assert.equal(one.status, 200);
    assert.deepEqual(one.body.items, expected().slice(0, 1));
    assert.equal(typeof one.body.next_cursor, 'string');
    const max = await srv.request('GET', '/v1/reports?limit=200');
    assert.equal(max.status, 200);
    assert.deepEqual(max.body.items, expected());
    assert.equal(max.body.next_cursor, null);
  });

  it('HEAD /v1/reports answers 200 with no body', async () => {
    const r = await srv.request('HEAD', '/v1/reports?limit=2');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });
});

describe('400 /problems/invalid-parameter', () => {
  const cases = [
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=10abc', 'limit'],
    ['verdict=bogus', 'verdict'],
    ['verdict=', 'verdict'],
    ['cursor=%40%40%40not-a-cursor%40%40%40', 'cursor'],
    ['cursor=', 'cursor'],
  ];
  for (const [query, parameter] of cases) {
    it(`?${query} names parameter "${parameter}"`, async () => {
      const r = await srv.request('GET', `/v1/reports?${query}`);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.type, '/problems/invalid-parameter');
      assert.equal(r.body.parameter, parameter);
    });
  }
});

describe('GET /v1/reports/{id}', () => {
  it('returns each stored report exactly as POST returned it', async () => {
    for (const report of created) {
      const r = await srv.request('GET', `/v1/reports/${report.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, report);
    }
  });

  const missing = [
    ['an unknown UUIDv7', '019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b'],
    ['a nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a word', 'not-a-uuid'],
    ['a truncated id', '019ab1f2-3c4d-7e5f'],
    ['an id with a trailing character', '019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5bx'],
  ];
  for (const [label, id] of missing) {
    it(`is 404 /problems/not-found for ${label}`, async () => {
      const r = await srv.request('GET', `/v1/reports/${id}`);
      assert.equal(r.status, 404);
      assert.equal(r.body.type, '/problems/not-found');
    });
  }

  it('HEAD for a missing report is 404 with no body', async () => {
    const r = await srv.request('HEAD', '/v1/reports/019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b');
    assert.equal(r.status, 404);
    assert.equal(r.text, '');
  });

  it('POST /v1/reports is 405 with Allow: GET, HEAD', async () => {
    const r = await srv.request('POST', '/v1/reports', { json: passingRequest() });
    assert.equal(r.status, 405);
    assert.equal(r.body.type, '/problems/method-not-allowed');
    assert.equal(r.headers.get('allow'), 'GET, HEAD');
  });
});

describe('ETag and If-None-Match', () => {
  it('tags a report with its id and answers 304 without a body while it matches', async () => {
    const report = created[0];
    const r = await srv.request('GET', `/v1/reports/${report.id}`);
    assert.equal(r.headers.get('etag'), `"${report.id}"`);
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    assert.equal(r.headers.get('vary'), 'Authorization');
    for (const inm of [`"${report.id}"`, `W/"${report.id}"`, `"nope", "${report.id}"`, '*']) {
      const again = await srv.request('GET', `/v1/reports/${report.id}`, { headers: { 'If-None-Match': inm } });
      assert.equal(again.status, 304, inm);
      assert.equal(again.text, '');
      assert.equal(again.headers.get('etag'), `"${report.id}"`);
    }
    const other = await srv.request('GET', `/v1/reports/${report.id}`, { headers: { 'If-None-Match': '"nope"' } });
    assert.equal(other.status, 200);
    assert.deepEqual(other.body, report);
  });

  it('keeps a page\'s tag until a report it shows is added', async () => {
    const first = await srv.request('GET', '/v1/reports?limit=3');
    const tag = first.headers.get('etag');
    assert.match(tag, /^"[0-9a-f]{40}"$/);
    const same = await srv.request('GET', '/v1/reports?limit=3', { headers: { 'If-None-Match': tag } });
    assert.equal(same.status, 304);
    const filtered = await srv.request('GET', '/v1/reports?limit=3&verdict=pass');
    assert.notEqual(filtered.headers.get('etag'), tag, 'another page, another tag');
    created.push(await srv.preflight(passingRequest({ labels: { project: 'etag' } })));
    const changed = await srv.request('GET', '/v1/reports?limit=3', { headers: { 'If-None-Match': tag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), tag);
    assert.equal(changed.body.items[0].id, created.at(-1).id);
  });
});

describe('restart on the same database', () => {
  it('keeps every report listed and fetchable, and cursors stay valid', async () => {
    const firstPage = await srv.request('GET', '/v1/reports?limit=3');
    assert.equal(firstPage.status, 200);
    const cursor = firstPage.body.next_cursor;
    assert.equal(typeof cursor, 'string');

    await srv.stopCleanly();
    srv = await FitcheckServer.start({ db });

    const { items } = await listAll({ limit: '2' });
    assert.deepEqual(items, expected());
    for (const report of created) {
      const r = await srv.request('GET', `/v1/reports/${report.id}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, report);
    }

    const next = await srv.request('GET', `/v1/reports?limit=3&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(next.status, 200);
    assert.deepEqual(next.body.items, expected().slice(3, 6));

    const metrics = await srv.request('GET', '/metrics');
    assert.equal(valueOf(parseExposition(metrics.text), 'fitcheck_reports_stored'), created.length);
  });

  it('stores new reports after the restart, newest first', async () => {
    const report = await srv.preflight(passingRequest({ labels: { project: 'p1' } }));
    assert.ok(report.id > created.at(-1).id, 'ids keep increasing across a restart');
    created.push(report);
    const r = await srv.request('GET', '/v1/reports?limit=1');
    assert.deepEqual(r.body.items, [summaryOf(report)]);
  });

  it('exits with code 0 on SIGTERM', async () => {
    await srv.stopCleanly();
  });
});
