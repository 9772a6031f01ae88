// Slow clients (issue 13): connections that trickle their headers or body one byte at a time are cut
// off at their deadline (--header-timeout, --body-min-rate), a client address holds at most
// --per-ip-connections connections, and normal clients are answered all along. The attackers connect
// from 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to loopback), the normal client from
// 127.0.0.1, so the per-address cap tells them apart.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

const HEADER_TIMEOUT_S = 2;
const PER_IP = 10;

let dir;
let srv;

before(async () => {
  dir = await makeTempDir('fitcheck-slowloris');
  srv = await FitcheckServer.start({
    db: path.join(dir, 'fitcheck.db'),
    extraArgs: ['--header-timeout', String(HEADER_TIMEOUT_S), '--body-min-rate', '1024', '--per-ip-connections', String(PER_IP)],
  });
});

after(async () => {
  await srv?.stop();
  await removeTempDir(dir);
});

/** A raw connection from localAddress; resolves once connected. `closedAt` is set when the server ends it. */
function connect(localAddress) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const s = net.connect({ host: '127.0.0.1', port: srv.port, localAddress }, () => resolve(s));
    s.started = started;
    s.closedAt = null;
    s.received = '';
    s.on('data', (d) => { s.received += d.toString('latin1'); });
    s.on('close', () => { s.closedAt = Date.now(); });
    s.on('error', (err) => { if (s.closedAt === null && !s.connecting) s.closedAt = Date.now(); else reject(err); });
  });
}

/** Writes text one byte every `everyMs` until the socket closes or `untilMs` pass. */
async function trickle(s, text, everyMs, untilMs) {
  const end = Date.now() + untilMs;
  for (let i = 0; Date.now() < end && s.closedAt === null; i++) {
    s.write(text[i % text.length]);
    await sleep(everyMs);
  }
}

async function normalClientTimes(count) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const r = await srv.request('GET', '/healthz');
    assert.equal(r.status, 200);
    times.push(performance.now() - t);
    await sleep(50);
  }
  return times.sort((a, b) => a - b);
}

async function metric(name) {
  const r = await srv.request('GET', '/metrics');
  const line = r.text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : NaN;
}

describe('slow clients', () => {
  it('trickled headers are cut off at --header-timeout while normal clients are answered', async () => {
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connect('127.0.0.2')));
    const header = 'GET /healthz HTTP/1.1\r\nHost: fitcheck\r\nX-Slow: ' + 'a'.repeat(200);
    const trickling = sockets.map((s) => trickle(s, header, 200, (HEADER_TIMEOUT_S + 4) * 1000));
    const times = await normalClientTimes(20);
    await Promise.all(trickling);
    for (const s of sockets) {
      assert.ok(s.closedAt !== null, 'a trickling connection was left open');
      const lived = s.closedAt - s.started;
      assert.ok(lived >= HEADER_TIMEOUT_S * 1000 - 100 && lived <= HEADER_TIMEOUT_S * 1000 + 1500, `closed after ${lived} ms`);
      assert.equal(s.received, '', 'no answer to headers that never ended');
    }
    assert.ok(times[times.length - 1] < 500, `normal client p100 ${times[times.length - 1]} ms`);
    assert.ok((await metric('fitcheck_slow_clients_closed_total{phase="headers"}')) >= 8);
  });

  it('a body trickled below --body-min-rate is cut off after the grace; a slow steady upload is not', async () => {
    const body = JSON.stringify({ ...passingRequest(), labels: { project: 'slow-upload' } }).padEnd(6000, ' ');
    const head = (n) => `POST /v1/preflight HTTP/1.1\r\nHost: fitcheck\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\n\r\n`;
    const slow = await Promise.all(Array.from({ length: 4 }, () => connect('127.0.0.2')));
    for (const s of slow) s.write(head(body.length));
    const trickling = slow.map((s) => trickle(s, body, 250, (HEADER_TIMEOUT_S + 4) * 1000));
    // 6000 bytes in 512-byte pieces every 200 ms: 2.5 KB/s, above the floor of 1 KB/s, for 2.4 s
    const steady = await connect('127.0.0.2');
    steady.write(head(body.length));
    for (let i = 0; i < body.length; i += 512) {
      steady.write(body.slice(i, i + 512));
      await sleep(200);
    }
    for (let i = 0; i < 50 && !steady.received.includes('\r\n\r\n'); i++) await sleep(100);
    assert.match(steady.received, /^HTTP\/1\.1 201 /);
    steady.destroy();
    await Promise.all(trickling);
    for (const s of slow) {
      assert.ok(s.closedAt !== null, 'a trickling upload was left open');
      const lived = s.closedAt - s.started;
      assert.ok(lived <= HEADER_TIMEOUT_S * 1000 + 1500, `closed after ${lived} ms`);
      assert.equal(s.received, '');
    }
    assert.ok((await metric('fitcheck_slow_clients_closed_total{phase="body"}')) >= 4);
  });

  it('a kept-alive connection idle past --header-timeout is still served (its deadline is the idle timeout)', async () => {
    const s = await connect('127.0.0.4');
    const get = 'GET /healthz HTTP/1.1\r\nHost: fitcheck\r\n\r\n';
    s.write(get);
    for (let i = 0; i < 50 && !s.received.includes('\r\n\r\n'); i++) await sleep(20);
    assert.match(s.received, /^HTTP\/1\.1 200 /);
    s.received = '';
    await sleep((HEADER_TIMEOUT_S + 1) * 1000);
    assert.equal(s.closedAt, null, 'the idle kept-alive connection was cut at the header deadline');
    s.write(get);
    for (let i = 0; i < 50 && !s.received.includes('\r\n\r\n'); i++) await sleep(20);
    assert.match(s.received, /^HTTP\/1\.1 200 /);
    s.destroy();
  });

  it('one address holds at most --per-ip-connections connections; others are served', async () => {
    const sockets = await Promise.all(Array.from({ length: PER_IP + 5 }, () => connect('127.0.0.3')));
    await sleep(300);
    const closed = sockets.filter((s) => s.closedAt !== null).length;
    assert.equal(closed, 5, `${closed} of ${sockets.length} connections closed at once`);
    const times = await normalClientTimes(5);
    assert.ok(times[times.length - 1] < 500);
    for (const s of sockets) s.destroy();
  });
});
