/* mr_geo.h: geodesy on the WGS84 ellipsoid through PROJ's geodesic routines. */
#ifndef MERIDIAN_MR_GEO_H
#define MERIDIAN_MR_GEO_H

/* Geodesic (shortest on the ellipsoid) distance in km between two lon/lat points in degrees. */
double mr_geo_distance_km(double lon1, double lat1, double lon2, double lat2);
/* Earth-centred Cartesian coordinates in km of a lon/lat point on the ellipsoid surface. The
 * straight-line (chord) distance between two such points never exceeds their geodesic distance,
 * which makes it a consistent lower bound for A*. */
void mr_geo_ecef_km(double lon, double lat, double xyz[3]);
double mr_geo_chord_km(const double a[3], const double b[3]);
/* 1 if lon is in [-180, 180] and lat in [-90, 90] and both finite. */
int mr_geo_valid(double lon, double lat);

/* The WGS84 polar radius in km: the ellipsoid lies outside the sphere of this radius. */
#define MR_GEO_POLAR_KM 6356.752314245
/* A lower bound of the geodesic distance between two ECEF points on the ellipsoid: the
 * great-circle arc between their directions on the sphere of the polar radius. Tighter than the
 * chord beyond a few hundred km, and a metric (so A* stays consistent with it). */
double mr_geo_arc_lb_km(const double a[3], const double b[3]);

#endif
