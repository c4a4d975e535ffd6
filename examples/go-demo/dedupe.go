// Package inventory de-duplicates the SKUs of a day's orders.
package inventory

// Order is one customer order.
type Order struct {
	SKUs []string
}

// UniqueSKUs returns every SKU that appears in the orders, once, in first-seen order.
func UniqueSKUs(orders []Order) []string {
	var seen []string
	for _, order := range orders {
		for _, sku := range order.SKUs {
			found := false
			for _, s := range seen {
				if s == sku {
					found = true
					break
				}
			}
			if !found {
				seen = append(seen, sku)
			}
		}
	}
	return seen
}
