/* Content fingerprints of recordings, by which the store recognises a
 * recording it already holds (docs/storage.md, "Duplicate imports").
 * SHA-256 from GnuTLS, which libmicrohttpd already loads for HTTPS: a
 * collision-resistant hash, so two different recordings never pass for
 * one, without hash code of our own or another library. */
#include <config.h>

#include <errno.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import_priv.h"

/* Bytes read at a time: large enough that hashing, not the calls, sets the pace. */
#define DIGEST_BLOCK (64 * 1024)
#define SHA256_BYTES 32

struct import_digest {
	gnutls_hash_hd_t h;
	int failed;             /* GnuTLS refused some input */
};

void import_digest_bytes(struct import_digest *d, const void *p, size_t n)
{
	if (n && gnutls_hash(d->h, p, n) < 0)
		d->failed = 1;
}

int import_digest_file(struct import_digest *d, const char *path, const char *tag, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	unsigned long long total = 0;
	struct stat st;
	size_t n;
	int rc = -1;

	if (!f || fstat(fileno(f), &st) < 0) {
		import_errf(err, errlen, path, 0, NULL, "cannot read it for its fingerprint: %s", strerror(errno));
		goto out;
	}
	buf = malloc(DIGEST_BLOCK);
	if (!buf) {
		import_errf(err, errlen, path, 0, NULL, "out of memory for its fingerprint");
		goto out;
	}
	if (tag) {
		char head[80];
		int len = snprintf(head, sizeof head, "%.60s %lld\n", tag, (long long)st.st_size);

		import_digest_bytes(d, head, (size_t)len);
	}
	while ((n = fread(buf, 1, DIGEST_BLOCK, f)) > 0) {
		import_digest_bytes(d, buf, n);
		total += n;
	}
	if (ferror(f)) {
		import_errf(err, errlen, path, 0, NULL, "read error while taking its fingerprint");
		goto out;
	}
	if (tag && total != (unsigned long long)st.st_size) {
		import_errf(err, errlen, path, 0, NULL, "changed while its fingerprint was taken");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	if (f)
		fclose(f);
	return rc;
}

int ins_import_fingerprint(const struct ins_import *imp, char out[INS_IMPORT_FINGERPRINT_SIZE], char *err,
			   size_t errlen)
{
	static const char hex[] = "0123456789abcdef";
	struct import_digest d = { .failed = 0 };
	unsigned char sum[SHA256_BYTES];
	int rc;

	if (gnutls_hash_init(&d.h, GNUTLS_DIG_SHA256) < 0) {
		import_errf(err, errlen, imp->info.path, 0, NULL, "SHA-256 is not available from GnuTLS");
		return -1;
	}
	rc = imp->ops->fingerprint ? imp->ops->fingerprint(imp, &d, err, errlen)
				   : import_digest_file(&d, imp->info.path, NULL, err, errlen);
	gnutls_hash_deinit(d.h, sum);
	if (rc == 0 && d.failed) {
		import_errf(err, errlen, imp->info.path, 0, NULL, "GnuTLS could not hash it");
		rc = -1;
	}
	if (rc < 0)
		return -1;
	memcpy(out, "sha256:", 7);
	for (size_t i = 0; i < SHA256_BYTES; i++) {
		out[7 + 2 * i] = hex[sum[i] >> 4];
		out[8 + 2 * i] = hex[sum[i] & 0x0f];
	}
	out[7 + 2 * SHA256_BYTES] = '\0';
	return 0;
}
