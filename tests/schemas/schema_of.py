import json, sys
def lines(v, path):
    """[(path, type)] in document order; array elements merged, null yields to any other type."""
    if isinstance(v, dict):
        out = [(path, "object")]
        for k, x in v.items(): out += lines(x, path + "." + k)
        return out
    if isinstance(v, list):
        merged = []
        for x in v:
            for p, t in lines(x, path + "[]"):
                for i, (q, u) in enumerate(merged):
                    if q == p:
                        if u == "null": merged[i] = (p, t)
                        break
                else:
                    merged.append((p, t))
        return [(path, "array")] + merged
    t = "null" if v is None else "bool" if isinstance(v, bool) else "string" if isinstance(v, str) else "number"
    return [(path, t)]
print("\n".join(p + " " + t for p, t in lines(json.load(open(sys.argv[1])), "$")))
