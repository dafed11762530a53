/* The project's result codes and error reports, shared by every layer
 * (mosquitto's mosq_err_t is the model).  A function that can fail returns
 * INS_OK (0) or one of the negative codes below, and fills a struct
 * ins_error: a message for a person, and, when the failure is about one
 * input member (a JSON member, a query parameter, a session field), that
 * member's name beside it, so that a client (the HTTP layer, a test) never
 * has to find it in the text.  The HTTP layer maps each code to one status
 * (daemon/http/json.c). */
#ifndef INSOLED_RESULT_H
#define INSOLED_RESULT_H

#pragma GCC visibility push(default)

enum ins_rc {
	INS_OK = 0,
	INS_ENOTFOUND = -1, /* no such session, subject, foot's frames */
	INS_EINVAL = -2,    /* bad input: the error's field names the member at fault */
	INS_ECONFLICT = -3, /* not in this state: already recording, stopped, a measurement refused */
	INS_EBUSY = -4,     /* database busy or locked: try again */
	INS_EIO = -5,       /* disk full, corrupt file, other database or I/O error */
	INS_EFULL = -6,     /* bounded queue full: the item was dropped (and counted) */
	INS_EUNAVAIL = -7,  /* nothing to do it with right now: no device streaming, analysis not answering */
	INS_ENOSPACE = -8   /* not enough free disk space for this write (what would be left is kept for recording) */
};
/* A short name of the code ("not found"), for logs and empty messages. */
const char *ins_strerror(int rc);

/* Long enough for a path and SQLite's message; a JSON member name is
 * limited to 63 bytes wherever it is quoted. */
#define INS_ERROR_MSG_MAX 512
#define INS_ERROR_FIELD_MAX 64

struct ins_error {
	char msg[INS_ERROR_MSG_MAX];     /* what was wrong; names the field too ("code: required") */
	char field[INS_ERROR_FIELD_MAX]; /* the input member at fault, "" when the failure is not about one */
};

/* Set the message (printf format); the error is about no member. */
void ins_error_msg(struct ins_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the message and the member it is about (truncated to the field size). */
void ins_error_field(struct ins_error *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Name the member a message already in e->msg is about (one written by a
 * function that fills a plain char buffer, such as ins_body_weight_check_n). */
void ins_error_about(struct ins_error *e, const char *field);

#pragma GCC visibility pop

#endif
