/* multipart/form-data uploads (RFC 7578, on RFC 2046's multipart syntax):
 * the files a form carried, written under their own names into a private
 * folder beside the received body, so that an import made of several files
 * (a PhysioNet gaitndd record: NAME.hea, NAME.let and NAME.rit) reads them
 * as it would from a disk.  http_form_parse() works on the body in memory
 * and does no I/O; http_form_split() maps the body and writes the parts. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_priv.h"
#include "insoled/disk.h"
#include "insoled/utf8.h"

/* A part's headers end within this: browsers send two short lines. */
#define FORM_MAX_HEADER_BYTES 8192
/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. */
#define FORM_MAX_BOUNDARY 70

#define FORM_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

int http_file_name_ok(const char *name, size_t n)
{
	size_t i = 0;

	if (!n || n > INS_HTTP_MAX_UPLOAD_NAME)
		return 0;
	while (i < n) {
		const unsigned char *c = (const unsigned char *)name + i;
		size_t l = ins_utf8_seq_len(c, n - i);

		if (!l || (l == 1 && (*c < 0x20 || *c == 0x7f)))
			return 0;
		i += l;
	}
	return 1;
}

int http_form_is_form(const char *content_type)
{
	return content_type && strncasecmp(content_type, "multipart/form-data", 19) == 0 &&
	       strchr("; \t", content_type[19] ? content_type[19] : ';');
}

/* bchars of RFC 2046, the space only inside */
static int boundary_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

int http_form_boundary(const char *content_type, char *boundary, size_t len, char *err, size_t errlen)
{
	const char *p = content_type ? strcasestr(content_type, "boundary=") : NULL;
	size_t n = 0;
	int quoted;

	if (!p)
		return FORM_ERR("Content-Type: multipart/form-data without its boundary=");
	p += 9;
	quoted = *p == '"';
	p += quoted;
	while (p[n] && (quoted ? p[n] != '"' : p[n] != ';' && p[n] != ' ' && p[n] != '\t')) {
		if (!boundary_char(p[n]) || n >= FORM_MAX_BOUNDARY || n + 1 >= len)
			return FORM_ERR("Content-Type: the boundary is not 1 to %d of the characters RFC 2046 allows",
					FORM_MAX_BOUNDARY);
		boundary[n] = p[n];
		n++;
	}
	if (!n || (quoted && p[n] != '"') || boundary[n - 1] == ' ')
		return FORM_ERR("Content-Type: the boundary is not 1 to %d of the characters RFC 2046 allows",
				FORM_MAX_BOUNDARY);
	boundary[n] = '\0';
	return 0;
}

/* ---- one part's headers ------------------------------------------------ */

/* The value of parameter key (a token or a quoted string) in a header's
 * parameters "; a=b; c="d"" between p and end, into out; 1 found, 0 not,
 * -1 malformed or too long.  A backslash is a character like any other:
 * browsers send file names so (HTML's form encoding writes a quote as
 * %22), and an old one sends a Windows path. */
static int header_param(const char *p, const char *end, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	while (p < end) {
		const char *semi = p;
		int in_quote = 0;

		for (; semi < end && (in_quote || *semi != ';'); semi++)
			in_quote ^= *semi == '"';
		while (p < semi && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(semi - p) > kl && strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *ve = semi;
			int q = v < ve && *v == '"';

			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			if (q && (ve - v < 2 || ve[-1] != '"'))
				return -1;
			v += q;
			ve -= q;
			if ((size_t)(ve - v) >= len)
				return -1;
			memcpy(out, v, (size_t)(ve - v));
			out[ve - v] = '\0';
			return 1;
		}
		p = semi + 1;
	}
	return 0;
}

/* The file's name from Content-Disposition's filename, without the folders
 * an old browser sends; 0, or -1 with err. */
