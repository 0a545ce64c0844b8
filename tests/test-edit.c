/* SPDX-License-Identifier: MIT */
/*
 * The config-editing rules (agent/core/edit.c) without D-Bus: every rule
 * and every refusal, with its errno and message. Prints "N passed, N failed".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/core/edit.h"
#include "tests/lib/tap.h"

static struct vmodes_error err;

static struct vmodes_head_mode mode(const char *text)
{
        struct vmodes_head_mode hm;

        if (vmodes_edit_parse_mode(text, &hm, &err) < 0) {
                printf("not ok - test mode '%s' does not parse: %s\n", text, err.msg);
                exit(1);
        }
        return hm;
}

static const struct vmodes_head_config *head(struct vmodes_config *c, const char *name)
{
        return vmodes_config_find_head(c, name);
}

static bool msg_is(const char *want)
{
        if (!strcmp(err.msg, want))
                return true;
        printf("# message: '%s'\n#    want: '%s'\n", err.msg, want);
        return false;
}

static void test_parse_mode(void)
{
        struct vmodes_head_mode hm;
        char text[256];
        int r;

        r = vmodes_edit_parse_mode("2560x1440@44", &hm, &err);
        check(r == 0 && !hm.custom && !strcmp(hm.mode.name, "2560x1440_44.00") && hm.mode.hdisplay == 2560,
              "parse_mode: a spec is computed by the timing library");
        r = vmodes_edit_parse_mode("\"m1\" 222.75 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync", &hm, &err);
        check(r == 0 && hm.custom && hm.mode.method == VMODES_METHOD_CUSTOM && !strcmp(hm.mode.name, "m1"),
              "parse_mode: a modeline is custom timings");
        r = vmodes_edit_parse_mode("1x1", &hm, &err);
        check(r == -EINVAL && err.msg[0], "parse_mode: a spec out of range is -EINVAL (%s)", err.msg);
        r = vmodes_edit_parse_mode("\"m\" 1 2 3", &hm, &err);
        check(r == -EINVAL && err.msg[0], "parse_mode: a broken modeline is -EINVAL (%s)", err.msg);

        hm = mode("1920x1080R2@44");
        r = vmodes_edit_format_mode(text, sizeof(text), &hm);
        check(r == 0 && !strcmp(text, "1920x1080R2@44"), "format_mode: a spec as its text (%s)", text);
        hm = mode("\"m1\" 222.75 2560 2720 2992 3424 1440 1443 1448 1479 -hsync +vsync");
        r = vmodes_edit_format_mode(text, sizeof(text), &hm);
        {
                struct vmodes_head_mode back;

                check(r == 0 && vmodes_edit_parse_mode(text, &back, &err) == 0 && back.custom &&
                              !strcmp(back.mode.name, "m1") && vmodes_mode_equal_timings(&back.mode, &hm.mode),
                      "format_mode: a modeline parses back to the same timings (%s)", text);
        }
}

static void test_add_mode(void)
{
        struct vmodes_config c;
        struct vmodes_edit_head_options o = VMODES_EDIT_HEAD_OPTIONS_INIT;
        struct vmodes_head_mode a = mode("1024x768"), b = mode("1280x1024@75"), a2 = mode("1024x768");
        const struct vmodes_head_config *h;
        int r;

        vmodes_config_init(&c);
        r = vmodes_edit_add_mode(&c, "Virtual-1", &a, true, &o, &err);
        h = head(&c, "Virtual-1");
        check(r == 0 && c.n_heads == 1 && h && h->enabled && !h->primary && !h->pinned && h->n_modes == 1,
              "add_mode: a new head is created, enabled, with the mode");
        r = vmodes_edit_add_mode(&c, "Virtual-1", &b, true, &o, &err);
        check(r == 0 && h->n_modes == 2 && !strcmp(h->modes[0].mode.name, "1280x1024_75.00"),
              "add_mode: the default mode goes first");
        r = vmodes_edit_add_mode(&c, "Virtual-1", &a2, true, &o, &err);
        check(r == 0 && h->n_modes == 2 && !strcmp(h->modes[0].mode.name, "1024x768_60.00") &&
                      !strcmp(h->modes[1].mode.name, "1280x1024_75.00"),
              "add_mode: a mode of the same name is replaced (moved), never doubled");
        r = vmodes_edit_add_mode(&c, "Virtual-1", &b, false, &o, &err);
        check(r == 0 && h->n_modes == 2 && !strcmp(h->modes[1].mode.name, "1280x1024_75.00"),
              "add_mode: not the default: it goes last");

        o = (struct vmodes_edit_head_options){ 1, 1, 0 };
        r = vmodes_edit_add_mode(&c, "Virtual-2", &a, true, &o, &err);
        check(r == 0 && head(&c, "Virtual-2")->primary && head(&c, "Virtual-2")->pinned &&
                      !head(&c, "Virtual-2")->enabled,
              "add_mode: primary, pinned and enabled options are set");
        o = (struct vmodes_edit_head_options){ 1, -1, -1 };
        r = vmodes_edit_add_mode(&c, "Virtual-1", &a, true, &o, &err);
        check(r == 0 && head(&c, "Virtual-1")->primary && !head(&c, "Virtual-2")->primary &&
                      head(&c, "Virtual-2")->pinned,
              "add_mode: primary is taken from every other head; -1 leaves the others as they are");

        /* limits */
        vmodes_config_init(&c);
        for (int i = 0; i < VMODES_CONFIG_MODES_MAX; i++) {
                char spec[32];
                struct vmodes_head_mode m;

                snprintf(spec, sizeof(spec), "%dx768", 800 + 8 * i);
                m = mode(spec);
                vmodes_edit_add_mode(&c, "Virtual-1", &m, true, NULL, &err);
        }
        r = vmodes_edit_add_mode(&c, "Virtual-1", &b, true, NULL, &err);
        check(r == -E2BIG && msg_is("head Virtual-1 has 8 modes already (the most); remove one"),
              "add_mode: a ninth mode is -E2BIG");
        {
                struct vmodes_head_mode again = mode("800x768");

                r = vmodes_edit_add_mode(&c, "Virtual-1", &again, true, NULL, &err);
                check(r == 0 && head(&c, "Virtual-1")->n_modes == 8, "add_mode: a full head can still replace a mode");
        }
        vmodes_config_init(&c);
        for (int i = 0; i < VMODES_CONFIG_HEADS_MAX; i++) {
                char name[16];

                snprintf(name, sizeof(name), "DUMMY%d", i);
                vmodes_edit_add_mode(&c, name, &a, true, NULL, &err);
        }
        r = vmodes_edit_add_mode(&c, "Virtual-1", &a, true, NULL, &err);
        check(r == -E2BIG && c.n_heads == 16 && msg_is("16 heads are configured already (the most)"),
              "add_mode: a seventeenth head is -E2BIG");
}

