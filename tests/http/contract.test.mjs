// Tests of the contract itself and of assertMatchesContract, on synthetic
// responses (no server needed): the examples in openapi.yaml match their
// schemas, and the checker fails on every kind of deviation it is meant to
// catch.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import {
  allowedMethods,
  assertMatchesContract,
  checkSchema,
  matchPathTemplate,
  pointer,
  SOURCE_DIR,
  spec,
  validatorAt,
} from './lib/contract.mjs';
import { SEED_MODELS, failingRequest, passingRequest } from './lib/fixtures.mjs';

const REPORT = spec.components.examples.FailReport.value;
const JSON_CT = 'application/json';
const PROBLEM_CT = 'application/problem+json';

function res(headers = {}) {
  return { headers: new Headers(headers) };
}

function problem(type, status, extra = {}) {
  return JSON.stringify({ type, title: 't', status, detail: 'd', ...extra });
}

describe('openapi.yaml', () => {
  it('is OpenAPI 3.1 with the routes fitcheckd serves (server/routes.c)', () => {
    assert.match(spec.openapi, /^3\.1\./);
    // every route of the table, by method, and nothing else
    const table = readFileSync(path.join(SOURCE_DIR, 'server', 'routes.c'), 'utf8');
    const served = [...table.matchAll(/\{"(GET|POST|PUT|DELETE|PATCH)", "([^"]+)"/g)].map(([, m, p]) => `${m} ${p}`);
    assert.ok(served.length >= 10, 'the route table was read');
    const declared = Object.entries(spec.paths).flatMap(([p, item]) =>
      ['get', 'post', 'put', 'delete', 'patch'].filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    const norm = (list) => list.map((r) => r.replace(/\{[^}]+\}/g, '{}')).sort();
    assert.deepEqual(norm(declared), norm(served));
  });

  it('names the license the repository carries (LICENSE, package.json)', () => {
    const root = new URL('../../', import.meta.url);
    const license = readFileSync(new URL('LICENSE', root), 'utf8');
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    assert.equal(spec.info.license.identifier, 'MIT');
    assert.match(license, /^MIT License\n/);
    assert.match(license, /Permission is hereby granted, free of charge/);
    assert.equal(pkg.license, spec.info.license.identifier);
  });

  it('gives every operation an operationId, a tag, a summary and a 5xx or 4xx', () => {
    for (const [p, item] of Object.entries(spec.paths)) {
      for (const m of ['get', 'post', 'put', 'delete', 'patch']) {
        const op = item[m];
        if (!op) continue;
        assert.ok(op.operationId, `${m} ${p}: operationId`);
        assert.ok(op.tags?.length, `${m} ${p}: tags`);
        assert.ok(op.summary, `${m} ${p}: summary`);
        assert.ok(Object.keys(op.responses).some((s) => /^[45]/.test(s)), `${m} ${p}: error responses`);
      }
    }
  });

  it('has media-type and schema examples that match their schemas', () => {
    let checked = 0;
    const walk = (node, ptr) => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${ptr}/${i}`));
      // Media type objects: {schema, example(s)}.
      if (node.schema && ('example' in node || 'examples' in node) && ptr.includes('/content/')) {
        const v = validatorAt(`${ptr}/schema`);
        const values = 'example' in node ? [node.example] : [];
        for (const ex of Object.values(node.examples ?? {})) {
          const value = ex.$ref ? spec.components.examples[ex.$ref.split('/').pop()].value : ex.value;
          values.push(value);
        }
        for (const value of values) {
          assert.ok(v(value), `example at ${ptr}: ${JSON.stringify(v.errors)}`);
          checked++;
        }
      }
      for (const [k, child] of Object.entries(node)) {
        if (k === 'example' || k === 'examples') continue;
        walk(child, `${ptr}${pointer(k)}`);
      }
    };
    walk(spec.paths, '/paths');
    walk(spec.components.responses, '/components/responses');
    // Schema-level `examples` arrays.
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      const visit = (s, ptr) => {
        if (!s || typeof s !== 'object') return;
        if (Array.isArray(s.examples) && !ptr.endsWith('/properties')) {
          const v = validatorAt(ptr);
          for (const ex of s.examples) {
            assert.ok(v(ex), `schema example at ${ptr}: ${JSON.stringify(v.errors)}`);
            checked++;
          }
        }
        for (const key of ['properties']) {
          for (const [pk, ps] of Object.entries(s[key] ?? {})) visit(ps, `${ptr}/${key}${pointer(pk)}`);
        }
      };
      visit(schema, pointer('components', 'schemas', name));
    }
    assert.ok(checked >= 15, `checked ${checked} examples`);
  });

  it('accepts the test fixtures as PreflightRequest bodies', () => {
    for (const [, build] of SEED_MODELS) {
      const r = checkSchema('PreflightRequest', { model: build(), data: { x: { shape: [100, 784] } } });
      assert.ok(r.valid, r.message);
    }
    assert.ok(checkSchema('PreflightRequest', failingRequest({ labels: { project: 'p', run: 'r' } })).valid);
    assert.ok(checkSchema('PreflightRequest', passingRequest({ framework: 'tfjs', framework_version: '4.22.0' })).valid);
    assert.ok(checkSchema('PreflightRequest', { model: JSON.stringify(SEED_MODELS[0][1]()) }).valid);
  });

  it('its Report example is the seed case', () => {
    const rank = REPORT.findings.find((f) => f.code === 'INPUT_RANK_MISMATCH');
    assert.equal(rank.severity, 'error');
    assert.ok(rank.fixes.some((f) => f.code === 'x = x.reshape(-1, 28, 28)'));
  });
});

describe('path matching', () => {
  it('maps request paths to templates', () => {
    assert.equal(matchPathTemplate('/v1/reports'), '/v1/reports');
    assert.equal(matchPathTemplate('/v1/reports?limit=2&cursor=x'), '/v1/reports');
    assert.equal(matchPathTemplate('/v1/reports/abc'), '/v1/reports/{id}');
    assert.equal(matchPathTemplate('/v1/reports/abc/def'), null);
    assert.equal(matchPathTemplate('/v1/reports/'), null);
    assert.equal(matchPathTemplate('/healthz'), '/healthz');
    assert.equal(matchPathTemplate('/nope'), null);
  });

  it('derives Allow from the declared methods', () => {
    assert.deepEqual(allowedMethods('/v1/preflight'), ['POST']);
    assert.deepEqual(allowedMethods('/v1/reports').sort(), ['GET', 'HEAD']);
    assert.deepEqual(allowedMethods('/healthz').sort(), ['GET', 'HEAD']);
  });
});

describe('assertMatchesContract', () => {
  const created = () => res({ 'content-type': JSON_CT, location: `/v1/reports/${REPORT.id}` });

  it('accepts conforming responses', () => {
    assert.deepEqual(assertMatchesContract('POST', '/v1/preflight', 201, created(), JSON.stringify(REPORT)), REPORT);
    assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': 'application/json; charset=utf-8', etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify(REPORT));
    assertMatchesContract('HEAD', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), '');
    assertMatchesContract('GET', '/healthz', 200, res({ 'content-type': JSON_CT }), '{"status":"ok","version":"1","database":"ok","schema_version":1}');
    assertMatchesContract('GET', '/metrics', 200, res({ 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }), 'x 1\n');
    assertMatchesContract('DELETE', '/v1/preflight', 405, res({ 'content-type': PROBLEM_CT, allow: 'POST' }), problem('/problems/method-not-allowed', 405));
    assertMatchesContract('PUT', '/healthz', 405, res({ 'content-type': PROBLEM_CT, allow: 'GET, HEAD' }), problem('/problems/method-not-allowed', 405));
    assertMatchesContract('GET', null, 404, res({ 'content-type': PROBLEM_CT }), problem('/problems/not-found', 404));
    assertMatchesContract(
      'POST',
      '/v1/preflight',
      400,
      res({ 'content-type': PROBLEM_CT }),
      problem('/problems/invalid-json', 400, { detail: 'x at line 2, column 3', line: 2, column: 3 }),
    );
    assertMatchesContract('POST', '/v1/preflight', 400, res({ 'content-type': PROBLEM_CT }), problem('/problems/invalid-request', 400, { pointer: '/data/x' }));
    assertMatchesContract('GET', '/v1/reports', 400, res({ 'content-type': PROBLEM_CT }), problem('/problems/invalid-parameter', 400, { parameter: 'limit' }));
  });

  const failures = [
    ['a status the operation does not declare', () => assertMatchesContract('GET', '/healthz', 404, res({ 'content-type': PROBLEM_CT }), problem('/problems/not-found', 404))],
    ['a 2xx the operation does not declare', () => assertMatchesContract('POST', '/v1/preflight', 200, created(), JSON.stringify(REPORT))],
    ['a wrong Content-Type', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': 'text/html', etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify(REPORT))],
    ['a missing Content-Type', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify(REPORT))],
    ['a problem sent as application/json', () => assertMatchesContract('GET', '/v1/reports/{id}', 404, res({ 'content-type': JSON_CT }), problem('/problems/not-found', 404))],
    ['metrics without version=0.0.4', () => assertMatchesContract('GET', '/metrics', 200, res({ 'content-type': 'text/plain' }), 'x 1\n')],
    ['a report without its ETag', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT }), JSON.stringify(REPORT))],
    ['a 304 with a body', () => assertMatchesContract('GET', '/v1/reports/{id}', 304, res({ etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify(REPORT))],
    ['a missing Location on 201', () => assertMatchesContract('POST', '/v1/preflight', 201, res({ 'content-type': JSON_CT }), JSON.stringify(REPORT))],
    ['a malformed Location', () => assertMatchesContract('POST', '/v1/preflight', 201, res({ 'content-type': JSON_CT, location: '/reports/1' }), JSON.stringify(REPORT))],
    ['a body that is not JSON', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), '{')],
    ['a report missing a member', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify({ ...REPORT, timing_us: undefined }))],
    ['a report with an extra member', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify({ ...REPORT, extra: 1 }))],
    ['a report id that is not UUIDv7', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify({ ...REPORT, id: '019ab1f2-3c4d-4e5f-8a9b-0c1d2e3f4a5b' }))],
    ['created_at without milliseconds', () => assertMatchesContract('GET', '/v1/reports/{id}', 200, res({ 'content-type': JSON_CT, etag: '"019ab1f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b"' }), JSON.stringify({ ...REPORT, created_at: '2026-11-23T18:40:00Z' }))],
    ['a problem whose status differs from the HTTP status', () => assertMatchesContract('GET', '/v1/reports/{id}', 404, res({ 'content-type': PROBLEM_CT }), problem('/problems/not-found', 400))],
    ['a problem of the wrong type', () => assertMatchesContract('GET', '/v1/reports/{id}', 404, res({ 'content-type': PROBLEM_CT }), problem('/problems/internal', 404))],
    ['invalid-request without pointer', () => assertMatchesContract('POST', '/v1/preflight', 400, res({ 'content-type': PROBLEM_CT }), problem('/problems/invalid-request', 400))],
    ['invalid-json without line', () => assertMatchesContract('POST', '/v1/preflight', 400, res({ 'content-type': PROBLEM_CT }), problem('/problems/invalid-json', 400, { detail: 'at line 1, column 2', column: 2 }))],
    ['an unknown path answered 200', () => assertMatchesContract('GET', null, 200, res({ 'content-type': JSON_CT }), '{}')],
    ['an undeclared method answered 404', () => assertMatchesContract('DELETE', '/v1/preflight', 404, res({ 'content-type': PROBLEM_CT }), problem('/problems/not-found', 404))],
    ['a 405 without Allow', () => assertMatchesContract('DELETE', '/v1/preflight', 405, res({ 'content-type': PROBLEM_CT }), problem('/problems/method-not-allowed', 405))],
    ['a 405 with the wrong Allow', () => assertMatchesContract('POST', '/v1/reports', 405, res({ 'content-type': PROBLEM_CT, allow: 'GET' }), problem('/problems/method-not-allowed', 405))],
    ['a HEAD response with a body', () => assertMatchesContract('HEAD', '/healthz', 200, res({ 'content-type': JSON_CT }), '{"status":"ok"}')],
    ['a 405 for a declared method', () => assertMatchesContract('GET', '/v1/reports', 405, res({ 'content-type': PROBLEM_CT, allow: 'GET, HEAD' }), problem('/problems/method-not-allowed', 405))],
  ];
  for (const [label, fn] of failures) {
    it(`fails on ${label}`, () => {
      assert.throws(fn, assert.AssertionError);
    });
  }
});
