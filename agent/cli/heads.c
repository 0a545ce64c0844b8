/* SPDX-License-Identifier: MIT */
/*
 * The X session handle of the session agent (agent/session/session.c)
 * until it uses the display seam (agent/display/display.h), as the vmodes
 * commands do (agent/cli/xsession.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/cli.h"
#include "agent/cli/heads.h"
#include "agent/core/layout.h"
#include "agent/display/x11-randr.h"
#include "modes/modes.h"
#include "udev/vmodes-udev.h"

/* ---- helpers ------------------------------------------------------------------ */


/* Head names are short and made of letters, digits and "-_.:" only. */
static bool head_name_valid(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len >= VMODES_HEAD_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr("-_.:", s[i]))
                        return false;
        return true;
}

/* A head name's syntax, checked before anything is connected to. Exit
 * code (the error printed). */
static int check_head_name(const char *name)
{
        if (head_name_valid(name))
                return CLI_EXIT_OK;
        log_error("'%s' is not a head name: use an output name as 'vmodes list' shows it or a head number "
                  "(letters, digits and - _ . : only)",
                  cli_arg(name));
        return CLI_EXIT_USAGE;
}

void cli_heads_session_close(struct cli_heads_session *s)
{
        if (s->randr) {
                /* closing waits for the server to take the last requests */
                cli_x_deadline(CLI_X_ANSWER, vmodes_randr_display_name(s->randr));
                vmodes_randr_free(s->randr);
                cli_x_deadline_clear();
        }
        if (s->disc)
                vmodes_discovery_free(s->disc);
        free(s->state);
        memset(s, 0, sizeof(*s));
}

/* The device memory limit of the virtual GPU (if the guest has one). */
static void memory_limit(struct cli_heads_session *s)
{
        struct vmodes_fb_limit l;

        if (!s->dev || vmodes_memory_fb_limit(s->dev, &l) < 0 || !l.known || !l.bytes)
                return;
        /* an upper bound refuses only what cannot fit anyway */
        s->state->memory_limit = l.bytes;
        /* the kernel qxl driver keeps a framebuffer copy per head under the
         * modesetting DDX (the qxl DDX does not) */
        s->state->memory_per_head = s->dev->type->kind == VMODES_GPU_QXL && !strcmp(s->provider, "modesetting");
        if (s->dev->type->vm_setting)
                snprintf(s->state->memory_fix, sizeof(s->state->memory_fix),
                         "raise %s in the VM definition or use smaller modes", s->dev->type->vm_setting);
}

/* Opens the display, locks it (when lock) and reads its state. Returns an
 * exit code, CLI_EXIT_OK on success. */
int cli_heads_session_open(struct cli_heads_session *s, bool lock)
{
        struct vmodes_error err = { "" };
        int r;

        memset(s, 0, sizeof(*s));
        s->state = calloc(1, sizeof(*s->state));
        if (!s->state) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        /* a server that accepts and never answers must not hang the command */
        r = cli_x_deadline(CLI_X_CONNECT, NULL);
        if (r != CLI_EXIT_OK)
                return r;
        r = vmodes_randr_open(NULL, &s->randr, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        /* the virtual GPU (for head numbers and its memory); none is fine.
         * Connector state and the card node are not needed: X knows them. */
        if (vmodes_discovery_new(&s->disc) == 0 && vmodes_discovery_scan_flags(s->disc, 0) >= 0)
                for (size_t i = 0; i < vmodes_discovery_get_n_devices(s->disc) && !s->dev; i++) {
                        const struct vmodes_device *d = vmodes_discovery_get_device(s->disc, i);
                        if (d->type && d->type->kind != VMODES_GPU_OTHER && !d->secondary)
                                s->dev = d;
                }
        /* from here to the last request of the plan no other client changes the screen */
        if (lock)
                vmodes_randr_lock(s->randr);
        cli_x_deadline(CLI_X_QUERY, vmodes_randr_display_name(s->randr));
        r = cli_heads_session_query(s, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

int cli_heads_session_query(struct cli_heads_session *s, struct vmodes_error *err)
{
        int r = vmodes_randr_query(s->randr, s->state, err);

        if (r < 0)
                return r;
        vmodes_randr_provider_name(s->randr, s->provider, sizeof(s->provider));
        memory_limit(s);
        return 0;
}

/* ---- head names ----------------------------------------------------------------- */

static const struct vmodes_layout_output *find_output(const struct cli_heads_session *s, const char *name)
{
        return vmodes_layout_output_by_name(s->state, name);
}

static enum vmodes_head_scheme x_scheme(const struct cli_heads_session *s)
{
        const char *names[VMODES_LAYOUT_OUTPUTS_MAX];

        for (unsigned i = 0; i < s->state->n_outputs; i++)
                names[i] = s->state->outputs[i].name;
        return vmodes_heads_detect_scheme(names, s->state->n_outputs);
}

/* The X output a head name means: the X name itself, any scheme's name of
 * the same head (Virtual-1, qxl-0, legacy Virtual-0, card0-Virtual-1) or a
 * head number (1-based). NULL and an error message when there is none. */
const struct vmodes_layout_output *cli_heads_resolve(const struct cli_heads_session *s, const char *name, bool quiet)
{
        const struct vmodes_layout_output *o;
        enum vmodes_head_scheme scheme = x_scheme(s);
        char buf[64];
        unsigned head;

        if (!head_name_valid(name)) {
                if (!quiet)
                        check_head_name(name);
                return NULL;
        }
        o = find_output(s, name);
        if (o)
                return o;
        /* through the device's connectors */
        if (s->dev && vmodes_heads_resolve(s->dev, name, scheme, &head) == 0 &&
            vmodes_heads_name(s->dev, head, scheme, buf, sizeof(buf)) == 0 && (o = find_output(s, buf)))
                return o;
        /* through the naming schemes alone */
        if ((o = vmodes_layout_find_head(s->state, name)))
                return o;
        if (!quiet) {
                char names[200] = "";
                size_t len = 0;
                for (unsigned i = 0; i < s->state->n_outputs && len + 40 < sizeof(names); i++)
                        len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
                                                s->state->outputs[i].name);
                log_error("unknown head %s: this X server has %s (or give a head number, 1 to %u)", name,
                          s->state->n_outputs ? names : "no outputs", s->state->n_outputs);
        }
        return NULL;
}

