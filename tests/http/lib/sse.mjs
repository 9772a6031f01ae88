// An open GET /v1/reports/events stream, read as it arrives: its events, comments and raw text.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/** An open event stream: its parsed events, comments and raw text as they arrive. */
export class Stream {
  constructor(res, controller) {
    this.res = res;
    this.controller = controller;
    this.text = '';
    this.events = [];
    this.comments = 0;
    this._partial = '';
    this._done = this._read();
  }

  static async open(srv, { headers = {}, query = '' } = {}) {
    const controller = new AbortController();
    const res = await fetch(`${srv.baseUrl}/v1/reports/events${query}`, { headers, signal: controller.signal });
    return new Stream(res, controller);
  }

  async _read() {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.res.body) {
        const piece = decoder.decode(chunk, { stream: true });
        this.text += piece;
        const blocks = (this._partial + piece).split('\n\n');
        this._partial = blocks.pop();
        for (const block of blocks) {
          if (block.startsWith(':')) {
            this.comments++;
            continue;
          }
          const ev = {};
          for (const line of block.split('\n')) {
            const i = line.indexOf(': ');
            ev[line.slice(0, i)] = line.slice(i + 2);
          }
          this.events.push({ id: ev.id, event: ev.event, data: JSON.parse(ev.data) });
        }
      }
    } catch (err) {
      if (err.name !== 'AbortError') throw err;
    }
  }

  async waitFor(pred, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this)) {
      if (Date.now() > deadline) assert.fail(`stream: condition not met within ${timeoutMs} ms; got ${JSON.stringify(this.text).slice(0, 800)}`);
      await sleep(20);
    }
  }

  close() {
    this.controller.abort();
  }
}

