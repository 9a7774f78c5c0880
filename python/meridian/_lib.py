"""_lib.py: loading libmeridian.so with ctypes and the prototypes of its mr_api_* functions."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path
from typing import List, Optional

from .errors import raise_for


class MrError(ctypes.Structure):
    """struct mr_error of mr_core.h."""

    _fields_ = [
        ("code", ctypes.c_int),
        ("line", ctypes.c_long),
        ("column", ctypes.c_int),
        ("file", ctypes.c_char * 256),
        ("field", ctypes.c_char * 64),
        ("msg", ctypes.c_char * 512),
    ]


def _candidates() -> List[str]:
    """Where libmeridian.so is looked for, in order."""
    out: List[str] = []
    env = os.environ.get("MERIDIAN_LIB")
    if env:
        p = Path(env)
        out.append(str(p / "libmeridian.so") if p.is_dir() else str(p))
        return out  # an explicit choice is not second-guessed
    try:  # written by CMake at configure time: the build directory of this source tree
        from ._build import BUILD_DIR  # type: ignore

        if BUILD_DIR:
            out.append(str(Path(BUILD_DIR) / "libmeridian.so"))
    except ImportError:
        pass
    here = Path(__file__).resolve().parent
    out.append(str(here.parent.parent / "build" / "libmeridian.so"))  # used from the source tree
    found = ctypes.util.find_library("meridian")
    out.append(found or "libmeridian.so")  # the system path
    return out


def _load() -> ctypes.CDLL:
    tried = []
    for c in _candidates():
        if os.sep in c and not os.path.exists(c):
            tried.append(c + " (missing)")
            continue
        try:
            return ctypes.CDLL(c)
        except OSError as e:
            tried.append(f"{c} ({e})")
    raise OSError("libmeridian.so not found; build it with CMake or set $MERIDIAN_LIB. Tried: " + "; ".join(tried))


_lib: Optional[ctypes.CDLL] = None


def lib() -> ctypes.CDLL:
    """The loaded library, with the prototypes set (loaded on first use)."""
    global _lib
    if _lib is not None:
        return _lib
    L = _load()
    E = ctypes.POINTER(MrError)
    P = ctypes.c_void_p
    S = ctypes.c_char_p
    OUT = ctypes.POINTER(ctypes.c_void_p)
    L.mr_api_open.argtypes = [S, E]
    L.mr_api_open.restype = P
    L.mr_api_close.argtypes = [P]
    L.mr_api_close.restype = None
    L.mr_api_free.argtypes = [P]
    L.mr_api_free.restype = None
    L.mr_api_place.argtypes = [P, S, OUT, E]
    L.mr_api_place.restype = ctypes.c_int
    L.mr_api_route.argtypes = [P, S, S, S, OUT, E]
    L.mr_api_route.restype = ctypes.c_int
    L.mr_api_compare.argtypes = [P, S, S, S, OUT, E]
    L.mr_api_compare.restype = ctypes.c_int
    L.mr_api_matrix.argtypes = [P, ctypes.POINTER(S), ctypes.c_size_t, ctypes.POINTER(S), ctypes.c_size_t, S,
                                ctypes.POINTER(ctypes.c_double), E]
    L.mr_api_matrix.restype = ctypes.c_int
    L.mr_errname.argtypes = [ctypes.c_int]
    L.mr_errname.restype = S
    L.mr_strerror.argtypes = [ctypes.c_int]
    L.mr_strerror.restype = S
    _lib = L
    return L


def check(rc: int, err: MrError) -> None:
    """Raise the meridian.Error subclass for rc (< 0) with the library's message."""
    if rc == 0:
        return
    L = lib()
    name = (L.mr_errname(rc) or b"").decode()
    msg = err.msg.decode("utf-8", "replace") or (L.mr_strerror(rc) or b"").decode()
    raise_for(rc, name, msg, err.field.decode("utf-8", "replace"), err.file.decode("utf-8", "replace"), err.line)


def call_json(fn, *args) -> bytes:
    """Call an mr_api_* function whose last two parameters are (char **json_out, mr_error *err);
    return the JSON text (copied once) and free the library's string."""
    out = ctypes.c_void_p()
    err = MrError()
    rc = fn(*args, ctypes.byref(out), ctypes.byref(err))
    try:
        check(rc, err)
        return ctypes.string_at(out.value) if out.value else b"null"
    finally:
        if out.value:
            lib().mr_api_free(out)
