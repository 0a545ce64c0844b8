/* SPDX-License-Identifier: MIT */
/* User mode specs: WIDTHxHEIGHT[METHOD][@RATE][i] (grammar in modes.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modes/modes.h"
#include "modes/util.h"

#define SPEC_SYNTAX "WIDTHxHEIGHT[M|R|R1|R2|R3|G|D][@RATE][i], e.g. 2560x1440@44"

static const struct {
        const char *letters;
        enum vmodes_method method;
} methods[] = {
        /* longest first */
        { "R1", VMODES_METHOD_CVT_RB1 }, { "R2", VMODES_METHOD_CVT_RB2 }, { "R3", VMODES_METHOD_CVT_RB3 },
        { "R", VMODES_METHOD_CVT_RB1 },  { "M", VMODES_METHOD_CVT },      { "G", VMODES_METHOD_GTF },
        { "D", VMODES_METHOD_DMT },
};

/* A quoted piece of a spec in a message: escaped, and short. */
#define QUOTE_SIZE 100
static const char *quote(char *buf, const char *text)
{
        return vmodes_excerpt(buf, QUOTE_SIZE, text, strlen(text));
}

static int parse_size(const char *text, const char **p, const char *what, long min, long max, long *out,
                      struct vmodes_error *err)
{
        const char *s = *p;
        char q[QUOTE_SIZE], qs[QUOTE_SIZE];
        uint64_t v;

        if (vmodes_parse_decimal(s, p, 6, 0, &v) < 0 || (**p == '.')) {
                size_t n = strcspn(s, "xX@");
                return vmodes_error_set(err, -EINVAL, "mode spec '%s': %s '%s' is not a whole number (%ld to %ld)",
                                        quote(q, text), what, vmodes_excerpt(qs, sizeof(qs), s, n ? n : strlen(s)),
                                        min, max);
        }
        if ((long)v < min || (long)v > max)
                return vmodes_error_set(err, -EINVAL, "mode spec '%s': %s %lu is out of range (%ld to %ld)",
                                        quote(q, text), what, (unsigned long)v, min, max);
        *out = (long)v;
        return 0;
}

/* Does a rate read up to s go on like a number in another notation
 * ("1e2", "0x3c", "60,5", "60.0.0")? Then it is not our number at all. */
static bool number_goes_on(const char *start, const char *s)
{
        if ((*s == 'e' || *s == 'E') && (s[1] == '+' || s[1] == '-' || (s[1] >= '0' && s[1] <= '9')))
                return true;
        if ((*s == 'x' || *s == 'X') && s - start == 1 && *start == '0')
                return true;
        return *s == '.' || *s == ',' || (*s >= '0' && *s <= '9');
}

