/* Dashboard files from web_root and /vendor/ from vendor_root.  The router
 * already refused "..", "." and encoded separators; realpath() then catches
 * symlinks that lead outside the directory. */
#include <config.h>

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http_priv.h"

/* Dashboard code changes with each release; an hour keeps reloads cheap and
 * the ETag revalidation keeps them correct. */
#define STATIC_CACHE_CONTROL "public, max-age=3600"

const char *http_content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".map", "application/json; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".webmanifest", "application/manifest+json" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* Only what a dashboard is made of: files with a known web type (so not
 * module.am or sources), never the npm manifests and lock files that sit
 * beside them in an uninstalled tree, nothing hidden and nothing under
 * node_modules of the dashboard directory. */
static int servable(const char *rel)
{
	static const char *const refused[] = { "package.json", "package-lock.json", "npm-shrinkwrap.json",
					       "yarn.lock", "pnpm-lock.yaml" };
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	if (strcmp(http_content_type(rel), "application/octet-stream") == 0)
		return 0;
	if (strstr(rel, "/.") || strstr(rel, "/node_modules/"))
		return 0;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(base, refused[i]) == 0)
			return 0;
	return 1;
}

static void not_found(struct http_response *resp)
{
	http_resp_error(resp, 404, "path", "path: no such file");
}

/* Resolves root + rel and opens it only if it stays inside root. */
static int open_inside(const char *root, const char *rel, struct stat *st)
{
	char joined[PATH_MAX], resolved[PATH_MAX];
	size_t rl = strlen(root);
	int fd;

	if ((size_t)snprintf(joined, sizeof(joined), "%s%s", root, rel) >= sizeof(joined))
		return -1;
	if (!realpath(joined, resolved))
		return -1;
	if (strncmp(resolved, root, rl) != 0 || resolved[rl] != '/')
		return -1;
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

void http_static(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	const char *root = http->web_root, *rel = req->path, *inm;
	char etag[64], date[64];
	struct stat st;
	struct tm tm;
	int fd;

	if (strncmp(rel, "/vendor/", 8) == 0) {
		root = http->vendor_root;
		rel += 7;
	}
	if (strcmp(rel, "/") == 0)
		rel = "/index.html";
	if (!root || rel[strlen(rel) - 1] == '/' || !servable(rel)) {
		not_found(resp);
		return;
	}
	fd = open_inside(root, rel, &st);
	if (fd < 0) {
		not_found(resp);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "\"", (uint64_t)st.st_size,
		 (uint64_t)st.st_mtim.tv_sec * UINT64_C(1000000000) + (uint64_t)st.st_mtim.tv_nsec);
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	http_resp_header(resp, "ETag", etag);
	http_resp_header(resp, "Last-Modified", date);
	/* index.html names the other files: always revalidate it. */
	http_resp_header(resp, "Cache-Control", strcmp(rel, "/index.html") == 0 ? "no-cache" : STATIC_CACHE_CONTROL);
	resp->content_type = http_content_type(rel);
	inm = req->header ? req->header(req->header_ctx, "If-None-Match") : NULL;
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		resp->status = 304;
		resp->kind = INS_RESP_BUFFER;
		return;
	}
	resp->status = 200;
	resp->kind = INS_RESP_FILE;
	resp->fd = fd;
	resp->file_size = (uint64_t)st.st_size;
}
