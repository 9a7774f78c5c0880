"""meridian: Meridian's multimodal freight corridor engine from Python.

    import meridian
    net = meridian.open()                      # the built-in network, memory-mapped
    r = net.route("Mumbai", "Moscow", by="cost")
    print(r.distance_km, r.cost_usd, [leg.mode for leg in r.legs])
    cmp = net.compare("Mumbai", "Moscow")
    m = net.matrix(["Mumbai", "Dubai"], ["Moscow", "Rotterdam"], by="time")   # numpy, NaN = unreachable

The library is libmeridian.so (found through $MERIDIAN_LIB, else the build directory recorded
at configure time, else the system path); the results are the JSON of the CLI's --format json
turned into dataclasses. Errors raise meridian.Error subclasses (NotFound, Ambiguous, NoRoute,
Invalid, ...) carrying the library's message and code.
"""
from .errors import (Ambiguous, BadNetwork, Error, Invalid, InvalidNetwork, IOFailure, LimitExceeded, NoMemory,
                     NoRoute, NotFound, ParseError)
from .network import Network, open
from .results import Comparison, CorridorResult, Leg, Place, Route, RouteResult

__version__ = "0.1.0"

__all__ = [
    "open", "Network", "Place", "Route", "Leg", "RouteResult", "Comparison", "CorridorResult",
    "Error", "NoMemory", "IOFailure", "ParseError", "Invalid", "NotFound", "Ambiguous", "NoRoute", "BadNetwork",
    "LimitExceeded", "InvalidNetwork",
]
