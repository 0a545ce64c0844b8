/* SPDX-License-Identifier: MIT */
/* The one check idiom of the C test programs: check() prints "ok - ..." or
 * "not ok - ..." for a named check; expect() counts the many checks of a
 * table-driven test and prints only a failing one, with its file and line;
 * tap_finish() prints "N passed, N failed" and gives the exit status. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned tap_passed, tap_failed;

__attribute__((format(printf, 2, 3)))
static inline void check(bool ok, const char *fmt, ...)
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

static inline int tap_finish(void)
{
        printf("%u passed, %u failed\n", tap_passed, tap_failed);
        return tap_failed ? 1 : 0;
}

__attribute__((format(printf, 4, 5)))
static inline void tap_expect(bool ok, const char *file, int line, const char *fmt, ...)
{
        va_list ap;

        if (ok) {
                tap_passed++;
                return;
        }
        tap_failed++;
        printf("not ok - %s:%d: ", file, line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
}

/* expect(cond, "what %d", x): counted; printed only when cond is false. */
#define expect(cond, ...) tap_expect((cond), __FILE__, __LINE__, __VA_ARGS__)
/* expect_true(cond): the same, the message is the condition's text. */
#define expect_true(cond) tap_expect((cond), __FILE__, __LINE__, "%s", #cond)
