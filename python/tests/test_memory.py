"""test_memory.py: 100,000 route calls leave resident memory flat (results copied out once,
every library string freed, the network mapped once)."""
import os

import pytest


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
@pytest.mark.skipif(bool(os.environ.get("MERIDIAN_PY_SANITIZED")),
                    reason="under AddressSanitizer resident memory measures its quarantine, not leaks")
def test_no_growth_over_100000_routes(net):
    n = int(os.environ.get("MERIDIAN_PY_MEMORY_CALLS", "100000"))
    for _ in range(2000):  # warm up: allocator pools, the router's buffers, Python's caches
        net.route("NLRTM", "DEHAM")
    before = rss_bytes()
    for i in range(n):
        r = net.route("NLRTM", "DEHAM", by="time" if i % 2 else "generalized")
        assert r.routes
    for i in range(n // 100):  # the other calls too
        net.place("Mumbai")
        if i % 10 == 0:
            net.matrix(["NLRTM"], ["DEHAM"], by="time")
    grown = rss_bytes() - before
    assert grown < 4 * 1024 * 1024, f"resident memory grew by {grown / 1e6:.1f} MB over {n} calls"
