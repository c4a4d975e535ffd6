def unique_skus(orders):
    """Every SKU that appears in the orders, once, in first-seen order."""
    # dict keeps insertion order and answers membership in O(1).
    seen = {}
    for order in orders:
        for sku in order["skus"]:
            seen.setdefault(sku, None)
    return list(seen)
