// fitcheck dashboard: the history of preflight reports with filters, live updates, two charts in
// plain SVG, and a page per report with its findings, fixes, model summary and the diff against the
// project's previous run. No build step and no dependencies; every value from the server is put in
// the page as text (never as HTML).
'use strict';

const KEY_ITEM = 'fitcheck.key';
const state = { items: [], cursor: null, filters: {}, stream: null, lastEventId: null, arrived: null };

// ---------------------------------------------------------------- helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function key() {
  return sessionStorage.getItem(KEY_ITEM) || '';
}

function headers() {
  const k = key();
  return k ? { Authorization: `Bearer ${k}` } : {};
}

function notice(text) {
  const el = document.getElementById('notice');
  el.hidden = !text;
  el.textContent = text || '';
}

async function api(path) {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) {
    notice('This server needs an API key: paste a team key above (fitcheckd keys create --team NAME).');
    throw new Error('unauthorized');
  }
  if (res.status === 429) {
    notice(`Too many requests for this key; retrying in ${res.headers.get('retry-after') || 1} s.`);
    throw new Error('rate limited');
  }
  const body = await res.json();
  if (!res.ok) throw new Error(body.detail || `HTTP ${res.status}`);
  notice('');
  return body;
}

function shape(s) {
  if (s === null || s === undefined) return '?';
  if (Array.isArray(s) && s.length && Array.isArray(s[0])) return s.map(shape).join(', ');
  return `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}

function when(iso) {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

const badge = (verdict) => h('span', { class: `badge ${verdict}` }, verdict);

// ---------------------------------------------------------------- history

function readFilters() {
  const form = document.getElementById('filters');
  const f = {};
  for (const el of form.elements) {
    if (!el.name || !el.value) continue;
    f[el.name] = el.name === 'since' ? new Date(el.value).toISOString() : el.value.trim();
  }
  return f;
}

function matches(item, f) {
  const labels = item.labels || {};
  if (f.project && labels.project !== f.project) return false;
  if (f.run && labels.run !== f.run) return false;
  if (f.verdict && item.verdict !== f.verdict) return false;
  if (f.framework && item.framework !== f.framework) return false;
  if (f.code && !(item.codes || []).includes(f.code)) return false;
  if (f.since && item.created_at < f.since) return false;
  return true;
}

function row(item, fresh) {
  const labels = item.labels || {};
  return h('tr', { class: fresh ? 'new' : null, 'data-id': item.id, onclick: () => { location.hash = `#/reports/${item.id}`; } },
    h('td', {}, when(item.created_at)),
    h('td', {}, badge(item.verdict)),
    h('td', {}, labels.project || ''),
    h('td', {}, labels.run || ''),
    h('td', {}, item.framework),
    h('td', {}, item.summary));
}

function renderTable() {
  const body = document.querySelector('#reports tbody');
  body.replaceChildren(...state.items.map((it) => row(it, it._fresh)));
  for (const it of state.items) delete it._fresh;
  document.getElementById('more').hidden = !state.cursor;
  document.getElementById('count').textContent = `${state.items.length} report${state.items.length === 1 ? '' : 's'} shown`;
  renderCharts();
}

// A page answers the query as it stood when the server ran it: the reports that arrive live while it
// is on its way are kept (live() collects them in state.arrived), and a page asked for before
// another one (a filter changed meanwhile) is dropped.
let historyGeneration = 0;

async function loadHistory(more = false) {
  const generation = ++historyGeneration;
  const arrived = [];
  state.arrived = arrived;
  const params = new URLSearchParams({ ...state.filters, limit: '100' });
  if (more && state.cursor) params.set('cursor', state.cursor);
  const page = await api(`/v1/reports?${params}`);
  if (generation !== historyGeneration) return;
  state.arrived = null;
  if (more) {
    const have = new Set(state.items.map((it) => it.id));
    state.items = state.items.concat(page.items.filter((it) => !have.has(it.id)));
  } else {
    const listed = new Set(page.items.map((it) => it.id));
    const kept = arrived.filter((it) => matches(it, state.filters) && !listed.has(it.id));
    state.items = kept.concat(page.items);
  }
  state.cursor = page.next_cursor;
  renderTable();
}

