/* Answers of GET /api/sessions kept for a moment.  Every dashboard polls the
 * list, and building it (a query, the JSON) costs several times what
 * sending it does.  An answer is reused while no state-changing request
 * has been served since it was built (so a session just started, renamed
 * or deleted through the API shows at once) and for at most
 * INS_HTTP_LIST_CACHE_US, which bounds how stale the frame and step counts
 * of a recording session can look. */
#include <config.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "http_priv.h"
#include "insoled/clock.h"

/* The lane of a /api/lanes/NAME/sessions route, then the query arguments in
 * request order, as the key: /api/sessions and a lane's list differ by the
 * route alone. */
static int cache_key(const struct http_request *req, char *key, size_t len)
{
	size_t used = strlen(req->route.lane) + 1;

	if (used + 1 > len)
		return -1;
	memcpy(key, req->route.lane, used - 1);
	key[used - 1] = '?';
	key[used] = '\0';
	for (unsigned i = 0; i < req->n_query; i++) {
		size_t kl = strlen(req->query[i].key), vl = strlen(req->query[i].value);

		if (used + kl + vl + 3 > len)
			return -1;
		memcpy(key + used, req->query[i].key, kl);
		used += kl;
		key[used++] = '=';
		memcpy(key + used, req->query[i].value, vl);
		used += vl;
		key[used++] = '&';
		key[used] = '\0';
	}
	return 0;
}

int http_list_cache_get(struct ins_http *http, const struct http_request *req,
			    struct http_response *resp)
{
	struct http_list_cache *c = &http->list_cache;
	char key[INS_HTTP_MAX_TARGET + 64];
	int64_t now = ins_mono_us();
	uint64_t gen = atomic_load(&http->writes);
	int hit = 0;

	if (cache_key(req, key, sizeof(key)) < 0)
		return 0;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < INS_HTTP_LIST_CACHE_SLOTS && !hit; i++) {
		struct http_list_entry *e = &c->slot[i];

		if (!e->body || e->writes != gen || now - e->built_mono_us > INS_HTTP_LIST_CACHE_US ||
		    strcmp(e->key, key) != 0)
			continue;
		resp->body = malloc(e->len + 1);
		if (resp->body) {
			memcpy(resp->body, e->body, e->len + 1);
			resp->len = e->len;
			hit = 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (hit) {
		resp->status = 200;
		resp->kind = INS_RESP_BUFFER;
		resp->content_type = "application/json; charset=utf-8";
	}
	return hit;
}

void http_list_cache_put(struct ins_http *http, const struct http_request *req, uint64_t writes,
			     int64_t built_mono_us, const struct http_response *resp)
{
	struct http_list_cache *c = &http->list_cache;
	struct http_list_entry *e;
	char key[INS_HTTP_MAX_TARGET + 64], *body, *k;

	if (resp->status != 200 || !resp->body || cache_key(req, key, sizeof(key)) < 0)
		return;
	body = malloc(resp->len + 1);
	k = strdup(key);
	if (!body || !k) {
		free(body);
		free(k);
		return;
	}
	memcpy(body, resp->body, resp->len + 1);
	pthread_mutex_lock(&c->lock);
	e = &c->slot[c->next++ % INS_HTTP_LIST_CACHE_SLOTS];
	free(e->body);
	free(e->key);
	e->body = body;
	e->len = resp->len;
	e->key = k;
	e->writes = writes;
	e->built_mono_us = built_mono_us;
	pthread_mutex_unlock(&c->lock);
}

void http_list_cache_free(struct http_list_cache *c)
{
	for (unsigned i = 0; i < INS_HTTP_LIST_CACHE_SLOTS; i++) {
		free(c->slot[i].body);
		free(c->slot[i].key);
	}
	pthread_mutex_destroy(&c->lock);
}
