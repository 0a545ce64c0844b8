/* SPDX-License-Identifier: MIT */
/*
 * The client API (agent/common/client.h) against a running vmodesd on
 * $VMODES_BUS_ADDRESS (started by tests/test-daemon-bus.py): every call,
 * and the errors mapped to errno values. Prints "N passed, N failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/common/client.h"
#include "tests/lib/tap.h"

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
        vmodes_client_free(c);

        setenv("VMODES_BUS_ADDRESS", "unix:path=/nonexistent/vmodes-bus", 1);
        r = vmodes_client_open(&c, &e);
        check(r == -ESRCH && strstr(e.msg, "vmodesd is not running (start it with: systemctl start vmodesd)"),
              "no bus: -ESRCH with the hint (%d: %s)", r, e.msg);
        free(cfg);
        return tap_finish();
}
