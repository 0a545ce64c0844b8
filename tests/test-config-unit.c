/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the config store (agent/core/config.c), the X config writer
 * (agent/core/xorgconf.c), the kernel command-line drop-in (agent/core/kcmdline.c)
 * and atomic file replacement (agent/core/atomic.c). Prints one line per check
 * and "N passed, N failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/core/atomic.h"
#include "agent/core/state.h"
#include "agent/core/kcmdline.h"
#include "agent/core/xorgconf.h"
#include "tests/lib/tap.h"

static int parse(const char *text, struct vmodes_config *c, struct vmodes_error *e)
{
        return vmodes_config_parse(text, "vmodes.conf", c, e);
}

/* What vmodesd does with a config (through its transaction): format it and
 * replace the file atomically, keeping the previous one as .old. */
static int save(const char *path, const struct vmodes_config *c)
{
        char *text = NULL;
        int r;

        r = vmodes_config_format(c, &text);
        if (r < 0)
                return r;
        r = vmodes_atomic_write(path, text, strlen(text), 0644, true);
        free(text);
        return r;
}

/* The DESIGN.md verified form, plus Enable on the first head. */
static const char design_two_heads[] =
        "Section \"Monitor\"\n"
        "    Identifier \"Virtual-1\"\n"
        "    Modeline \"2560x1440_44.00\"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync\n"
        "    Option \"PreferredMode\" \"2560x1440_44.00\"\n"
        "    Option \"Enable\" \"true\"\n"
        "EndSection\n"
        "Section \"Monitor\"\n"
        "    Identifier \"Virtual-2\"\n"
        "    Modeline \"1920x1080_60.00\"  173.00  1920 2048 2248 2576  1080 1083 1088 1120 -hsync +vsync\n"
        "    Option \"PreferredMode\" \"1920x1080_60.00\"\n"
        "    Option \"Enable\" \"true\"\n"
        "    Option \"RightOf\" \"Virtual-1\"\n"
        "EndSection\n";

static const char *body(const char *text)
{
        /* skip the generated header comment */
        const char *p = strstr(text, "Section ");
        return p ? p : text;
}

static void test_parse_good(void)
{
        static const char text[] =
                "# comment\n"
                "; another\n"
                "[general]\n"
                "auto-fit = yes\n"
                "auto-fit-refresh = 44\n"
                "auto-fit-blanking = rb2\n"
                "kernel-cmdline = off\n"
                "\n"
                "[head Virtual-1]\n"
                "mode = 2560x1440@44\n"
                "mode = 1920x1080R2@59.94\n"
                "modeline = \"my_mode\"  222.75  2560 2720 2992 3424  1440 1443 1448 1479 -hsync +vsync\n"
                "primary = true\n"
                "pinned = true\n"
                "[head Virtual-2]\n"
                "mode = 1024x768D@75\n"
                "position = right-of Virtual-1\n"
                "[head Virtual-3]\n"
                "enabled = false\n"
                "[head Virtual-4]\n"
                "mode = 800x600\n"
                "position = 100,200\n";
        struct vmodes_config c, c2;
        struct vmodes_error e = { "" };
        char *out = NULL;
        int r;

        r = parse(text, &c, &e);
        check(r == 0, "good config parses (%s)", e.msg);
        if (r < 0)
                return;
        check(c.auto_fit && c.auto_fit_refresh == 44.0 && c.auto_fit_reduced == 2 && !c.kernel_cmdline,
              "general keys");
        check(c.n_heads == 4, "4 heads (%u)", c.n_heads);
        check(!strcmp(c.heads[0].head, "Virtual-1") && c.heads[0].n_modes == 3 && c.heads[0].primary &&
                      c.heads[0].pinned && c.heads[0].enabled,
              "head 1 fields");
        check(!strcmp(c.heads[0].modes[0].mode.name, "2560x1440_44.00") && c.heads[0].modes[0].mode.htotal == 3424,
              "spec resolved from the timing library (%s)", c.heads[0].modes[0].mode.name);
        check(c.heads[0].modes[2].custom && !strcmp(c.heads[0].modes[2].mode.name, "my_mode"), "modeline kept");
        check(c.heads[1].relation == VMODES_REL_RIGHT_OF && !strcmp(c.heads[1].relative_to, "Virtual-1"),
              "right-of");
        check(!c.heads[2].enabled && c.heads[2].n_modes == 0, "disabled head without modes");
        check(c.heads[3].relation == VMODES_REL_POS && c.heads[3].x == 100 && c.heads[3].y == 200, "position X,Y");

        r = vmodes_config_format(&c, &out);
        check(r == 0, "format");
        if (r < 0)
                return;
        r = parse(out, &c2, &e);
        check(r == 0 && vmodes_config_equal(&c, &c2), "format parses back to an equal config (%s)", r ? e.msg : "");
        c2.heads[1].pinned = true;
        check(!vmodes_config_equal(&c, &c2), "a changed config is not equal");
        free(out);
}

