/* mr_svgmap.h: the SVG map of the HTML reports (internal): an equirectangular view whose x scale
 * is cos(latitude) at the middle of the view, fitted to a set of paths, with country outlines
 * from the world-atlas TopoJSON, a graticule and a scale bar; and the XML text helpers of the
 * reports. */
#ifndef MERIDIAN_MR_SVGMAP_H
#define MERIDIAN_MR_SVGMAP_H

#include <stddef.h>
#include "core/mr_buf.h"

typedef struct mr__map {
	double ref;                      /* the seam: longitudes are taken in (ref, ref + 360] */
	double west, east, south, north; /* the view, in degrees (west, east in that range) */
	double kx, ky;                   /* pixels per degree */
	double w, h;                     /* pixels */
} mr__map;

/* Append s escaped for XML text and attribute values (control characters become spaces). */
void mr__xml_esc(mr_buf *b, const char *s);
/* x with thousands separators and `decimals` decimals ("16,234.5"), U+2212 for minus, a dash
 * for what is not a number; plus: "+" before positive values. */
void mr__put_num_signed(mr_buf *b, double x, int decimals, int plus);
void mr__put_num(mr_buf *b, double x, int decimals);

/* Fit the view to npaths paths (lon, lat pairs; path k is points first[k] .. first[k+1]-1; a
 * single point is a path of one) plus a margin, `width` pixels wide, aspect between 1:2 and
 * 1:1.1; the seam goes where no path crosses. */
void mr__map_fit(mr__map *p, const double *pts, const size_t *first, size_t npaths, double width);
double mr__map_norm_lon(double lon, double ref);
double mr__map_x(const mr__map *p, double lon);  /* any longitude */
double mr__map_xv(const mr__map *p, double lon); /* a longitude already in the view's range */
double mr__map_y(const mr__map *p, double lat);
/* Country outlines (<g class="countries"> of <path class="land">) from the atlas file; note
 * says what could not be drawn ("" when all was). MR_OK or MR_ENOMEM. */
int mr__map_countries(mr_buf *b, const mr__map *p, const char *atlas_path, char *note, size_t nsize);
void mr__map_graticule(mr_buf *b, const mr__map *p); /* <path class="grat"> and labels "gl" */
void mr__map_scale(mr_buf *b, const mr__map *p);     /* <path class="scale">, <text class="scalet"> */
/* A round step (1, 2 or 5 x a power of ten) dividing span into about target parts. */
double mr__nice_step(double span, double target);

#endif