static void three_modes(struct vmodes_config *c)
{
        struct vmodes_head_mode m1 = mode("1024x768"), m2 = mode("1280x1024@75"),
                                m3 = mode("\"mine\" 65.00 1024 1048 1184 1344 768 771 777 806 -hsync -vsync");

        vmodes_config_init(c);
        vmodes_edit_add_mode(c, "Virtual-1", &m1, false, NULL, &err);
        vmodes_edit_add_mode(c, "Virtual-1", &m2, false, NULL, &err);
        vmodes_edit_add_mode(c, "Virtual-1", &m3, false, NULL, &err);
}

static void test_remove_mode(void)
{
        struct vmodes_config c;
        struct vmodes_edit_head_options off = { -1, -1, 0 };
        int r;

        three_modes(&c);
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "1280x1024_75.00", &err);
        check(r == 0 && head(&c, "Virtual-1")->n_modes == 2, "remove_mode: by mode name");
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "1024x768@60", &err);
        check(r == 0 && head(&c, "Virtual-1")->n_modes == 1 && !strcmp(head(&c, "Virtual-1")->modes[0].mode.name, "mine"),
              "remove_mode: by spec (the name it computes)");
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "\"other\" 65.00 1024 1048 1184 1344 768 771 777 806 -hsync -vsync",
                                    &err);
        check(r == 0 && c.n_heads == 0, "remove_mode: by modeline timings; an enabled head left without modes is forgotten");

        three_modes(&c);
        r = vmodes_edit_remove_mode(&c, "Virtual-2", "1024x768", &err);
        check(r == -ENOENT && msg_is("head Virtual-2 has no configured modes"), "remove_mode: an unknown head is -ENOENT");
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "640x480", &err);
        check(r == -ENOENT && msg_is("head Virtual-1 has no mode '640x480'"), "remove_mode: a mode not there is -ENOENT");
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "garbage", &err);
        check(r == -EINVAL && head(&c, "Virtual-1")->n_modes == 3,
              "remove_mode: text that is no name and no mode is -EINVAL (%s)", err.msg);

        vmodes_edit_set_head_options(&c, "Virtual-1", &off, &err);
        vmodes_edit_remove_mode(&c, "Virtual-1", "1024x768_60.00", &err);
        vmodes_edit_remove_mode(&c, "Virtual-1", "1280x1024_75.00", &err);
        r = vmodes_edit_remove_mode(&c, "Virtual-1", "mine", &err);
        check(r == 0 && c.n_heads == 1 && head(&c, "Virtual-1")->n_modes == 0,
              "remove_mode: a head kept off stays without modes");

        r = vmodes_edit_remove_head(&c, "Virtual-1", &err);
        check(r == 0 && c.n_heads == 0, "remove_head: the whole head goes");
        r = vmodes_edit_remove_head(&c, "Virtual-1", &err);
        check(r == -ENOENT && msg_is("head Virtual-1 has no configured modes"), "remove_head: an unknown head is -ENOENT");
}