static void test_parse_errors(void)
{
        static const struct {
                const char *text;
                const char *error; /* expected message start, "vmodes.conf:LINE: ..." */
        } cases[] = {
                { "[general]\nauto-fit = maybe\n", "vmodes.conf:2: auto-fit: 'maybe' is not a boolean" },
                { "[general]\nauto-fit = true\nauto-fit = false\n", "vmodes.conf:3: auto-fit is set twice" },
                { "[general]\nfoo = 1\n", "vmodes.conf:2: unknown key 'foo' in [general]" },
                { "[gnrl]\nauto-fit = 1\n", "vmodes.conf:2: unknown section [gnrl]" },
                { "auto-fit = 1\n", "vmodes.conf:1: 'auto-fit' is outside of a section" },
                { "[general]\n\nauto-fit-refresh = 5\n", "vmodes.conf:3: auto-fit-refresh: refresh rate 5 Hz is out of range (10 to 1000 Hz), or 0 for 60 Hz" },
                { "[general]\nauto-fit-refresh = nan\n", "vmodes.conf:2: auto-fit-refresh" },
                { "[general]\nauto-fit-blanking = rb9\n", "vmodes.conf:2: auto-fit-blanking: 'rb9'" },
                { "[head Virtual-1]\nmode = 2560x1440@4400\n", "vmodes.conf:2: mode: mode spec '2560x1440@4400'" },
                { "[head Virtual-1]\nmode = 99999x1440\n", "vmodes.conf:2: mode: mode spec" },
                { "[head Virtual-1]\nmode = 1x1\n", "vmodes.conf:2: mode: mode spec" },
                { "[head Virtual-1]\nmodeline = \"x\" 1 2 3\n", "vmodes.conf:2: modeline: " },
                { "[head Virtual-1]\nmode = 800x600\nmode = 800x600\n", "vmodes.conf:3: head Virtual-1: mode 800x600_60.00 is listed twice" },
                { "[head Virtual-1]\nmode = 800x600\nprimary = sure\n", "vmodes.conf:3: primary: 'sure'" },
                { "[head Virtual-1]\nmode = 800x600\nposition = right-of Virtual-1\n", "vmodes.conf:3: position: a head cannot be right-of itself" },
                { "[head Virtual-1]\nmode = 800x600\nposition = next-to Virtual-2\n", "vmodes.conf:3: position: 'next-to Virtual-2'" },
                { "[head Virtual-1]\nmode = 800x600\nposition = 99999,0\n", "vmodes.conf:3: position: '99999,0'" },
                { "[head Virtual-1]\nmode = 800x600\nposition = -1,0\n", "vmodes.conf:3: position: '-1,0'" },
                { "[head Virtual-1]\nmode = 800x600\ncolour = red\n", "vmodes.conf:3: unknown key 'colour' in [head Virtual-1]" },
                { "[head Vir\"tual]\nmode = 800x600\n", "vmodes.conf:2: section [head Vir\"tual]: head name has a character" },
                { "[head Virtual:1]\nmode = 800x600\n", "vmodes.conf:2: section [head Virtual:1]: head name has a character "
                  "other than letters, digits, '-', '_' and '.' (byte 8, 0x3a)" },
                { "[head -Virtual-1]\nmode = 800x600\n", "vmodes.conf:2: section [head -Virtual-1]: head name starts with "
                  "'-': the first character must be a letter or a digit" },
                { "[head Virtual-1]\n  mode = 800x600\n", "vmodes.conf:2: indented line" },
                { "[head Virtual-1\nmode = 800x600\n", "vmodes.conf:1: section header without ']'" },
                { "[head Virtual-1]\nmode 800x600\n", "vmodes.conf:2: syntax error" },
                { "[head Virtual-1]\nenabled = true\n", "vmodes.conf: head Virtual-1: no mode" },
                { "[head Virtual-1]\nmode = 800x600\nprimary = true\n[head Virtual-2]\nmode = 800x600\nprimary = true\n",
                  "vmodes.conf: heads Virtual-1 and Virtual-2 are both primary" },
                { "[head Virtual-1]\nmode = 800x600\nenabled = false\nprimary = true\n",
                  "vmodes.conf: head Virtual-1: a disabled head cannot be primary" },
                { "[head Virtual-1]\nmode = 1x1\nmode = 2x2\n", "vmodes.conf:2:" },
                { "[head Virtual-1]\nmode = 800x600\nmode = 801x600\nmode = 802x600\nmode = 803x600\nmode = 804x600\n"
                  "mode = 805x600\nmode = 806x600\nmode = 807x600\nmode = 808x600\n",
                  "vmodes.conf:10: head Virtual-1: too many modes (at most 8)" },
        };
        char longline[400];
        struct vmodes_config c;
        struct vmodes_error e;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int r;

                memset(&e, 0, sizeof(e));
                memset(&c, 0x5a, sizeof(c));
                r = parse(cases[i].text, &c, &e);
                check(r < 0 && !strncmp(e.msg, cases[i].error, strlen(cases[i].error)) &&
                              ((unsigned char *)&c)[0] == 0x5a,
                      "bad config %zu rejected: got '%s', expected '%s...'", i + 1, e.msg, cases[i].error);
        }
        snprintf(longline, sizeof(longline), "[head Virtual-1]\nmode = 800x600\n# %0300d\n", 0);
        check(parse(longline, &c, &e) < 0 && strstr(e.msg, "vmodes.conf:3: line of 302 bytes is too long"),
              "long line: %s", e.msg);
        {
                /* 17 heads */
                char big[4096] = "";
                size_t pos = 0;
                for (int i = 1; i <= 17; i++)
                        pos += (size_t)snprintf(big + pos, sizeof(big) - pos, "[head H%d]\nmode = 800x600\n", i);
                check(parse(big, &c, &e) < 0 && strstr(e.msg, "vmodes.conf:34: too many heads (at most 16)"),
                      "17 heads: %s", e.msg);
        }
}

