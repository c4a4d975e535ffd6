// The workload: de-duplicate the SKUs of a day's orders.
import { uniqueSkus } from './src/dedupe.js';

/** A small seeded generator (mulberry32), so every run sees the same orders. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeOrders(nOrders = 6000, nSkus = 8000, seed = 42) {
  const next = random(seed);
  const pick = (n) => Math.floor(next() * n);
  return Array.from({ length: nOrders }, () => ({
    skus: Array.from({ length: 1 + pick(5) }, () => `SKU-${String(pick(nSkus)).padStart(5, '0')}`),
  }));
}

console.log(uniqueSkus(makeOrders()).length);
