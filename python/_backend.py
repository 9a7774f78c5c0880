"""_backend.py: an in-tree PEP 517 build backend that packs the pure-Python package meridian/
into a wheel with the standard library alone, so that `pip install ./python` needs nothing from
an index (offline; setuptools in an isolated build environment would have to be downloaded)."""
import base64
import hashlib
import os
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAME = "meridian"
VERSION = "0.1.0"
SUMMARY = "Meridian's multimodal freight corridor engine (libmeridian) from Python, through ctypes"
REQUIRES = ["numpy"]
EXTRAS = {"pandas": ["pandas"], "test": ["pytest"]}
TAG = "py3-none-any"


def _metadata() -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {VERSION}", f"Summary: {SUMMARY}",
             "Requires-Python: >=3.9"]
    lines += [f"Requires-Dist: {r}" for r in REQUIRES]
    for extra, reqs in EXTRAS.items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {r}; extra == "{extra}"' for r in reqs]
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8") if readme.exists() else ""
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + body


def _files():
    for p in sorted((HERE / NAME).rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".typed"):
            yield p.relative_to(HERE).as_posix(), p.read_bytes()


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def _write_wheel(wheel_directory, entries):
    dist = f"{NAME}-{VERSION}.dist-info"
    entries = list(entries) + [
        (f"{dist}/METADATA", _metadata().encode("utf-8")),
        (f"{dist}/WHEEL", f"Wheel-Version: 1.0\nGenerator: meridian-backend\nRoot-Is-Purelib: true\nTag: {TAG}\n".encode()),
    ]
    record = "".join(f"{n},{_hash(d)},{len(d)}\n" for n, d in entries) + f"{dist}/RECORD,,\n"
    name = f"{NAME}-{VERSION}-{TAG}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in entries:
            z.writestr(n, d)
        z.writestr(f"{dist}/RECORD", record)
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, _files())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # a .pth file that puts this directory on sys.path: edits take effect without reinstalling
    return _write_wheel(wheel_directory, [(f"_{NAME}_editable.pth", (str(HERE) + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    import tarfile

    base = f"{NAME}-{VERSION}"
    name = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for rel in ["pyproject.toml", "_backend.py", "README.md"]:
            if (HERE / rel).exists():
                t.add(HERE / rel, arcname=f"{base}/{rel}")
        for rel, _ in _files():
            t.add(HERE / rel, arcname=f"{base}/{rel}")
        pkg = HERE / "PKG-INFO"
        pkg.write_text(_metadata(), encoding="utf-8")
        try:
            t.add(pkg, arcname=f"{base}/PKG-INFO")
        finally:
            pkg.unlink()
    return name