/* A message is one line of valid UTF-8 without control characters. */
static bool clean_message(const char *msg)
{
        size_t n = strlen(msg);

        for (size_t i = 0; i < n; i++)
                if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
                        return false;
        return vmodes_utf8_valid_prefix(msg, n) == n;
}

/* The parser works on the bytes read: a NUL does not end the text, and
 * bytes that are not UTF-8 text are refused with line and offset. */
static void test_parse_bytes(void)
{
        static const char nul[] = "[head Virtual-1]\nmode = 1024x768\n\0[head Virtual-2]\nmode = 800x600\n";
        static const struct {
                const char *text;
                size_t len; /* 0: strlen */
                const char *error; /* NULL: accepted */
        } cases[] = {
                { nul, sizeof(nul) - 1, "vmodes.conf:3: NUL byte at offset 33" },
                { "\0\0\0\0\0\0\0\0", 8, "vmodes.conf:1: NUL byte at offset 0" },
                { "[general]\nauto-fit = true\n\0", 27, "vmodes.conf:3: NUL byte at offset 26" },
                { "[head Virtual-1]\nmode = 1024x768\xff\n", 0,
                  "vmodes.conf:2: byte 0xff at offset 32 is not valid UTF-8" },
                { "# caf\xc3\n[general]\n", 0, "vmodes.conf:1: byte 0xc3 at offset 5 is not valid UTF-8" },
                { "# \xed\xa0\x80 surrogate\n", 0, "vmodes.conf:1: byte 0xed at offset 2 is not valid UTF-8" },
                { "[general]\nauto-fit = tr\x1bue\n", 0, "vmodes.conf:2: byte 0x1b at offset 23 is a control character" },
                { "[general]\x7f\n", 0, "vmodes.conf:1: byte 0x7f at offset 9 is a control character" },
                { "[general]\rauto-fit = true\r", 0,
                  "vmodes.conf:1: byte 0x0d at offset 9 is a carriage return that does not end a line" },
                { "[general] x\nauto-fit = true\n", 0, "vmodes.conf:1: text after ']' in a section header: 'x'" },
                { "[head Virtual-1]]\nmode = 800x600\n", 0, "vmodes.conf:1: text after ']' in a section header: ']'" },
                { "[general]\nauto-fit: true\n", 0, "vmodes.conf:2: 'auto-fit:' uses ':' as a separator (write KEY = VALUE)" },
                { "[general]\nauto-fit:x = true\n", 0, "vmodes.conf:2: 'auto-fit:' uses ':'" },
                { "[general]\nauto-fit = \xc3\xa9t\xc3\xa9\n", 0,
                  "vmodes.conf:2: auto-fit: '\\xc3\\xa9t\\xc3\\xa9' is not a boolean" },
                { "[g\xc3\xa9n\xc3\xa9ral]\nauto-fit = true\n", 0, "vmodes.conf:2: unknown section [g\\xc3\\xa9n" },
                /* accepted: CR LF, a byte order mark, UTF-8 comments, a comment after a section, ':' in a value */
                { "[general]\r\nauto-fit = true\r\n", 0, NULL },
                { "\xef\xbb\xbf[general]\nauto-fit = true\n", 0, NULL },
                { "# r\xc3\xa9glages \xe2\x82\xac \xf0\x9f\x96\xa5\n[general]\nauto-fit = true\n", 0, NULL },
                { "[general] ; the general keys\n[head Virtual-1] # one head\nmode = 800x600\n", 0, NULL },
                { "[head Virtual-1]\nmodeline = \"a:b\" 148.5 1920 2008 2052 2200 1080 1084 1089 1125\n", 0, NULL },
        };
        struct vmodes_config c;
        struct vmodes_error e;
        char dir[] = "/tmp/vmodes-config-bytes-XXXXXX", path[64];
        FILE *f;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
                int r;

                memset(&e, 0, sizeof(e));
                r = vmodes_config_parse_n(cases[i].text, len, "vmodes.conf", &c, &e);
                if (!cases[i].error)
                        check(r == 0, "bytes case %zu accepted (%s)", i + 1, e.msg);
                else
                        check(r < 0 && !strncmp(e.msg, cases[i].error, strlen(cases[i].error)) && clean_message(e.msg),
                              "bytes case %zu: got '%s', expected '%s...'", i + 1, e.msg, cases[i].error);
        }
        /* the reproduction, through the file reader */
        if (!mkdtemp(dir)) {
                check(false, "mkdtemp: %s", strerror(errno));
                return;
        }
        snprintf(path, sizeof(path), "%s/x.conf", dir);
        f = fopen(path, "w");
        check(f && fwrite(nul, 1, sizeof(nul) - 1, f) == sizeof(nul) - 1 && fclose(f) == 0, "write x.conf");
        check(vmodes_config_load(path, &c, &e) == -EINVAL && strstr(e.msg, "x.conf:3: NUL byte at offset 33"),
              "load: a NUL is an error, not the end of the file: %s", e.msg);
        f = fopen(path, "w");
        for (int i = 0; f && i < 4096; i++)
                fputc(0, f);
        check(f && fclose(f) == 0, "write a file of zeros");
        check(vmodes_config_load(path, &c, &e) == -EINVAL && strstr(e.msg, "x.conf:1: NUL byte at offset 0"),
              "load: a file of zeros is refused: %s", e.msg);
        unlink(path);
        rmdir(dir);
}

