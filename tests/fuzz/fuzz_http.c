/* libFuzzer target for request routing and query/body parsing, without a
 * socket: the input is "<method byte><target>\n<Header: value>\n...\n\n<body>".
 * Every request must get a status from the documented set, a JSON error body
 * for every error (parseable, with an "error" string), and the parser must
 * never accept a path with "..", an encoded separator or a NUL.  Run against
 * a server without database or pipeline (503 paths), with and without an
 * access token, and with the source tree's web/ as the dashboard root so
 * static-file containment runs too.  A multipart/form-data body is also
 * split into its files as an import would.
 * Build: ./configure CC=clang --enable-fuzzing && make tests/fuzz/fuzz_http */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../daemon/http/http_priv.h"
#include "insoled/result.h"

#define MAX_HEADERS 16

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

struct fuzz_headers {
	char *name[MAX_HEADERS], *value[MAX_HEADERS];
	unsigned n;
};

static const char *lookup(void *ctx, const char *name)
{
	struct fuzz_headers *h = ctx;

	for (unsigned i = 0; i < h->n; i++)
		if (strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

static struct ins_http *servers[2];

static void init(void)
{
	struct ins_http_config cfg = { .bind_addr = "127.0.0.1", .web_root = INS_SRCDIR "/web",
				       .layout_dir = INS_SRCDIR "/layouts" };
	char err[256];

	servers[0] = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	/* As strong as `insoled --gen-token` makes: a weak token is refused. */
	cfg.token = "93bd1cfa5c7be38ae1dcf15989d1902cbf0ed5bc4b0fa96e100670846eafff1d";
	servers[1] = http_core_new(&cfg, NULL, NULL, NULL, err, sizeof(err));
	check(servers[0] && servers[1]);
}

static int documented(unsigned status)
{
	/* docs/api.md's table; 421 is the Host check without a token, 429 the
	 * slow-down after wrong tokens. */
	static const unsigned ok[] = { 200, 201, 304, 400, 401, 403, 404, 405, 409, 413, 414, 415, 421, 429, 503 };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (status == ok[i])
			return 1;
	return 0;
}

static void check_path(const char *p)
{
	check(p[0] == '/');
	check(!strstr(p, "/../") && !strstr(p, "/./") && !strstr(p, "//") && !strchr(p, '\\'));
	size_t n = strlen(p);
	check(!(n >= 3 && strcmp(p + n - 3, "/..") == 0) && !(n >= 2 && strcmp(p + n - 2, "/.") == 0));
}

static void run(struct ins_http *http, unsigned method, const char *target, struct fuzz_headers *h,
		const char *body, size_t body_len)
{
	struct http_request req;
	struct http_response resp;
	struct ins_error err = { 0 };
	unsigned st;

	memset(&req, 0, sizeof(req));
	st = http_parse_target(target, &req, &err);
	if (st) {
		check(st == 400 || st == 414);
		check(req.path == NULL && err.msg[0] && err.field[0]);
		return;
	}
	check_path(req.path);
	req.method = method;
	req.header = lookup;
	req.header_ctx = h;
	req.body = body;
	req.body_len = body_len;
	memset(&resp, 0, sizeof(resp));
	http_dispatch(http, &req, &resp);
	check(documented(resp.status));
	if (resp.status >= 400) {
		json_t *j = json_loadb(resp.body, resp.len, 0, NULL);

		check(j && json_is_string(json_object_get(j, "error")));
		json_decref(j);
	}
	http_response_clear(&resp);
	http_request_clear(&req);
}

/* A form body: at most HTTP_FORM_MAX_FILES parts, each inside the body,
 * under a distinct file name that cannot leave the folder it is written
 * to; an error is a sentence about the body. */
static void check_form(const char *content_type, const char *body, size_t len)
{
	struct http_form_part parts[HTTP_FORM_MAX_FILES];
	char boundary[80], err[512] = "";
	int n;

	if (!http_form_is_form(content_type) ||
	    http_form_boundary(content_type, boundary, sizeof boundary, err, sizeof err) < 0) {
		check(!http_form_is_form(content_type) || strncmp(err, "Content-Type: ", 14) == 0);
		return;
	}
	n = http_form_parse(body, len, boundary, parts, HTTP_FORM_MAX_FILES, err, sizeof err);
	check(n <= HTTP_FORM_MAX_FILES && (n > 0 || strncmp(err, "body: ", 6) == 0));
	for (int i = 0; i < n; i++) {
		check(parts[i].data >= body && parts[i].data + parts[i].len <= body + len);
		check(parts[i].name[0] && !strchr(parts[i].name, '/') && strcmp(parts[i].name, "..") != 0 &&
		      strcmp(parts[i].name, ".") != 0 && http_file_name_ok(parts[i].name, strlen(parts[i].name)));
		for (int k = 0; k < i; k++)
			check(strcmp(parts[k].name, parts[i].name) != 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned methods[] = { INS_HTTP_GET, INS_HTTP_HEAD, INS_HTTP_POST, INS_HTTP_PATCH,
					    INS_HTTP_DELETE, INS_HTTP_PUT, INS_HTTP_OPTIONS, INS_HTTP_OTHER };
	struct fuzz_headers h = { .n = 0 };
	char *copy, *p, *line, *body;
	unsigned method;

	if (!servers[0])
		init();
	if (size < 1)
		return 0;
	method = methods[data[0] % 8];
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0'; /* the target and headers are C strings, as MHD hands them over */
	p = copy;
	line = strsep(&p, "\n");
	while (p && h.n < MAX_HEADERS) {
		char *hl = strsep(&p, "\n"), *colon;

		if (!*hl)
			break;
		colon = strstr(hl, ": ");
		if (!colon)
			continue;
		*colon = '\0';
		h.name[h.n] = hl;
		h.value[h.n] = colon + 2;
		h.n++;
	}
	body = p ? p : "";
	run(servers[data[0] & 8 ? 1 : 0], method, line, &h, body, strlen(body));
	check_form(lookup(&h, "Content-Type"), body, strlen(body));
	free(copy);
	return 0;
}
