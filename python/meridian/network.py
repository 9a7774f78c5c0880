"""network.py: meridian.Network, an open network (memory-mapped by libmeridian) and its queries."""
from __future__ import annotations

import ctypes
import json
import math
import threading
from typing import Any, Dict, Iterable, Optional, Sequence, Union

import numpy as np

from . import _lib
from .results import Comparison, Place, RouteResult

StrList = Union[str, Sequence[str], None]


def _enc(s: str) -> bytes:
    if not isinstance(s, str):
        raise TypeError(f"a place is a str, not {type(s).__name__}")
    return s.encode("utf-8")


def _opts(**kw: Any) -> bytes:
    """The options object of mr_api.h: None values left out, tuples as lists."""
    out: Dict[str, Any] = {}
    for k, v in kw.items():
        if v is None:
            continue
        if isinstance(v, (tuple, list, set, frozenset)):
            v = list(v)
        out[k] = v
    return json.dumps(out).encode("utf-8")


class Network:
    """A Meridian network opened with meridian.open(). Queries are thread-safe: calls on one
    network run one at a time (open one network per thread for parallel queries); close() or a
    with block releases the mapping, after any call in progress."""

    def __init__(self, path: Optional[str] = None):
        L = _lib.lib()
        err = _lib.MrError()
        h = L.mr_api_open(path.encode("utf-8") if path is not None else None, ctypes.byref(err))
        if not h:
            _lib.check(err.code or -2, err)
        self._h: Optional[int] = h
        self._lib = L
        self._guard = threading.Lock()
        self.path = path

    # -- life cycle --
    def close(self) -> None:
        """Release the network (idempotent)."""
        with self._guard:
            if self._h:
                self._lib.mr_api_close(self._h)
                self._h = None

    def __enter__(self) -> "Network":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def _handle(self) -> int:
        if not self._h:
            raise ValueError("the network is closed")
        return self._h

    # -- queries --
    def place(self, text: str) -> Place:
        """Resolve a UN/LOCODE, node id, name or alias, or "lon,lat" to a node of the network.

        Raises NotFound or Ambiguous (the message lists suggestions)."""
        with self._guard:
            raw = _lib.call_json(self._lib.mr_api_place, self._handle(), _enc(text))
        return Place.from_json(json.loads(raw))

    def route(self, a: str, b: str, by: str = "generalized", modes: StrList = None, avoid: StrList = None,
              alternatives: int = 0, pareto: bool = False, *, via: StrList = None, allow: StrList = None,
              planned: Optional[bool] = None, teu: Optional[float] = None, tonnes: Optional[float] = None,
              vot: Optional[float] = None, sea_speed: Optional[float] = None, algorithm: Optional[str] = None,
              scenarios: Iterable[str] = (), max_overlap: Optional[float] = None, criteria: StrList = None,
              pareto_eps: Optional[float] = None, max_labels: Optional[int] = None,
              max_snap: Optional[float] = None) -> RouteResult:
        """The best route from a to b, as `meridian route A B --format json` gives it.

        by: distance, time, cost, co2e or generalized (USD + vot x hours). modes, avoid, allow,
        via: lists (or comma-separated strings) with the CLI's meaning. alternatives=N (2-20):
        up to N routes that overlap each other by at most max_overlap. pareto=True: the routes
        no other beats in every criterion (cost, time, co2e by default); the result's .raw is the
        front's JSON and .routes its points. Units: km, hours, USD, kg CO2e, per the TEU given.
        Raises NotFound/Ambiguous for a place, NoRoute, Invalid for a bad option (.field names it).
        """
        opts = _opts(
            by=by, modes=modes, avoid=avoid, alternatives=alternatives or None, pareto=pareto or None, via=via,
            allow=allow, planned=planned, teu=teu, tonnes=tonnes, vot=vot, sea_speed=sea_speed, algorithm=algorithm,
            scenarios=list(scenarios) or None, max_overlap=max_overlap, criteria=criteria, pareto_eps=pareto_eps,
            max_labels=max_labels, max_snap=max_snap)
        with self._guard:
            raw = _lib.call_json(self._lib.mr_api_route, self._handle(), _enc(a), _enc(b), opts)
        d = json.loads(raw)
        if pareto and "routes" not in d:  # the front's points as routes; .raw stays the CLI's JSON
            res = RouteResult.from_json(dict(d, routes=[p["route"] for p in d.get("front", [])]))
            res.raw = d
            return res
        return RouteResult.from_json(d)

    def compare(self, a: str, b: str, corridors: Union[str, Sequence[str]] = "all", scenarios: Iterable[str] = (),
                *, by: str = "generalized", modes: StrList = None, avoid: StrList = None, allow: StrList = None,
                planned: Optional[bool] = None, teu: Optional[float] = None, tonnes: Optional[float] = None,
                vot: Optional[float] = None, sea_speed: Optional[float] = None,
                corridors_file: Optional[str] = None, claims_file: Optional[str] = None,
                claims: bool = True) -> Comparison:
        """Each corridor's best route from a to b, as `meridian compare A B --format json`.

        corridors: "all" or ids of the corridor file (data/eurasia/corridors.ini). scenarios:
        ids or .scn files applied in order to the network (the CLI's --scenario). claims=False
        leaves out the published claims (--no-claims). Other options as route()."""
        opts = _opts(
            corridors=corridors if corridors != "all" else None, scenarios=list(scenarios) or None, by=by,
            modes=modes, avoid=avoid, allow=allow, planned=planned, teu=teu, tonnes=tonnes, vot=vot,
            sea_speed=sea_speed, corridors_file=corridors_file, claims_file=claims_file,
            no_claims=True if not claims else None)
        with self._guard:
            raw = _lib.call_json(self._lib.mr_api_compare, self._handle(), _enc(a), _enc(b), opts)
        return Comparison.from_json(json.loads(raw))

    def matrix(self, origins: Sequence[str], destinations: Sequence[str], by: str = "time", *,
               modes: StrList = None, avoid: StrList = None, allow: StrList = None, planned: Optional[bool] = None,
               teu: Optional[float] = None, tonnes: Optional[float] = None, vot: Optional[float] = None,
               sea_speed: Optional[float] = None, scenarios: Iterable[str] = ()) -> np.ndarray:
        """The objective's value of the best route between every origin and destination as a
        (len(origins), len(destinations)) float64 array; NaN where unreachable. Equals
        `meridian matrix` (which prints 4 decimals)."""
        if isinstance(origins, str) or isinstance(destinations, str):
            raise TypeError("origins and destinations are sequences of places")
        nf, nt = len(origins), len(destinations)
        out = np.full((nf, nt), math.nan, dtype=np.float64)
        if nf == 0 or nt == 0:
            return out
        fa = (ctypes.c_char_p * nf)(*[_enc(x) for x in origins])
        ta = (ctypes.c_char_p * nt)(*[_enc(x) for x in destinations])
        err = _lib.MrError()
        opts = _opts(by=by, modes=modes, avoid=avoid, allow=allow, planned=planned, teu=teu, tonnes=tonnes, vot=vot,
                     sea_speed=sea_speed, scenarios=list(scenarios) or None)
        with self._guard:
            rc = self._lib.mr_api_matrix(self._handle(), fa, nf, ta, nt, opts,
                                         out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), ctypes.byref(err))
        _lib.check(rc, err)
        return out

    def __repr__(self) -> str:
        return f"<meridian.Network {self.path or 'built-in'}{' (closed)' if not self._h else ''}>"


def open(path: Optional[str] = None) -> Network:  # noqa: A001 (the API the issue asks for)
    """Open a network: a .mnet file, or with path None the built-in one ($MERIDIAN_NETWORK, else
    meridian.mnet next to libmeridian.so, else PREFIX/share/meridian). It is memory-mapped, not
    copied. Raises IOFailure or BadNetwork."""
    return Network(path)


__all__ = ["Network", "open"]
