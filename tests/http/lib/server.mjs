// Starts and stops a real fitcheckd for a test file, and sends requests to it
// with every response checked against openapi.yaml.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { assertMatchesContract, matchPathTemplate } from './contract.mjs';
import { freshDatabase } from './postgres.mjs';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;

export const DEFAULT_MAX_BODY = 65536;

/** Whether this run puts the suites on PostgreSQL (FITCHECK_TEST_STORE=postgres, the http_pg.* tests). */
export const ON_POSTGRES = process.env.FITCHECK_TEST_STORE === 'postgres';

const pgDatabases = new Map(); // a test's SQLite path -> the database standing in for it
let pgSerial = 0;

/**
 * Where a test's store is: dbPath itself, or on a PostgreSQL run a fresh database that stands in for
 * that path (the same one each time it is asked for, dropped when the test file exits).
 */
export function storeLocation(dbPath) {
  if (!ON_POSTGRES || /^postgres(ql)?:\/\//.test(dbPath)) return dbPath;
  if (!pgDatabases.has(dbPath)) {
    if (pgDatabases.size === 0) process.on('exit', () => pgDatabases.forEach((d) => d.drop()));
    pgDatabases.set(dbPath, freshDatabase(`http_${++pgSerial}`));
  }
  return pgDatabases.get(dbPath).url;
}

/** Absolute path of the server binary under test ($FITCHECKD). */
export function serverBinary() {
  const bin = process.env.FITCHECKD;
  assert.ok(bin, 'FITCHECKD must name the fitcheckd binary (for example FITCHECKD=build/fitcheckd)');
  const abs = path.resolve(bin);
  assert.ok(existsSync(abs), `FITCHECKD=${bin}: no such file`);
  return abs;
}

/** A fresh temporary directory; remove it with removeTempDir. */
export async function makeTempDir(tag = 'fitcheck') {
  return mkdtemp(path.join(tmpdir(), `${tag}-`));
}

export async function removeTempDir(dir) {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * One running fitcheckd. Use FitcheckServer.start(); stop() sends SIGTERM and
 * resolves to {code, signal}.
 */
export class FitcheckServer {
  constructor(child, args) {
    this.child = child;
    this.args = args;
    this.port = null;
    this.baseUrl = null;
    this.stdout = '';
    this.stderr = '';
    this.logs = []; // parsed JSON lines from stderr
    this.stderrLines = []; // every stderr line, parsed or not
    this.exit = null; // {code, signal} once exited
    this._stderrPartial = '';
    this._exitPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => this._onStderr(chunk));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      this.stdout += chunk;
    });
  }

  /**
   * Spawns FITCHECKD --port 0 --db <db> --max-body <n>, reads the port from the
   * first line of stdout and waits until GET /healthz answers 200.
   */
  static async start({ db, maxBody = DEFAULT_MAX_BODY, extraArgs = [] } = {}) {
    assert.ok(db, 'start() needs a db path');
    const args = ['--port', '0', '--db', storeLocation(db), '--max-body', String(maxBody), ...extraArgs];
    const child = spawn(serverBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new FitcheckServer(child, args);
    try {
      server.port = await server._readPort();
      server.baseUrl = `http://127.0.0.1:${server.port}`;
      await server._waitHealthy();
      if (ON_POSTGRES) {
        const started = await server.waitForLog((l) => l.event === 'started');
        assert.equal(started.store, 'postgres', 'a PostgreSQL run serves from PostgreSQL');
      }
    } catch (err) {
      if (!server.exit) {
        child.kill('SIGKILL');
        await server._exitPromise;
      }
      err.message += `\n  fitcheckd ${args.join(' ')}\n  exit: ${JSON.stringify(server.exit)}\n  stderr:\n${server.stderr.slice(-4000)}`;
      throw err;
    }
    return server;
  }

  _onStderr(chunk) {
    this.stderr += chunk;
    const text = this._stderrPartial + chunk;
    const lines = text.split('\n');
    this._stderrPartial = lines.pop();
    for (const line of lines) {
      if (line === '') continue;
      this.stderrLines.push(line);
      try {
        const obj = JSON.parse(line);
        if (obj && typeof obj === 'object' && !Array.isArray(obj)) this.logs.push(obj);
      } catch {
        // not a JSON line (startup banner, sanitizer report, ...)
      }
    }
  }

  async _readPort() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const nl = this.stdout.indexOf('\n');
      if (nl >= 0) {
        const first = this.stdout.slice(0, nl).replace(/\r$/, '');
        assert.match(first, /^[0-9]+$/, `first stdout line must be the port number, got ${JSON.stringify(first)}`);
        const port = Number(first);
        assert.ok(port > 0 && port < 65536, `port out of range: ${port}`);
        return port;
      }
      if (this.exit) throw new Error(`fitcheckd exited before printing its port`);
      await sleep(10);
    }
    throw new Error(`fitcheckd printed no port within ${START_TIMEOUT_MS} ms (stdout so far: ${JSON.stringify(this.stdout)})`);
  }

  async _waitHealthy() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) throw new Error('fitcheckd exited while starting');
      try {
        const r = await this.request('GET', '/healthz');
        if (r.status === 200) return;
        last = `status ${r.status}`;
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        last = err.cause?.code ?? err.message;
      }
      await sleep(25);
    }
    throw new Error(`GET /healthz did not answer 200 within ${START_TIMEOUT_MS} ms (last: ${last})`);
  }

  /**
   * Sends one request and checks the response against openapi.yaml.
   * opts: body, headers, json (object, sent as application/json), duplex,
   *       template (path template to check against; by default matched from
   *       openapi.yaml, null meaning "not in the contract").
   * Resolves to {status, headers, text, body} where body is the parsed JSON
   * (or text) returned by assertMatchesContract.
   */
  async request(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers ?? {}) };
    let body = opts.body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = 'application/json';
      }
    }
    const init = { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) };
    if (opts.duplex) init.duplex = opts.duplex;
    const res = await fetch(this.baseUrl + urlPath, init);
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    const template = 'template' in opts ? opts.template : matchPathTemplate(urlPath);
    const parsed = assertMatchesContract(method, template, res.status, res, text);
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  /** POST /v1/preflight with a JSON body; asserts 201 and returns the report. */
  async preflight(payload) {
    const r = await this.request('POST', '/v1/preflight', { json: payload });
    assert.equal(r.status, 201, `POST /v1/preflight: expected 201, got ${r.status}: ${r.text}`);
    return r.body;
  }

  /** Resolves to the first log line matching pred, waiting up to timeoutMs. */
  async waitForLog(pred, timeoutMs = 3000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.logs.find(pred);
      if (hit) return hit;
      if (Date.now() >= deadline) {
        assert.fail(`no matching log line on stderr within ${timeoutMs} ms; last lines:\n${this.stderrLines.slice(-10).join('\n')}`);
      }
      await sleep(20);
    }
  }

  /**
   * Closes this process's idle keep-alive connection to the server (fetch
   * pools them), so that the server's SIGTERM drain does not wait for the
   * client's keep-alive timeout.
   */
  async closeIdleConnection() {
    if (this.exit || this.baseUrl === null) return;
    try {
      await this.request('GET', '/healthz', { headers: { Connection: 'close' } });
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
    }
  }

  /** SIGTERM, then wait for the exit; resolves to {code, signal}. */
  async stop() {
    if (!this.exit) {
      await this.closeIdleConnection().catch(() => {});
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this._exitPromise;
      clearTimeout(timer);
    }
    return this.exit;
  }

  /** Stops the server, asserting a clean exit (code 0) on SIGTERM. */
  async stopCleanly() {
    const alreadyExited = this.exit !== null;
    await this.closeIdleConnection();
    const exit = await this.stop();
    assert.ok(!alreadyExited, `fitcheckd had already exited: ${JSON.stringify(exit)}\nstderr:\n${this.stderr.slice(-2000)}`);
    assert.deepEqual(exit, { code: 0, signal: null }, `fitcheckd did not exit 0 on SIGTERM\nstderr:\n${this.stderr.slice(-2000)}`);
  }
}