/* auto-fit-refresh reads rates as mode specs do (0 stays: 60 Hz). */
static void test_refresh_numbers(void)
{
        static const struct {
                const char *value;
                double hz; /* < 0: refused */
        } cases[] = {
                { "0", 0 },     { "44", 44 },    { "59.94", 59.94 }, { "44.555", 44.555 }, { "1000", 1000 },
                { "0x3c", -1 }, { "1e2", -1 },   { "44.5555", -1 },  { "+60", -1 },        { "60.", -1 },
                { "inf", -1 },  { "-0", -1 },    { "0.0", -1 },      { "9", -1 },          { "1001", -1 },
                { "60 Hz", -1 },
        };
        struct vmodes_config c;
        struct vmodes_error e;
        char text[128];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int r;

                snprintf(text, sizeof(text), "[general]\nauto-fit-refresh = %s\n", cases[i].value);
                memset(&e, 0, sizeof(e));
                r = parse(text, &c, &e);
                if (cases[i].hz >= 0)
                        check(r == 0 && c.auto_fit_refresh == cases[i].hz, "auto-fit-refresh = %s: %g (%s)",
                              cases[i].value, r == 0 ? c.auto_fit_refresh : -1, e.msg);
                else
                        check(r < 0 && strstr(e.msg, "vmodes.conf:2: auto-fit-refresh: refresh rate") &&
                                      strstr(e.msg, "or 0 for 60 Hz"),
                              "auto-fit-refresh = %s refused: %s", cases[i].value, e.msg);
        }
        vmodes_config_init(&c);
        c.auto_fit_refresh = 44.5555;
        check(vmodes_config_validate(&c, &e) < 0 && strstr(e.msg, "more than 3 decimals"),
              "validate: a rate the file cannot hold: %s", e.msg);
}

