/*
 * metrics.c - a metrics exporter: renders counter samples in the
 * Prometheus text format ("name{label="value"} 123 1700000000000").
 *
 * Generates samples for a fleet of hosts (fixed seed), renders each as one
 * line into an output buffer, as a /metrics scrape would, and prints the
 * number of lines, the bytes and a checksum, plus the first lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSAMPLES 1000000
#define NSCRAPES 8

struct sample {
	int host;
	int metric;
	int64_t value;
	int64_t timestamp_ms;
};

static const char *const metric_names[] = {
	"http_requests_total", "http_errors_total", "bytes_sent_total", "queue_depth",
};

static uint64_t rng_state = 0x1F83D9ABFB41BD6BULL;

static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* One exposition line into dst; returns its length. */
static size_t format_sample(char *dst, size_t size, const struct sample *s)
{
	int n = snprintf(dst, size, "%s{host=\"web-%d\"} %lld %lld\n", metric_names[s->metric],
			 s->host, (long long)s->value, (long long)s->timestamp_ms);

	return n < 0 ? 0 : (size_t)n;
}

int main(void)
{
	static struct sample samples[NSAMPLES];
	char *out = malloc((size_t)NSAMPLES * 80);
	size_t len = 0, i;
	int scrape;
	uint32_t sum = 0;
	int64_t t = 1700000000000LL;

	if (!out) {
		perror("malloc");
		return 1;
	}
	for (i = 0; i < NSAMPLES; i++) {
		samples[i].host = (int)(rng_next() % 400);
		samples[i].metric = (int)(rng_next() % 4);
		samples[i].value = (int64_t)rng_next() * (int64_t)(1 + rng_next() % 1000);
		samples[i].timestamp_ms = t + (int64_t)(i / 1000) * 15000;
	}
	for (scrape = 0; scrape < NSCRAPES; scrape++) {
		len = 0;
		for (i = 0; i < NSAMPLES; i++) {
			samples[i].timestamp_ms += 15000;
			len += format_sample(out + len, 80, &samples[i]);
		}
		for (i = 0; i < len; i += 7)
			sum = sum * 31 + (unsigned char)out[i];
	}
	printf("%d scrapes of %d lines, last %zu bytes, checksum %08x\n", NSCRAPES, NSAMPLES,
	       len, sum);
	fwrite(out, 1, strcspn(out, "\n") + 1, stdout);
	free(out);
	return 0;
}
