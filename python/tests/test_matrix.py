"""test_matrix.py: net.matrix equals `meridian matrix` (NaN where the CLI leaves a cell empty)."""
import csv
import io
import math

import numpy as np
import pytest

from conftest import run_cli

ORIGINS = ["Mumbai", "Dubai", "Shanghai", "Baku", "Aktau"]
DESTS = ["Moscow", "Rotterdam", "Istanbul", "Tehran", "Mumbai"]


def cli_matrix(tmp_path, origins, dests, *args):
    f, t = tmp_path / "from.txt", tmp_path / "to.txt"
    f.write_text("# origins\n" + "\n".join(origins) + "\n")
    t.write_text("\n".join(dests) + "\n")
    out = run_cli("matrix", "--from", str(f), "--to", str(t), "--format", "long", "-q", *args).stdout
    m = np.full((len(origins), len(dests)), np.nan)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(origins) * len(dests)
    for k, row in enumerate(rows):
        i, j = divmod(k, len(dests))
        assert (row["from"], row["to"]) == (origins[i], dests[j])
        if row["reachable"] == "true":
            m[i, j] = float(row["value"])
        else:
            assert row["value"] == ""
    return m


@pytest.mark.parametrize("by,args,kw", [
    ("time", [], {}),
    ("generalized", [], {}),
    ("cost", ["--avoid", "suez"], {"avoid": ["suez"]}),
    ("distance", ["--modes", "rail,road"], {"modes": "rail,road"}),
    ("co2e", ["--scenario", "astara-border-closed"], {"scenarios": ["astara-border-closed"]}),
])
def test_matrix_equals_cli(net, cli, tmp_path, by, args, kw):
    m = net.matrix(ORIGINS, DESTS, by=by, **kw)
    ref = cli_matrix(tmp_path, ORIGINS, DESTS, "--by", by, *args)
    assert m.shape == (len(ORIGINS), len(DESTS)) and m.dtype == np.float64
    assert np.array_equal(np.isnan(m), np.isnan(ref))
    assert np.allclose(m[~np.isnan(m)], ref[~np.isnan(ref)], rtol=0, atol=5.1e-5)  # the CLI prints 4 decimals


def test_matrix_unreachable_is_nan(net, cli, tmp_path):
    # by land alone, Mumbai reaches nothing across the sea: empty cells in the CLI, NaN here
    m = net.matrix(["Mumbai", "Moscow"], ["Moscow", "Rotterdam"], modes=["road"])
    ref = cli_matrix(tmp_path, ["Mumbai", "Moscow"], ["Moscow", "Rotterdam"], "--modes", "road")
    assert np.isnan(m).any()
    assert np.array_equal(np.isnan(m), np.isnan(ref))
    assert np.allclose(m[~np.isnan(m)], ref[~np.isnan(ref)], rtol=0, atol=5.1e-5)


def test_matrix_agrees_with_route(net):
    m = net.matrix(["Mumbai"], ["Moscow"], by="time")
    r = net.route("Mumbai", "Moscow", by="time")
    assert math.isclose(m[0, 0], r.raw["routes"][0]["objective_value"], abs_tol=0.01)
    assert m[0, 0] == pytest.approx(r.duration_h, abs=0.01)


def test_matrix_edges(net):
    assert net.matrix([], ["Moscow"]).shape == (0, 1)
    d = net.matrix(["Moscow"], ["Moscow"])
    assert d[0, 0] == 0
    with pytest.raises(TypeError):
        net.matrix("Mumbai", ["Moscow"])