/* The whole layout is checked where the parser, the daemon's commit and
 * `vmodes config check` meet: vmodes_config_validate(). */
static void test_layout(void)
{
        static const struct {
                const char *text;
                const char *error; /* NULL: accepted */
        } cases[] = {
                { "[head Virtual-1]\nmode = 1024x768\nposition = right-of Virtual-2\n"
                  "[head Virtual-2]\nmode = 800x600\nposition = right-of Virtual-1\n",
                  "vmodes.conf: the head relations form a cycle (Virtual-1 is right-of Virtual-2, Virtual-2 is "
                  "right-of Virtual-1): give one of them a fixed position" },
                { "[head A]\nmode = 800x600\nposition = 0,0\n"
                  "[head B]\nmode = 800x600\nposition = right-of D\n[head C]\nmode = 800x600\nposition = below B\n"
                  "[head D]\nmode = 800x600\nposition = left-of C\n",
                  "vmodes.conf: the head relations form a cycle (B is right-of D, D is left-of C, C is below B)" },
                { "[head A]\nmode = 800x600\nposition = same-as B\n[head B]\nmode = 800x600\n",
                  "vmodes.conf: the head relations form a cycle (A is same-as B, B is auto (right of the head before "
                  "it, A))" },
                { "[head A]\nmode = 800x600\n[head B]\nenabled = false\n[head C]\nmode = 800x600\n"
                  "position = below B\n",
                  "vmodes.conf: head C is placed below B, which is off (enabled = false): turn B on, or place C "
                  "elsewhere" },
                { "[head A]\nmode = 1024x768\nposition = 0,0\n[head B]\nmode = 800x600\nposition = left-of A\n",
                  "vmodes.conf: head B would sit left of or above 0,0 (at -800,0) while head A has the fixed "
                  "position 0,0: move A (position = X,Y) or place B elsewhere" },
                { "[head A]\nmode = 1024x768\nposition = 900,100\n[head B]\nmode = 800x600\nposition = left-of A\n"
                  "[head C]\nmode = 640x480\nposition = above B\n",
                  "vmodes.conf: head C would sit left of or above 0,0 (at 100,-380) while head A has the fixed "
                  "position 900,100" },
                { "[head A]\nmode = 1024x768\nposition = 32000,0\n",
                  "vmodes.conf: head A would reach 33024,768, beyond 32767,32767, the largest X screen" },
                /* accepted */
                { "[head A]\nmode = 1024x768\nposition = 800,0\n[head B]\nmode = 800x600\nposition = left-of A\n"
                  "[head C]\nmode = 800x600\nposition = below B\n", NULL },
                /* the first auto head keeps its live position, so left of it may fit */
                { "[head A]\nmode = 1024x768\n[head B]\nmode = 800x600\nposition = left-of A\n", NULL },
                /* heads not in the config are placed from the live outputs */
                { "[head A]\nmode = 1024x768\nposition = right-of Virtual-9\n[head B]\nmode = 800x600\n"
                  "position = left-of A\n", NULL },
                /* a head that is off may point anywhere; so may one relative to it that is off too */
                { "[head A]\nmode = 800x600\n[head B]\nenabled = false\nposition = right-of C\n"
                  "[head C]\nenabled = false\nposition = right-of B\n", NULL },
                { "[head A]\nmode = 800x600\nposition = right-of B\n[head B]\nmode = 800x600\nposition = 0,0\n",
                  NULL },
        };
        struct vmodes_config c;
        struct vmodes_error e;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                int r;

                memset(&e, 0, sizeof(e));
                r = parse(cases[i].text, &c, &e);
                if (!cases[i].error)
                        check(r == 0, "layout case %zu accepted (%s)", i + 1, e.msg);
                else
                        check(r < 0 && !strncmp(e.msg, cases[i].error, strlen(cases[i].error)),
                              "layout case %zu: got '%s', expected '%s...'", i + 1, e.msg, cases[i].error);
        }
        /* the same check on a config built in memory (what a D-Bus method commits) */
        check(parse(cases[7].text, &c, &e) == 0, "three heads parse");
        c.heads[0].relation = VMODES_REL_BELOW;
        snprintf(c.heads[0].relative_to, sizeof(c.heads[0].relative_to), "C");
        check(vmodes_config_validate(&c, &e) < 0 && strstr(e.msg, "cycle (A is below C, C is below B, B is left-of A)"),
              "validate: a cycle made in memory: %s", e.msg);
        check(parse(cases[7].text, &c, &e) == 0, "three heads parse");
        c.heads[0].enabled = false;
        check(vmodes_config_validate(&c, &e) < 0 && strstr(e.msg, "head B is placed left-of A, which is off"),
              "validate: turning off a head others hang on: %s", e.msg);
}

