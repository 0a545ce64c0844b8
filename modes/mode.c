/* SPDX-License-Identifier: MIT */
/* Modes: derived values, validation, names and the three text forms. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "modes/modes.h"
#include "modes/util.h"

size_t vmodes_utf8_valid_prefix(const char *s, size_t len)
{
        const unsigned char *u = (const unsigned char *)s;
        size_t i = 0;

        while (i < len) {
                unsigned char c = u[i];
                unsigned char lo = 0x80, hi = 0xbf;
                size_t n;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        n = 1;
                else if (c >= 0xe0 && c <= 0xef) {
                        n = 2;
                        lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
                        hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3;
                        lo = c == 0xf0 ? 0x90 : 0x80;
                        hi = c == 0xf4 ? 0x8f : 0xbf; /* up to U+10FFFF */
                } else
                        return i;
                if (len - i <= n || u[i + 1] < lo || u[i + 1] > hi)
                        return i;
                for (size_t k = 2; k <= n; k++)
                        if (u[i + k] < 0x80 || u[i + k] > 0xbf)
                                return i;
                i += n + 1;
        }
        return len;
}

const char *vmodes_excerpt(char *buf, size_t size, const char *text, size_t len)
{
        static const char hex[] = "0123456789abcdef";
        size_t n = 0, total = 0;
        bool cut;

        for (size_t i = 0; i < len; i++)
                total += text[i] >= 0x20 && text[i] < 0x7f && text[i] != '\\' ? 1 : 4;
        cut = total + 1 > size;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)text[i];
                bool plain = c >= 0x20 && c < 0x7f && c != '\\';
                size_t need = plain ? 1 : 4;

                /* when cut, leave room for "..." */
                if (cut && n + need + 3 + 1 > size) {
                        memcpy(buf + n, "...", 3);
                        n += 3;
                        break;
                }
                if (plain)
                        buf[n++] = (char)c;
                else {
                        buf[n++] = '\\';
                        buf[n++] = 'x';
                        buf[n++] = hex[c >> 4];
                        buf[n++] = hex[c & 15];
                }
        }
        buf[n] = 0;
        return buf;
}

/* Make msg one line of valid UTF-8: control bytes, invalid sequences and a
 * sequence cut by truncation become '?'. */
static void sanitize(char *msg)
{
        size_t len = strlen(msg), i = 0;

        while (i < len) {
                size_t ok = vmodes_utf8_valid_prefix(msg + i, len - i);

                for (size_t k = i; k < i + ok; k++)
                        if ((unsigned char)msg[k] < 0x20 || msg[k] == 0x7f)
                                msg[k] = '?';
                i += ok;
                if (i < len)
                        msg[i++] = '?';
        }
}

int vmodes_error_set(struct vmodes_error *err, int r, const char *fmt, ...)
{
        va_list ap;

        if (err) {
                va_start(ap, fmt);
                vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
                va_end(ap);
                sanitize(err->msg);
        }
        return r;
}

int vmodes_check_int(struct vmodes_error *err, const char *what, long value, long min, long max,
                     const char *unit)
{
        if (value >= min && value <= max)
                return 0;
        return vmodes_error_set(err, -EINVAL, "%s %ld is out of range (%ld to %ld%s)", what, value, min,
                                max, unit ? unit : "");
}