static int disposition_file_name(const char *v, const char *end, unsigned part, char *name, char *err,
				 size_t errlen)
{
	char raw[4 * INS_HTTP_MAX_UPLOAD_NAME + 1], field[INS_HTTP_MAX_UPLOAD_NAME + 1] = "";
	const char *base;
	int rc;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if ((size_t)(end - v) < 9 || strncasecmp(v, "form-data", 9) != 0 || (v + 9 < end && v[9] != ';' &&
									       v[9] != ' '))
		return FORM_ERR("body: part %u of the form is not form-data (Content-Disposition)", part);
	rc = header_param(v + 9, end, "filename", raw, sizeof raw);
	if (rc < 0)
		return FORM_ERR("body: part %u's file name is malformed or longer than %d bytes", part,
				INS_HTTP_MAX_UPLOAD_NAME);
	if (rc == 0) {
		int named = header_param(v + 9, end, "name", field, sizeof field) > 0 &&
			    http_file_name_ok(field, strlen(field));
		return FORM_ERR("body: part %u of the form%s%s%s is not a file: send the session's details in the "
				"query and only recording files in the form", part, named ? " (\"" : "",
				named ? field : "", named ? "\")" : "");
	}
	base = raw + strlen(raw);
	while (base > raw && base[-1] != '/' && base[-1] != '\\')
		base--;
	if (!http_file_name_ok(base, strlen(base)) || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return FORM_ERR("body: part %u's file name is not a name of at most %d bytes of UTF-8 without "
				"control characters", part, INS_HTTP_MAX_UPLOAD_NAME);
	memcpy(name, base, strlen(base) + 1);
	return 0;
}

/* The file name in the headers between h and end (each line ends in CRLF). */
static int part_file_name(const char *h, const char *end, unsigned part, char *name, char *err, size_t errlen)
{
	static const char cd[] = "Content-Disposition:";

	while (h < end) {
		const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);

		if (!eol)
			eol = end;
		if ((size_t)(eol - h) >= sizeof cd - 1 && strncasecmp(h, cd, sizeof cd - 1) == 0)
			return disposition_file_name(h + sizeof cd - 1, eol, part, name, err, errlen);
		h = eol == end ? end : eol + 2;
	}
	return FORM_ERR("body: part %u of the form has no Content-Disposition header", part);
}

/* ---- the parts --------------------------------------------------------- */

struct form_cursor {
	const char *end;
	const char *delim;             /* "\r\n--" boundary */
	size_t delim_len;
};

/* After a delimiter's "--boundary" at p: 1 and *next the part's headers,
 * 0 the closing delimiter, -1 malformed. */
static int after_delimiter(const struct form_cursor *c, const char *p, const char **next)
{
	if (c->end - p >= 2 && p[0] == '-' && p[1] == '-')
		return 0;
	while (p < c->end && (*p == ' ' || *p == '\t'))
		p++;
	if (c->end - p < 2 || p[0] != '\r' || p[1] != '\n')
		return -1;
	*next = p + 2;
	return 1;
}

static int take_part(struct form_cursor *c, const char **p, struct http_form_part *out, unsigned part,
		     char *err, size_t errlen)
{
	const char *headers_end = *p, *content, *stop;
	size_t room = (size_t)(c->end - *p);

	if (room >= 2 && (*p)[0] == '\r' && (*p)[1] == '\n') { /* no headers */
		content = *p + 2;
	} else {
		const char *blank = memmem(*p, room < FORM_MAX_HEADER_BYTES ? room : FORM_MAX_HEADER_BYTES,
					   "\r\n\r\n", 4);
		if (!blank)
			return FORM_ERR("body: part %u's headers do not end in an empty line within %d bytes", part,
					FORM_MAX_HEADER_BYTES);
		headers_end = blank + 2;
		content = blank + 4;
	}
	if (part_file_name(*p, headers_end, part, out->name, err, errlen) < 0)
		return -1;
	stop = memmem(content, (size_t)(c->end - content), c->delim, c->delim_len);
	if (!stop)
		return FORM_ERR("body: part %u (%s) does not end with the form's boundary: the upload was cut short",
				part, out->name);
	out->data = content;
	out->len = (size_t)(stop - content);
	*p = stop + c->delim_len;
	return 0;
}

static int check_distinct(const struct http_form_part *parts, unsigned n, char *err, size_t errlen)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(parts[i].name, parts[n].name) == 0)
			return FORM_ERR("body: the form carries %s twice (parts %u and %u)", parts[n].name, i + 1,
					n + 1);
	return 0;
}