// Verdicts by day as stacked bars, and the codes seen most often in the shown reports.
function renderCharts() {
  const days = new Map();
  const codes = new Map();
  for (const it of state.items) {
    const day = it.created_at.slice(0, 10);
    const d = days.get(day) || { fail: 0, warn: 0, pass: 0 };
    d[it.verdict]++;
    days.set(day, d);
    for (const c of it.codes || []) codes.set(c, (codes.get(c) || 0) + 1);
  }
  const vchart = document.getElementById('chart-verdicts');
  const W = 480, H = 160, pad = 22;
  vchart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const list = [...days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).slice(-14);
  const max = Math.max(1, ...list.map(([, d]) => d.fail + d.warn + d.pass));
  const bw = list.length ? Math.min(40, (W - 2 * pad) / list.length - 4) : 0;
  const bars = [];
  list.forEach(([day, d], i) => {
    let y = H - pad;
    const x = pad + i * ((W - 2 * pad) / Math.max(1, list.length));
    for (const v of ['pass', 'warn', 'fail']) {
      const hgt = ((H - 2 * pad) * d[v]) / max;
      if (hgt > 0) bars.push(svg('rect', { x, y: y - hgt, width: bw, height: hgt, fill: `var(--${v})`, 'data-verdict': v }, svg('title', {}, `${day}: ${d[v]} ${v}`)));
      y -= hgt;
    }
    bars.push(svg('text', { x, y: H - 6 }, day.slice(5)));
  });
  if (!list.length) bars.push(svg('text', { x: pad, y: H / 2 }, 'no reports yet'));
  vchart.replaceChildren(...bars);

  const cchart = document.getElementById('chart-codes');
  cchart.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const top = [...codes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const cmax = Math.max(1, ...top.map(([, n]) => n));
  const rows = [];
  top.forEach(([code, n], i) => {
    const y = 8 + i * 24;
    const w = ((W - 250) * n) / cmax;
    rows.push(svg('text', { x: 0, y: y + 12 }, code));
    rows.push(svg('rect', { x: 210, y, width: Math.max(2, w), height: 16, fill: 'var(--info)' }, svg('title', {}, `${code}: ${n}`)));
    rows.push(svg('text', { x: 214 + w, y: y + 12 }, n));
  });
  if (!top.length) rows.push(svg('text', { x: 0, y: H / 2 }, 'no findings in the shown reports'));
  cchart.replaceChildren(...rows);
}

// ---------------------------------------------------------------- live updates

// Server-Sent Events read with fetch (EventSource cannot send the Authorization header).
async function live() {
  const badgeEl = document.getElementById('live');
  if (state.stream) state.stream.abort();
  const controller = new AbortController();
  state.stream = controller;
  const hdrs = headers();
  if (state.lastEventId) hdrs['Last-Event-ID'] = state.lastEventId;
  try {
    const res = await fetch('/v1/reports/events', { headers: hdrs, signal: controller.signal });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    badgeEl.textContent = 'live';
    badgeEl.className = 'live on';
    const decoder = new TextDecoder();
    let partial = '';
    for await (const chunk of res.body) {
      const blocks = (partial + decoder.decode(chunk, { stream: true })).split('\n\n');
      partial = blocks.pop();
      for (const block of blocks) {
        if (block.startsWith(':')) continue;
        const ev = {};
        for (const line of block.split('\n')) {
          const i = line.indexOf(': ');
          if (i > 0) ev[line.slice(0, i)] = line.slice(i + 2);
        }
        if (ev.event !== 'report' || !ev.data) continue;
        state.lastEventId = ev.id;
        const item = JSON.parse(ev.data);
        if (state.arrived) state.arrived.unshift({ ...item, _fresh: true });
        if (!matches(item, state.filters) || state.items.some((it) => it.id === item.id)) continue;
        item._fresh = true;
        state.items.unshift(item);
        if (!document.getElementById('history-view').hidden) renderTable();
      }
    }
  } catch (err) {
    if (controller.signal.aborted) return;
  }
  badgeEl.textContent = 'offline';
  badgeEl.className = 'live off';
  setTimeout(() => { if (state.stream === controller) live(); }, 2000);
}

// ---------------------------------------------------------------- a report

function copyButton(text) {
  return h('button', {
    type: 'button',
    class: 'copy',
    onclick: async (e) => {
      try {
        await navigator.clipboard.writeText(text);
        e.target.textContent = 'copied';
      } catch {
        e.target.textContent = 'select and copy';
      }
    },
  }, 'copy');
}

function findingCard(f) {
  const where = [f.location.pointer, f.location.layer && `layer ${f.location.layer}`, f.location.input && `input ${f.location.input}`,
    f.location.output && `output ${f.location.output}`].filter(Boolean).join(' · ');
  return h('div', { class: 'card finding' },
    h('h3', {}, h('span', { class: `sev ${f.severity}` }, f.severity), ' ', h('a', { href: `#/findings/${f.code}` }, f.code), ' ', f.title),
    h('p', { class: 'where' }, where),
    h('p', {}, f.message),
    h('p', { class: 'muted' }, f.explanation),
    f.framework_error ? [h('div', { class: 'muted' }, 'What the framework prints:'), h('pre', { class: 'framework-error' }, f.framework_error)] : null,
    (f.fixes || []).map((x) => h('div', { class: 'fix' },
      h('div', {}, h('strong', {}, 'Fix: '), x.summary, x.language ? h('span', { class: 'muted' }, ` (${x.language})`) : null),
      copyButton(x.code),
      h('pre', {}, x.code),
      x.patch ? [h('div', { class: 'muted' }, 'JSON Patch against the model:'), h('pre', {}, JSON.stringify(x.patch, null, 2))] : null)));
}

function modelTable(model) {
  if (!model || !model.layers) return h('p', { class: 'muted' }, 'no model summary');
  return h('table', { class: 'summary-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Layer (type)'), h('th', {}, 'Output Shape'), h('th', {}, 'Param #'))),
    h('tbody', {}, model.layers.map((l) => h('tr', {},
      h('td', {}, `${l.name} (${l.class})`), h('td', {}, shape(l.output_shape)), h('td', { class: 'num' }, l.params === null ? '?' : l.params.toLocaleString('en'))))),
    h('tfoot', {}, h('tr', {}, h('td', { colspan: 3 },
      `Total params: ${(model.total_params ?? 0).toLocaleString('en')} · trainable ${(model.trainable_params ?? 0).toLocaleString('en')} · non-trainable ${(model.non_trainable_params ?? 0).toLocaleString('en')}`))));
}