int vmodes_check_refresh(struct vmodes_error *err, double refresh)
{
        if (isfinite(refresh) && refresh >= VMODES_REFRESH_MIN && refresh <= VMODES_REFRESH_MAX)
                return 0;
        return vmodes_error_set(err, -EINVAL, "refresh rate %g Hz is out of range (%g to %g Hz)", refresh,
                                VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
}

int vmodes_error_clock(struct vmodes_error *err, int width, int height, double refresh, uint64_t clock_hz)
{
        char clock[32];

        if (clock_hz < VMODES_CLOCK_HZ_MIN) {
                /* "0.00" would read like a rounding artefact of the message */
                if (clock_hz == 0)
                        snprintf(clock, sizeof(clock), "0");
                else
                        vmodes_format_clock(clock, sizeof(clock), clock_hz);
                return vmodes_error_set(err, -ERANGE,
                                        "%dx%d at %g Hz gives a pixel clock of %s MHz, below the 0.001 MHz a mode "
                                        "needs at least (0.001 to 4294.967 MHz); choose a larger size or rate",
                                        width, height, refresh, clock);
        }
        vmodes_format_clock(clock, sizeof(clock), clock_hz);
        return vmodes_error_set(err, -ERANGE,
                                "%dx%d at %g Hz needs a pixel clock of %s MHz, outside what a mode can carry "
                                "(0.001 to 4294.967 MHz)",
                                width, height, refresh, clock);
}

/* Decimal digits of v at p (no NUL), returns the end. */
static char *put_uint(char *p, uint64_t v)
{
        char tmp[20];
        int n = 0;

        do {
                tmp[n++] = (char)('0' + v % 10);
                v /= 10;
        } while (v);
        while (n)
                *p++ = tmp[--n];
        return p;
}

/* value with `decimals` decimals, rounded half to even like printf's "%.Nf"
 * (exact for single-precision values scaled by 100, and for the decimal
 * rates with at most three decimals that specs carry). */
static char *put_fixed(char *p, double value, int decimals)
{
        uint64_t scale = decimals == 3 ? 1000 : 100;
        uint64_t v = (uint64_t)nearbyint(value * (double)scale);

        p = put_uint(p, v / scale);
        *p++ = '.';
        if (decimals == 3)
                *p++ = (char)('0' + v / 100 % 10);
        *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        return p;
}

int vmodes_mode_name(char *buf, size_t size, unsigned width, unsigned height, const char *method,
                     double refresh, int decimals, const char *suffix)
{
        /* Longest: two 20-digit numbers, a method, a rate below 1e12 and a suffix. */
        char tmp[VMODES_NAME_MAX + 96], *p = size >= sizeof(tmp) ? buf : tmp;
        const char *start = p;
        size_t n;

        if (method && strlen(method) > 8)
                return -EINVAL;
        if (suffix && strlen(suffix) > 8)
                return -EINVAL;
        p = put_uint(p, width);
        *p++ = 'x';
        p = put_uint(p, height);
        for (; method && *method; method++)
                *p++ = *method;
        if (refresh > 0.0) {
                if (!(refresh < 1e12))
                        return -ERANGE;
                *p++ = '_';
                if (decimals == 0)
                        decimals = fabs(refresh * 100.0 - nearbyint(refresh * 100.0)) > 1e-6 ? 3 : 2;
                p = put_fixed(p, refresh, decimals);
        }
        for (; suffix && *suffix; suffix++)
                *p++ = *suffix;
        n = (size_t)(p - start);
        if (start == buf) {
                buf[n] = 0;
                return 0;
        }
        if (n >= size)
                return -ENOSPC;
        memcpy(buf, tmp, n);
        buf[n] = 0;
        return 0;
}

int vmodes_parse_decimal(const char *s, const char **end, unsigned max_int_digits, unsigned max_frac,
                         uint64_t *scaled)
{
        uint64_t v = 0;
        unsigned n = 0, f = 0;

        while (*s >= '0' && *s <= '9') {
                if (++n > max_int_digits)
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*s++ - '0');
        }
        if (n == 0)
                return -EINVAL;
        if (*s == '.') {
                s++;
                while (*s >= '0' && *s <= '9') {
                        if (++f > max_frac)
                                return -EINVAL;
                        v = v * 10 + (uint64_t)(*s++ - '0');
                }
                if (f == 0)
                        return -EINVAL;
        }
        for (; f < max_frac; f++)
                v *= 10;
        *scaled = v;
        *end = s;
        return 0;
}

double vmodes_mode_refresh(const struct vmodes_mode *m)
{
        double r;

        if (!m->htotal || !m->vtotal)
                return 0.0;
        r = (double)m->clock_hz / ((double)m->htotal * m->vtotal);
        if (m->flags & VMODES_FLAG_INTERLACE)
                r *= 2.0;
        if (m->flags & VMODES_FLAG_DBLSCAN)
                r /= 2.0;
        return r;
}

double vmodes_mode_hfreq_khz(const struct vmodes_mode *m)
{
        return m->htotal ? (double)m->clock_hz / m->htotal / 1000.0 : 0.0;
}

/* Characters allowed in mode names: letters, digits and _ . - + @ : */
static const bool name_chars[256] = {
        ['0' ... '9'] = true, ['a' ... 'z'] = true, ['A' ... 'Z'] = true,
        ['_'] = true, ['.'] = true, ['-'] = true, ['+'] = true, ['@'] = true, [':'] = true,
};

