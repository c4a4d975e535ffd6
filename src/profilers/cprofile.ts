import { pythonHelperAdapter } from './python.js';

/** Python's deterministic profiler: exact call counts and per-function self and cumulative time. */
export const cprofileAdapter = pythonHelperAdapter({
  name: 'cprofile',
  modes: ['cpu', 'wall'],
  overheadNote:
    'cProfile hooks every Python call, so call-heavy code runs about 1.5-3x slower and small functions look more expensive than they are; it sees only the main thread.',
  helper: 'profile_cprofile.py',
  rawFile: 'cprofile.pstats',
  unit: 'ns',
});
