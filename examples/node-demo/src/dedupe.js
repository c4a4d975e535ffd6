/** Every SKU that appears in the orders, once, in first-seen order. */
export function uniqueSkus(orders) {
  const seen = [];
  for (const order of orders) {
    for (const sku of order.skus) {
      if (!seen.includes(sku)) seen.push(sku);
    }
  }
  return seen;
}
