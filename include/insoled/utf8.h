/* The one UTF-8 validator: text people type (labels, notes) and messages
 * that quote bytes from damaged files are judged by the same rule. */
#ifndef INSOLED_UTF8_H
#define INSOLED_UTF8_H

#pragma GCC visibility push(default)

#include <stddef.h>

/* Length (1 to 4) of the UTF-8 sequence at s, of which at most left bytes
 * may be read, or 0 when none starts there.  RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF. */
size_t ins_utf8_seq_len(const unsigned char *s, size_t left);

#pragma GCC visibility pop

#endif
