/* mr_file.h: the .mnet binary network file, shared by the builder (which lays out an image in
 * memory) and the loader (which maps one).
 *
 * Layout (all integers in the writer's byte order, which must be little-endian-equal to the
 * reader's; the byte_order field detects a mismatch):
 *   header (mr_file_header, 64 bytes)
 *   section table (nsections x mr_file_section)
 *   sections, each starting at a multiple of 8 bytes
 * The checksum covers every byte of the file, its own field read as zero. Sections are fixed by id; each states its
 * element size and count, so a reader checks both against its own structs. */
#ifndef MERIDIAN_MR_FILE_H
#define MERIDIAN_MR_FILE_H

#include <stdint.h>
#include "meridian/mr_net.h"

#define MR_FILE_MAGIC "MERIDNET"
#define MR_FILE_VERSION 5u
#define MR_FILE_BYTE_ORDER 0x01020304u

enum mr_file_section_id {
	MR_SEC_META, MR_SEC_NODES, MR_SEC_VNODES, MR_SEC_VXYZ, MR_SEC_ARCS, MR_SEC_FIRST_OUT,
	MR_SEC_HEAD, MR_SEC_FIRST_IN, MR_SEC_TAIL_IN, MR_SEC_IN_ARC, MR_SEC_LINKS, MR_SEC_TRANSFERS,
	MR_SEC_BORDERS, MR_SEC_TARIFFS, MR_SEC_STRINGS, MR_SEC_KDTREE, MR_SEC_CHAIN_FIRST, MR_SEC_CHAIN_STEPS,
	MR_SEC_CH_RECS, MR_SEC_CH_U32, MR_SEC_CH_F64, MR_SEC_COUNT
};

typedef struct mr_file_header {
	char magic[8];
	uint32_t version, byte_order;
	uint64_t file_size;
	uint64_t checksum;
	uint32_t nsections, header_size;
	uint8_t reserved[24];
} mr_file_header;

typedef struct mr_file_section {
	uint32_t id, elsize;
	uint64_t offset, count;
} mr_file_section;

_Static_assert(sizeof(mr_file_header) == 64, "header is 64 bytes");
_Static_assert(sizeof(mr_file_section) == 24, "section entry is 24 bytes");
/* Records are written as they lie in memory: no hidden padding, so files are byte-for-byte
 * reproducible and their layout is the one documented here. */
_Static_assert(sizeof(mr_node_rec) == 48, "mr_node_rec layout");
_Static_assert(sizeof(mr_vnode_rec) == 12, "mr_vnode_rec layout");
_Static_assert(sizeof(mr_arc_rec) == 28, "mr_arc_rec layout");
_Static_assert(sizeof(mr_link_rec) == 60, "mr_link_rec layout");
_Static_assert(sizeof(mr_transfer_rec) == 28, "mr_transfer_rec layout");
_Static_assert(sizeof(mr_border_rec) == 36, "mr_border_rec layout");
_Static_assert(sizeof(mr_tariff_rec) == 28, "mr_tariff_rec layout");
_Static_assert(sizeof(mr_net_meta) == 176, "mr_net_meta layout");
_Static_assert(sizeof(mr_net_ch_rec) == 56, "mr_net_ch_rec layout");

/* Element size of each section, and the element count each must hold for a network with
 * metadata m. Shared by the builder (layout) and the loader (checks). */
extern const uint32_t mr__section_elsize[MR_SEC_COUNT];
void mr__section_counts(const mr_net_meta *m, uint64_t count[MR_SEC_COUNT]);

/* Checksum of n bytes (64-bit, word-wise multiply-xorshift), continuing from seed. */
uint64_t mr__file_checksum(const void *data, size_t n, uint64_t seed);
/* Checksum of a whole image: the header with its checksum field zeroed, then the rest. */
uint64_t mr__image_checksum(const void *image, size_t size);
/* Check an image's structure (sections, sizes, CSR and index ranges; not the checksum) and point
 * net's arrays into it. The image must stay alive as long as net. */
int mr__net_attach(mr_net *net, const void *image, size_t size, const char *what, mr_error *err);
/* Free the hierarchies attached to net (net->ch) and set it to NULL. */
void mr__net_detach_ch(mr_net *net);
/* 32-bit values of one stored hierarchy of n vertices and m arcs (see mr_net_ch_rec). */
static inline uint64_t mr__ch_u32_count(uint64_t n, uint64_t m) { return 4 * n + 1 + 3 * m; }

#endif
