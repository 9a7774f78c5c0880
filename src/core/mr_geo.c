/* mr_geo.c: WGS84 geodesics through PROJ (geod_inverse) and Earth-centred coordinates. */
#include <math.h>
#include <stddef.h>
#include <geodesic.h>

#include "core/mr_geo.h"

#define MR_WGS84_A 6378.137                 /* km */
#define MR_WGS84_F (1.0 / 298.257223563)

double mr_geo_distance_km(double lon1, double lat1, double lon2, double lat2)
{
	/* geod_init costs a few dozen flops: cheaper than sharing a lazily initialised global. */
	struct geod_geodesic g;
	double s12 = 0;
	geod_init(&g, MR_WGS84_A, MR_WGS84_F);
	geod_inverse(&g, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
	return s12;
}

void mr_geo_ecef_km(double lon, double lat, double xyz[3])
{
	const double e2 = MR_WGS84_F * (2.0 - MR_WGS84_F);
	double phi = lat * M_PI / 180.0, lam = lon * M_PI / 180.0;
	double sphi = sin(phi), cphi = cos(phi);
	double nrad = MR_WGS84_A / sqrt(1.0 - e2 * sphi * sphi);

	xyz[0] = nrad * cphi * cos(lam);
	xyz[1] = nrad * cphi * sin(lam);
	xyz[2] = nrad * (1.0 - e2) * sphi;
}

double mr_geo_chord_km(const double a[3], const double b[3])
{
	double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
	return sqrt(dx * dx + dy * dy + dz * dz);
}

int mr_geo_valid(double lon, double lat)
{
	return isfinite(lon) && isfinite(lat) && lon >= -180.0 && lon <= 180.0 && lat >= -90.0 &&
	       lat <= 90.0;
}

double mr_geo_arc_lb_km(const double a[3], const double b[3])
{
	double cx = a[1] * b[2] - a[2] * b[1], cy = a[2] * b[0] - a[0] * b[2], cz = a[0] * b[1] - a[1] * b[0];
	double dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
	return MR_GEO_POLAR_KM * atan2(sqrt(cx * cx + cy * cy + cz * cz), dot);
}
