/* Access control: bearer token or login cookie, same-origin checks for
 * state-changing requests, loopback detection for protected mode. */
#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "http_priv.h"
#include "insoled/assert.h"
#include "insoled/clock.h"

#define LOG_PREFIX "http"

#define TOKEN_MIN_DISTINCT 8          /* different characters a token of random draws always has */

/* Compares in time that depends only on the length of a (the client's
 * input), never on where the secret b first differs. */
int http_ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	volatile unsigned char diff = 0;

	for (size_t i = 0; i < alen; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(blen ? b[i % blen] : 0);
	return diff == 0 && alen == blen && blen > 0;
}

int http_is_loopback(const char *addr)
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

const char *http_cookie_value(const char *cookies, const char *name, size_t *len)
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

	ins_assert_locked(&http->lock);
	for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++) {
		struct http_login *l = &http->logins[i];

		if (!l->id[0])
			continue;
		if (l->expires_mono_us <= now) {
			l->id[0] = '\0';
			continue;
		}
		ok |= http_ct_equal(id, len, l->id, strlen(l->id));
	}
	return ok;
}

static const char *header(const struct http_request *req, const char *name)
{
	return req->header ? req->header(req->header_ctx, name) : NULL;
}

double http_token_bits(const char *t)
{
	int lower = 0, upper = 0, digit = 0, other = 0;
	size_t n = t ? strlen(t) : 0, distinct = 0;
	unsigned char seen[256] = { 0 };
	double alphabet;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];

		if (c <= ' ' || c == 127)
			return 0;
		distinct += !seen[c];
		seen[c] = 1;
		lower |= islower(c) != 0;
		upper |= isupper(c) != 0;
		digit |= isdigit(c) != 0;
		other |= !isalnum(c);
	}
	/* A token of a few characters repeated ("aaaa...", "abab...") is no
	 * draw from its alphabet: it holds at most n x log2(distinct) bits.  A
	 * random one spans far more (32 random hex digits fewer than
	 * TOKEN_MIN_DISTINCT of the 16 with odds of about 4 in 10^8). */
	if (distinct < TOKEN_MIN_DISTINCT)
		return distinct > 1 ? (double)n * log2((double)distinct) : 0;
	/* hex is the common spelling of random bytes: a-f alone is 16 symbols */
	alphabet = 10.0 * digit + 26.0 * upper + 32.0 * other +
		   (lower && !upper && !other && strspn(t, "0123456789abcdef") == n ? 6.0 : 26.0 * lower);
	return n && alphabet > 1 ? (double)n * log2(alphabet) : 0;
}

/* ---- wrong tokens: logged with the address, and each address slowed -------- */

/* Whose failures an address counts towards: an IPv4 address itself (also
 * when a dual-stack socket shows it IPv4-mapped), an IPv6 address its /64,
 * the block one host picks its addresses from (privacy addresses, or any
 * of 2^64 an attacker cycles through to get five free tries from each). */
static void fail_key(const char *addr, char *out, size_t len)
{
	struct in6_addr a;
	char text[INET6_ADDRSTRLEN];

	if (inet_pton(AF_INET6, addr, &a) != 1) {
		snprintf(out, len, "%s", addr);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a)) {
		inet_ntop(AF_INET, &a.s6_addr[12], text, sizeof(text));
		snprintf(out, len, "%s", text);
		return;
	}
	memset(&a.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &a, text, sizeof(text));
	snprintf(out, len, "%s/64", text);
}

/* Caller holds http->lock: the entry of the address's key, else the entry
 * unused longest (a flood of spoofed-looking addresses forgets the oldest). */
static struct http_auth_fail *fail_entry(struct ins_http *http, const char *client_addr, int create)
{
	struct http_auth_fail *oldest = &http->auth_fail[0];
	char addr[sizeof(oldest->addr)];

	ins_assert_locked(&http->lock);
	fail_key(client_addr, addr, sizeof(addr));
	for (unsigned i = 0; i < INS_HTTP_AUTH_FAIL_ADDRS; i++) {
		struct http_auth_fail *f = &http->auth_fail[i];

		if (f->addr[0] && strcmp(f->addr, addr) == 0)
			return f;
		if (f->last_mono_us < oldest->last_mono_us)
			oldest = f;
	}
	if (!create)
		return NULL;
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	return oldest;
}

