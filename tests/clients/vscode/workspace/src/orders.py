"""Order totals (fixture for the VS Code end-to-end test)."""


def order_total(items, discount):
    total = 0
    for item in items:
        total += item["price"] * item["qty"]
    return total - total * discount / 100


def average_price(items):
    return sum(item["price"] for item in items) / len(items)
