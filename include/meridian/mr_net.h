/* mr_net.h: the network model: source records read from CSV, and the compiled, immutable network
 * (virtual network in CSR form) that is written to and memory-mapped from a .mnet file. */
#ifndef MERIDIAN_MR_NET_H
#define MERIDIAN_MR_NET_H

#include <stddef.h>
#include <stdint.h>
#include "meridian/mr_core.h"

#define MR_NONE UINT32_MAX /* sentinel for "no index" in every uint32 index field */

/* Modes. X(enum suffix, name in files) */
#define MR_MODE_MAP(X) X(SEA, "sea") X(FERRY, "ferry") X(RAIL, "rail") X(ROAD, "road") X(IWW, "iww")
enum mr_mode {
#define MR__X_MODE(e, s) MR_MODE_##e,
	MR_MODE_MAP(MR__X_MODE)
#undef MR__X_MODE
	MR_MODE_COUNT
};
MR_API const char *mr_mode_name(int mode);
/* Mode from its name; -1 if unknown. */
MR_API int mr_mode_parse(const char *s);

#define MR_STATUS_MAP(X) X(OPEN, "open") X(PLANNED, "planned") X(CLOSED, "closed") X(RESTRICTED, "restricted")
enum mr_status {
#define MR__X_STATUS(e, s) MR_STATUS_##e,
	MR_STATUS_MAP(MR__X_STATUS)
#undef MR__X_STATUS
	MR_STATUS_COUNT
};
MR_API const char *mr_status_name(int status);
MR_API int mr_status_parse(const char *s);

/* Rail gauges Meridian knows (mm); 0 = not rail. */
MR_API int mr_gauge_known(int gauge_mm);

/* ---------------------------------------------------------------------------------------------
 * Source model: what a network folder (node.csv, link.csv, transfer.csv, border.csv, tariff.csv)
 * says, after parsing, before expansion. Strings are owned by the mr_src (heap copies).
 * Every record remembers its file line for messages. Index fields refer to positions in the
 * mr_src arrays (resolved from the ids in the files).
 * ------------------------------------------------------------------------------------------- */
typedef struct mr_src_node {
	char *id, *name, *type, *unlocode, *aliases; /* aliases: ';'-separated */
	char country[4];                             /* ISO 3166-1 alpha-3, "" if unknown */
	double lon, lat;
	long line;
	uint32_t dir; /* index in mr_src.dirs of the folder it came from */
} mr_src_node;

typedef struct mr_src_link {
	char *id, *tags, *source, *passage, *name; /* tags: ';'-separated */
	uint32_t from, to;                          /* node indexes */
	int directed, mode, gauge_mm, electrified, status;
	double length_km, free_speed_kmh, capacity; /* speed 0 = mode default; capacity 0 = unknown */
	double services_per_week;                   /* scheduled links (ferries): 0 = unscheduled */
	double toll_usd;                            /* per TEU, e.g. a canal toll */
	double delay_h;                             /* extra hours, e.g. waiting at a passage */
	char country[4];                            /* "" = derived from the end nodes */
	long line;
	uint32_t dir; /* index in mr_src.dirs of the folder it came from */
} mr_src_link;

typedef struct mr_src_transfer {
	uint32_t node; /* MR_NONE = default for every node where both sides exist ('*' in the file) */
	int from_mode, to_mode, from_gauge_mm, to_gauge_mm;
	int directed; /* 0: the rule applies both ways */
	double time_h, cost_usd, co2e_kg;
	char *source;
	long line;
	uint32_t dir; /* index in mr_src.dirs of the folder it came from */
} mr_src_transfer;

typedef struct mr_src_border {
	char *id, *name, *source;
	uint32_t node; /* the crossing point */
	char country_a[4], country_b[4];
	double dwell_h, fee_usd;
	int status;
	long line;
	uint32_t dir; /* index in mr_src.dirs of the folder it came from */
} mr_src_border;

