/* SPDX-License-Identifier: MIT */
/*
 * What a display backend implements (struct vmodes_display_ops) and the
 * types it shares with the programs (capabilities, counters). Programs use
 * display.h; a backend (x11-randr.c) includes only this header, so the
 * seam has no include cycle.
 */
#pragma once

#include <stdbool.h>

#include "agent/core/layout.h"
#include "modes/modes.h"

/* What the server can do. */
struct vmodes_display_caps {
        bool create_modes;        /* can take modes of any timings (X: yes; Mutter: only listed ones) */
        bool probe;               /* can re-probe its outputs on request (vmodes_display_set_probe) */
        bool primary;             /* has a primary output */
        bool lock;                /* can keep other clients out during a change (X: a server grab) */
        unsigned version_major;   /* protocol version (RandR 1.x), 0 until the first query */
        unsigned version_minor;
        char provider[64];        /* driver behind the screen ("modesetting", "qxl"), "" if unknown */
};

/* Counters for benchmarks and tests: requests with a reply (round trips)
 * made by the last query and execute. */
struct vmodes_display_stats {
        unsigned query_round_trips;
        unsigned execute_round_trips;
        unsigned execute_requests;
};

/* A backend. Every function gets the backend's own handle (impl). lock,
 * unlock and set_probe may be NULL: a server that takes a whole change at
 * once (a Wayland compositor) or probes its outputs itself. */
struct vmodes_display_ops {
        const char *name; /* "x11-randr", "sway", "mutter" */
        int (*open)(const char *display, void **impl, struct vmodes_error *err);
        void (*free)(void *impl);
        const char *(*display_name)(const void *impl);
        int (*get_fd)(const void *impl);
        void (*lock)(void *impl);
        int (*unlock)(void *impl, struct vmodes_error *err);
        void (*set_probe)(void *impl, bool probe);
        int (*query)(void *impl, struct vmodes_layout_state *state, struct vmodes_error *err);
        int (*execute)(void *impl, const struct vmodes_layout_state *state, const struct vmodes_layout_plan *plan,
                       struct vmodes_error *err);
        int (*watch)(void *impl, struct vmodes_error *err);
        int (*dispatch)(void *impl, bool *changed, struct vmodes_error *err);
        void (*get_caps)(const void *impl, struct vmodes_display_caps *caps);
        void (*get_stats)(const void *impl, struct vmodes_display_stats *stats);
};
