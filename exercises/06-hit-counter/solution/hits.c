/*
 * hits.c - the request counter of a web server's worker threads.
 *
 * Four worker threads each handle a share of a request log (generated
 * with a fixed seed per worker): they parse the request line, pick the
 * route, and record the hit in the server-wide statistics: hits and
 * bytes per route and a latency histogram. Prints the statistics.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NWORKERS 4
#define REQUESTS_PER_WORKER 3000000
#define NROUTES 16
#define NBUCKETS 12

static const char *const routes[NROUTES] = {
	"/", "/login", "/logout", "/search", "/item", "/cart", "/checkout", "/api/v1/items",
	"/api/v1/users", "/api/v1/orders", "/static/app.js", "/static/app.css", "/healthz",
	"/metrics", "/admin", "/favicon.ico",
};

struct stats {
	long hits[NROUTES];
	long bytes[NROUTES];
	long latency[NBUCKETS]; /* histogram: bucket b holds [2^b, 2^(b+1)) microseconds */
};

/* The server-wide statistics, guarded by one mutex (a spinning one: the
 * critical section is short). */
static struct stats stats;
static pthread_mutex_t stats_mu = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s >> 11;
}

static int route_of(const char *path)
{
	int i;

	for (i = 0; i < NROUTES; i++)
		if (strcmp(path, routes[i]) == 0)
			return i;
	return 0;
}

static int bucket_of(long micros)
{
	int b = 0;

	while (micros > 1 && b < NBUCKETS - 1) {
		micros >>= 1;
		b++;
	}
	return b;
}

/* Each worker counts into its own statistics: no lock on the hot path. */
static void record_hit(struct stats *local, int route, long bytes, long micros)
{
	local->hits[route]++;
	local->bytes[route] += bytes;
	local->latency[bucket_of(micros)]++;
}

/* Fold a worker's statistics into the server-wide ones: once per worker. */
static void merge_stats(const struct stats *local)
{
	int i;

	pthread_mutex_lock(&stats_mu);
	for (i = 0; i < NROUTES; i++) {
		stats.hits[i] += local->hits[i];
		stats.bytes[i] += local->bytes[i];
	}
	for (i = 0; i < NBUCKETS; i++)
		stats.latency[i] += local->latency[i];
	pthread_mutex_unlock(&stats_mu);
}

/* The path of a request line "GET /path": 0, or -1 when malformed. */
static int parse_path(const char *line, char *path, size_t size)
{
	size_t n;

	if (strncmp(line, "GET ", 4) != 0)
		return -1;
	n = strcspn(line + 4, " \r\n");
	if (n == 0 || n >= size)
		return -1;
	memcpy(path, line + 4, n);
	path[n] = '\0';
	return 0;
}

static void *worker(void *arg)
{
	uint64_t seed = 0x9E3779B97F4A7C15ULL * (uint64_t)((intptr_t)arg + 1);
	char line[96], path[64];
	struct stats local;
	long i;

	memset(&local, 0, sizeof(local));
	for (i = 0; i < REQUESTS_PER_WORKER; i++) {
		const char *r = routes[rng_next(&seed) % NROUTES];
		long bytes = (long)(rng_next(&seed) % 20000), micros = (long)(rng_next(&seed) % 3000);

		/* the request line as it arrives, then parsed back */
		memcpy(line, "GET ", 4);
		memcpy(line + 4, r, strlen(r) + 1);
		if (parse_path(line, path, sizeof(path)) < 0)
			continue;
		record_hit(&local, route_of(path), bytes, micros);
	}
	merge_stats(&local);
	return NULL;
}

int main(void)
{
	pthread_t t[NWORKERS];
	long total = 0;
	intptr_t i;

	for (i = 0; i < NWORKERS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < NWORKERS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < NROUTES; i++) {
		printf("%-18s %8ld hits %12ld bytes\n", routes[i], stats.hits[i], stats.bytes[i]);
		total += stats.hits[i];
	}
	printf("total %ld hits\nlatency histogram (us):", total);
	for (i = 0; i < NBUCKETS; i++)
		printf(" %ld", stats.latency[i]);
	printf("\n");
	return 0;
}
