/* SPDX-License-Identifier: MIT */
/*
 * The one logger of vmodes' programs, and the text rule every string that
 * leaves a program follows (valid UTF-8 on one line). See log.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/log.h"
#include "modes/modes.h"

static const char *log_ident = "vmodes";
static enum vmodes_log_prefix log_prefix = VMODES_LOG_PREFIX_NEVER;

void vmodes_log_setup(const char *ident, enum vmodes_log_prefix prefix)
{
        log_ident = ident;
        log_prefix = prefix;
}

/* Bytes of the UTF-8 sequence a valid lead byte starts. */
static size_t utf8_seq_len(unsigned char c)
{
        return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* Append one character (k bytes) or, when it is not text, \xHH for its
 * first byte; false when dst is full. */
static bool put_char(char *dst, size_t size, size_t *o, const char *p, size_t k, bool text)
{
        if (text) {
                if (*o + k >= size)
                        return false;
                memcpy(dst + *o, p, k);
                *o += k;
                return true;
        }
        if (*o + 4 >= size)
                return false;
        snprintf(dst + *o, size - *o, "\\x%02x", (unsigned char)*p);
        *o += 4;
        return true;
}

void vmodes_text_clean(char *dst, size_t size, const char *src, bool multiline)
{
        const char *p = src;
        size_t n = strlen(src), o = 0;

        if (!size)
                return;
        while (n > 0) {
                /* the valid text from here (the modes library's one UTF-8
                 * rule), control characters escaped; then the byte where
                 * it ends, escaped */
                size_t valid = vmodes_utf8_valid_prefix(p, n), i = 0;

                while (i < valid) {
                        unsigned char c = (unsigned char)p[i];
                        size_t k = utf8_seq_len(c);
                        bool text = k > 1 || (c >= 0x20 && c != 0x7f) || (multiline && (c == '\n' || c == '\t'));

                        if (!put_char(dst, size, &o, p + i, text ? k : 1, text))
                                goto out;
                        i += text ? k : 1;
                }
                if (valid < n && !put_char(dst, size, &o, p + valid, 1, false))
                        break;
                p += valid < n ? valid + 1 : valid;
                n -= valid < n ? valid + 1 : valid;
        }
out:
        dst[o] = '\0';
}

void vmodes_text_vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
        char msg[1024];

        vsnprintf(msg, sizeof(msg), fmt, ap);
        vmodes_text_clean(dst, size, msg, false);
}

void vmodes_logv(int priority, const char *fmt, va_list ap)
{
        char clean[1024];
        bool prio = log_prefix == VMODES_LOG_PREFIX_ALWAYS ||
                    (log_prefix == VMODES_LOG_PREFIX_JOURNAL && getenv("JOURNAL_STREAM"));

        vmodes_text_vformat(clean, sizeof(clean), fmt, ap);
        if (prio)
                fprintf(stderr, "<%d>", priority);
        if (log_ident)
                fprintf(stderr, "%s: ", log_ident);
        fprintf(stderr, "%s\n", clean);
}

void vmodes_log(int priority, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vmodes_logv(priority, fmt, ap);
        va_end(ap);
}
