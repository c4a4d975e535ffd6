// micro_benchmark's Node side: the same job and protocol as micro_harness.py (see there),
// with snippets compiled by new Function and timed with process.hrtime.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');

const spec = JSON.parse(readFileSync(0, 'utf8'));
// Snippets run in global scope; give them the require of `node -e`, which resolves from the working directory (the project root).
globalThis.require = createRequire(join(process.cwd(), '[micro]'));
const emit = (message) => process.stdout.write(`\n${spec.marker}${JSON.stringify(message)}\n`);
console.log = console.error;

class Failed extends Error {}

function guarded(snippet, action, phase = 'run') {
  try {
    return action();
  } catch (error) {
    if (error instanceof Failed) throw error;
    emit({ error: { snippet, phase, type: error?.name ?? 'Error', message: String(error?.message ?? error) } });
    throw new Failed();
  }
}

function timed(name) {
  return new Function(
    '__loops',
    '__now',
    `${spec.setup}\nconst __start = __now();\nfor (let __i = 0; __i < __loops; __i++) {\n${spec[name]}\n}\nreturn Number(__now() - __start) / 1e9;`,
  );
}

function main() {
  const names = spec.first === 'a' ? ['a', 'b'] : ['b', 'a'];
  for (const name of ['setup', ...names]) guarded(name, () => new Function(spec[name]), 'compile');
  guarded('setup', () => new Function(spec.setup)());
  const timers = {};
  for (const name of names) timers[name] = timed(name);
  const now = () => process.hrtime.bigint();
  const run = (name, loops) => guarded(name, () => timers[name](loops, now));
  const calibrate = (name) => {
    for (let loops = 1; ; ) {
      const elapsed = run(name, loops);
      if (elapsed >= spec.target_s) return loops;
      loops = elapsed > 0 ? Math.floor(loops * Math.min(100, (spec.target_s * 1.2) / elapsed)) + 1 : loops * 100;
    }
  };
  const loops = spec.loops ?? Math.min(...names.map(calibrate));
  for (const name of spec.warmup) run(name, loops);
  const samples = { a: [], b: [] };
  spec.order.forEach((name, index) => {
    samples[name].push((run(name, loops) / loops) * 1e9);
    emit({ done: index + 1 });
  });
  emit({ result: { loops, samples } });
}

try {
  main();
} catch (error) {
  if (!(error instanceof Failed)) throw error;
  process.exitCode = 2;
}
