/* SPDX-License-Identifier: MIT */
/* The check()/finish() pair of the C test programs: "ok - ..." or
 * "not ok - ..." per check, then "N passed, N failed" and the exit status. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned tap_passed, tap_failed;

__attribute__((format(printf, 2, 3)))
static void check(bool ok, const char *fmt, ...)
{
        va_list ap;

        printf("%s - ", ok ? "ok" : "not ok");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        if (ok)
                tap_passed++;
        else
                tap_failed++;
}

static int tap_finish(void)
{
        printf("%u passed, %u failed\n", tap_passed, tap_failed);
        return tap_failed ? 1 : 0;
}
