// Module hooks: the script's `import ... from 'tinybench'` (or 'mitata') gets a thin module that
// re-exports the real library and records every result (js_bench_record.mjs). The real library
// is imported by URL, which these hooks leave alone.
const WRAPPED = new Set(['tinybench', 'mitata']);
const SCHEME = 'codeflash-bench:';
const RECORD = new URL('./js_bench_record.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!WRAPPED.has(specifier)) return resolved;
  return { url: `${SCHEME}${specifier}?${new URLSearchParams({ real: resolved.url })}`, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith(SCHEME)) return nextLoad(url, context);
  const [library, query] = url.slice(SCHEME.length).split('?');
  const real = JSON.stringify(new URLSearchParams(query).get('real'));
  return { format: 'module', source: SOURCES[library](real), shortCircuit: true };
}

const SOURCES = {
  tinybench: (real) => `export * from ${real};
import * as real from ${real};
import { recordTinybench } from ${JSON.stringify(RECORD)};
export class Bench extends real.Bench {
  async run(...args) {
    const tasks = await super.run(...args);
    recordTinybench(this);
    return tasks;
  }
  runSync(...args) {
    const tasks = super.runSync(...args);
    recordTinybench(this);
    return tasks;
  }
}
`,
  mitata: (real) => `export * from ${real};
import * as real from ${real};
import { recordMitata } from ${JSON.stringify(RECORD)};
export async function run(...args) {
  const result = await real.run(...args);
  recordMitata(result);
  return result;
}
`,
};
