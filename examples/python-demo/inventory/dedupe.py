def unique_skus(orders):
    """Every SKU that appears in the orders, once, in first-seen order."""
    seen = []
    for order in orders:
        for sku in order["skus"]:
            if sku not in seen:
                seen.append(sku)
    return seen
