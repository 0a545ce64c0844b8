/* SPDX-License-Identifier: MIT */
/* Pasted modelines, in xorg.conf or xrandr --newmode syntax. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "modes/modes.h"
#include "modes/util.h"

#define MODELINE_MAX 512
#define MODELINE_SYNTAX "[Modeline] [\"NAME\"] CLOCK-MHZ HDISP HSYNCSTART HSYNCEND HTOTAL VDISP VSYNCSTART VSYNCEND VTOTAL [FLAGS]"

static const char *const timing_names[8] = {
        "width", "hsync start", "hsync end", "htotal", "height", "vsync start", "vsync end", "vtotal",
};

static const struct {
        const char *text;
        uint32_t flag;
} flag_names[] = {
        { "+hsync", VMODES_FLAG_PHSYNC },       { "-hsync", VMODES_FLAG_NHSYNC },
        { "+vsync", VMODES_FLAG_PVSYNC },       { "-vsync", VMODES_FLAG_NVSYNC },
        { "interlace", VMODES_FLAG_INTERLACE }, { "doublescan", VMODES_FLAG_DBLSCAN },
};

/* Next whitespace-separated token; a token starting with '"' runs to the
 * closing quote. Returns its length, 0 at the end, -1 for an open quote. */
static int next_token(const char **p, const char **tok)
{
        const char *s = *p;
        int n;

        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
        *tok = s;
        if (!*s)
                return 0;
        if (*s == '"') {
                const char *q = strchr(s + 1, '"');
                if (!q)
                        return -1;
                s = q + 1;
        } else {
                while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
                        s++;
        }
        n = (int)(s - *tok);
        *p = s;
        return n;
}

