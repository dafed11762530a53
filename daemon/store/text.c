/* Validation of the text people type: labels and notes are stored exactly
 * as given, or refused with the field named. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "store_priv.h"

/* Length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not valid. */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (left < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int store_check_text(const char *field, const char *s, size_t max, char *err, size_t errlen)
{
	size_t n, i = 0;

	if (!s)
		return 0;
	n = strlen(s);
	if (n > max) {
		snprintf(err, errlen, "%s: too long (%zu bytes, at most %zu)", field, n, max);
		return INS_STORE_EINVAL;
	}
	while (i < n) {
		size_t l = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!l) {
			snprintf(err, errlen, "%s: not valid UTF-8 at byte %zu", field, i);
			return INS_STORE_EINVAL;
		}
		i += l;
	}
	return 0;
}

int store_json_text(const json_t *obj, const char *field, size_t max, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, field);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s: must be a string", field);
		return INS_STORE_EINVAL;
	}
	if (json_string_length(v) != strlen(json_string_value(v))) {
		snprintf(err, errlen, "%s: contains a NUL character", field);
		return INS_STORE_EINVAL;
	}
	*out = json_string_value(v);
	return store_check_text(field, *out, max, err, errlen);
}
