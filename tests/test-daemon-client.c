/* SPDX-License-Identifier: MIT */
/*
 * The client API (agent/client/client.h) against a running vmodesd on
 * $VMODES_BUS_ADDRESS (started by tests/test-daemon-bus.py): every call,
 * and the errors mapped to errno values. Prints "N passed, N failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/client/client.h"
#include "tests/lib/tap.h"

static char texts[VMODES_CONFIG_HEADS_MAX][VMODES_CONFIG_MODES_MAX][256];
static const char *mode_texts[VMODES_CONFIG_HEADS_MAX][VMODES_CONFIG_MODES_MAX];

/* The client heads that describe every head of cfg completely. */
static void client_heads(const struct vmodes_config *cfg, struct vmodes_client_head *hs)
{
        for (unsigned i = 0; i < cfg->n_heads; i++) {
                const struct vmodes_head_config *h = &cfg->heads[i];

                for (unsigned k = 0; k < h->n_modes; k++) {
                        char *t = texts[i][k];

                        if (h->modes[k].custom) {
                                vmodes_format_xorg(t, sizeof(texts[i][k]), &h->modes[k].mode);
                                memmove(t, t + strlen("Modeline "), strlen(t) - strlen("Modeline ") + 1);
                        } else
                                vmodes_spec_format(t, sizeof(texts[i][k]), &h->modes[k].spec);
                        mode_texts[i][k] = t;
                }
                hs[i] = (struct vmodes_client_head){ .head = h->head, .modes = mode_texts[i], .n_modes = h->n_modes,
                                                     .relation = h->relation, .other = h->relative_to, .x = h->x,
                                                     .y = h->y, .primary = h->primary, .pinned = h->pinned,
                                                     .enabled = h->enabled };
        }
}

/* A refused SetHeads: r is want, the message has msg, nothing changed. */
static void refused(struct vmodes_client *c, const struct vmodes_client_head *hs, unsigned n, int want,
                    const char *msg, const struct vmodes_config *stored, const char *what)
{
        struct vmodes_config *now = calloc(1, sizeof(*now));
        struct vmodes_error e = { "" };
        int r = vmodes_client_set_heads(c, hs, n, false, NULL, &e);

        check(r == want && strstr(e.msg, msg) && vmodes_client_get_config(c, now, NULL) == 0 &&
                      vmodes_config_equal(now, stored),
              "set_heads refused, nothing stored: %s (%d: %s)", what, r, e.msg);
        free(now);
}

static void test_set_heads(struct vmodes_client *c)
{
        static const char *const v3[] = { "1280x1024@75", "1024x768" }, *const v4[] = { "800x600" },
                                 *const big[] = { "8192x8192@30" }, *const vga[] = { "640x480" };
        struct vmodes_config *before = calloc(1, sizeof(*before)), *cfg = calloc(1, sizeof(*cfg));
        struct vmodes_client_head hs[VMODES_CONFIG_HEADS_MAX] = {
                { .head = "qxl-2", .modes = v3, .n_modes = 2, .relation = VMODES_REL_POS, .x = 10, .y = 20,
                  .primary = -1, .pinned = 1, .enabled = -1 },
                { .head = "4", .modes = v4, .n_modes = 1, .relation = VMODES_REL_RIGHT_OF, .other = "Virtual-3",
                  .primary = -1, .pinned = -1, .enabled = -1 },
        };
        struct vmodes_client_head_result res[2];
        struct vmodes_error e = { "" };
        const struct vmodes_head_config *h3, *h4;
        int r;

        check(vmodes_client_get_config(c, before, &e) == 0, "set_heads: the config before: %s", e.msg);
        r = vmodes_client_set_heads(c, hs, 2, false, res, &e);
        check(r == 0 && !strcmp(res[0].head, "Virtual-3") && !strcmp(res[0].mode_name, "1280x1024_75.00") &&
                      !strcmp(res[1].head, "Virtual-4") && !strcmp(res[1].mode_name, "800x600_60.00"),
              "set_heads: two heads at once, canonical names and modes returned (%d: %s)", r, r ? e.msg : "");
        vmodes_client_get_config(c, cfg, &e);
        h3 = vmodes_config_find_head(cfg, "Virtual-3");
        h4 = vmodes_config_find_head(cfg, "Virtual-4");
        check(h3 && h3->n_modes == 2 && h3->relation == VMODES_REL_POS && h3->x == 10 && h3->pinned && h3->enabled &&
                      h4 && h4->n_modes == 1 && h4->relation == VMODES_REL_RIGHT_OF &&
                      !strcmp(h4->relative_to, "Virtual-3") && vmodes_config_find_head(cfg, "Virtual-1"),
              "set_heads: both stored as given, the other heads kept");

        hs[1].head = "Virtual-3";
        refused(c, hs, 2, -EINVAL, "given twice", cfg, "a head given twice");
        hs[1] = (struct vmodes_client_head){ .head = "Virtual-4", .modes = big, .n_modes = 1, .primary = -1,
                                             .pinned = -1, .enabled = -1 };
        refused(c, hs, 2, -E2BIG, "more than the QXL holds", cfg, "a mode too large in the second head");
        hs[1] = (struct vmodes_client_head){ .head = "Virtual-9", .modes = v4, .n_modes = 1, .primary = -1,
                                             .pinned = -1, .enabled = -1 };
        refused(c, hs, 2, -EINVAL, "no head 'Virtual-9'", cfg, "an unknown second head");
        hs[0].relation = VMODES_REL_RIGHT_OF;
        hs[0].other = "Virtual-4";
        refused(c, hs, 1, -EINVAL, "cycle", cfg, "a cycle in the resulting layout");

        hs[0] = (struct vmodes_client_head){ .head = "Virtual-3", .modes = vga, .n_modes = 1, .keep_modes = true,
                                             .keep_place = true, .primary = -1, .pinned = -1, .enabled = -1 };
        r = vmodes_client_set_heads(c, hs, 1, false, NULL, &e);
        vmodes_client_get_config(c, cfg, NULL);
        h3 = vmodes_config_find_head(cfg, "Virtual-3");
        check(r == 0 && h3 && h3->n_modes == 3 && !strcmp(h3->modes[0].mode.name, "640x480_60.00") &&
                      h3->relation == VMODES_REL_POS && h3->x == 10,
              "set_heads: keep-modes adds in front, keep-place leaves the place (%s)", r ? e.msg : "");

        client_heads(before, hs);
        r = vmodes_client_set_heads(c, hs, before->n_heads, true, NULL, &e);
        check(r == 0 && vmodes_client_get_config(c, cfg, NULL) == 0 && vmodes_config_equal(cfg, before),
              "set_heads replace with the config's own heads: the config before again (%s)", r ? e.msg : "");
        free(before);
        free(cfg);
}

