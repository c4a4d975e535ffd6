// Synthetic timings for checking the statistics against known answers, shared by
// the tests and the bench scripts.

/**
 * `n` lognormal values around `median` with log-space standard deviation
 * `sigma` (0.02 ≈ 2 % run-to-run spread): the shape of repeated timings.
 * @param {() => number} random uniform in [0, 1), e.g. mulberry32(seed)
 * @param {number} n
 * @param {number} median
 * @param {number} sigma
 * @returns {number[]}
 */
export function lognormalSamples(random, n, median, sigma) {
  return Array.from({ length: n }, () => median * Math.exp(sigma * standardNormal(random)));
}

/** One standard normal value (Box–Muller). @param {() => number} random */
function standardNormal(random) {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