static void two_heads(struct vmodes_config *c)
{
        struct vmodes_head_mode m = mode("1024x768");
        struct vmodes_edit_head_options prim = { 1, -1, -1 };

        vmodes_config_init(c);
        vmodes_edit_add_mode(c, "Virtual-1", &m, true, &prim, &err);
        vmodes_edit_add_mode(c, "Virtual-2", &m, true, NULL, &err);
}

static void test_set_position(void)
{
        struct vmodes_config c;
        const struct vmodes_head_config *h;
        int r;

        two_heads(&c);
        h = head(&c, "Virtual-2");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_POS, NULL, 100, 200, false, &err);
        check(r == 0 && h->relation == VMODES_REL_POS && h->x == 100 && h->y == 200 && !h->relative_to[0],
              "set_position: a fixed position");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_RIGHT_OF, "Virtual-1", 5, 5, true, &err);
        check(r == 0 && h->relation == VMODES_REL_RIGHT_OF && !strcmp(h->relative_to, "Virtual-1") && h->x == 0 &&
                      h->y == 0,
              "set_position: relative to a head (x, y cleared)");
        check(h->primary && !head(&c, "Virtual-1")->primary, "set_position: primary true takes it from the others");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_AUTO, "Virtual-1", 0, 0, false, &err);
        check(r == 0 && h->relation == VMODES_REL_AUTO && !h->relative_to[0] && !h->primary,
              "set_position: auto; primary false takes it from this head");

        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_POS, NULL, 32768, 0, false, &err);
        check(r == -EINVAL && msg_is("position 32768,0 is out of range (0 to 32767)"),
              "set_position: a position out of range is -EINVAL");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_POS, NULL, 0, -1, false, &err);
        check(r == -EINVAL, "set_position: a negative position is -EINVAL");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_LEFT_OF, "Virtual-2", 0, 0, false, &err);
        check(r == -ELOOP && msg_is("head Virtual-2 cannot be left-of itself"),
              "set_position: relative to itself is -ELOOP");
        r = vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_ABOVE, "", 0, 0, false, &err);
        check(r == -EINVAL, "set_position: a relation without the other head is -EINVAL (%s)", err.msg);
        r = vmodes_edit_set_position(&c, "Virtual-3", VMODES_REL_AUTO, NULL, 0, 0, false, &err);
        check(r == -ENOENT && msg_is("head Virtual-3 has no configuration yet; add a mode first"),
              "set_position: a head not configured is -ENOENT");
        r = vmodes_edit_set_position(&c, "Virtual-2", (enum vmodes_relation)99, NULL, 0, 0, false, &err);
        check(r == -EINVAL, "set_position: an unknown relation is -EINVAL");
}