/* The rate at s (up to 3 decimals, in range); *end points past it. */
static int rate_at(const char *s, const char **end, double *hz, struct vmodes_error *err)
{
        char q[QUOTE_SIZE];
        uint64_t milli;
        double v;

        if (vmodes_parse_decimal(s, end, 9, 3, &milli) < 0 || number_goes_on(s, *end))
                return vmodes_error_set(err, -EINVAL,
                                        "refresh rate '%s' is not a number of Hz with at most 3 decimals (%g to %g)",
                                        quote(q, s), VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        v = (double)milli / 1000.0;
        if (vmodes_check_refresh(NULL, v) < 0)
                return vmodes_error_set(err, -EINVAL, "refresh rate %.*s Hz is out of range (%g to %g Hz)",
                                        (int)(*end - s), s, VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        *hz = v;
        return 0;
}

int vmodes_rate_parse(const char *text, double *hz, struct vmodes_error *err)
{
        const char *end;
        char q[QUOTE_SIZE];
        double v;
        int r;

        if (!text)
                return vmodes_error_set(err, -EINVAL, "no refresh rate given");
        r = rate_at(text, &end, &v, err);
        if (r < 0)
                return r;
        if (*end)
                return vmodes_error_set(err, -EINVAL,
                                        "refresh rate '%s' is not a number of Hz with at most 3 decimals (%g to %g)",
                                        quote(q, text), VMODES_REFRESH_MIN, VMODES_REFRESH_MAX);
        *hz = v;
        return 0;
}

int vmodes_spec_parse(const char *text, struct vmodes_spec *out, struct vmodes_error *err)
{
        struct vmodes_spec spec = { .method = VMODES_METHOD_CVT };
        const char *p = text;
        char q[QUOTE_SIZE], qp[QUOTE_SIZE];
        long w, h;
        int r;

        if (!text || !*text)
                return vmodes_error_set(err, -EINVAL, "empty mode spec (expected %s)", SPEC_SYNTAX);
        if (strlen(text) > 64)
                return vmodes_error_set(err, -EINVAL, "mode spec of %zu characters is too long (at most 64; expected %s)",
                                        strlen(text), SPEC_SYNTAX);

        r = parse_size(text, &p, "width", VMODES_WIDTH_MIN, VMODES_WIDTH_MAX, &w, err);
        if (r < 0)
                return r;
        if (*p != 'x' && *p != 'X')
                return vmodes_error_set(err, -EINVAL, "mode spec '%s': expected 'x' after the width, not '%s' (%s)",
                                        quote(q, text), *p ? quote(qp, p) : "the end", SPEC_SYNTAX);
        p++;
        r = parse_size(text, &p, "height", VMODES_HEIGHT_MIN, VMODES_HEIGHT_MAX, &h, err);
        if (r < 0)
                return r;
        spec.width = (int)w;
        spec.height = (int)h;

        for (size_t i = 0; i < ELEMENTSOF(methods); i++) {
                size_t n = strlen(methods[i].letters);
                if (!strncasecmp(p, methods[i].letters, n)) {
                        spec.method = methods[i].method;
                        p += n;
                        break;
                }
        }

        if (*p == '@') {
                struct vmodes_error e;

                r = rate_at(++p, &p, &spec.refresh, &e);
                if (r < 0)
                        return vmodes_error_set(err, r, "mode spec '%s': %s", quote(q, text), e.msg);
        }
        if (*p == 'i' || *p == 'I') {
                spec.interlaced = true;
                p++;
        }
        if (*p)
                return vmodes_error_set(err, -EINVAL, "mode spec '%s': unexpected '%s' after '%.*s' (expected %s)",
                                        quote(q, text), quote(qp, p), (int)(p - text), text, SPEC_SYNTAX);
        if (spec.interlaced && spec.method != VMODES_METHOD_CVT && spec.method != VMODES_METHOD_CVT_RB1 &&
            spec.method != VMODES_METHOD_DMT)
                return vmodes_error_set(err, -EINVAL,
                                        "mode spec '%s': interlace exists for CVT (M), reduced blanking v1 (R) and DMT (D) only",
                                        quote(q, text));
        *out = spec;
        return 0;
}

int vmodes_spec_format(char *buf, size_t size, const struct vmodes_spec *spec)
{
        const char *letters = "";
        char rate[32] = "";
        int n;

        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (methods[i].method == spec->method && spec->method != VMODES_METHOD_CVT &&
                    strcmp(methods[i].letters, "R1")) {
                        letters = methods[i].letters;
                        break;
                }
        if (spec->refresh != 0.0) {
                rate[0] = '@';
                snprintf(rate + 1, sizeof(rate) - 1, "%.3f", spec->refresh);
                /* trim trailing zeros and the point */
                for (char *e = rate + strlen(rate) - 1; *e == '0' || *e == '.'; e--) {
                        bool point = *e == '.';
                        *e = 0;
                        if (point)
                                break;
                }
        }
        n = snprintf(buf, size, "%dx%d%s%s%s", spec->width, spec->height, letters, rate,
                     spec->interlaced ? "i" : "");
        return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int vmodes_spec_to_mode(const struct vmodes_spec *spec, struct vmodes_mode *out, struct vmodes_error *err)
{
        struct vmodes_cvt_params p;
        const struct vmodes_dmt *d;

        switch (spec->method) {
        case VMODES_METHOD_CVT:
        case VMODES_METHOD_CVT_RB1:
        case VMODES_METHOD_CVT_RB2:
        case VMODES_METHOD_CVT_RB3:
                vmodes_cvt_params_init(&p, spec->width, spec->height, spec->refresh);
                p.reduced = (int)(spec->method - VMODES_METHOD_CVT);
                p.interlaced = spec->interlaced;
                return vmodes_cvt_compute(&p, out, NULL, err);
        case VMODES_METHOD_GTF:
                return vmodes_gtf_compute(spec->width, spec->height, spec->refresh == 0.0 ? 60.0 : spec->refresh,
                                          VMODES_GTF_VESA, out, NULL, err);
        case VMODES_METHOD_DMT:
                d = vmodes_dmt_find(spec->width, spec->height, spec->refresh, false);
                if (!d || !!(d->mode.flags & VMODES_FLAG_INTERLACE) != spec->interlaced)
                        return vmodes_error_set(err, -ENOENT,
                                                "VESA DMT has no %s%dx%d mode at %g Hz (see 'vmodes dmt --list')",
                                                spec->interlaced ? "interlaced " : "", spec->width, spec->height,
                                                spec->refresh == 0.0 ? 60.0 : spec->refresh);
                *out = d->mode;
                vmodes_mode_name(out->name, sizeof(out->name), (unsigned)spec->width, (unsigned)spec->height, "D",
                                 spec->refresh == 0.0 ? 60.0 : spec->refresh, 0, spec->interlaced ? "i" : "");
                return 0;
        case VMODES_METHOD_CUSTOM:
                break;
        }
        return vmodes_error_set(err, -EINVAL, "a mode spec cannot describe a custom mode; give a modeline");
}