function diffCard(d) {
  const list = (title, items, fmt) => (items.length ? [h('h3', {}, title), h('ul', { class: 'diff' }, items.map((x) => h('li', {}, fmt(x))))] : null);
  return h('div', { class: 'card', id: 'diff' },
    h('h2', {}, 'Since the previous run'),
    h('p', {}, d.against ? ['Against ', h('a', { href: `#/reports/${d.against.id}` }, when(d.against.created_at)), ' (', badge(d.against.verdict), '): '] : null, h('strong', {}, d.summary)),
    list('Resolved', d.findings.resolved, (f) => `${f.code}: ${f.message}`),
    list('New', d.findings.added, (f) => [h('span', { class: `sev ${f.severity}` }, f.severity), ` ${f.code}: ${f.message}`]),
    list('Changed', d.findings.changed, (c) => `${c.code}: ${c.from.severity} → ${c.to.severity}, ${c.to.message}`),
    list('Layers changed', d.model.layers.changed, (l) => `${l.name} (${l.class}): ${shape(l.from.output_shape)} ${l.from.params} → ${shape(l.to.output_shape)} ${l.to.params}`),
    list('Layers added', d.model.layers.added, (l) => `${l.name} (${l.class})`),
    list('Layers removed', d.model.layers.removed, (l) => `${l.name} (${l.class})`));
}

