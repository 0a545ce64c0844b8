/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the config store (agent/config.c), the X config writer
 * (agent/xorgconf.c), the kernel command-line drop-in (agent/kcmdline.c)
 * and atomic file replacement (agent/atomic.c). Prints one line per check
 * and "N passed, N failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/atomic.h"
#include "agent/config.h"
#include "agent/kcmdline.h"
#include "agent/xorgconf.h"
#include "tests/tap.h"

static int parse(const char *text, struct vmodes_config *c, struct vmodes_error *e)
{
        return vmodes_config_parse(text, "vmodes.conf", c, e);
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
                { "[general]\n\nauto-fit-refresh = 5\n", "vmodes.conf:3: auto-fit-refresh: '5' is not a rate" },
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
        r = vmodes_kcmdline_args(&c, &args);
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
        check(vmodes_config_save(path, &c) == 0, "save");
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
        test_xorg();
        test_kcmdline();
        test_atomic();
        return tap_finish();
}
