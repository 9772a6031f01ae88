// A full disk under a running server (issue 13). The database lives on a 4 MB tmpfs the test mounts
// (root only: skipped elsewhere, saying why) and a filler file takes the rest: POST answers 503
// /problems/unavailable with Retry-After, reads keep working, every report acknowledged before is
// there with the bytes its 201 carried, and once space returns the service stores again; after a
// restart everything acknowledged is there and PRAGMA integrity_check is ok. (A file system going
// read-only under a running server cannot be staged here: remount,ro refuses while the database is
// open for writing, "mount point is busy", and root ignores file modes.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertReadsWork, assertRefusal } from './lib/faults.mjs';
import { failingRequest, passingRequest } from './lib/fixtures.mjs';
import { FitcheckServer, makeTempDir, removeTempDir } from './lib/server.mjs';

let dir;
let mnt;
let mounted = false;
let srv;
const acked = new Map(); // id -> the 201's bytes

function tryMount() {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a tmpfs';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${String(err.stderr || err.message).trim()}`;
  }
}

const skip = (() => {
  if (process.platform !== 'linux') return 'Linux only';
  return false;
})();

before(async () => {
  dir = await makeTempDir('fitcheck-diskfull');
  mnt = path.join(dir, 'mnt');
  mkdirSync(mnt);
});

after(async () => {
  await srv?.stop();
  if (mounted) {
    try { execFileSync('umount', ['-l', mnt]); } catch { /* gone already */ }
  }
  await removeTempDir(dir);
});

async function post(body) {
  return srv.request('POST', '/v1/preflight', { json: body });
}

/** Writes a filler file until the file system says ENOSPC. */
function fill(file) {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal(err.code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

/** POSTs until one is refused (the WAL reuses its pages for a while); returns the refusal. */
async function postUntilRefused(limit) {
  for (let i = 0; i < limit; i++) {
    const r = await post(i % 2 ? passingRequest() : failingRequest());
    if (r.status === 201) {
      acked.set(r.body.id, r.text);
      continue;
    }
    return r;
  }
  return null;
}

describe('disk full', { skip }, () => {
  it('mounts a 4 MB tmpfs and stores reports on it', async (t) => {
    const why = tryMount();
    if (why) {
      t.skip(why);
      return;
    }
    mounted = true;
    srv = await FitcheckServer.start({ db: path.join(mnt, 'fitcheck.db') });
    for (let i = 0; i < 20; i++) {
      const r = await post(passingRequest({ labels: { project: 'before' } }));
      assert.equal(r.status, 201, r.text);
      acked.set(r.body.id, r.text);
    }
  });

  it('a full disk: POST is a 503 with Retry-After, reads keep working', async (t) => {
    if (!mounted) return t.skip('no tmpfs');
    fill(path.join(mnt, 'filler'));
    assertRefusal(await postUntilRefused(5000));
    const again = await post(passingRequest());
    assertRefusal(again);
    await assertReadsWork(srv, acked);
  });

  it('space returns: POST stores again', async (t) => {
    if (!mounted) return t.skip('no tmpfs');
    rmSync(path.join(mnt, 'filler'));
    const r = await post(passingRequest({ labels: { project: 'after-full' } }));
    assert.equal(r.status, 201, r.text);
    acked.set(r.body.id, r.text);
    await assertReadsWork(srv, acked);
  });

  it('nothing acknowledged is lost across a restart, and the database is intact', async (t) => {
    if (!mounted) return t.skip('no tmpfs');
    await srv.stop();
    const check = execFileSync('sqlite3', [path.join(mnt, 'fitcheck.db'), 'PRAGMA integrity_check;']).toString().trim();
    assert.equal(check, 'ok');
    srv = await FitcheckServer.start({ db: path.join(mnt, 'fitcheck.db') });
    await assertReadsWork(srv, acked);
  });
});
