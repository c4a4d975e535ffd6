import { pythonHelperAdapter } from './python.js';

/** Python's allocation tracer: the blocks alive at the highest traced memory, by the call path that allocated them. */
export const tracemallocAdapter = pythonHelperAdapter({
  name: 'tracemalloc',
  modes: ['memory'],
  overheadNote:
    'tracemalloc records a 32-frame traceback for every allocation: allocation-heavy code runs up to about 15x slower (measured on an allocation-only fixture) and uses more memory; it sees Python allocations only, not memory taken directly by C extensions.',
  helper: 'profile_tracemalloc.py',
  rawFile: 'tracemalloc.snapshot',
  unit: 'bytes',
});
