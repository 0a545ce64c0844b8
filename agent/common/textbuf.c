/* SPDX-License-Identifier: MIT */
/* A growing text buffer (see textbuf.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/textbuf.h"

void vmodes_textbuf_printf(struct vmodes_textbuf *b, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (b->error)
                return;
        va_start(ap, fmt);
        n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->error = -EINVAL;
                return;
        }
        if (!b->s || b->len + (size_t)n >= b->cap) {
                size_t cap = b->cap ? b->cap : 1024;
                char *s;

                while (cap <= b->len + (size_t)n)
                        cap *= 2;
                s = realloc(b->s, cap);
                if (!s) {
                        b->error = -ENOMEM;
                        return;
                }
                b->s = s;
                b->cap = cap;
                va_start(ap, fmt);
                vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
                va_end(ap);
        }
        b->len += (size_t)n;
}

int vmodes_textbuf_steal(struct vmodes_textbuf *b, char **out)
{
        int r = b->error;

        if (r == 0 && !b->s)
                b->s = strdup("");
        if (r == 0 && !b->s)
                r = -ENOMEM;
        if (r < 0)
                free(b->s);
        else
                *out = b->s;
        memset(b, 0, sizeof(*b));
        return r;
}

void vmodes_text_append(char *buf, size_t size, const char *sep, const char *item)
{
        size_t used = size ? strnlen(buf, size - 1) : 0;
        int n;

        if (used + 1 >= size)
                return;
        n = snprintf(buf + used, size - used, "%s%s", used ? sep : "", item);
        if (n >= 0 && (size_t)n >= size - used && size > 4)
                memcpy(buf + size - 4, "...", 4); /* cut: say so */
}