static void test_set_head_options(void)
{
        struct vmodes_config c;
        struct vmodes_edit_head_options o = { -1, -1, 0 };
        int r;

        two_heads(&c);
        r = vmodes_edit_set_head_options(&c, "Virtual-3", &o, &err);
        check(r == 0 && c.n_heads == 3 && !head(&c, "Virtual-3")->enabled && head(&c, "Virtual-3")->n_modes == 0,
              "set_head_options: a head without a configuration is stored as off");
        o = (struct vmodes_edit_head_options){ -1, 1, -1 };
        r = vmodes_edit_set_head_options(&c, "Virtual-4", &o, &err);
        check(r == -ENOENT && msg_is("head Virtual-4 has no configuration yet; add a mode first"),
              "set_head_options: anything else on a head without a configuration is -ENOENT");
        o = (struct vmodes_edit_head_options){ 1, 1, -1 };
        r = vmodes_edit_set_head_options(&c, "Virtual-2", &o, &err);
        check(r == 0 && head(&c, "Virtual-2")->primary && head(&c, "Virtual-2")->pinned &&
                      !head(&c, "Virtual-1")->primary && head(&c, "Virtual-2")->enabled,
              "set_head_options: primary (only one), pinned; enabled left");
}

static void test_set_options(void)
{
        struct vmodes_config c;
        struct vmodes_edit_options o = VMODES_EDIT_OPTIONS_INIT;
        int r;

        vmodes_config_init(&c);
        o.auto_fit = 1;
        o.set_refresh = true;
        o.auto_fit_refresh = 44.00049;
        o.auto_fit_blanking = "rb2";
        o.kernel_cmdline = 1;
        r = vmodes_edit_set_options(&c, &o, &err);
        check(r == 0 && c.auto_fit && fabs(c.auto_fit_refresh - 44.0) < 1e-9 && c.auto_fit_reduced == 2 &&
                      c.kernel_cmdline,
              "set_options: every option; the refresh kept to 0.001 Hz (%g)", c.auto_fit_refresh);
        o = (struct vmodes_edit_options)VMODES_EDIT_OPTIONS_INIT;
        r = vmodes_edit_set_options(&c, &o, &err);
        check(r == 0 && c.auto_fit && c.auto_fit_reduced == 2 && c.kernel_cmdline, "set_options: unset ones stay");
        o.set_refresh = true;
        o.auto_fit_refresh = 5;
        r = vmodes_edit_set_options(&c, &o, &err);
        check(r == -EINVAL && msg_is("auto-fit-refresh 5 is out of range (0 or 10 to 1000 Hz)"),
              "set_options: a refresh out of range is -EINVAL");
        o.auto_fit_refresh = NAN;
        check(vmodes_edit_set_options(&c, &o, &err) == -EINVAL, "set_options: NaN is -EINVAL");
        o.auto_fit_refresh = 0;
        r = vmodes_edit_set_options(&c, &o, &err);
        check(r == 0 && c.auto_fit_refresh == 0, "set_options: refresh 0 (60 Hz)");
        o = (struct vmodes_edit_options)VMODES_EDIT_OPTIONS_INIT;
        o.auto_fit_blanking = "rb4";
        r = vmodes_edit_set_options(&c, &o, &err);
        check(r == -EINVAL && msg_is("auto-fit-blanking 'rb4' is not one of standard, rb1, rb2, rb3") &&
                      c.auto_fit_reduced == 2,
              "set_options: an unknown blanking is -EINVAL");
}

static struct vmodes_edit_head edit_head(const char *name, const char *spec, enum vmodes_relation rel, const char *other)
{
        struct vmodes_edit_head e = { .o = VMODES_EDIT_HEAD_OPTIONS_INIT };

        snprintf(e.head, sizeof(e.head), "%s", name);
        if (spec) {
                e.modes[0] = mode(spec);
                e.n_modes = 1;
        }
        e.relation = rel;
        if (other)
                snprintf(e.other, sizeof(e.other), "%s", other);
        return e;
}

