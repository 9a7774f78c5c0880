"""test_route.py: route, place and compare equal the CLI's JSON for the same queries."""
import json

import pytest

import meridian
from conftest import cli_json

ROUTES = [
    ([], {}),
    (["--by", "cost"], {"by": "cost"}),
    (["--by", "time", "--modes", "sea,rail"], {"by": "time", "modes": ["sea", "rail"]}),
    (["--avoid", "suez"], {"avoid": "suez"}),
    (["--avoid", "suez,bab-el-mandeb", "--teu", "2", "--vot", "25"], {"avoid": ["suez", "bab-el-mandeb"], "teu": 2, "vot": 25}),
    (["--planned", "--avoid", "suez"], {"planned": True, "avoid": ("suez",)}),
    (["--tonnes", "5", "--sea-speed", "12"], {"tonnes": 5, "sea_speed": 12}),
    (["--via", "Baku"], {"via": ["Baku"]}),
    (["--algorithm", "dijkstra", "--by", "distance"], {"algorithm": "dijkstra", "by": "distance"}),
    (["--scenario", "astara-border-closed"], {"scenarios": ["astara-border-closed"]}),
    (["--alternatives", "3"], {"alternatives": 3}),
    (["--allow", "caspian"], {"allow": ["caspian"]}),
]


@pytest.mark.parametrize("args,kw", ROUTES, ids=[" ".join(a) or "default" for a, _ in ROUTES])
def test_route_equals_cli(net, cli, args, kw):
    r = net.route("Mumbai", "Moscow", **kw)
    assert r.raw == cli_json("route", "Mumbai", "Moscow", *args)
    assert r.routes and r.distance_km == r.raw["routes"][0]["distance_km"]
    assert [leg.mode for leg in r.legs] == [leg["mode"] for leg in r.raw["routes"][0]["legs"]]


def test_route_other_pairs(net, cli):
    for a, b in [("Shanghai", "Rotterdam"), ("INNSA", "RUMOW"), ("Baku", "Aktau"), ("72.95,18.95", "Moscow")]:
        assert net.route(a, b).raw == cli_json("route", a, b), (a, b)


def test_pareto_equals_cli(net, cli):
    r = net.route("Mumbai", "Moscow", pareto=True, criteria="cost,time")
    assert r.raw == cli_json("route", "Mumbai", "Moscow", "--pareto", "--criteria", "cost,time")
    assert len(r.routes) == len(r.raw["front"]) >= 2
    costs = [p.cost_usd for p in r.routes]
    times = [p.duration_h for p in r.routes]
    for i in range(len(r.routes)):  # no point dominates another
        for j in range(len(r.routes)):
            if i != j:
                assert not (costs[i] <= costs[j] and times[i] <= times[j] and (costs[i], times[i]) != (costs[j], times[j]))


def test_place_equals_cli(net, cli):
    for text in ["Mumbai", "Moskva", "INNSA", "72.95,18.95"]:
        p = net.place(text)
        assert p.raw == cli_json("route", text, "Moscow")["from"], text
    p = net.place("Mumbai")
    assert (p.unlocode, p.country, p.matched_by) == ("INBOM", "IND", "name")


COMPARES = [
    ([], {}),
    (["--by", "time"], {"by": "time"}),
    (["--corridors", "suez-black-sea,suez-baltic,instc-west"], {"corridors": ["suez-black-sea", "suez-baltic", "instc-west"]}),
    (["--scenario", "astara-border-closed"], {"scenarios": ["astara-border-closed"]}),
    (["--no-claims", "--vot", "0"], {"claims": False, "vot": 0}),
    (["--avoid", "suez,bab-el-mandeb", "--planned"], {"avoid": "suez,bab-el-mandeb", "planned": True}),
]


@pytest.mark.parametrize("args,kw", COMPARES, ids=[" ".join(a) or "default" for a, _ in COMPARES])
def test_compare_equals_cli(net, cli, args, kw):
    c = net.compare("Mumbai", "Moscow", **kw)
    assert c.raw == cli_json("compare", "Mumbai", "Moscow", *args)
    for row in c.corridors:
        assert row.feasible == (row.route is not None)
        assert row.feasible or row.reason


def test_compare_objects(net):
    c = net.compare("Mumbai", "Moscow", corridors=["suez-black-sea", "instc-west", "trans-siberian"])
    assert [r.id for r in c.corridors] == ["suez-black-sea", "instc-west", "trans-siberian"]
    assert c["instc-west"].route.distance_km < c["suez-black-sea"].route.distance_km
    assert not c["trans-siberian"].feasible
    gj = c.to_geojson()
    assert gj["type"] == "FeatureCollection" and [f["properties"]["corridor"] for f in gj["features"]] == [
        "suez-black-sea", "instc-west"]
    assert all(f["geometry"]["type"] == "LineString" for f in gj["features"])
    rows = c.to_rows()
    assert rows[2]["distance_km"] is None and rows[0]["duration_days"] == pytest.approx(rows[0]["duration_h"] / 24)


def test_route_geojson(net):
    r = net.route("Mumbai", "Moscow", alternatives=2)
    gj = r.to_geojson()
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(r.routes)
    f = gj["features"][0]
    assert f["geometry"] == r.geometry and f["properties"]["distance_km"] == r.distance_km
    json.dumps(gj)  # serialisable


def test_network_file_and_close(net):
    n = meridian.open(net_path())
    try:
        assert n.route("Mumbai", "Moscow").raw == net.route("Mumbai", "Moscow").raw
    finally:
        n.close()
    n.close()  # idempotent
    with pytest.raises(ValueError):
        n.route("Mumbai", "Moscow")
    with meridian.open() as m:
        assert m.place("Baku").country == "AZE"


def net_path():  # the file the built-in network is loaded from
    import os
    from pathlib import Path
    p = os.environ.get("MERIDIAN_NETWORK")
    if p:
        return p
    return str(Path(os.environ.get("MERIDIAN_LIB", "build/libmeridian.so")).parent / "meridian.mnet")


def test_threads_share_a_network(net):
    import threading
    want = net.route("NLRTM", "DEHAM").raw
    bad = []

    def work():
        for _ in range(50):
            if net.route("NLRTM", "DEHAM").raw != want:
                bad.append(1)

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not bad