int http_form_parse(const char *body, size_t len, const char *boundary, struct http_form_part *parts,
		    unsigned max_parts, char *err, size_t errlen)
{
	char delim[FORM_MAX_BOUNDARY + 5];
	struct form_cursor c = { body + len, delim, 0 };
	const char *p;
	unsigned n = 0;
	int more;

	c.delim_len = (size_t)snprintf(delim, sizeof delim, "\r\n--%.*s", FORM_MAX_BOUNDARY, boundary);
	/* the first delimiter may open the body, or follow a preamble */
	if (len >= c.delim_len - 2 && memcmp(body, delim + 2, c.delim_len - 2) == 0)
		p = body + c.delim_len - 2;
	else if ((p = memmem(body, len, delim, c.delim_len)))
		p += c.delim_len;
	else
		return FORM_ERR("body: no part of the form starts with the boundary its Content-Type names");
	while ((more = after_delimiter(&c, p, &p)) > 0) {
		if (n == max_parts)
			return FORM_ERR("body: the form carries more than %u files (one recording, or the three files "
					"of a gaitndd record)", max_parts);
		if (take_part(&c, &p, &parts[n], n + 1, err, errlen) < 0 || check_distinct(parts, n, err, errlen) < 0)
			return -1;
		n++;
	}
	if (more < 0)
		return FORM_ERR("body: a boundary line of the form is not followed by a line break");
	if (!n)
		return FORM_ERR("body: the form carries no file");
	return (int)n;
}

/* ---- written out beside the body ---------------------------------------- */

int http_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_parts(struct http_form_files *out, const struct http_form_part *parts, unsigned n,
		       struct ins_error *err)
{
	int dfd = open(out->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0) {
		ins_error_msg(err, "cannot open the folder for the upload's files: %s", strerror(errno));
		return INS_EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		int fd = openat(dfd, parts[i].name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0)
			out->n++;
		snprintf(out->name[i], sizeof out->name[i], "%s", parts[i].name);
		if (fd < 0 || http_write_all(fd, parts[i].data, parts[i].len) < 0 || close(fd) < 0) {
			int e = errno;

			if (fd >= 0)
				close(fd);
			close(dfd);
			ins_error_msg(err, "cannot write %s of the upload: %s", parts[i].name, strerror(e));
			return e == ENOSPC || e == EDQUOT ? INS_ENOSPACE : INS_EIO;
		}
	}
	close(dfd);
	return INS_OK;
}

int http_form_split(const char *body_path, const char *content_type, struct http_form_files *out,
		    struct ins_error *err)
{
	struct http_form_part parts[HTTP_FORM_MAX_FILES];
	char boundary[FORM_MAX_BOUNDARY + 1];
	const char *slash = strrchr(body_path, '/');
	struct stat st;
	void *map = MAP_FAILED;
	int fd, n, rc = INS_EINVAL;

	memset(out, 0, sizeof *out);
	if (http_form_boundary(content_type, boundary, sizeof boundary, err->msg, sizeof err->msg) < 0) {
		ins_error_about(err, "Content-Type");
		return INS_EINVAL;
	}
	fd = open(body_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0 ||
	    (map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		ins_error_msg(err, "cannot read the received form: %s", strerror(errno));
		rc = INS_EIO;
		goto out;
	}
	n = http_form_parse(map, (size_t)st.st_size, boundary, parts, HTTP_FORM_MAX_FILES, err->msg,
			    sizeof err->msg);
	if (n < 0) {
		ins_error_about(err, "body");
		goto out;
	}
	snprintf(out->dir, sizeof out->dir, "%.*s", slash ? (int)(slash - body_path) : 1, slash ? body_path : ".");
	rc = ins_disk_check_room(out->dir, "the upload's files", (uint64_t)st.st_size, INS_DISK_KEEP_FREE_BYTES, err);
	if (rc) {
		out->dir[0] = '\0';
		goto out;
	}
	snprintf(out->dir + strlen(out->dir), sizeof out->dir - strlen(out->dir), "/insoled-form-XXXXXX");
	if (!mkdtemp(out->dir)) {
		out->dir[0] = '\0';
		ins_error_msg(err, "cannot make a folder for the upload's files: %s", strerror(errno));
		rc = INS_EIO;
		goto out;
	}
	rc = write_parts(out, parts, (unsigned)n, err);
out:
	if (map != MAP_FAILED)
		munmap(map, (size_t)st.st_size);
	if (fd >= 0)
		close(fd);
	if (rc)
		http_form_files_remove(out);
	return rc;
}

void http_form_files_remove(struct http_form_files *f)
{
	char path[sizeof f->dir + INS_HTTP_MAX_UPLOAD_NAME + 2];

	if (!f->dir[0])
		return;
	for (unsigned i = 0; i < f->n; i++) {
		snprintf(path, sizeof path, "%s/%s", f->dir, f->name[i]);
		unlink(path);
	}
	rmdir(f->dir);
	f->dir[0] = '\0';
	f->n = 0;
}
