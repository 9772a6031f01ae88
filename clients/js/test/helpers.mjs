// Starts a real fitcheckd ($FITCHECKD) on a free port for a test file, makes API keys, and builds
// the TF.js models and tensors the tests use.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import * as tf from '@tensorflow/tfjs';

// tfjs prints a banner suggesting tfjs-node (the tests run on the plain CPU backend): not shown.
const warn = console.warn;
const log = console.log;
const banner = (args) => /tfjs-node|TensorFlow\.js in Node\.js|^=+\s*$/.test(String(args[0] ?? ''));
console.warn = (...args) => { if (!banner(args)) warn(...args); };
console.log = (...args) => { if (!banner(args)) log(...args); };
await tf.setBackend('cpu');

export { tf };

const START_TIMEOUT_MS = 10_000;

export function serverBinary() {
  const bin = process.env.FITCHECKD;
  assert.ok(bin, 'FITCHECKD must name the fitcheckd binary (run_tests.sh sets it)');
  const abs = path.resolve(bin);
  assert.ok(existsSync(abs), `FITCHECKD=${bin}: no such file`);
  return abs;
}

/** One fitcheckd on a free port with its own database; stop() sends SIGTERM. */
export class Server {
  static async start(extraArgs = []) {
    const dir = await mkdtemp(path.join(tmpdir(), 'fitcheck-js-'));
    const db = path.join(dir, 'f.db');
    const s = new Server(dir, db);
    await s.spawn(extraArgs);
    return s;
  }

  constructor(dir, db) {
    this.dir = dir;
    this.db = db;
  }

  async spawn(extraArgs) {
    const child = spawn(serverBinary(), ['--port', '0', '--db', this.db, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.stdout = '';
    this.stderr = '';
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.stdout.setEncoding('utf8').on('data', (c) => { this.stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { this.stderr += c; });
    let exit = null;
    this.exited.then((e) => { exit = e; });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.stdout.includes('\n')) {
      if (exit || Date.now() > deadline) throw new Error(`fitcheckd printed no port (exit ${JSON.stringify(exit)}):\n${this.stderr}`);
      await sleep(10);
    }
    const first = this.stdout.slice(0, this.stdout.indexOf('\n')).trim();
    assert.match(first, /^[0-9]+$/, `first stdout line must be the port, got ${JSON.stringify(first)}`);
    this.url = `http://127.0.0.1:${first}`;
    for (;;) {
      try {
        const r = await fetch(`${this.url}/healthz`);
        await r.arrayBuffer();
        if (r.status === 200) break;
      } catch {
        // not listening yet
      }
      if (exit || Date.now() > deadline) throw new Error(`GET /healthz never answered 200:\n${this.stderr}`);
      await sleep(25);
    }
  }

  /** `fitcheckd keys create --db DB --team TEAM`: the key it prints. */
  createKey(team = 'js') {
    const r = spawnSync(serverBinary(), ['keys', 'create', '--db', this.db, '--team', team], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A fetch that records every request body it sends (parsed JSON), for checking what the client sent. */
export function recordingFetch() {
  const sent = [];
  const f = async (url, init = {}) => {
    sent.push({ url, method: init.method, headers: init.headers, body: init.body ? JSON.parse(init.body) : undefined });
    return fetch(url, init);
  };
  f.sent = sent;
  return f;
}

// ---------------------------------------------------------------- models and data

/** Dense 784 -> 10 softmax (the flattened-MNIST classifier). */
export function denseModel({ compile = true } = {}) {
  const m = tf.sequential({ name: 'mnist_dense' });
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', inputShape: [784], name: 'probs' }));
  if (compile) m.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', metrics: ['accuracy'] });
  return m;
}

/** A small conv net on 28x28x1 images. */
export function convModel() {
  const m = tf.sequential({ name: 'mnist_conv' });
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
  m.add(tf.layers.flatten({ name: 'flat' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'probs' }));
  m.compile({ loss: 'categoricalCrossentropy', optimizer: 'adam' });
  return m;
}

/** Two inputs (a: 8 features, b: 4 features) concatenated into one sigmoid output. */
export function twoInputModel() {
  const a = tf.input({ shape: [8], name: 'a' });
  const b = tf.input({ shape: [4], name: 'b' });
  const h = tf.layers.concatenate({ name: 'cat' }).apply([a, b]);
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(h);
  const m = tf.model({ inputs: [a, b], outputs: out, name: 'two_in' });
  m.compile({ loss: 'binaryCrossentropy', optimizer: 'adam' });
  return m;
}

/** A deterministic generator in [0, 1). */
export function rng(seed = 42) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(shape, seed = 1, scale = 1, offset = 0) {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => offset + scale * r()), shape, 'float32');
}

/** Float labels 0..k-1 (as TF.js's sparse loss needs them: float32). */
export function sparseLabels(n, k, { dtype = 'float32', shift = 0 } = {}) {
  return tf.tensor(Array.from({ length: n }, (_, i) => (i % k) + shift), [n], dtype);
}

export function oneHot(n, k, seed = 3) {
  const r = rng(seed);
  return tf.oneHot(tf.tensor1d(Array.from({ length: n }, () => Math.floor(r() * k)), 'int32'), k).toFloat();
}

/** Runs a real TF.js model.fit; resolves to {ok, error}. */
export async function realFit(model, xs, ys, opts = {}) {
  try {
    const h = await model.fit(xs, ys, { batchSize: 32, epochs: 1, verbose: 0, ...opts });
    return { ok: true, loss: h.history.loss.at(-1) };
  } catch (err) {
    return { ok: false, error: String(err.message ?? err) };
  }
}

/** The findings of a report reduced to what the data decides: code, severity, pointer, message. */
export function findingKeys(report) {
  return report.findings.map((f) => ({ code: f.code, severity: f.severity, pointer: f.location.pointer, message: f.message }));
}
