// What the fault tests (a full disk, a read-only database) ask of a server whose writes are refused.
import assert from 'node:assert/strict';

/** Health, a list and every acknowledged report (id -> the 201's bytes) read back byte for byte. */
export async function assertReadsWork(srv, acked) {
  assert.equal((await srv.request('GET', '/healthz')).status, 200);
  const list = await srv.request('GET', '/v1/reports?limit=5');
  assert.equal(list.status, 200, list.text);
  for (const [id, text] of acked) {
    const r = await srv.request('GET', `/v1/reports/${id}`);
    assert.equal(r.status, 200, `${id}: ${r.text}`);
    assert.equal(r.text, text, `report ${id} changed`);
  }
}

/** A refused write: 503 /problems/unavailable with a Retry-After in seconds. */
export function assertRefusal(r) {
  assert.ok(r !== null, 'no POST was refused');
  assert.equal(r.status, 503, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.type, '/problems/unavailable');
  assert.match(r.headers.get('retry-after') ?? '', /^\d+$/);
}