typedef struct mr_src_tariff {
	int mode;
	char country[4]; /* "" = every country */
	double usd_per_teu_km, fixed_usd, co2e_kg_per_teu_km, speed_kmh;
	char *source;
	long line;
	uint32_t dir; /* index in mr_src.dirs of the folder it came from */
} mr_src_tariff;

typedef struct mr_src {
	char *dir;   /* the folders it was read from, joined by " + " (for messages and metadata) */
	char **dirs; /* each folder, in the order given; records name theirs by index */
	size_t ndirs;
	mr_src_node *nodes;
	mr_src_link *links;
	mr_src_transfer *transfers;
	mr_src_border *borders;
	mr_src_tariff *tariffs;
	size_t nnodes, nlinks, ntransfers, nborders, ntariffs;
	/* capacities, used by mr_src_add_*; 0 means "exactly n" (arrays from the CSV reader) */
	size_t cnodes, clinks, ctransfers, cborders, ctariffs;
} mr_src;

MR_API void mr_src_free(mr_src *s); /* accepts a zeroed or half-filled mr_src; zeroes it */
/* "<folder of record dir>/<file>.csv" into buf, for messages about a record. */
MR_API void mr_src_path(const mr_src *s, uint32_t dir, const char *file, char *buf, size_t size);

/* Building a source network in memory (importers). Each call copies the record and every
 * string in it (NULL strings become ""), appends it and, through *index if not NULL, says where.
 * Indexes inside the records (link from/to, transfer and border node) must already be valid.
 * MR_OK or MR_ENOMEM (then nothing is appended). */
MR_API int mr_src_add_node(mr_src *s, const mr_src_node *n, uint32_t *index);
MR_API int mr_src_add_link(mr_src *s, const mr_src_link *l, uint32_t *index);
MR_API int mr_src_add_transfer(mr_src *s, const mr_src_transfer *t);
MR_API int mr_src_add_border(mr_src *s, const mr_src_border *b);
MR_API int mr_src_add_tariff(mr_src *s, const mr_src_tariff *t);

/* ---------------------------------------------------------------------------------------------
 * Compiled network. All arrays are immutable after build/load and may live in a memory map.
 * Strings are offsets into `strings` (offset 0 = "").
 * ------------------------------------------------------------------------------------------- */
typedef struct mr_node_rec {
	double lon, lat;
	uint32_t id, name, type, unlocode, aliases; /* string offsets */
	uint32_t first_vnode, nvnodes;              /* this node's virtual nodes are contiguous */
	char country[4];
} mr_node_rec;

typedef struct mr_vnode_rec {
	uint32_t node;     /* real node */
	float fixed_usd;   /* fee for starting a leg in this mode here (tariff fixed_usd) */
	uint8_t mode;
	uint8_t reserved;
	uint16_t gauge_mm; /* rail only */
} mr_vnode_rec;

/* MR_ARC_CHAIN: a run of sea lane links through vertices that nothing else touches (degree 2,
 * one mode, same status and passage), compressed into one arc at build time (as OSRM compresses
 * geometry): ref is the chain's index; its links are chain_steps[chain_first[ref] ..
 * chain_first[ref + 1]), each a link index with MR_CHAIN_REVERSED set when the step runs from the
 * link's to-node to its from-node. The chain's first link stands for its passage and status. */
enum mr_arc_kind { MR_ARC_LINK = 0, MR_ARC_TRANSFER = 1, MR_ARC_CHAIN = 2 };
#define MR_CHAIN_REVERSED 0x80000000u
#define MR_CHAIN_LINK(step) ((step) & ~MR_CHAIN_REVERSED)

typedef struct mr_arc_rec {
	float distance_km, time_h, cost_usd, co2e_kg;
	uint32_t ref;    /* link index (MR_ARC_LINK) or transfer index (MR_ARC_TRANSFER) */
	uint32_t border; /* border index crossed by this arc, or MR_NONE */
	uint8_t kind, status, mode;
	uint8_t reserved;
} mr_arc_rec;