int main(void)
{
        struct vmodes_client_mode_options o = VMODES_CLIENT_MODE_OPTIONS_INIT;
        char head[VMODES_HEAD_NAME_MAX] = "", name[VMODES_NAME_MAX] = "";
        struct vmodes_client *c = NULL;
        struct vmodes_config *cfg = calloc(1, sizeof(*cfg));
        struct vmodes_error e = { "" };
        int r;

        if (!getenv("VMODES_BUS_ADDRESS")) {
                printf("SKIP: run by tests/test-daemon-bus.py (needs VMODES_BUS_ADDRESS)\n");
                return 77;
        }
        r = vmodes_client_open(&c, &e);
        check(r == 0, "open: %s", r ? e.msg : "");
        if (r < 0)
                return 1;

        o.primary = 1;
        r = vmodes_client_add_mode(c, "qxl-2", "1280x1024@75", &o, head, name, &e);
        check(r == 0 && !strcmp(head, "Virtual-3") && !strcmp(name, "1280x1024_75.00"), "add_mode: %d %s %s %s", r,
              head, name, r ? e.msg : "");
        r = vmodes_client_get_config(c, cfg, &e);
        check(r == 0 && cfg->n_heads >= 1 && !strcmp(cfg->heads[cfg->n_heads - 1].head, "Virtual-3") &&
                      cfg->heads[cfg->n_heads - 1].primary,
              "get_config: %s", r ? e.msg : "");
        r = vmodes_client_set_layout(c, "Virtual-3", VMODES_REL_POS, NULL, 10, 20, false, &e);
        check(r == 0, "set_layout pos: %s", r ? e.msg : "");
        r = vmodes_client_set_layout(c, "Virtual-3", VMODES_REL_RIGHT_OF, "Virtual-1", 0, 0, true, &e);
        check(r == 0, "set_layout right-of: %s", r ? e.msg : "");
        r = vmodes_client_get_config(c, cfg, &e);
        check(r == 0 && cfg->heads[cfg->n_heads - 1].relation == VMODES_REL_RIGHT_OF, "layout in the config");
        check(vmodes_client_apply(c, &e) == 0, "apply");
        check(vmodes_client_reload(c, &e) == 0, "reload: %s", e.msg);

        r = vmodes_client_add_mode(c, "Virtual-9", "1024x768", NULL, NULL, NULL, &e);
        check(r == -EINVAL && strstr(e.msg, "no head 'Virtual-9'"), "unknown head: -EINVAL (%d: %s)", r, e.msg);
        r = vmodes_client_add_mode(c, "Virtual-3", "8192x8192@30", NULL, NULL, NULL, &e);
        check(r == -E2BIG && strstr(e.msg, "more than the QXL holds"), "too large: -E2BIG (%d: %s)", r, e.msg);
        r = vmodes_client_add_mode(c, "Virtual-3", "1x1", NULL, NULL, NULL, &e);
        check(r == -EINVAL, "bad spec: -EINVAL (%d: %s)", r, e.msg);
        r = vmodes_client_remove_mode(c, "Virtual-3", "640x480", &e);
        check(r == -ENOENT && strstr(e.msg, "has no mode"), "remove a missing mode: -ENOENT (%d: %s)", r, e.msg);
        r = vmodes_client_remove_mode(c, "Virtual-3", NULL, &e);
        check(r == 0, "remove the head: %s", r ? e.msg : "");
        test_set_heads(c);
        vmodes_client_free(c);

        setenv("VMODES_BUS_ADDRESS", "unix:path=/nonexistent/vmodes-bus", 1);
        r = vmodes_client_open(&c, &e);
        check(r == -ESRCH && strstr(e.msg, "vmodesd is not running (start it with: systemctl start vmodesd)"),
              "no bus: -ESRCH with the hint (%d: %s)", r, e.msg);
        free(cfg);
        return tap_finish();
}
