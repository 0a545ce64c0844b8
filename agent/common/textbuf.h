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

/* Append sep (when buf is not empty) and item to the NUL-terminated text in
 * buf, a fixed buffer of size bytes: what does not fit is cut off and the
 * text then ends in "...", a full buffer takes nothing more. For one-line
 * lists in messages ("a, b, c"). */
void vmodes_text_append(char *buf, size_t size, const char *sep, const char *item);
