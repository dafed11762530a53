/* Shared by the files of the synthetic insole: synth.c (the model) and
 * params.c (its parameters). */
#ifndef INSOLED_SYNTH_PRIV_H
#define INSOLED_SYNTH_PRIV_H

#include <stddef.h>

#include "insoled/synth.h"

/* 0 when every parameter is in range, else -1 with err naming the first
 * that is not. */
int synth_check_params(const struct ins_synth_params *p, char *err, size_t errlen);

#endif
