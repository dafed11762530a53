/* Result codes and error reports (result.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "insoled/result.h"

const char *ins_strerror(int rc)
{
	switch (rc) {
	case INS_OK: return "ok";
	case INS_ENOTFOUND: return "not found";
	case INS_EINVAL: return "invalid argument";
	case INS_ECONFLICT: return "conflict";
	case INS_EBUSY: return "database busy";
	case INS_EIO: return "database error";
	case INS_EFULL: return "queue full";
	case INS_EUNAVAIL: return "not available";
	case INS_ENOSPACE: return "not enough disk space";
	default: return "unknown error";
	}
}

void ins_error_msg(struct ins_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->field[0] = '\0';
}

void ins_error_field(struct ins_error *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->field, sizeof(e->field), "%s", field);
}

void ins_error_about(struct ins_error *e, const char *field)
{
	snprintf(e->field, sizeof(e->field), "%s", field);
}
