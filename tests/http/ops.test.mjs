// Operations endpoints (/healthz, /metrics), routing fallbacks (404, 405, HEAD)
// and the per-request JSON log lines on stderr.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { parseExposition, select, valueOf } from './lib/prometheus.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let dir;
let srv;
let created = 0; // reports stored by this file

before(async () => {
  dir = await makeTempDir('fitcheck-ops');
  srv = await FitcheckServer.start({ db: path.join(dir, 'fitcheck.db') });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

function allowSet(res) {
  return (res.headers.get('allow') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
}

describe('GET /healthz', () => {
  it('answers 200 with status, version, database and schema_version', async () => {
    const r = await srv.request('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.database, 'ok');
    assert.ok(r.body.version.length > 0);
    assert.ok(r.body.schema_version >= 1, 'a fresh database has had its migrations applied');
  });

  it('HEAD /healthz answers 200 with the GET headers and no body', async () => {
    const r = await srv.request('HEAD', '/healthz');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });
});

describe('routing', () => {
  for (const p of ['/nope', '/v1', '/v2/preflight', '/v1/reports/abc/def', '/healthz/extra', '/metrics/x', '/dashboard', '/dashboard/x/y']) {
    it(`GET ${p} is 404 /problems/not-found`, async () => {
      const r = await srv.request('GET', p);
      assert.equal(r.status, 404);
      assert.equal(r.body.type, '/problems/not-found');
    });
  }

  it('serves the dashboard at /, and its files, cached by ETag', async () => {
    const page = await srv.request('GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /<script src="\/dashboard\/app.js"><\/script>/);
    for (const f of ['app.js', 'style.css']) {
      const r = await srv.request('GET', `/dashboard/${f}`);
      assert.equal(r.status, 200, f);
      const again = await srv.request('GET', `/dashboard/${f}`, { headers: { 'If-None-Match': r.headers.get('etag') } });
      assert.equal(again.status, 304);
    }
    const missing = await srv.request('GET', '/dashboard/secrets.txt');
    assert.equal(missing.status, 404);
  });

  it('an unknown path is 404 whatever the method', async () => {
    for (const m of ['POST', 'DELETE', 'PUT']) {
      const r = await srv.request(m, '/nope');
      assert.equal(r.status, 404, `${m} /nope`);
    }
  });

  it('HEAD on an unknown path is 404 with no body', async () => {
    const r = await srv.request('HEAD', '/nope');
    assert.equal(r.status, 404);
    assert.equal(r.text, '');
  });

  const wrongMethods = [
    ['DELETE', '/v1/preflight', ['POST']],
    ['GET', '/v1/preflight', ['POST']],
    ['PUT', '/v1/preflight', ['POST']],
    ['HEAD', '/v1/preflight', ['POST']],
    ['POST', '/v1/reports', ['GET', 'HEAD']],
    ['DELETE', '/v1/reports', ['GET', 'HEAD']],
    ['DELETE', '/v1/reports/0190b4c2-7a3e-7c1d-9f00-123456789abc', ['GET', 'HEAD']],
    ['PATCH', '/v1/reports/0190b4c2-7a3e-7c1d-9f00-123456789abc', ['GET', 'HEAD']],
    ['PUT', '/healthz', ['GET', 'HEAD']],
    ['POST', '/healthz', ['GET', 'HEAD']],
    ['POST', '/metrics', ['GET', 'HEAD']],
  ];
  for (const [method, p, allow] of wrongMethods) {
    it(`${method} ${p} is 405 with Allow: ${allow.join(', ')}`, async () => {
      const r = await srv.request(method, p);
      assert.equal(r.status, 405);
      if (method !== 'HEAD') assert.equal(r.body.type, '/problems/method-not-allowed');
      assert.deepEqual(allowSet(r), [...allow].sort());
    });
  }
});

describe('request log on stderr', () => {
  it('logs one JSON line per request with time, method, path, status, duration_us (+ report_id for a preflight)', async () => {
    const report = await srv.preflight(failingRequest());
    created += 1;
    const line = await srv.waitForLog((l) => l.report_id === report.id);
    assert.equal(srv.logs.filter((l) => l.report_id === report.id).length, 1, 'one line per request');
    for (const key of ['time', 'method', 'path', 'status', 'duration_us', 'report_id']) {
      assert.ok(key in line, `log line lacks ${key}: ${JSON.stringify(line)}`);
    }
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/v1/preflight');
    assert.equal(line.status, 201);
    assert.ok(Number.isInteger(line.duration_us) && line.duration_us >= 0, `duration_us: ${line.duration_us}`);
    assert.ok(
      typeof line.time === 'number' || !Number.isNaN(Date.parse(line.time)),
      `time is neither a number nor a date-time: ${JSON.stringify(line.time)}`,
    );

    const r = await srv.request('GET', '/v1/reports/00000000-0000-7000-8000-000000000000');
    assert.equal(r.status, 404);
    const miss = await srv.waitForLog((l) => l.path === '/v1/reports/00000000-0000-7000-8000-000000000000');
    assert.equal(miss.method, 'GET');
    assert.equal(miss.status, 404);
    assert.ok(Number.isInteger(miss.duration_us));
  });
});

describe('GET /metrics', () => {
  it('exposes request counters, a duration histogram and the stored report gauge', async () => {
    const a = await srv.preflight(passingRequest());
    const b = await srv.preflight(failingRequest());
    created += 2;
    assert.equal((await srv.request('GET', `/v1/reports/${a.id}`)).status, 200);
    assert.equal((await srv.request('GET', `/v1/reports/${b.id}`)).status, 200);
    assert.equal((await srv.request('GET', '/v1/reports?limit=1')).status, 200);

    const r = await srv.request('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), METRICS_CONTENT_TYPE);
    const expo = parseExposition(r.text);

    assert.equal(expo.types.get('fitcheck_http_requests_total'), 'counter');
    assert.equal(expo.types.get('fitcheck_http_request_duration_seconds'), 'histogram');
    assert.equal(expo.types.get('fitcheck_reports_stored'), 'gauge');

    const posts = valueOf(expo, 'fitcheck_http_requests_total', { route: '/v1/preflight', method: 'POST', status: '201' });
    assert.ok(posts >= 1, `POST /v1/preflight 201 counter is ${posts}`);
    assert.equal(posts, created, 'every 201 from POST /v1/preflight is counted');
    assert.equal(valueOf(expo, 'fitcheck_reports_stored'), created);

    // Routes are templates, never raw paths with ids in them.
    const byId = valueOf(expo, 'fitcheck_http_requests_total', { route: '/v1/reports/{id}', method: 'GET', status: '200' });
    assert.ok(byId >= 2, `GET /v1/reports/{id} 200 counter is ${byId}`);
    for (const s of select(expo, 'fitcheck_http_requests_total')) {
      for (const k of ['route', 'method', 'status']) assert.ok(k in s.labels, `requests_total sample lacks ${k}`);
      assert.doesNotMatch(s.labels.route, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'route label must be the template');
      assert.match(s.labels.status, /^[1-5][0-9]{2}$/);
      assert.ok(Number.isInteger(s.value) && s.value >= 0);
    }

    // Histogram for /v1/preflight: cumulative buckets ending in +Inf == _count.
    const buckets = select(expo, 'fitcheck_http_request_duration_seconds_bucket', { route: '/v1/preflight' });
    assert.ok(buckets.length >= 2, 'at least one finite bucket and +Inf');
    for (const bkt of buckets) assert.ok('le' in bkt.labels, 'bucket without le');
    const les = buckets.map((bkt) => (bkt.labels.le === '+Inf' ? Infinity : Number(bkt.labels.le)));
    assert.ok(les.every((v) => !Number.isNaN(v)), `malformed le values: ${buckets.map((x) => x.labels.le)}`);
    const sorted = buckets.map((bkt, i) => [les[i], bkt.value]).sort((x, y) => x[0] - y[0]);
    assert.equal(sorted.at(-1)[0], Infinity, 'the last bucket is le="+Inf"');
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i][1] >= sorted[i - 1][1], 'buckets are cumulative');
    const count = valueOf(expo, 'fitcheck_http_request_duration_seconds_count', { route: '/v1/preflight' });
    const sum = valueOf(expo, 'fitcheck_http_request_duration_seconds_sum', { route: '/v1/preflight' });
    assert.equal(sorted.at(-1)[1], count, '+Inf bucket equals _count');
    assert.ok(count >= created, `_count ${count} covers the ${created} POSTs`);
    assert.ok(sum >= 0 && Number.isFinite(sum));
  });

  it('HEAD /metrics answers 200 with no body', async () => {
    const r = await srv.request('HEAD', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(r.text, '');
  });
});

describe('shutdown', () => {
  it('exits with code 0 on SIGTERM', async () => {
    await srv.stopCleanly();
  });
});
