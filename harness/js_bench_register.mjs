// Preloaded (node --import) into a benchmark script that uses tinybench or mitata, so that a
// compare reads each benchmark's median from a file instead of the library's printed table.
import { register } from 'node:module';

register('./js_bench_hooks.mjs', import.meta.url);