/* Seconds this address must still wait before its token is checked again. */
static unsigned auth_wait_s(struct ins_http *http, const char *addr)
{
	struct http_auth_fail *f;
	int64_t now = ins_mono_us(), left = 0;

	if (!addr)
		return 0;
	pthread_mutex_lock(&http->lock);
	f = fail_entry(http, addr, 0);
	if (f && f->blocked_until_mono_us > now)
		left = f->blocked_until_mono_us - now;
	pthread_mutex_unlock(&http->lock);
	return left ? (unsigned)((left + 999999) / 1000000) : 0;
}

static void auth_failed(struct ins_http *http, const struct http_request *req, const char *how)
{
	const char *addr = req->client_addr ? req->client_addr : "unknown address";
	struct http_auth_fail *f;
	int64_t now = ins_mono_us();
	unsigned suppressed = 0, failures, wait_s = 0;
	int log;

	pthread_mutex_lock(&http->lock);
	f = fail_entry(http, addr, 1);
	if (now - f->last_mono_us > (int64_t)INS_HTTP_AUTH_FAIL_FORGET_S * 1000000)
		f->failures = 0;
	f->last_mono_us = now;
	failures = ++f->failures;
	if (failures > INS_HTTP_AUTH_FAIL_FREE) {
		unsigned shift = failures - INS_HTTP_AUTH_FAIL_FREE - 1;

		wait_s = shift >= 6 ? INS_HTTP_AUTH_FAIL_MAX_WAIT_S : 1u << shift;
		if (wait_s > INS_HTTP_AUTH_FAIL_MAX_WAIT_S)
			wait_s = INS_HTTP_AUTH_FAIL_MAX_WAIT_S;
		f->blocked_until_mono_us = now + (int64_t)wait_s * 1000000;
	}
	log = ins_ratelimit_ok(&http->rl_auth, &suppressed);
	pthread_mutex_unlock(&http->lock);
	if (log)
		ins_warn("wrong access token (%s) from %s: %u in a row%s (%u similar suppressed)", how,
			 addr, failures, wait_s ? ", the address now waits before its next try" : "", suppressed);
}

static void auth_succeeded(struct ins_http *http, const struct http_request *req)
{
	struct http_auth_fail *f;

	if (!req->client_addr)
		return;
	pthread_mutex_lock(&http->lock);
	f = fail_entry(http, req->client_addr, 0);
	if (f)
		memset(f, 0, sizeof(*f));
	pthread_mutex_unlock(&http->lock);
}

/* 429 while the address waits: the token is not even compared, so
 * guessing is slowed to a try per wait. */
static unsigned refuse_while_waiting(struct ins_http *http, const struct http_request *req,
				     struct http_response *resp)
{
	unsigned wait_s = auth_wait_s(http, req->client_addr);
	char retry[16];

	if (!wait_s)
		return 0;
	http_resp_error(resp, 429, NULL, "too many wrong access tokens from this address: retry in %u s", wait_s);
	snprintf(retry, sizeof(retry), "%u", wait_s);
	http_resp_header(resp, "Retry-After", retry);
	return 429;
}

/* ---- Host ------------------------------------------------------------------- */

/* The host part of a Host header: "[v6]" or "name" without ":port". */
static int host_name(const char *host, char *out, size_t len)
{
	const char *end;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		host++;
	} else {
		end = strrchr(host, ':');
		if (!end)
			end = host + strlen(host);
		else if (memchr(host, ':', (size_t)(end - host)))
			return -1;
	}
	if ((size_t)(end - host) >= len || end == host)
		return -1;
	memcpy(out, host, (size_t)(end - host));
	out[end - host] = '\0';
	if (out[end - host - 1] == '.')         /* "localhost." is localhost */
		out[end - host - 1] = '\0';
	return 0;
}

unsigned http_check_host(const struct ins_http *http, const struct http_request *req,
			     struct http_response *resp)
{
	const char *host;
	char name[256];

	if (http->token)
		return 0;
	host = header(req, "Host");
	/* HTTP/1.0 tools send none; browsers, the rebinding route, always do. */
	if (!host)
		return 0;
	if (host_name(host, name, sizeof(name)) == 0 &&
	    (strcasecmp(name, "localhost") == 0 || http_is_loopback(name) ||
	     strcasecmp(name, http->bind_addr) == 0))
		return 0;
	http_resp_error(resp, 421, "Host",
			    "Host: this server answers only to localhost or %s without an access token", http->bind_addr);
	return 421;
}

unsigned http_check_auth(struct ins_http *http, const struct http_request *req,
			     struct http_response *resp)
{
	const char *authz, *cookies, *v;
	size_t len;
	int ok = 0;