static void test_set_heads(void)
{
        struct vmodes_config c;
        struct vmodes_edit_head hs[VMODES_CONFIG_HEADS_MAX + 1];
        int r;

        two_heads(&c);
        vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_POS, NULL, 7, 8, false, &err);
        hs[0] = edit_head("Virtual-3", "1920x1080", VMODES_REL_RIGHT_OF, "Virtual-1");
        hs[1] = edit_head("Virtual-1", "2560x1440@44", VMODES_REL_AUTO, NULL);
        r = vmodes_edit_set_heads(&c, hs, 2, false, &err);
        check(r == 0 && c.n_heads == 3 && head(&c, "Virtual-1")->n_modes == 1 &&
                      !strcmp(head(&c, "Virtual-1")->modes[0].mode.name, "2560x1440_44.00") &&
                      head(&c, "Virtual-1")->primary && head(&c, "Virtual-2")->x == 7 &&
                      head(&c, "Virtual-3")->relation == VMODES_REL_RIGHT_OF && head(&c, "Virtual-3")->enabled,
              "set_heads: listed heads get their modes and place, switches not given stay, others stay");
        check(vmodes_config_resolve(&c, &err) == 0 && vmodes_config_validate(&c, &err) == 0,
              "set_heads: the result validates (%s)", err.msg);

        hs[0] = edit_head("Virtual-1", "1024x768", VMODES_REL_AUTO, NULL);
        hs[0].keep_modes = true;
        hs[0].modes[1] = mode("800x600");
        hs[0].n_modes = 2;
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == 0 && head(&c, "Virtual-1")->n_modes == 3 &&
                      !strcmp(head(&c, "Virtual-1")->modes[0].mode.name, "1024x768_60.00") &&
                      !strcmp(head(&c, "Virtual-1")->modes[1].mode.name, "800x600_60.00") &&
                      !strcmp(head(&c, "Virtual-1")->modes[2].mode.name, "2560x1440_44.00"),
              "set_heads: keep-modes puts the modes given in front, in their order, of the stored ones");

        hs[0] = edit_head("Virtual-2", "1024x768", VMODES_REL_AUTO, NULL);
        hs[0].o.primary = 1;
        r = vmodes_edit_set_heads(&c, hs, 1, true, &err);
        check(r == 0 && c.n_heads == 1 && head(&c, "Virtual-2")->primary, "set_heads: replace forgets the heads not listed");

        hs[0] = edit_head("Virtual-4", NULL, VMODES_REL_AUTO, NULL);
        hs[0].o.enabled = 0;
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == 0 && c.n_heads == 2 && !head(&c, "Virtual-4")->enabled, "set_heads: a head off needs no mode");

        vmodes_edit_set_position(&c, "Virtual-2", VMODES_REL_POS, NULL, 3, 4, false, &err);
        hs[0] = edit_head("Virtual-2", "800x600", VMODES_REL_POS, NULL);
        hs[0].x = 99999; /* not looked at */
        hs[0].keep_place = true;
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == 0 && head(&c, "Virtual-2")->relation == VMODES_REL_POS && head(&c, "Virtual-2")->x == 3 &&
                      head(&c, "Virtual-2")->y == 4 && !strcmp(head(&c, "Virtual-2")->modes[0].mode.name, "800x600_60.00"),
              "set_heads: keep-place leaves the stored place");
}

