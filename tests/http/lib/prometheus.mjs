// A small parser for the Prometheus text exposition format 0.0.4, strict
// enough to catch malformed output.
import assert from 'node:assert/strict';

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE_RE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?[ \\t]+(\\S+)(?:[ \\t]+(-?[0-9]+))?$`);
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,\s*|$)/y;

function parseLabels(text, line) {
  const labels = {};
  if (text === undefined || text === '') return labels;
  LABEL_RE.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    LABEL_RE.lastIndex = pos;
    const m = LABEL_RE.exec(text);
    assert.ok(m, `malformed labels in metrics line: ${line}`);
    assert.ok(!(m[1] in labels), `duplicate label ${m[1]} in: ${line}`);
    labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    pos = LABEL_RE.lastIndex;
  }
  return labels;
}

function parseValue(s, line) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  assert.ok(s !== '' && !Number.isNaN(v), `malformed value in metrics line: ${line}`);
  return v;
}

/**
 * Parses an exposition. Returns {types: Map(name -> type), samples: [{name, labels, value}]}.
 * Asserts every line is a comment, blank, or a well-formed sample, and that a
 * metric's TYPE comes before its samples.
 */
export function parseExposition(text) {
  const types = new Map();
  const samples = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (m) {
        assert.ok(!types.has(m[1]), `TYPE given twice for ${m[1]}`);
        types.set(m[1], m[2]);
      }
      continue;
    }
    const m = SAMPLE_RE.exec(line);
    assert.ok(m, `malformed metrics line: ${JSON.stringify(line)}`);
    const name = m[1];
    const family = [...types.keys()].find((f) => name === f || (types.get(f) === 'histogram' && [`${f}_bucket`, `${f}_sum`, `${f}_count`].includes(name)));
    assert.ok(family, `sample ${name} comes before (or without) its # TYPE line`);
    samples.push({ name, labels: parseLabels(m[2], line), value: parseValue(m[3], line) });
  }
  return { types, samples };
}

/** Samples named `name` whose labels include every label in `match`. */
export function select(expo, name, match = {}) {
  return expo.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The single value of `name{match}`; fails when there is not exactly one such sample. */
export function valueOf(expo, name, match = {}) {
  const found = select(expo, name, match);
  assert.equal(found.length, 1, `expected one sample ${name}${JSON.stringify(match)}, found ${found.length}`);
  return found[0].value;
}