	if (!http->token)
		return 0;
	authz = header(req, "Authorization");
	if (authz && refuse_while_waiting(http, req, resp))
		return 429;
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		v = authz + 7;
		while (*v == ' ')
			v++;
		ok = http_ct_equal(v, strlen(v), http->token, strlen(http->token));
		if (ok)
			auth_succeeded(http, req);
		else
			auth_failed(http, req, "Authorization header");
	}
	cookies = header(req, "Cookie");
	if (!ok && cookies && (v = http_cookie_value(cookies, INS_HTTP_COOKIE, &len)) != NULL) {
		pthread_mutex_lock(&http->lock);
		ok = login_valid(http, v, len);
		pthread_mutex_unlock(&http->lock);
	}
	if (ok)
		return 0;
	http_resp_error(resp, 401, authz ? "Authorization" : NULL,
			    authz ? "Authorization: wrong access token" : "authentication required: log in or send Authorization: Bearer <token>");
	http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"insoled\"");
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

unsigned http_check_origin(const struct http_request *req, struct http_response *resp)
{
	const char *site, *origin;

	if (!(req->method & (INS_HTTP_POST | INS_HTTP_PATCH | INS_HTTP_DELETE | INS_HTTP_PUT)))
		return 0;
	site = header(req, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
		http_resp_error(resp, 403, "Sec-Fetch-Site", "cross-site request refused (Sec-Fetch-Site: %s)",
				    strcmp(site, "same-site") == 0 ? "same-site" : "cross-site");
		return 403;
	}
	origin = header(req, "Origin");
	if (origin && !same_origin(origin, header(req, "Host"), req->tls)) {
		http_resp_error(resp, 403, "Origin", "Origin: cross-origin request refused");
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
static struct http_login *login_slot(struct ins_http *http)
{
	struct http_login *best = &http->logins[0];
	int64_t now = ins_mono_us();

	ins_assert_locked(&http->lock);
	for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++) {
		struct http_login *l = &http->logins[i];

		if (!l->id[0] || l->expires_mono_us <= now)
			return l;
		if (l->expires_mono_us < best->expires_mono_us)
			best = l;
	}
	return best;
}

void http_login(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	json_t *body = http_body_object(req, resp);
	static const char *const allowed[] = { "token", NULL };
	const char *token;
	char id[65], cookie[200];
	struct http_login *slot;

	if (!body)
		return;
	if (http_check_members(body, allowed, resp) < 0 ||
	    http_member_string(body, "token", 1, &token, resp) < 0)
		goto out;
	if (!http->token) {
		http_resp_json(resp, 200, json_pack("{s:b,s:s}", "ok", 1, "auth", "none"));
		goto out;
	}
	if (refuse_while_waiting(http, req, resp))
		goto out;
	if (!http_ct_equal(token, strlen(token), http->token, strlen(http->token))) {
		auth_failed(http, req, "login");
		http_resp_error(resp, 401, "token", "token: wrong access token");
		goto out;
	}
	auth_succeeded(http, req);
	if (new_login_id(id) < 0) {
		http_resp_error(resp, 503, NULL, "no randomness available for a login session");
		goto out;
	}
	pthread_mutex_lock(&http->lock);
	slot = login_slot(http);
	memcpy(slot->id, id, sizeof(id));
	slot->expires_mono_us = ins_mono_us() + (int64_t)INS_HTTP_LOGIN_TTL_S * 1000000;
	pthread_mutex_unlock(&http->lock);
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		 INS_HTTP_COOKIE, id, INS_HTTP_LOGIN_TTL_S, req->tls ? "; Secure" : "");
	http_resp_json(resp, 200, json_pack("{s:b,s:i}", "ok", 1, "expires_s", INS_HTTP_LOGIN_TTL_S));
	http_resp_header(resp, "Set-Cookie", cookie);
out:
	json_decref(body);
}

void http_logout(struct ins_http *http, const struct http_request *req, struct http_response *resp)
{
	const char *cookies = header(req, "Cookie"), *v;
	size_t len;

	if (cookies && (v = http_cookie_value(cookies, INS_HTTP_COOKIE, &len)) != NULL) {
		pthread_mutex_lock(&http->lock);
		for (unsigned i = 0; i < INS_HTTP_MAX_LOGINS; i++)
			if (http->logins[i].id[0] && len == 64 && memcmp(http->logins[i].id, v, 64) == 0)
				http->logins[i].id[0] = '\0';
		pthread_mutex_unlock(&http->lock);
	}
	http_resp_json(resp, 200, json_pack("{s:b}", "ok", 1));
	http_resp_header(resp, "Set-Cookie", INS_HTTP_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}
