"""The workload: de-duplicate the SKUs of a day's orders."""
import random

from inventory import unique_skus


def make_orders(n_orders=1500, n_skus=3000, seed=42):
    rng = random.Random(seed)
    return [{"skus": [f"SKU-{rng.randrange(n_skus):05d}" for _ in range(rng.randrange(1, 6))]} for _ in range(n_orders)]


if __name__ == "__main__":
    orders = make_orders()
    print(len(unique_skus(orders)))
