package inventory

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"
)

func TestUniqueSKUsKeepsFirstSeenOrder(t *testing.T) {
	orders := []Order{{SKUs: []string{"b", "a"}}, {SKUs: []string{"a", "c", "b"}}}
	if got, want := UniqueSKUs(orders), []string{"b", "a", "c"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("UniqueSKUs = %v, want %v", got, want)
	}
}

func TestUniqueSKUsEmpty(t *testing.T) {
	if got := UniqueSKUs(nil); len(got) != 0 {
		t.Fatalf("UniqueSKUs(nil) = %v, want none", got)
	}
}

// makeOrders builds a day of orders from a fixed seed, so every run sees the same ones.
func makeOrders(nOrders, nSKUs int) []Order {
	rng := rand.New(rand.NewSource(42))
	orders := make([]Order, nOrders)
	for i := range orders {
		skus := make([]string, 1+rng.Intn(5))
		for j := range skus {
			skus[j] = fmt.Sprintf("SKU-%05d", rng.Intn(nSKUs))
		}
		orders[i] = Order{SKUs: skus}
	}
	return orders
}

var sink []string

func BenchmarkUniqueSKUs(b *testing.B) {
	orders := makeOrders(1500, 3000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink = UniqueSKUs(orders)
	}
}
