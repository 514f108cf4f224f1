from ._pages import op

def kv_rows():
    """Key "a": a put at the start and a get at the end; key "b": 3,000 puts in between, then a
    failing get (so the page is windowed and illegal)."""
    rows = [op(0, "put", "1", None, 0, 1, key="a")]
    for k in range(3000):
        rows.append(op(1, "put", str(k), None, 2 + 2 * k, 3 + 2 * k, key="b"))
    t = 2 + 2 * 3000
    rows.append(op(0, "get", None, "1", t, t + 1, key="a"))
    rows.append(op(2, "get", None, "nope", t + 2, t + 3, key="b"))
    return rows
