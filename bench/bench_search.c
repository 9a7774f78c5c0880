/* bench_search.c: Meridian's Dijkstra, bidirectional Dijkstra and A*-free one-to-all search
 * against igraph's, side by side in one process, on the Chicago Regional network (TNTP, from
 * ../shared/data, free-flow time) when present and on a synthetic road-like grid. Prints mean
 * times and ratios; it asserts nothing about speed. Results are compared for equality. */
#include <igraph.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meridian/mr_search.h"

typedef struct graph {
	uint32_t n, m;
	uint32_t *tail, *head;
	double *w;
	uint32_t *first_out, *ohead, *first_in, *tail_in, *in_arc;
	double *ow; /* weights in CSR order */
	mr_graph g;
} graph;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x1234567887654321ull;
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void make_csr(graph *G)
{
	uint32_t i, *fill;
	G->first_out = calloc(G->n + 1, 4);
	G->first_in = calloc(G->n + 1, 4);
	G->ohead = malloc(G->m * 4);
	G->ow = malloc(G->m * sizeof(double));
	G->tail_in = malloc(G->m * 4);
	G->in_arc = malloc(G->m * 4);
	fill = malloc((G->n + 1) * 4);
	for (i = 0; i < G->m; i++)
		G->first_out[G->tail[i] + 1]++, G->first_in[G->head[i] + 1]++;
	for (i = 0; i < G->n; i++)
		G->first_out[i + 1] += G->first_out[i], G->first_in[i + 1] += G->first_in[i];
	memcpy(fill, G->first_out, (G->n + 1) * 4);
	for (i = 0; i < G->m; i++) {
		uint32_t a = fill[G->tail[i]]++;
		G->ohead[a] = G->head[i];
		G->ow[a] = G->w[i];
	}
	memcpy(fill, G->first_in, (G->n + 1) * 4);
	for (i = 0; i < G->n; i++) {
		uint32_t a;
		for (a = G->first_out[i]; a < G->first_out[i + 1]; a++) {
			uint32_t k = fill[G->ohead[a]]++;
			G->tail_in[k] = i;
			G->in_arc[k] = a;
		}
	}
	free(fill);
	G->g.n = G->n;
	G->g.m = G->m;
	G->g.first_out = G->first_out;
	G->g.head = G->ohead;
	G->g.first_in = G->first_in;
	G->g.tail_in = G->tail_in;
	G->g.in_arc = G->in_arc;
}

static int load_tntp(const char *path, graph *G)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t cap = 0;
	int meta = 1;
	if (!f)
		return 0;
	memset(G, 0, sizeof(*G));
	while (fgets(line, sizeof(line), f)) {
		unsigned a, b;
		double cap_, len, fft;
		if (meta) {
			if (strstr(line, "<NUMBER OF NODES>"))
				G->n = (uint32_t)atoi(strchr(line, '>') + 1);
			if (strstr(line, "<END OF METADATA>"))
				meta = 0;
			continue;
		}
		if (line[0] == '~' || sscanf(line, "%u %u %lf %lf %lf", &a, &b, &cap_, &len, &fft) != 5)
			continue;
		if (G->m == cap) {
			cap = cap ? cap * 2 : 1024;
			G->tail = realloc(G->tail, cap * 4);
			G->head = realloc(G->head, cap * 4);
			G->w = realloc(G->w, cap * sizeof(double));
		}
		G->tail[G->m] = a - 1;
		G->head[G->m] = b - 1;
		G->w[G->m] = fft;
		G->m++;
	}
	fclose(f);
	make_csr(G);
	return 1;
}

/* A side x side grid with both directions, random weights 1..100, and 5 % of arcs removed. */
static void make_grid(graph *G, uint32_t side)
{
	uint32_t x, y, cap;
	memset(G, 0, sizeof(*G));
	G->n = side * side;
	cap = 4 * G->n;
	G->tail = malloc(cap * 4);
	G->head = malloc(cap * 4);
	G->w = malloc(cap * sizeof(double));
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++) {
			uint32_t v = y * side + x, k;
			uint32_t nb[4] = {x + 1 < side ? v + 1 : v, x > 0 ? v - 1 : v, y + 1 < side ? v + side : v,
			                  y > 0 ? v - side : v};
			for (k = 0; k < 4; k++) {
				if (nb[k] == v || rnd(100) < 5)
					continue;
				G->tail[G->m] = v;
				G->head[G->m] = nb[k];
				G->w[G->m] = 1 + rnd(100);
				G->m++;
			}
		}
	make_csr(G);
}

