"""conftest.py: fixtures of the Python binding's tests: the network and the CLI to compare with."""
import json
import os
import subprocess
from pathlib import Path

import pytest

import meridian

ROOT = Path(__file__).resolve().parents[2]


def _cli_path() -> str:
    p = os.environ.get("MERIDIAN_CLI")
    if p:
        return p
    lib = os.environ.get("MERIDIAN_LIB")
    if lib:
        cand = Path(lib).parent / "meridian"
        if cand.exists():
            return str(cand)
    return str(ROOT / "build" / "meridian")


CLI = _cli_path()


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the CLI (on the same network as the binding) and return the finished process."""
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=check, env=os.environ.copy())


def cli_json(*args: str):
    return json.loads(run_cli(*args, "--format", "json").stdout)


@pytest.fixture(scope="session")
def net():
    n = meridian.open()
    yield n
    n.close()


@pytest.fixture(scope="session")
def cli():
    if not Path(CLI).exists():
        pytest.skip(f"the CLI {CLI} is not built")
    return CLI