static void test_xorg(void)
{
        static const char text[] = "[head Virtual-1]\nmode = 2560x1440@44\n"
                                   "[head Virtual-2]\nmode = 1920x1080\nposition = auto\n";
        struct vmodes_config c;
        struct vmodes_error e;
        char *out = NULL;
        int r;

        r = parse(text, &c, &e);
        check(r == 0, "two-head config parses");
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_KMS, "/etc/vmodes/vmodes.conf", &out);
        check(r == 0 && !strcmp(body(out), design_two_heads), "X config is DESIGN.md's verified form:\n%s",
              out ? out : "");
        check(out && !strncmp(out, "# Generated by vmodesd from /etc/vmodes/vmodes.conf", 51), "header");
        free(out);
        out = NULL;
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_UMS, "/etc/vmodes/vmodes.conf", &out);
        check(r == 0 && strstr(out, "Identifier \"qxl-0\"") && strstr(out, "Identifier \"qxl-1\"") &&
                      strstr(out, "\"RightOf\" \"qxl-0\""),
              "UMS names qxl-0, qxl-1");
        free(out);
        out = NULL;
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_LEGACY, "/etc/vmodes/vmodes.conf", &out);
        check(r == 0 && strstr(out, "Identifier \"Virtual-0\"") && strstr(out, "\"RightOf\" \"Virtual-0\""),
              "legacy names Virtual-0, Virtual-1");
        free(out);
        out = NULL;

        /* primary, positions, relations, disabled heads */
        r = parse("[head Virtual-1]\nmode = 1024x768\nposition = 0,0\n"
                  "[head Virtual-2]\nmode = 1024x768\nposition = below Virtual-1\nprimary = true\n"
                  "[head Virtual-3]\nmode = 1024x768\nposition = same-as Virtual-1\n"
                  "[head Virtual-4]\nenabled = false\n",
                  &c, &e);
        check(r == 0, "layout config parses (%s)", r ? e.msg : "");
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_KMS, "x", &out);
        check(r == 0 && strstr(out, "    Option \"Position\" \"0 0\"\n") &&
                      strstr(out, "    Option \"Below\" \"Virtual-1\"\n    Option \"Primary\" \"true\"\n") &&
                      strstr(out, "Identifier \"Virtual-4\"\n    Option \"Enable\" \"false\"\nEndSection\n"),
              "positions, Below, Primary, Enable false:\n%s", out ? out : "");
        check(out && strstr(out, "Identifier \"Virtual-3\"") &&
                      strstr(strstr(out, "Identifier \"Virtual-3\""), "Option \"Position\" \"0 0\""),
              "same-as a fixed head uses its position");
        free(out);
        out = NULL;

        /* a connector the X drivers spell differently: the Identifier is the X name */
        r = parse("[head HDMI-A-1]\nmode = 1024x768\n[head DP-1]\nmode = 1024x768\nposition = right-of HDMI-A-1\n",
                  &c, &e);
        check(r == 0, "HDMI-A-1 config parses (%s)", r ? e.msg : "");
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_KMS, "x", &out);
        check(r == 0 && strstr(out, "Identifier \"HDMI-1\"") && strstr(out, "\"RightOf\" \"HDMI-1\"") &&
                      !strstr(out, "HDMI-A"),
              "kernel connector HDMI-A-1 is X output HDMI-1:\n%s", out ? out : "");
        free(out);
        out = NULL;
        r = vmodes_xorgconf_format(&c, VMODES_HEADS_UMS, "x", &out);
        check(r == 0 && strstr(out, "Identifier \"HDMI-A-1\"") && strstr(out, "Identifier \"DP-1\""),
              "a name without a UMS form stays as it is");
        free(out);
        out = NULL;

        /* an invalid config is never written */
        c.heads[0].head[0] = '"';
        check(vmodes_xorgconf_format(&c, VMODES_HEADS_KMS, "x", &out) < 0 && !out, "invalid head name refused");
}

