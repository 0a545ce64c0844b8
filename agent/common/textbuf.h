/* SPDX-License-Identifier: MIT */
/*
 * A growing text buffer for the files vmodesd writes (the config, the X
 * config). Not open_memstream: umockdev's preloaded fclose bypasses its
 * bookkeeping under ASan, which aborted long-running daemon tests.
 */
#pragma once

#include <stddef.h>

struct vmodes_textbuf {
        char *s;      /* NUL-terminated once anything was written */
        size_t len, cap;
        int error;    /* the first error (negative errno); later writes do nothing */
};

void vmodes_textbuf_printf(struct vmodes_textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the text over (*out, malloc'd; "" when nothing was written) or
 * return the first error; the buffer is empty afterwards either way. */
int vmodes_textbuf_steal(struct vmodes_textbuf *b, char **out);
