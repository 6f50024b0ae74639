/*
 * hash.h - the one string hash of proflab's hash tables (FNV-1a, 64 bits).
 *
 * Start with PF_HASH_SEED and chain calls to hash several fields:
 *   h = pf_hash_str(pf_hash_str(PF_HASH_SEED, name), file);
 * FNV-1a's low bits are well mixed for short keys; tables that mask
 * with a power of two may use them directly.
 */
#ifndef PF_HASH_H
#define PF_HASH_H

#include <stddef.h>
#include <stdint.h>

#define PF_HASH_SEED 0xcbf29ce484222325ULL
#define PF_HASH_PRIME 0x100000001b3ULL

/* Continue hash h over n bytes. */
static inline uint64_t pf_hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * PF_HASH_PRIME;
	return h;
}

/* Continue hash h over the C string s (NULL hashes like ""). */
static inline uint64_t pf_hash_str(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * PF_HASH_PRIME;
	return h;
}

#endif