typedef struct mr_link_rec {
	uint32_t id, tags, passage, source, name; /* string offsets */
	uint32_t from, to;                        /* real nodes */
	float length_km, speed_kmh, capacity, headway_h, toll_usd;
	uint16_t gauge_mm;
	uint8_t mode, status, electrified, directed;
	char country[4];
	uint8_t reserved[2];
} mr_link_rec;

typedef struct mr_transfer_rec {
	uint32_t node; /* MR_NONE for a default rule */
	uint32_t source;
	float time_h, cost_usd, co2e_kg;
	uint16_t from_gauge_mm, to_gauge_mm;
	uint8_t from_mode, to_mode;
	uint8_t reserved[2];
} mr_transfer_rec;

typedef struct mr_border_rec {
	uint32_t id, name, source, node;
	float dwell_h, fee_usd;
	char country_a[4], country_b[4];
	uint8_t status;
	uint8_t reserved[3];
} mr_border_rec;

typedef struct mr_tariff_rec {
	float usd_per_teu_km, fixed_usd, co2e_kg_per_teu_km, speed_kmh;
	uint32_t source;
	char country[4];
	uint8_t mode;
	uint8_t reserved[3];
} mr_tariff_rec;

/* Summary numbers, stored in the file's META section. */
typedef struct mr_net_meta {
	uint32_t nnodes, nvnodes, narcs, nlinks, ntransfers, nborders, ntariffs, ncountries;
	uint32_t arcs_by_mode[MR_MODE_COUNT]; /* link arcs */
	uint32_t transfer_arcs;
	uint32_t build_source;                /* string offset: folder the network was built from */
	uint32_t nkd;                         /* nodes in the k-d tree (those with a virtual node) */
	uint32_t nchains, nchain_steps;       /* compressed lane chains (MR_ARC_CHAIN) */
	double min_lon, min_lat, max_lon, max_lat;
	/* A* lower bounds: for each metric, the smallest ratio metric(arc) / arc_lb(tail, head) over
	 * arcs whose end points differ (0 if some such arc is free), where arc_lb is the great-circle
	 * arc on the sphere of the polar radius (mr_geo_arc_lb_km). Metrics: distance, time, cost,
	 * co2e. */
	double astar_ratio[4];
	int64_t built_unix;
	uint64_t strings_size;
	/* Contraction hierarchies stored with the network (meridian build --ch): nch records, their
	 * 32-bit and double arrays (see mr_net_ch_rec). */
	uint32_t nch, reserved_ch;
	uint64_t ch_u32, ch_f64;
} mr_net_meta;

/* One stored contraction hierarchy, built on the weights the router gives one set of options
 * (`name`: the objective, default options otherwise). Its arrays, in the CH sections:
 *   u32[u32_off ...]: rank (n), order (n), first_arc (n + 1), first_down (n), head (m),
 *                     unpack (2m)  -- the mr_ch_arrays of include/meridian/mr_ch.h;
 *   f64[f64_off ...]: the graph weights it was built on (m_graph, INFINITY = unusable), then
 *                     the hierarchy's arc weights (m).
 * A router uses it exactly when the weights of a query's options equal the stored graph weights
 * (weight_hash first, then every value), so a hierarchy is never used for weights it was not
 * built on. */
#define MR_CH_NAME_MAX 16
typedef struct mr_net_ch_rec {
	char name[MR_CH_NAME_MAX];
	uint32_t n, m, m_graph, reserved;
	uint64_t u32_off, f64_off;
	uint64_t weight_hash;
} mr_net_ch_rec;

/* The search graph: forward and backward CSR over virtual nodes.
 * Forward arcs of v are first_out[v] .. first_out[v+1]-1, with head[a].
 * Backward arcs into v are first_in[v] .. first_in[v+1]-1; tail_in[b] is the tail and in_arc[b]
 * the forward arc id. */
typedef struct mr_graph {
	uint32_t n, m;
	const uint32_t *first_out, *head;
	const uint32_t *first_in, *tail_in, *in_arc;
} mr_graph;