static void bench(const char *name, graph *G, int queries, int trees)
{
	mr_search *s;
	igraph_t ig;
	igraph_vector_int_t edges;
	igraph_vector_t weights;
	uint32_t *src = malloc(queries * 4), *dst = malloc(queries * 4), i;
	double t0, t_mr = 0, t_bi = 0, t_ig = 0, t_mr_all = 0, t_ig_all = 0, sum_mr = 0, sum_ig = 0;
	size_t settled = 0, mismatches = 0;

	mr_search_new(&s, G->n, G->m);
	igraph_vector_int_init(&edges, 2 * (igraph_integer_t)G->m);
	igraph_vector_init(&weights, G->m);
	for (i = 0; i < G->m; i++) {
		VECTOR(edges)[2 * i] = G->tail[i];
		VECTOR(edges)[2 * i + 1] = G->head[i];
		VECTOR(weights)[i] = G->w[i];
	}
	igraph_create(&ig, &edges, G->n, IGRAPH_DIRECTED);
	for (i = 0; i < (uint32_t)queries; i++)
		src[i] = rnd(G->n), dst[i] = rnd(G->n);

	/* One-to-one. */
	for (i = 0; i < (uint32_t)queries; i++) {
		mr_seed a = {src[i], 0}, b = {dst[i], 0};
		mr_path p;
		igraph_vector_int_t vs;
		double c_mr, c_bi, c_ig = 0;
		igraph_integer_t k;
		t0 = now();
		c_mr = mr_dijkstra(s, &G->g, G->ow, &a, 1, &b, 1, &p) ? INFINITY : p.cost;
		t_mr += now() - t0;
		settled += p.settled;
		t0 = now();
		c_bi = mr_bidijkstra(s, &G->g, G->ow, &a, 1, &b, 1, &p) ? INFINITY : p.cost;
		t_bi += now() - t0;
		igraph_vector_int_init(&vs, 0);
		t0 = now();
		igraph_get_shortest_path_dijkstra(&ig, NULL, &vs, src[i], dst[i], &weights, IGRAPH_OUT);
		t_ig += now() - t0;
		/* igraph returns the edge path; sum its weights to compare. */
		for (k = 0; k < igraph_vector_int_size(&vs); k++)
			c_ig += VECTOR(weights)[VECTOR(vs)[k]];
		if (igraph_vector_int_size(&vs) == 0 && src[i] != dst[i])
			c_ig = INFINITY;
		igraph_vector_int_destroy(&vs);
		if (!(isinf(c_mr) && isinf(c_ig)) && fabs(c_mr - c_ig) > 1e-6 * fmax(1, c_mr))
			mismatches++;
		if (!(isinf(c_mr) && isinf(c_bi)) && fabs(c_mr - c_bi) > 1e-6 * fmax(1, c_mr))
			mismatches++;
	}
	/* One-to-all trees. */
	for (i = 0; i < (uint32_t)trees; i++) {
		mr_seed a = {src[i], 0};
		mr_path p;
		igraph_matrix_t res;
		igraph_vector_int_t from;
		uint32_t v;
		t0 = now();
		mr_dijkstra(s, &G->g, G->ow, &a, 1, NULL, 0, &p);
		t_mr_all += now() - t0;
		igraph_matrix_init(&res, 0, 0);
		igraph_vector_int_init(&from, 1);
		VECTOR(from)[0] = src[i];
		t0 = now();
		igraph_distances_dijkstra(&ig, &res, igraph_vss_vector(&from), igraph_vss_all(), &weights, IGRAPH_OUT);
		t_ig_all += now() - t0;
		for (v = 0; v < G->n; v++) {
			double a1 = mr_search_dist(s, v), b1 = MATRIX(res, 0, v);
			if (isfinite(a1))
				sum_mr += a1;
			if (isfinite(b1))
				sum_ig += b1;
		}
		igraph_matrix_destroy(&res);
		igraph_vector_int_destroy(&from);
	}
	printf("%s: %u nodes, %u arcs\n", name, G->n, G->m);
	printf("  one-to-one, %d random queries (mean settled %.0f):\n", queries, (double)settled / queries);
	printf("    meridian dijkstra       %9.1f us\n", 1e6 * t_mr / queries);
	printf("    meridian bidijkstra     %9.1f us\n", 1e6 * t_bi / queries);
	printf("    igraph dijkstra         %9.1f us   ratio igraph/meridian %.2f (bidir %.2f)\n", 1e6 * t_ig / queries,
	       t_ig / t_mr, t_ig / t_bi);
	printf("  one-to-all, %d trees:\n", trees);
	printf("    meridian dijkstra       %9.1f us\n", 1e6 * t_mr_all / trees);
	printf("    igraph distances        %9.1f us   ratio igraph/meridian %.2f\n", 1e6 * t_ig_all / trees,
	       t_ig_all / t_mr_all);
	printf("  results: %zu mismatches in one-to-one; tree sums %.6g vs %.6g (%s)\n", mismatches, sum_mr, sum_ig,
	       fabs(sum_mr - sum_ig) <= 1e-6 * fmax(1, sum_mr) ? "equal" : "DIFFERENT");
	igraph_destroy(&ig);
	igraph_vector_int_destroy(&edges);
	igraph_vector_destroy(&weights);
	mr_search_free(s);
	free(src);
	free(dst);
}

int main(int argc, char **argv)
{
	const char *shared = argc > 1 ? argv[1] : "../shared";
	char path[1024];
	graph G;
	snprintf(path, sizeof(path), "%s/data/tntp/chicago-regional/ChicagoRegional_net.tntp", shared);
	if (load_tntp(path, &G))
		bench("Chicago Regional (free-flow time)", &G, 1000, 200);
	else
		printf("Chicago Regional: skipped (%s not found)\n", path);
	make_grid(&G, 500);
	bench("grid 500x500 (random weights)", &G, 300, 30);
	printf("reference (DESIGN.md, RoutingKit on this kind of machine): Chicago plain Dijkstra 612 us\n");
	return 0;
}
