/* Access control: bearer token or login cookie, same-origin checks for
 * state-changing requests, loopback detection for protected mode. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "http_priv.h"
#include "insoled/clock.h"

/* Compares in time that depends only on the length of a (the client's
 * input), never on where the secret b first differs. */
int ins_http_ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < alen; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(blen ? b[i % blen] : 0);
	return diff == 0 && alen == blen && blen > 0;
}

int ins_http_is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;

	if (!addr || strcmp(addr, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6);
	return 0;
}

const char *ins_http_cookie_value(const char *cookies, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = cookies;

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1;

			*len = strcspn(v, ";");
			while (*len && v[*len - 1] == ' ')
				(*len)--;
			return v;
		}
		p = strchr(p, ';');
	}
	return NULL;
}

/* Caller holds http->lock. */
static int login_valid(struct ins_http *http, const char *id, size_t len)
{
	int64_t now = ins_mono_us();
	int ok = 0;

	for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++) {
		struct ins_http_login *l = &http->logins[i];

		if (!l->id[0])
			continue;
		if (l->expires_mono_us <= now) {
			l->id[0] = '\0';
			continue;
		}
		ok |= ins_http_ct_equal(id, len, l->id, strlen(l->id));
	}
	return ok;
}

static const char *header(const struct ins_http_request *req, const char *name)
{
	return req->header ? req->header(req->header_ctx, name) : NULL;
}

unsigned ins_http_check_auth(struct ins_http *http, const struct ins_http_request *req,
			     struct ins_http_response *resp)
{
	const char *authz, *cookies, *v;
	size_t len;
	int ok = 0;

	if (!http->token)
		return 0;
	authz = header(req, "Authorization");
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		v = authz + 7;
		while (*v == ' ')
			v++;
		ok = ins_http_ct_equal(v, strlen(v), http->token, strlen(http->token));
	}
	cookies = header(req, "Cookie");
	if (!ok && cookies && (v = ins_http_cookie_value(cookies, INS_HTTP_COOKIE, &len)) != NULL) {
		pthread_mutex_lock(&http->lock);
		ok = login_valid(http, v, len);
		pthread_mutex_unlock(&http->lock);
	}
	if (ok)
		return 0;
	ins_http_resp_error(resp, 401, authz ? "Authorization" : NULL,
			    authz ? "Authorization: wrong access token" : "authentication required: log in or send Authorization: Bearer <token>");
	ins_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"insoled\"");
	return 401;
}

/* "scheme://host[:port]" of the Origin header against the Host the request
 * was sent to. */
static int same_origin(const char *origin, const char *host, int tls)
{
	const char *scheme = tls ? "https://" : "http://";
	size_t sl = strlen(scheme);

	if (!host || strncasecmp(origin, scheme, sl) != 0)
		return 0;
	return strcasecmp(origin + sl, host) == 0;
}

unsigned ins_http_check_origin(const struct ins_http_request *req, struct ins_http_response *resp)
{
	const char *site, *origin;

	if (!(req->method & (INS_HTTP_POST | INS_HTTP_PATCH | INS_HTTP_DELETE | INS_HTTP_PUT)))
		return 0;
	site = header(req, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
		ins_http_resp_error(resp, 403, "Sec-Fetch-Site", "cross-site request refused (Sec-Fetch-Site: %s)",
				    strcmp(site, "same-site") == 0 ? "same-site" : "cross-site");
		return 403;
	}
	origin = header(req, "Origin");
	if (origin && !same_origin(origin, header(req, "Host"), req->tls)) {
		ins_http_resp_error(resp, 403, "Origin", "Origin: cross-origin request refused");
		return 403;
	}
	return 0;
}

static int new_login_id(char out[65])
{
	unsigned char raw[32];
	static const char hex[] = "0123456789abcdef";

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* Caller holds http->lock: an empty/expired slot, else the oldest login. */
static struct ins_http_login *login_slot(struct ins_http *http)
{
	struct ins_http_login *best = &http->logins[0];
	int64_t now = ins_mono_us();

	for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++) {
		struct ins_http_login *l = &http->logins[i];

		if (!l->id[0] || l->expires_mono_us <= now)
			return l;
		if (l->expires_mono_us < best->expires_mono_us)
			best = l;
	}
	return best;
}

void ins_http_login(struct ins_http *http, const struct ins_http_request *req, struct ins_http_response *resp)
{
	json_t *body = ins_http_body_object(req, resp);
	static const char *const allowed[] = { "token", NULL };
	const char *token;
	char id[65], cookie[200];
	struct ins_http_login *slot;

	if (!body)
		return;
	if (ins_http_check_members(body, allowed, resp) < 0 ||
	    ins_http_member_string(body, "token", 1, &token, resp) < 0)
		goto out;
	if (!http->token) {
		ins_http_resp_json(resp, 200, json_pack("{s:b,s:s}", "ok", 1, "auth", "none"));
		goto out;
	}
	if (!ins_http_ct_equal(token, strlen(token), http->token, strlen(http->token))) {
		ins_http_resp_error(resp, 401, "token", "token: wrong access token");
		goto out;
	}
	if (new_login_id(id) < 0) {
		ins_http_resp_error(resp, 503, NULL, "no randomness available for a login session");
		goto out;
	}
	pthread_mutex_lock(&http->lock);
	slot = login_slot(http);
	memcpy(slot->id, id, sizeof(id));
	slot->expires_mono_us = ins_mono_us() + (int64_t)INS_HTTP_LOGIN_TTL_S * 1000000;
	pthread_mutex_unlock(&http->lock);
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		 INS_HTTP_COOKIE, id, INS_HTTP_LOGIN_TTL_S, req->tls ? "; Secure" : "");
	ins_http_resp_json(resp, 200, json_pack("{s:b,s:i}", "ok", 1, "expires_s", INS_HTTP_LOGIN_TTL_S));
	ins_http_resp_header(resp, "Set-Cookie", cookie);
out:
	json_decref(body);
}

void ins_http_logout(struct ins_http *http, const struct ins_http_request *req, struct ins_http_response *resp)
{
	const char *cookies = header(req, "Cookie"), *v;
	size_t len;

	if (cookies && (v = ins_http_cookie_value(cookies, INS_HTTP_COOKIE, &len)) != NULL) {
		pthread_mutex_lock(&http->lock);
		for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++)
			if (http->logins[i].id[0] && len == 64 && memcmp(http->logins[i].id, v, 64) == 0)
				http->logins[i].id[0] = '\0';
		pthread_mutex_unlock(&http->lock);
	}
	ins_http_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	ins_http_resp_header(resp, "Set-Cookie", INS_HTTP_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}