typedef struct mr_net {
	mr_net_meta meta;
	const mr_node_rec *nodes;
	const mr_vnode_rec *vnodes;
	const double *vxyz; /* 3 per virtual node: ECEF km, for A* */
	const mr_arc_rec *arcs;
	const mr_link_rec *links;
	const mr_transfer_rec *transfers;
	const mr_border_rec *borders;
	const mr_tariff_rec *tariffs;
	const char *strings;
	/* Nodes that have a virtual node, as an implicit k-d tree over their ECEF coordinates (the
	 * vxyz of their first virtual node): the subtree of range [lo, hi) has its root at
	 * mid = lo + (hi - lo) / 2, split on axis depth % 3, the left part [lo, mid) holding
	 * coordinates <= the root's and the right part (mid, hi) >= it. */
	const uint32_t *kd;
	const uint32_t *chain_first, *chain_steps; /* see MR_ARC_CHAIN */
	mr_graph g;
	/* Stored contraction hierarchies: meta.nch records and, for each, the hierarchy over the
	 * image's arrays (checked on load; owned by the net). */
	const mr_net_ch_rec *ch_recs;
	const uint32_t *ch_u32;
	const double *ch_f64;
	struct mr_ch **ch;
	/* storage */
	void *map;       /* mmap'd file, or heap block when built in memory */
	size_t map_size;
	int mapped;      /* 1 if map came from mmap */
	char *path;      /* file it was loaded from, or NULL */
} mr_net;

static inline const char *mr_net_str(const mr_net *n, uint32_t off) { return n->strings + off; }

/* Expand a source network into a compiled network (heap-backed). Fills err on failure.
 * Lane chains are compressed (MR_ARC_CHAIN). */
MR_API int mr_net_build(const mr_src *src, mr_net *out, mr_error *err);
typedef struct mr_build_opts {
	int keep_lane_vertices; /* do not compress lane chains: every lane vertex stays a graph node
	                           that lon,lat can snap to (bigger graph, slower queries) */
} mr_build_opts;
MR_API int mr_net_build_opts(const mr_src *src, const mr_build_opts *o, mr_net *out, mr_error *err);
/* Write a network to path atomically (temporary file + rename). */
MR_API int mr_net_write(const mr_net *net, const char *path, mr_error *err);
/* Memory-map and check a .mnet file (magic, version, byte order, sizes, checksum). */
MR_API int mr_net_load(const char *path, mr_net *out, mr_error *err);
MR_API void mr_net_free(mr_net *net); /* accepts a zeroed net */
/* The tariff row a link of this mode in this country is charged at, as the build chose it: the
 * country's row, else the mode's default row (country "*"), else NULL. */
MR_API const mr_tariff_rec *mr_net_tariff(const mr_net *net, int mode, const char *country);
/* Build a contraction hierarchy on the weights w (one per forward arc of net->g, INFINITY =
 * unusable; typically mr_router_weights for some options) and store it in the network under
 * name (at most MR_CH_NAME_MAX - 1 characters), replacing one of the same name. The network's
 * image is rebuilt in the heap (mr_net_write saves it); o as mr_ch_build (NULL = defaults).
 * MR_EINVAL (bad name or weights), MR_ENOMEM, MR_ELIMIT; on error net is unchanged. */
struct mr_ch_opts;
MR_API int mr_net_add_ch(mr_net *net, const char *name, const double *w, const struct mr_ch_opts *o,
                         mr_error *err);
/* The stored hierarchy built on exactly these weights (m values), or -1. */
MR_API int mr_net_ch_match(const mr_net *net, const double *w, uint32_t m);
/* Hash of a weight array, as stored in mr_net_ch_rec.weight_hash. */
MR_API uint64_t mr_net_weight_hash(const double *w, uint32_t m);

/* The .mnet format version this library writes and reads. */
MR_API unsigned mr_net_format_version(void);

#endif
