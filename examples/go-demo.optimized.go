// Package inventory de-duplicates the SKUs of a day's orders.
package inventory

// Order is one customer order.
type Order struct {
	SKUs []string
}

// UniqueSKUs returns every SKU that appears in the orders, once, in first-seen order.
func UniqueSKUs(orders []Order) []string {
	// A map answers membership in O(1); the slice keeps first-seen order.
	seen := make(map[string]struct{})
	var unique []string
	for _, order := range orders {
		for _, sku := range order.SKUs {
			if _, ok := seen[sku]; !ok {
				seen[sku] = struct{}{}
				unique = append(unique, sku)
			}
		}
	}
	return unique
}
