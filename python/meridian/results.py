"""results.py: the output contract (DESIGN.md) as dataclasses, built from the library's JSON.

Every object keeps the JSON it was built from in .raw, so fields that the contract adds later
are there without a change here (field names only grow)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class Place:
    """A resolved place: node id, name, UN/LOCODE, country (ISO-3), lon/lat, how it matched."""

    id: str
    name: str
    lon: float
    lat: float
    matched_by: str
    unlocode: Optional[str] = None
    country: Optional[str] = None
    snap_km: Optional[float] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Place":
        return cls(id=d["id"], name=d["name"], lon=d["lon"], lat=d["lat"], matched_by=d["matched_by"],
                   unlocode=d.get("unlocode"), country=d.get("country"), snap_km=d.get("snap_km"), raw=d)


@dataclass
class Leg:
    """A run of links in one mode; figures include the transfer to enter it."""

    mode: str
    from_id: str
    to_id: str
    distance_km: float
    duration_h: float
    cost_usd: float
    co2e_kg: float
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Leg":
        return cls(mode=d["mode"], from_id=d["from"], to_id=d["to"], distance_km=d["distance_km"],
                   duration_h=d["duration_h"], cost_usd=d["cost_usd"], co2e_kg=d["co2e_kg"], raw=d)


@dataclass
class Route:
    """One route (km, hours, USD and kg CO2e per the options' TEU), its legs and geometry."""

    distance_km: float
    duration_h: float
    cost_usd: float
    co2e_kg: float
    countries: List[str]
    passages: List[str]
    borders: List[str]
    transfers: int
    legs: List[Leg]
    geometry: Dict[str, Any]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Route":
        return cls(distance_km=d["distance_km"], duration_h=d["duration_h"], cost_usd=d["cost_usd"],
                   co2e_kg=d["co2e_kg"], countries=list(d.get("countries", [])), passages=list(d.get("passages", [])),
                   borders=list(d.get("borders", [])), transfers=d.get("transfers", 0),
                   legs=[Leg.from_json(x) for x in d.get("legs", [])], geometry=d.get("geometry", {}), raw=d)

    @property
    def duration_days(self) -> float:
        return self.duration_h / 24.0

    def to_geojson(self, **extra: Any) -> Dict[str, Any]:
        """A GeoJSON Feature: the route's geometry, its figures as properties (legs and points left out)."""
        props = {k: v for k, v in self.raw.items() if k not in ("geometry", "points", "legs")}
        props.update(extra)
        return {"type": "Feature", "properties": props, "geometry": self.geometry}


def _collection(features: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


@dataclass
class RouteResult:
    """What `meridian route --format json` prints: from, to, the options used, the routes."""

    origin: Place
    destination: Place
    options: Dict[str, Any]
    routes: List[Route]
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "RouteResult":
        return cls(origin=Place.from_json(d["from"]), destination=Place.from_json(d["to"]),
                   options=d.get("options", {}), routes=[Route.from_json(r) for r in d.get("routes", [])], raw=d)

    @property
    def best(self) -> Route:
        """The first (best) route."""
        return self.routes[0]

    def __getattr__(self, name: str) -> Any:
        # route figures straight from the result: res.distance_km is res.best.distance_km
        if name in ("distance_km", "duration_h", "cost_usd", "co2e_kg", "countries", "passages", "borders",
                    "transfers", "legs", "geometry", "duration_days"):
            return getattr(self.routes[0], name)
        raise AttributeError(name)

    def to_geojson(self) -> Dict[str, Any]:
        """A FeatureCollection with one Feature per route (property 'rank': 0 is the best)."""
        return _collection([r.to_geojson(rank=i) for i, r in enumerate(self.routes)])


@dataclass
class CorridorResult:
    """One row of a comparison: the corridor's best route, or why it has none."""

    id: str
    name: str
    constraints: str
    feasible: bool
    route: Optional[Route] = None
    reason: Optional[str] = None
    ratio_to_best: Optional[Dict[str, Any]] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "CorridorResult":
        return cls(id=d["id"], name=d.get("name", ""), constraints=d.get("constraints", ""),
                   feasible=bool(d.get("feasible")), route=Route.from_json(d["route"]) if d.get("route") else None,
                   reason=d.get("reason"), ratio_to_best=d.get("ratio_to_best"), raw=d)


@dataclass
class Comparison:
    """What `meridian compare --format json` prints: the corridors and the published claims checked."""

    origin: Place
    destination: Place
    options: Dict[str, Any]
    corridors: List[CorridorResult]
    claims: List[Dict[str, Any]]
    scenario: str = "base"
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Comparison":
        return cls(origin=Place.from_json(d["from"]), destination=Place.from_json(d["to"]),
                   options=d.get("options", {}), corridors=[CorridorResult.from_json(c) for c in d.get("corridors", [])],
                   claims=list(d.get("claims", [])), scenario=d.get("scenario", "base"), raw=d)

    def __getitem__(self, corridor_id: str) -> CorridorResult:
        for c in self.corridors:
            if c.id == corridor_id:
                return c
        raise KeyError(corridor_id)

    def to_geojson(self) -> Dict[str, Any]:
        """A FeatureCollection with each feasible corridor's route (properties 'corridor', 'name')."""
        return _collection([c.route.to_geojson(corridor=c.id, name=c.name) for c in self.corridors
                            if c.feasible and c.route is not None])

    def to_rows(self) -> List[Dict[str, Any]]:
        """One dict per corridor (id, feasible, km, hours, days, USD, kg CO2e, reason)."""
        rows = []
        for c in self.corridors:
            r = c.route
            rows.append({"corridor": c.id, "feasible": c.feasible,
                         "distance_km": r.distance_km if r else None, "duration_h": r.duration_h if r else None,
                         "duration_days": r.duration_days if r else None, "cost_usd": r.cost_usd if r else None,
                         "co2e_kg": r.co2e_kg if r else None, "reason": c.reason})
        return rows

    def to_dataframe(self):
        """to_rows() as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd  # optional dependency

        return pd.DataFrame(self.to_rows())
