// Joins scenarios (argv[2]) with the oracle's answers (argv[3]) into the
// fixture the property test reads: [{id, model, params, output_shapes}],
// or {id, model, build_error} for a model TF.js refused to build.
import { readFileSync } from 'node:fs';

const lines = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const answers = new Map(lines(process.argv[3]).map((a) => [a.id, a]));
const out = [];
for (const s of lines(process.argv[2])) {
  const a = answers.get(s.id);
  if (!a) continue;
  if (a.outcome === 'error' && a.stage === 'build') out.push({ id: s.id, model: s.model, build_error: a.error });
  else if (Number.isInteger(a.params)) out.push({ id: s.id, model: s.model, params: a.params, output_shapes: a.output_shapes });
}
process.stdout.write(JSON.stringify(out) + '\n');
console.error(`${out.length} scenarios with oracle answers`);
