"""Allocation-heavy, deterministic Python workload for tests/real_programs.

Run once with the system allocator and once with an alloclab variant preloaded; the outputs
must be byte-identical. Everything printed is derived from deterministic computation
(PYTHONHASHSEED=0 is set by the runner; no addresses, times or ids are printed).
"""
import hashlib
import json
import random
import sys
from collections import Counter, OrderedDict, defaultdict, deque

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)  # str() of the big integers below

rng = random.Random(12345)
digest = hashlib.sha256()


def emit(label, value):
    line = f"{label}: {value}"
    print(line)
    digest.update(line.encode())


# 1. Many small objects: tuples, small dicts and lists, created and dropped in waves.
total = 0
for wave in range(30):
    objs = [(i, str(i), {"k": i, "v": [i, i + 1]}) for i in range(6000)]
    total += sum(o[2]["v"][1] for o in objs[::7])
    del objs[::2]
    objs.extend([i] * (i % 5) for i in range(3000))
    total += len(objs)
emit("small objects", total)

# 2. Dicts that grow and shrink: inserts, deletes, re-inserts (resizes of the hash table).
d = {}
for i in range(150000):
    d[f"key-{i}-{i * 7919 % 1000}"] = i * i
for i in range(0, 150000, 3):
    del d[f"key-{i}-{i * 7919 % 1000}"]
for i in range(0, 150000, 5):
    d[f"key-{i}-{i * 7919 % 1000}"] = -i
emit("dict size", len(d))
emit("dict sum", sum(d.values()) % 1000000007)

# 3. Strings: concatenation, joins, splits, formatting, bytes round-trips.
parts = []
for i in range(40000):
    parts.append(("%05d:" % i) + "x" * (i % 37) + chr(65 + i % 26))
s = "|".join(parts)
pieces = s.split("|")
emit("string length", len(s))
emit("pieces", len(pieces))
emit("upper hash", hashlib.md5(s.upper().encode()).hexdigest())
b = bytearray()
for p in pieces[:20000]:
    b += p.encode()[::-1]
emit("bytearray", hashlib.sha1(bytes(b)).hexdigest())

# 4. Big integers: factorials, powers, divisions (large digit arrays).
f = 1
for i in range(2, 3000):
    f *= i
emit("3000! digits", len(str(f)))
p = pow(3, 20000) - pow(2, 15000)
emit("pow mod", p % 1000000007)
q, r = divmod(f, p)
emit("divmod", (q % 999983, r % 999983))
fib = [0, 1]
for i in range(4000):
    fib.append(fib[-1] + fib[-2])
emit("fib[4000] mod", fib[-1] % 10**12)
del fib

# 5. JSON round-trips of nested structures.
def make_tree(depth, width, seed):
    if depth == 0:
        return {"leaf": seed, "name": "n%d" % seed, "vals": [seed % 7, seed % 11, seed / 8]}
    return {"id": seed, "children": [make_tree(depth - 1, width, seed * width + k) for k in range(width)]}

for rnd in range(4):
    tree = make_tree(6, 5, rnd + 1)
    text = json.dumps(tree, sort_keys=True)
    back = json.loads(text)
    assert back == tree
    emit(f"json round {rnd}", hashlib.sha256(text.encode()).hexdigest()[:16] + f" len={len(text)}")

# 6. Lists: sorting, slicing, comprehensions, deques, Counters, defaultdicts.
data = [rng.randrange(1 << 30) for _ in range(200000)]
data.sort()
emit("sorted checksum", sum(data[::1000]) % 1000003)
words = ["w%d" % rng.randrange(5000) for _ in range(200000)]
c = Counter(words)
emit("most common", c.most_common(3))
groups = defaultdict(list)
for i, w in enumerate(words[:100000]):
    groups[len(w)].append(i)
emit("groups", sorted((k, len(v)) for k, v in groups.items()))
dq = deque(maxlen=5000)
for i in range(300000):
    dq.append((i, "v" * (i % 9)))
emit("deque", (dq[0][0], dq[-1][0], len(dq)))
od = OrderedDict()
for i in range(50000):
    od[i % 7000] = str(i)
    if len(od) > 5000:
        od.popitem(last=False)
emit("ordereddict", (len(od), next(iter(od)), list(od.values())[-1]))

# 7. Sets and frozensets, class instances with __dict__, and reference cycles for the gc.
import gc

class Node:
    def __init__(self, v):
        self.v = v
        self.peers = []

nodes = [Node(i) for i in range(50000)]
for i, n in enumerate(nodes):
    n.peers.append(nodes[(i * 31 + 7) % len(nodes)])
    n.peers.append(n)  # cycles
emit("nodes", sum(n.peers[0].v for n in nodes) % 1000003)
del nodes
emit("gc collected > 0", gc.collect() > 0)
sets = [frozenset(range(i, i + (i % 50))) for i in range(20000)]
u = set().union(*sets[:5000])
emit("sets", (len(u), sum(len(x) for x in sets)))

print("digest:", digest.hexdigest())
sys.exit(0)
