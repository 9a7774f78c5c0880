"""test_errors.py: the library's errors map to meridian.Error subclasses with message, code and field."""
import pytest

import meridian
from conftest import run_cli


def test_not_found(net, cli):
    with pytest.raises(meridian.NotFound) as ei:
        net.route("Mumbai", "Atlantis")
    e = ei.value
    assert e.code == -5 and e.name == "NOTFOUND" and e.field == "to"
    assert "Atlantis" in e.message and isinstance(e, LookupError) and isinstance(e, meridian.Error)
    p = run_cli("route", "Mumbai", "Atlantis", check=False)
    assert p.returncode == 4 and e.message in p.stderr  # the CLI says the same
    with pytest.raises(meridian.NotFound, match="did you mean"):
        net.place("Mumbaii")


def test_no_route(net, cli):
    with pytest.raises(meridian.NoRoute) as ei:
        net.route("Mumbai", "Moscow", modes=["road"])
    assert ei.value.code == -7
    assert run_cli("route", "Mumbai", "Moscow", "--modes", "road", check=False).returncode == 3


@pytest.mark.parametrize("kw,field", [
    ({"by": "fastest"}, "by"),
    ({"modes": ["boat"]}, "modes"),
    ({"teu": -1}, "teu"),
    ({"teu": 1, "tonnes": 5}, "teu"),
    ({"vot": "high"}, "vot"),
    ({"sea_speed": 90}, "sea_speed"),
    ({"algorithm": "magic"}, "algorithm"),
    ({"alternatives": 2.5}, "alternatives"),
    ({"alternatives": 2, "pareto": True}, "alternatives"),
    ({"via": ["Baku"], "alternatives": 2}, "via"),
    ({"criteria": ["cost"], "pareto": True}, "criteria"),
    ({"scenarios": ["no-such-scenario"]}, "scenarios"),
])
def test_invalid_options(net, kw, field):
    with pytest.raises(meridian.Invalid) as ei:
        net.route("Mumbai", "Moscow", **kw)
    assert ei.value.code == -4 and ei.value.field == field and ei.value.message


def test_invalid_compare(net):
    with pytest.raises(meridian.Invalid, match="no-such-corridor") as ei:
        net.compare("Mumbai", "Moscow", corridors=["suez", "no-such-corridor"])
    assert ei.value.field == "corridors"


def test_avoid_unknown(net):
    with pytest.raises(meridian.NotFound):
        net.route("Mumbai", "Moscow", avoid=["no-such-passage"])


def test_bad_files(tmp_path):
    with pytest.raises(meridian.IOFailure):
        meridian.open(str(tmp_path / "missing.mnet"))
    bad = tmp_path / "bad.mnet"
    bad.write_bytes(b"not a network at all" * 10)
    with pytest.raises(meridian.BadNetwork) as ei:
        meridian.open(str(bad))
    assert ei.value.name in ("BADMAGIC", "TRUNCATED", "VERSION", "CORRUPT")


def test_malformed_scenario(net, tmp_path):
    scn = tmp_path / "broken.scn"
    scn.write_text("this is not a statement\n")
    with pytest.raises(meridian.Error) as ei:
        net.route("Mumbai", "Moscow", scenarios=[str(scn)])
    assert ei.value.file.endswith("broken.scn") or "broken.scn" in ei.value.message


def test_type_errors(net):
    with pytest.raises(TypeError):
        net.route("Mumbai", 42)
