/** Every SKU that appears in the orders, once, in first-seen order. */
export function uniqueSkus(orders) {
  // A Set keeps insertion order and answers membership in O(1).
  const seen = new Set();
  for (const order of orders) {
    for (const sku of order.skus) seen.add(sku);
  }
  return [...seen];
}