static void test_kcmdline(void)
{
        struct vmodes_config c;
        struct vmodes_error e;
        char *args = NULL;
        int r;

        r = parse("[general]\nkernel-cmdline = true\n[head Virtual-1]\nmode = 2560x1440@44\n"
                  "[head Virtual-2]\nmode = 1920x1080R@59.9\n[head Virtual-3]\nenabled = false\n",
                  &c, &e);
        check(r == 0, "kernel-cmdline config parses");
        r = vmodes_kcmdline_args(&c, NULL, &args);
        check(r == 0 && !strcmp(args, "video=Virtual-1:2560x1440M@44 video=Virtual-2:1920x1080MR@60 video=Virtual-3:d"),
              "video= arguments: %s", args ? args : "");
        free(args);
}

static void test_atomic(void)
{
        char dir[] = "/tmp/vmodes-config-unit-XXXXXX", path[256], old[256], *text = NULL;
        struct vmodes_config c, c2;
        struct vmodes_error e;
        struct stat st;

        if (!mkdtemp(dir)) {
                check(false, "mkdtemp: %s", strerror(errno));
                return;
        }
        snprintf(path, sizeof(path), "%s/vmodes.conf", dir);
        snprintf(old, sizeof(old), "%s/vmodes.conf.old", dir);
        check(vmodes_atomic_write(path, "one\n", 4, 0644, true) == 0, "first write");
        check(stat(old, &st) < 0 && errno == ENOENT, "no .old after the first write");
        check(vmodes_atomic_write(path, "two\n", 4, 0644, true) == 0, "second write");
        check(vmodes_atomic_read(path, 100, &text, NULL) == 0 && !strcmp(text, "two\n"), "new content");
        free(text);
        text = NULL;
        check(vmodes_atomic_read(old, 100, &text, NULL) == 0 && !strcmp(text, "one\n"), ".old has the previous one");
        free(text);
        text = NULL;
        check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644");
        check(vmodes_atomic_read(path, 2, &text, NULL) == -EFBIG, "read cap");
        check(vmodes_atomic_write("/nonexistent-dir/x", "a", 1, 0644, false) == -ENOENT, "missing folder");

        vmodes_config_init(&c);
        c.n_heads = 1;
        snprintf(c.heads[0].head, sizeof(c.heads[0].head), "Virtual-1");
        c.heads[0].enabled = true;
        c.heads[0].n_modes = 1;
        vmodes_spec_parse("2560x1440@44", &c.heads[0].modes[0].spec, &e);
        check(vmodes_config_resolve(&c, &e) == 0, "resolve");
        check(save(path, &c) == 0, "save");
        check(vmodes_config_load(path, &c2, &e) == 0 && vmodes_config_equal(&c, &c2), "load what was saved");
        check(vmodes_config_load(old, &c2, &e) < 0 && !strncmp(e.msg, old, strlen(old)),
              "the .old ('two') does not parse and says which file: %s", e.msg);
        unlink(path);
        unlink(old);
        rmdir(dir);
}

int main(void)
{
        test_parse_good();
        test_parse_errors();
        test_parse_bytes();
        test_refresh_numbers();
        test_layout();
        test_xorg();
        test_kcmdline();
        test_atomic();
        return tap_finish();
}
