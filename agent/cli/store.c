/* SPDX-License-Identifier: MIT */
/* The store through vmodesd: how vmodes add, remove and apply keep a change. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"

/* ---- the stored configuration (vmodesd) --------------------------------------------- */

/* A failed call to vmodesd. When it is not running and the change can still
 * be made live, that goes on (with a warning at the end); any other failure
 * stops the command before the live session is touched. Exit code. */
int store_failed(struct store *st, int r, const struct vmodes_error *err)
{
        if (r == -ESRCH && st->live) {
                st->not_running = true;
                snprintf(st->note, sizeof(st->note), "%s", err->msg);
                return CLI_EXIT_OK;
        }
        log_error("not stored: %s%s", err->msg,
                  st->live ? "; nothing changed (--no-store changes this X session only)" : "");
        return r == -EINVAL || r == -E2BIG || r == -ENOENT ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

/* Connects to vmodesd. Exit code. */
static int store_begin(struct store *st)
{
        struct vmodes_error err = { "" };
        int r;

        if (!st->wanted)
                return CLI_EXIT_OK;
        r = vmodes_client_open(&st->client, &err);
        return r < 0 ? store_failed(st, r, &err) : CLI_EXIT_OK;
}

const char *cli_server_word(void)
{
        char why[256];

        switch (vmodes_display_session(why, sizeof(why))) {
        case VMODES_DISPLAY_SWAY:
                return "sway";
        case VMODES_DISPLAY_MUTTER:
                return "GNOME";
        default:
                return "X";
        }
}

/* What a live change lasts until. */
static const char *lasts(void)
{
        const char *w = cli_server_word();

        if (!strcmp(w, "GNOME"))
                return "GNOME keeps the layout in the user's monitors.xml";
        return !strcmp(w, "X") ? "the change lasts until the X server restarts" : "the change lasts until sway restarts";
}

/* Sets up a command's store: live when there is a display, through vmodesd
 * unless no_store or dry_run. Exit code. */
int store_open_for(struct store *st, bool no_store, bool dry_run, const char *command)
{
        char why[256];

        memset(st, 0, sizeof(*st));
        st->live = vmodes_display_session(why, sizeof(why)) > VMODES_DISPLAY_WAYLAND;
        st->dry_run = dry_run;
        st->wanted = !no_store && !dry_run;
        if (!st->live && (no_store || dry_run)) {
                log_error("%s needs a display (%s); without one 'vmodes %s' only stores the change through vmodesd",
                          no_store ? "--no-store" : "--dry-run", why, command);
                return CLI_EXIT_USAGE;
        }
        return store_begin(st);
}

/* vmodesd can take the change (connected, not given up on). */
bool store_ready(const struct store *st)
{
        return st->wanted && st->client && !st->not_running;
}

/* vmodesd's config as it is now, or NULL when it cannot be read: it only
 * completes a change (keeps a stored primary, describes what was stored),
 * so a failure here is no reason to fail the change. */
static const struct vmodes_config *store_config(struct store *st)
{
        struct vmodes_error err = { "" };

        if (!st->config)
                st->config = calloc(1, sizeof(*st->config));
        if (!st->config || vmodes_client_get_config(st->client, st->config, &err) < 0)
                return NULL;
        return st->config;
}

/* The stored configuration of head (vmodesd's name) now, or NULL. */
const struct vmodes_head_config *stored_head(struct store *st, const char *head)
{
        const struct vmodes_config *c = store_config(st);

        for (unsigned i = 0; c && i < c->n_heads; i++)
                if (!strcmp(c->heads[i].head, head))
                        return &c->heads[i];
        return NULL;
}

/* Is head (vmodesd's name) the stored primary one? */
bool stored_primary(struct store *st, const char *head)
{
        const struct vmodes_head_config *h = stored_head(st, head);

        return h && h->primary;
}

/* Reports (when report) what happened to the stored configuration and
 * disconnects. */
void store_end(struct store *st, bool report)
{
        if (!report)
                ;
        else if (st->stored)
                printf("stored: %s\n", st->note);
        else if (st->absent)
                printf("nothing stored to remove: %s\n", st->note);
        else if (st->not_running)
                log_warning("warning: not stored: %s; %s", st->note, lasts());
        else if (st->dry_run)
                printf("(dry run: nothing stored or changed)\n");
        else if (st->live && st->changed_live && !st->wanted)
                printf("(live %s session only: nothing stored, %s)\n", cli_server_word(), lasts());
        vmodes_client_free(st->client);
        free(st->config);
        st->client = NULL;
        st->config = NULL;
}