async function showReport(id) {
  const view = document.getElementById('report-view');
  view.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
  let report, diff;
  try {
    [report, diff] = await Promise.all([api(`/v1/reports/${encodeURIComponent(id)}`), api(`/v1/reports/${encodeURIComponent(id)}/diff`)]);
  } catch (err) {
    view.replaceChildren(h('p', {}, `This report cannot be shown: ${err.message}. `, h('a', { href: '#/' }, 'Back to the history')));
    return;
  }
  const res = report.resources || {};
  view.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← history')),
    h('div', { class: 'card', id: 'report-head' },
      h('h2', {}, badge(report.verdict), ' ', report.summary),
      h('p', { class: 'muted' }, `${when(report.created_at)} · ${report.framework}${report.framework_version ? ' ' + report.framework_version : ''} · ${report.release ? report.release.description : ''}`),
      h('p', { class: 'muted' }, Object.entries(report.labels || {}).map(([k, v]) => `${k}: ${v}`).join(' · '))),
    diffCard(diff),
    h('div', { class: 'card' }, h('h2', {}, `Findings (${report.findings.length})`),
      report.findings.length ? report.findings.map(findingCard) : h('p', { class: 'muted' }, 'none: model.fit should run as written')),
    h('div', { class: 'card' }, h('h2', {}, `Model: ${report.model ? report.model.name : ''}`), modelTable(report.model)),
    h('div', { class: 'card' }, h('h2', {}, 'Resources'),
      h('p', {}, `dataset ${res.dataset_size || '?'} · training memory ${res.training_memory_size || '?'}`),
      res.device ? h('p', { class: 'muted' }, res.device.note || `${res.device.name || 'device'}: ${res.device.memory_size}`) : null));
}

// A catalog entry, fetched with the key (under --auth keys a plain link to /v1/findings/CODE is a 401).
async function showFinding(code) {
  const view = document.getElementById('report-view');
  view.replaceChildren(h('p', { class: 'muted' }, 'loading…'));
  let e;
  try {
    e = await api(`/v1/findings/${encodeURIComponent(code)}`);
  } catch (err) {
    view.replaceChildren(h('p', {}, `This finding cannot be shown: ${err.message}. `, h('a', { href: '#/' }, 'Back to the history')));
    return;
  }
  const errors = Object.entries(e.errors || {}).filter(([, text]) => text);
  view.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← history')),
    h('div', { class: 'card finding', id: 'catalog-entry' },
      h('h2', {}, h('span', { class: `sev ${e.severity}` }, e.severity), ' ', e.code, ' ', e.title),
      h('p', {}, e.explanation),
      h('h3', {}, 'Fix'), h('p', {}, e.fix.summary), h('pre', {}, e.fix.code), copyButton(e.fix.code),
      errors.length ? [h('h3', {}, 'What each framework says'), ...errors.map(([fw, text]) => [h('p', { class: 'muted' }, fw), h('pre', {}, text)])] : null,
      h('p', { class: 'muted' }, `Checked against: ${e.reference}`)));
}

// ---------------------------------------------------------------- routing

async function route() {
  const m = location.hash.match(/^#\/reports\/([0-9a-f-]{36})$/);
  const f = location.hash.match(/^#\/findings\/([A-Z0-9_]+)$/);
  document.getElementById('history-view').hidden = !!(m || f);
  document.getElementById('report-view').hidden = !(m || f);
  if (m) await showReport(m[1]);
  else if (f) await showFinding(f[1]);
  else await loadHistory().catch((err) => { if (document.getElementById('notice').hidden) notice(err.message); });
}

document.getElementById('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const k = document.getElementById('key').value.trim();
  if (k) sessionStorage.setItem(KEY_ITEM, k);
  else sessionStorage.removeItem(KEY_ITEM);
  live();
  route();
});

document.getElementById('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  state.filters = readFilters();
  loadHistory().catch((err) => notice(err.message));
});

document.getElementById('more').addEventListener('click', () => loadHistory(true).catch((err) => notice(err.message)));
window.addEventListener('hashchange', route);
document.getElementById('key').value = key();
route();
live();