/* A token of digits and points is a clock (maybe a bad one), never a name. */
static bool is_number(const char *tok, int len)
{
        for (int i = 0; i < len; i++)
                if (!((tok[i] >= '0' && tok[i] <= '9') || tok[i] == '.'))
                        return false;
        return len > 0;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A modeline that ends after its name. When that "name" is a mode spec with
 * blanks around it ("1024x768 "), the caller meant the spec: say what is
 * wrong with it rather than that a pixel clock is missing. */
static int clock_missing(const char *text, struct vmodes_error *err)
{
        const char *s = text, *e;
        char spec[VMODES_NAME_MAX], q[64], b[32];
        struct vmodes_spec unused;
        size_t n;

        while (is_space(*s))
                s++;
        for (e = s; *e && !is_space(*e); e++)
                ;
        n = (size_t)(e - s);
        if (n > 0 && n < sizeof(spec)) {
                memcpy(spec, s, n);
                spec[n] = 0;
                /* "1024x99999 ": the spec's own error says more */
                if (*s >= '0' && *s <= '9' && strpbrk(spec, "xX") && vmodes_spec_parse(spec, &unused, err) < 0)
                        return -EINVAL;
                if (vmodes_spec_parse(spec, &unused, NULL) == 0) {
                        bool after = *e != 0;
                        const char *blank = after ? e : text;
                        size_t bn = after ? strlen(e) : (size_t)(s - text);

                        return vmodes_error_set(err, -EINVAL,
                                                "mode spec '%s': unexpected '%s' %s the spec (remove it; a modeline "
                                                "needs a pixel clock and 8 timings)",
                                                vmodes_excerpt(q, sizeof(q), text, strlen(text)),
                                                vmodes_excerpt(b, sizeof(b), blank, bn), after ? "after" : "before");
                }
        }
        return vmodes_error_set(err, -EINVAL, "modeline: the pixel clock is missing (expected %s)", MODELINE_SYNTAX);
}

/* The flags after the timings, up to the end of the line. */
static int parse_flags(const char **p, uint32_t *flags, struct vmodes_error *err)
{
        const char *tok;
        char q[64];
        int len;

        while ((len = next_token(p, &tok)) > 0) {
                size_t i;

                for (i = 0; i < ELEMENTSOF(flag_names); i++)
                        if ((size_t)len == strlen(flag_names[i].text) &&
                            !strncasecmp(tok, flag_names[i].text, (size_t)len))
                                break;
                if (i == ELEMENTSOF(flag_names))
                        return vmodes_error_set(err, -EINVAL,
                                                "modeline: unknown flag '%s' (accepted: +hsync -hsync +vsync -vsync interlace doublescan)",
                                                vmodes_excerpt(q, sizeof(q), tok, (size_t)len));
                *flags |= flag_names[i].flag;
        }
        if (len < 0)
                return vmodes_error_set(err, -EINVAL, "modeline: a quote is not closed");

        return 0;
}

int vmodes_modeline_parse(const char *text, struct vmodes_mode *out, struct vmodes_error *err)
{
        struct vmodes_mode m = { .method = VMODES_METHOD_CUSTOM };
        uint16_t *fields[8] = { &m.hdisplay, &m.hsync_start, &m.hsync_end, &m.htotal,
                                &m.vdisplay, &m.vsync_start, &m.vsync_end, &m.vtotal };
        const char *p = text, *tok, *end;
        char q[64];
        bool have_name = false;
        uint64_t v;
        int len, r;

        if (!text)
                return vmodes_error_set(err, -EINVAL, "empty modeline (expected %s)", MODELINE_SYNTAX);
        if (strlen(text) > MODELINE_MAX)
                return vmodes_error_set(err, -EINVAL, "modeline of %zu characters is too long (at most %d)",
                                        strlen(text), MODELINE_MAX);

        len = next_token(&p, &tok);
        if (len > 0 && len == 8 && !strncasecmp(tok, "modeline", 8))
                len = next_token(&p, &tok);
        if (len < 0)
                return vmodes_error_set(err, -EINVAL, "modeline: the mode name has no closing quote");
        if (len == 0)
                return vmodes_error_set(err, -EINVAL, "empty modeline (expected %s)", MODELINE_SYNTAX);
        if (!is_number(tok, len)) {
                const char *name = tok;
                int n = len;

                if (*tok == '"') {
                        name++;
                        n -= 2;
                }
                if (n <= 0 || n >= VMODES_NAME_MAX)
                        return vmodes_error_set(err, -EINVAL, "modeline: mode name must have 1 to %d characters",
                                                VMODES_NAME_MAX - 1);
                memcpy(m.name, name, (size_t)n);
                m.name[n] = 0;
                have_name = true;
                len = next_token(&p, &tok);
        }

        if (len <= 0)
                return clock_missing(text, err);
        if (vmodes_parse_decimal(tok, &end, 4, 6, &v) < 0 || end != tok + len)
                return vmodes_error_set(err, -EINVAL,
                                        "modeline: pixel clock '%s' is not a number of MHz (0.001 to 4294.967, at most 6 decimals)",
                                        vmodes_excerpt(q, sizeof(q), tok, (size_t)len));
        m.clock_hz = v;

        for (int i = 0; i < 8; i++) {
                len = next_token(&p, &tok);
                if (len <= 0)
                        return vmodes_error_set(err, -EINVAL, "modeline: %s is missing (expected %s)", timing_names[i],
                                                MODELINE_SYNTAX);
                if (vmodes_parse_decimal(tok, &end, 5, 0, &v) < 0 || end != tok + len || v > VMODES_TIMING_MAX)
                        return vmodes_error_set(err, -EINVAL,
                                                "modeline: %s '%s' is not a whole number from 0 to %d", timing_names[i],
                                                vmodes_excerpt(q, sizeof(q), tok, (size_t)len), VMODES_TIMING_MAX);
                *fields[i] = (uint16_t)v;
        }

        r = parse_flags(&p, &m.flags, err);
        if (r < 0)
                return r;

        if (!have_name)
                vmodes_mode_name(m.name, sizeof(m.name), m.hdisplay, m.vdisplay, "", vmodes_mode_refresh(&m), 2, "");
        r = vmodes_mode_validate(&m, err);
        if (r < 0)
                return r;
        *out = m;
        return 0;
}
