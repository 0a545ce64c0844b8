/* SPDX-License-Identifier: MIT */
/*
 * What vmodes add, remove, list and apply share: the X session they
 * change (a struct vmodes_screen, agent/display/display.h, opened with
 * the CLI's bounds on waiting and its messages), head names and modes from
 * the command line (args.c), the store through vmodesd (store.c) and the
 * plan-store-execute-report step (plan.c).
 *
 * Functions returning int return an exit code (CLI_EXIT_*) and have
 * printed the error when it is not CLI_EXIT_OK, unless said otherwise.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "agent/client/client.h"
#include "agent/core/layout.h"
#include "agent/core/state.h"
#include "agent/display/display.h"
#include "modes/modes.h"

/* The session's display server as messages name it: "X" or "sway". */
const char *cli_server_word(void);

enum { OPT_APPLY = 1000, OPT_PRIMARY, OPT_RIGHT_OF, OPT_LEFT_OF, OPT_ABOVE, OPT_BELOW, OPT_SAME_AS, OPT_POS, OPT_RB,
       OPT_MODELINE, OPT_JSON, OPT_MODES, OPT_NO_STORE, OPT_PINNED };

/* ---- screen.c: the X session ---------------------------------------------------- */

/* Opens $DISPLAY with the virtual GPU behind it (if any), grabs the
 * server when lock, reads the state (with the device memory limit). */
int cli_screen_open(struct vmodes_screen *s, bool lock);
void cli_screen_close(struct vmodes_screen *s);
/* A head name's syntax, checked before anything is connected to. */
int cli_check_head_name(const char *name);
/* The output a head name means, or NULL with the reason printed. */
const struct vmodes_layout_output *cli_resolve(const struct vmodes_screen *s, const char *name);
/* The name to give vmodesd for an X output (see screen.c). */
void cli_daemon_head(const struct vmodes_screen *s, const struct vmodes_layout_output *o, char *buf, size_t size);

/* ---- args.c: head descriptions and modes from the command line ------------------ */

/* SPEC with an optional --rb override (-1: none), or a modeline. */
int cli_parse_mode(const char *spec, int rb, struct vmodes_head_mode *hm);
/* "right-of"/"--right-of" style words. */
bool cli_relation_word(const char *w, enum vmodes_relation *rel);
/* "XxY" or "X,Y", both 0 to VMODES_SCREEN_MAX. */
bool cli_parse_pos(const char *v, int *x, int *y);
/* Fills dst from a user head name: the X output it means, or (s NULL:
 * arguments checked before connecting) the name as given. */
int cli_set_name(const struct vmodes_screen *s, char dst[VMODES_HEAD_NAME_MAX], const char *name);
/* The timings a lit output shows now. */
bool cli_current_mode(const struct vmodes_screen *s, const char *name, struct vmodes_mode *m);

/* The options of 'vmodes remove' and 'vmodes apply': -n, -v, --no-store,
 * -h. Returns -1 to go on (optind at the first argument), else the exit
 * code (help shown, or an unknown option reported). */
struct change_options {
        bool dry_run, verbose, no_store;
};
int cli_change_options(int argc, char **argv, const char *command, void (*help)(FILE *), struct change_options *o);

/* ---- store.c: the stored configuration (vmodesd) -------------------------------- */

/* How a command keeps its change: through vmodesd unless --no-store (or a
 * dry run), and in the live X session when there is a display. */
struct store {
        bool wanted;                     /* store through vmodesd */
        bool live;                       /* the caller's X session changes too */
        struct vmodes_client *client;
        struct vmodes_config *config;    /* vmodesd's config as last read (NULL until read) */
        bool stored;                     /* vmodesd has the change */
        bool not_running;                /* vmodesd could not be reached: live only */
        bool absent;                     /* vmodesd had nothing stored to remove */
        bool dry_run;                    /* show the plan only */
        bool changed_live;               /* the plan had operations */
        char note[300];                  /* why not stored, or what was stored */
        char head[VMODES_HEAD_NAME_MAX]; /* the head as vmodesd names it */
};

int store_failed(struct store *st, int r, const struct vmodes_error *err);
int store_open_for(struct store *st, bool no_store, bool dry_run, const char *command);
bool store_ready(const struct store *st);
const struct vmodes_head_config *stored_head(struct store *st, const char *head);
bool stored_primary(struct store *st, const char *head);
void store_end(struct store *st, bool report);

/* ---- plan.c: plan, store, execute, report --------------------------------------- */

/* A command's store step, run once the plan is known to fit. */
typedef int (*store_fn)(struct store *st, const struct vmodes_screen *s, const void *job);

/* "43.99 Hz", or "? Hz" for a mode without a pixel clock (Xvfb). */
void cli_format_refresh(char *buf, size_t size, const struct vmodes_mode *m);
/* Plans, stores (through save), executes (unless a dry run) and reports. */
int cli_run_plan(struct vmodes_screen *s, const struct vmodes_config *cfg, const struct vmodes_layout_drop *drop,
                 size_t n_drop, bool verbose, struct store *st, store_fn save, const void *job);