static bool name_char_ok(char c)
{
        return name_chars[(unsigned char)c];
}

int vmodes_mode_validate(const struct vmodes_mode *m, struct vmodes_error *err)
{
        size_t len = strnlen(m->name, sizeof(m->name));

        if (len == 0 || len >= sizeof(m->name))
                return vmodes_error_set(err, -EINVAL, "mode name must have 1 to %zu characters",
                                        sizeof(m->name) - 1);
        for (size_t i = 0; i < len; i++)
                if (!name_char_ok(m->name[i])) {
                        char q[80];

                        return vmodes_error_set(err, -EINVAL,
                                                "mode name '%s' has a character other than letters, digits and _ . - + @ :",
                                                vmodes_excerpt(q, sizeof(q), m->name, len));
                }
        return vmodes_mode_validate_timings(m, err);
}

int vmodes_mode_validate_timings(const struct vmodes_mode *m, struct vmodes_error *err)
{
        int r;

        r = vmodes_check_int(err, "width", m->hdisplay, 1, VMODES_WIDTH_MAX, NULL);
        if (r < 0)
                return r;
        r = vmodes_check_int(err, "height", m->vdisplay, 1, VMODES_HEIGHT_MAX, NULL);
        if (r < 0)
                return r;
        if (!(m->hdisplay <= m->hsync_start && m->hsync_start <= m->hsync_end && m->hsync_end <= m->htotal) ||
            m->htotal <= m->hdisplay)
                return vmodes_error_set(err, -EINVAL,
                                        "horizontal timings %u %u %u %u must satisfy width <= sync start <= sync end <= total, width < total",
                                        m->hdisplay, m->hsync_start, m->hsync_end, m->htotal);
        if (!(m->vdisplay <= m->vsync_start && m->vsync_start <= m->vsync_end && m->vsync_end <= m->vtotal) ||
            m->vtotal <= m->vdisplay)
                return vmodes_error_set(err, -EINVAL,
                                        "vertical timings %u %u %u %u must satisfy height <= sync start <= sync end <= total, height < total",
                                        m->vdisplay, m->vsync_start, m->vsync_end, m->vtotal);
        if (m->clock_hz < VMODES_CLOCK_HZ_MIN || m->clock_hz > VMODES_CLOCK_HZ_MAX) {
                char clock[32];

                vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
                return vmodes_error_set(err, -ERANGE, "pixel clock %s MHz is out of range (0.001 to 4294.967 MHz)",
                                        clock);
        }
        if ((m->flags & VMODES_FLAG_PHSYNC) && (m->flags & VMODES_FLAG_NHSYNC))
                return vmodes_error_set(err, -EINVAL, "a mode cannot have both +hsync and -hsync");
        if ((m->flags & VMODES_FLAG_PVSYNC) && (m->flags & VMODES_FLAG_NVSYNC))
                return vmodes_error_set(err, -EINVAL, "a mode cannot have both +vsync and -vsync");
        return 0;
}

bool vmodes_mode_equal_timings(const struct vmodes_mode *a, const struct vmodes_mode *b)
{
        return a->clock_hz == b->clock_hz && a->hdisplay == b->hdisplay && a->hsync_start == b->hsync_start &&
               a->hsync_end == b->hsync_end && a->htotal == b->htotal && a->vdisplay == b->vdisplay &&
               a->vsync_start == b->vsync_start && a->vsync_end == b->vsync_end && a->vtotal == b->vtotal &&
               a->flags == b->flags;
}

void vmodes_format_clock(char *buf, size_t size, uint64_t clock_hz)
{
        uint64_t mhz = clock_hz / 1000000, frac = clock_hz % 1000000;
        char digits[8];
        int n = 6;

        snprintf(digits, sizeof(digits), "%06" PRIu64, frac);
        while (n > 2 && digits[n - 1] == '0')
                n--;
        snprintf(buf, size, "%" PRIu64 ".%.*s", mhz, n, digits);
}

/* Append printf output at *pos, failing with -ENOSPC instead of truncating. */
static int appendf(char *buf, size_t size, size_t *pos, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int appendf(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*pos >= size)
                return -ENOSPC;
        va_start(ap, fmt);
        n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= size - *pos)
                return -ENOSPC;
        *pos += (size_t)n;
        return 0;
}

