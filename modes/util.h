/* SPDX-License-Identifier: MIT */
/* Helpers shared inside the modes library (not part of its API). */
#pragma once

#include <stdint.h>

#include "modes/modes.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* "<what> <value> is out of range (<min> to <max><unit>)" unless min <= v <= max. */
int vmodes_check_int(struct vmodes_error *err, const char *what, long value, long min, long max,
                     const char *unit);
/* A refresh rate within VMODES_REFRESH_MIN..MAX (NaN and infinities refused). */
int vmodes_check_refresh(struct vmodes_error *err, double refresh);
/* The pixel clock of WxH@R is outside what a mode can carry. */
int vmodes_error_clock(struct vmodes_error *err, int width, int height, double refresh, uint64_t clock_hz);
/* Parse an unsigned decimal "123" or "123.45" at s (at most max_int_digits
 * before and max_frac digits after the point) into value * 10^max_frac.
 * *end points past it. -EINVAL if there is no number there or too many digits. */
int vmodes_parse_decimal(const char *s, const char **end, unsigned max_int_digits, unsigned max_frac,
                         uint64_t *scaled);
/* "<W>x<H><method>[_<rate>]<suffix>" without printf: the rate with 2 decimals
 * (3 when needed, or exactly `decimals` when non-zero), omitted when refresh
 * is 0. -ENOSPC when it does not fit. */
int vmodes_mode_name(char *buf, size_t size, unsigned width, unsigned height, const char *method,
                     double refresh, int decimals, const char *suffix);
