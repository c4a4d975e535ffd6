from inventory import unique_skus


def test_keeps_first_seen_order():
    orders = [{"skus": ["b", "a"]}, {"skus": ["a", "c", "b"]}]
    assert unique_skus(orders) == ["b", "a", "c"]


def test_empty():
    assert unique_skus([]) == []
    assert unique_skus([{"skus": []}]) == []
