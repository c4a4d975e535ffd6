from inventory.dedupe import unique_skus

__all__ = ["unique_skus"]