static void test_set_heads_refused(void)
{
        struct vmodes_config c, before;
        struct vmodes_edit_head hs[VMODES_CONFIG_HEADS_MAX + 1];
        int r;

        two_heads(&c);
        before = c;
        hs[0] = edit_head("Virtual-1", "1024x768", VMODES_REL_AUTO, NULL);
        hs[1] = edit_head("Virtual-1", "800x600", VMODES_REL_AUTO, NULL);
        r = vmodes_edit_set_heads(&c, hs, 2, false, &err);
        check(r == -EINVAL && msg_is("head Virtual-1 is given twice") && vmodes_config_equal(&c, &before),
              "set_heads: a head given twice is -EINVAL, before any change");
        hs[1] = edit_head("Virtual-2", "800x600", VMODES_REL_AUTO, NULL);
        hs[0].o.primary = hs[1].o.primary = 1;
        r = vmodes_edit_set_heads(&c, hs, 2, false, &err);
        check(r == -EINVAL && msg_is("heads Virtual-1 and Virtual-2 are both made primary (one can be)"),
              "set_heads: two primary heads are -EINVAL");
        hs[0] = edit_head("Virtual-1", "1024x768", VMODES_REL_POS, NULL);
        hs[0].x = 40000;
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == -EINVAL && msg_is("position 40000,0 is out of range (0 to 32767)"),
              "set_heads: a position out of range is -EINVAL");
        hs[0] = edit_head("Virtual-1", "1024x768", VMODES_REL_BELOW, "Virtual-1");
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == -ELOOP, "set_heads: a head relative to itself is -ELOOP");
        hs[0] = edit_head("Virtual-1", "1024x768", VMODES_REL_AUTO, NULL);
        hs[0].n_modes = VMODES_CONFIG_MODES_MAX + 1;
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == -E2BIG && msg_is("head Virtual-1: 9 modes given (at most 8)"), "set_heads: nine modes are -E2BIG");
        hs[0] = edit_head("Virtual-3", NULL, VMODES_REL_AUTO, NULL);
        r = vmodes_edit_set_heads(&c, hs, 1, false, &err);
        check(r == -EINVAL && msg_is("head Virtual-3 is on but has no mode (give one, or turn it off)"),
              "set_heads: a head on without a mode is -EINVAL");
        for (int i = 0; i <= VMODES_CONFIG_HEADS_MAX; i++) {
                char name[16];

                snprintf(name, sizeof(name), "DUMMY%d", i);
                hs[i] = edit_head(name, "1024x768", VMODES_REL_AUTO, NULL);
        }
        r = vmodes_edit_set_heads(&c, hs, VMODES_CONFIG_HEADS_MAX + 1, true, &err);
        check(r == -E2BIG && msg_is("17 heads given (at most 16)"), "set_heads: seventeen heads are -E2BIG");
        r = vmodes_edit_set_heads(&c, hs, VMODES_CONFIG_HEADS_MAX - 1, false, &err);
        check(r == -E2BIG && msg_is("16 heads are configured already (the most)"),
              "set_heads: more heads than fit beside the stored ones are -E2BIG");
}

static void test_affects_boot(void)
{
        struct vmodes_config a, b;
        struct vmodes_edit_head_options off = { -1, -1, 0 };
        struct vmodes_head_mode m = mode("1920x1080");

        two_heads(&a);
        b = a;
        check(!vmodes_edit_affects_boot(&a, &b), "affects_boot: no change, no");
        b.kernel_cmdline = true;
        check(vmodes_edit_affects_boot(&a, &b), "affects_boot: kernel-cmdline switched on");
        a.kernel_cmdline = true;
        vmodes_config_resolve(&a, &err);
        b = a;
        vmodes_edit_add_mode(&b, "Virtual-1", &m, true, NULL, &err);
        vmodes_config_resolve(&b, &err);
        check(vmodes_edit_affects_boot(&a, &b), "affects_boot: its video= arguments change while it is on");
        a.kernel_cmdline = b.kernel_cmdline = false;
        check(!vmodes_edit_affects_boot(&a, &b), "affects_boot: a mode change with kernel-cmdline off, no");
        vmodes_edit_set_head_options(&b, "Virtual-1", &off, &err);
        check(!vmodes_edit_affects_boot(&a, &b), "affects_boot: one head of two off, no");
        vmodes_edit_set_head_options(&b, "Virtual-2", &off, &err);
        check(vmodes_edit_affects_boot(&a, &b), "affects_boot: every head off");
        vmodes_config_init(&b);
        check(!vmodes_edit_affects_boot(&a, &b), "affects_boot: no heads at all (nothing configured), no");
}

int main(void)
{
        test_parse_mode();
        test_add_mode();
        test_remove_mode();
        test_set_position();
        test_set_head_options();
        test_set_options();
        test_set_heads();
        test_set_heads_refused();
        test_affects_boot();
        return tap_finish();
}
