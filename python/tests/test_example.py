"""test_example.py: examples/instc_vs_suez.py runs and prints the worked comparison's figures as
the CLI computes them."""
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, cli_json


def test_instc_vs_suez_example(cli):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "instc_vs_suez.py")], capture_output=True, text=True,
                         env=env, check=True, timeout=300).stdout
    c = {x["id"]: x for x in cli_json("compare", "Mumbai", "Moscow")["corridors"]}
    west, black, baltic = (c[k]["route"]["distance_km"] for k in ("instc-west", "suez-black-sea", "suez-baltic"))
    assert f"suez-baltic {baltic:,.0f} km / instc-west {west:,.0f} km = {baltic / west:.2f}" in out
    assert f"suez-black-sea {black:,.0f} km / instc-west {west:,.0f} km = {black / west:.2f}" in out
    line = next(x for x in out.splitlines() if x.startswith(" instc-west"))  # first table: 1.1
    assert f"{west:,.0f}" in line and f"{c['instc-west']['route']['cost_usd']:,.0f}" in line
    for section in ("1.1", "1.2 by cost", "1.3 route", "2. published claims", "4.1", "4.2"):
        assert section in out
    assert Path(ROOT / "docs" / "instc-vs-suez.md").exists()
