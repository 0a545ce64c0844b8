/* SPDX-License-Identifier: MIT */
/*
 * The X session vmodes add/remove/list/apply change: a struct vmodes_screen
 * opened with the CLI's bounds on waiting (cli_x_deadline), the virtual GPU
 * found by udev discovery, and the display layer's errors printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"
#include "agent/common/head.h"
#include "udev/vmodes-udev.h"

/* Kept with the screen: the device it points to belongs to it. */
static struct vmodes_discovery *discovery;

int cli_check_head_name(const char *name)
{
        if (vmodes_head_name_valid(name))
                return CLI_EXIT_OK;
        log_error("'%s' is not a head name: use an output name as 'vmodes list' shows it or a head number "
                  "(letters, digits and - _ . only)",
                  cli_arg(name));
        return CLI_EXIT_USAGE;
}

/* The virtual GPU (for head numbers and its memory); none is fine.
 * Connector state and the card node are not needed: X knows them. */
static const struct vmodes_device *find_device(void)
{
        if (vmodes_discovery_new(&discovery) < 0 || vmodes_discovery_scan_flags(discovery, 0) < 0)
                return NULL;
        for (size_t i = 0; i < vmodes_discovery_get_n_devices(discovery); i++) {
                const struct vmodes_device *d = vmodes_discovery_get_device(discovery, i);
                if (d->type && d->type->kind != VMODES_GPU_OTHER && !d->secondary)
                        return d;
        }
        return NULL;
}

int cli_screen_open(struct vmodes_screen *s, bool lock)
{
        struct vmodes_error err = { "" };
        int r;

        memset(s, 0, sizeof(*s));
        /* a server that accepts and never answers must not hang the command */
        r = cli_x_deadline(VMODES_DEADLINE_CONNECT, NULL);
        if (r != CLI_EXIT_OK)
                return r;
        r = vmodes_screen_open(s, NULL, NULL, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        s->dev = find_device();
        /* from here to the last request of the plan no other client changes the screen */
        if (lock)
                vmodes_display_lock(s->display);
        cli_x_deadline(VMODES_DEADLINE_QUERY, s->display);
        r = vmodes_screen_query(s, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

void cli_screen_close(struct vmodes_screen *s)
{
        if (s->display) {
                /* closing waits for the server to take the last requests */
                cli_x_deadline(VMODES_DEADLINE_ANSWER, s->display);
                vmodes_screen_close(s);
                cli_x_deadline_clear();
        }
        if (discovery)
                vmodes_discovery_free(discovery);
        discovery = NULL;
        memset(s, 0, sizeof(*s));
}

const struct vmodes_layout_output *cli_resolve(const struct vmodes_screen *s, const char *name)
{
        struct vmodes_error err = { "" };
        const struct vmodes_layout_output *o;

        if (cli_check_head_name(name) != CLI_EXIT_OK)
                return NULL;
        o = vmodes_screen_resolve(s, name, &err);
        if (!o)
                log_error("%s", err.msg);
        return o;
}

/* The name to give vmodesd for an X output: the number of the virtual GPU's
 * head it is (vmodesd maps it to the DRM connector whatever the X driver
 * calls the output), else the output's own name, which vmodesd refuses
 * unless it names one of its heads: an X session on another device (Xvnc,
 * a passed-through GPU) does not change the virtual GPU's configuration. */
void cli_daemon_head(const struct vmodes_screen *s, const struct vmodes_layout_output *o, char *buf, size_t size)
{
        unsigned head;

        if (vmodes_screen_device_head(s, o, &head) == 0)
                snprintf(buf, size, "%u", head);
        else
                snprintf(buf, size, "%.*s", (int)size - 1, o->name);
}