static int append_flags(char *buf, size_t size, size_t *pos, uint32_t flags)
{
        static const struct {
                uint32_t flag;
                const char *text;
        } names[] = {
                { VMODES_FLAG_INTERLACE, " interlace" }, { VMODES_FLAG_DBLSCAN, " doublescan" },
                { VMODES_FLAG_PHSYNC, " +hsync" },       { VMODES_FLAG_NHSYNC, " -hsync" },
                { VMODES_FLAG_PVSYNC, " +vsync" },       { VMODES_FLAG_NVSYNC, " -vsync" },
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (flags & names[i].flag) {
                        int r = appendf(buf, size, pos, "%s", names[i].text);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* "clock  h h h h  v v v v flags" with cvt's spacing. */
static int append_timings(char *buf, size_t size, size_t *pos, const struct vmodes_mode *m, const char *sep)
{
        char clock[32];
        int r;

        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        r = appendf(buf, size, pos, "%6s%s%u %u %u %u%s%u %u %u %u", clock, sep, m->hdisplay, m->hsync_start,
                    m->hsync_end, m->htotal, sep, m->vdisplay, m->vsync_start, m->vsync_end, m->vtotal);
        if (r < 0)
                return r;
        return append_flags(buf, size, pos, m->flags);
}

int vmodes_format_xorg(char *buf, size_t size, const struct vmodes_mode *m)
{
        size_t pos = 0;
        int r;

        r = appendf(buf, size, &pos, "Modeline \"%s\"  ", m->name);
        if (r < 0)
                return r;
        return append_timings(buf, size, &pos, m, "  ");
}

int vmodes_format_xrandr(char *buf, size_t size, const struct vmodes_mode *m)
{
        char clock[32];
        size_t pos = 0;
        int r;

        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        r = appendf(buf, size, &pos, "\"%s\" %s %u %u %u %u %u %u %u %u", m->name, clock, m->hdisplay,
                    m->hsync_start, m->hsync_end, m->htotal, m->vdisplay, m->vsync_start, m->vsync_end,
                    m->vtotal);
        if (r < 0)
                return r;
        return append_flags(buf, size, &pos, m->flags);
}

int vmodes_format_cvt(char *buf, size_t size, const struct vmodes_mode *m, const struct vmodes_cvt_info *info)
{
        double refresh = info ? info->refresh : vmodes_mode_refresh(m);
        double hfreq = info ? info->hfreq_khz : vmodes_mode_hfreq_khz(m);
        char clock[32];
        size_t pos = 0;
        int r;

        r = appendf(buf, size, &pos, "# %ux%u %.2f Hz ", m->hdisplay, m->vdisplay, refresh);
        if (r < 0)
                return r;
        switch (m->method) {
        case VMODES_METHOD_CVT:
        case VMODES_METHOD_CVT_RB1:
                if (info && info->is_standard) {
                        /* cvt(1) computes the megapixels in single precision. */
                        float mpix = (float)m->hdisplay * (float)m->vdisplay;

                        r = appendf(buf, size, &pos, "(CVT %.2fM%c%s) ", mpix / 1000000.0, info->aspect,
                                    m->method == VMODES_METHOD_CVT_RB1 ? "-R" : "");
                } else {
                        r = appendf(buf, size, &pos, "(CVT) ");
                }
                break;
        case VMODES_METHOD_CVT_RB2:
                r = appendf(buf, size, &pos, "(CVT RB v2) ");
                break;
        case VMODES_METHOD_CVT_RB3:
                r = appendf(buf, size, &pos, "(CVT RB v3) ");
                break;
        case VMODES_METHOD_GTF:
                r = appendf(buf, size, &pos, "(GTF) ");
                break;
        case VMODES_METHOD_DMT:
                r = appendf(buf, size, &pos, "(DMT) ");
                break;
        case VMODES_METHOD_CUSTOM:
                r = appendf(buf, size, &pos, "(custom) ");
                break;
        }
        if (r < 0)
                return r;
        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        r = appendf(buf, size, &pos, "hsync: %.2f kHz; pclk: %s MHz\n", hfreq, clock);
        if (r < 0)
                return r;
        r = vmodes_format_xorg(buf + pos, size - pos, m);
        if (r < 0)
                return r;
        pos += strlen(buf + pos);
        return appendf(buf, size, &pos, "\n");
}
