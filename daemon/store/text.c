/* Validation of the text people type: labels and notes are stored exactly
 * as given, or refused with the field named. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "insoled/utf8.h"
#include "store_priv.h"

int store_check_text(const char *field, const char *s, size_t max, struct ins_error *err)
{
	size_t n, i = 0;

	if (!s)
		return 0;
	n = strlen(s);
	if (n > max) {
		ins_error_field(err, field, "%s: too long (%zu bytes, at most %zu)", field, n, max);
		return INS_EINVAL;
	}
	while (i < n) {
		size_t l = ins_utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!l) {
			ins_error_field(err, field, "%s: not valid UTF-8 at byte %zu", field, i);
			return INS_EINVAL;
		}
		i += l;
	}
	return 0;
}

int store_json_text(const json_t *obj, const char *field, size_t max, const char **out, struct ins_error *err)
{
	json_t *v = json_object_get(obj, field);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		ins_error_field(err, field, "%s: must be a string", field);
		return INS_EINVAL;
	}
	if (json_string_length(v) != strlen(json_string_value(v))) {
		ins_error_field(err, field, "%s: contains a NUL character", field);
		return INS_EINVAL;
	}
	*out = json_string_value(v);
	return store_check_text(field, *out, max, err);
}
