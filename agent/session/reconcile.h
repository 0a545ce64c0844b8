/* SPDX-License-Identifier: MIT */
/*
 * The session agent's policy, pure: stored config + observed state (a
 * query of the X session) + what the host asked for (a head's preferred
 * size changed since the agent last looked) -> the effective config, that
 * is which heads enter the plan and with which mode. No I/O, no X, no
 * clock: the caller passes the time; tests build states by hand
 * (tests/test-reconcile.c).
 *
 * Rules (they keep the agent from fighting spice-vdagent or the desktop):
 * - a full reconcile (the first one, or after the configuration changed)
 *   takes every configured head the X session has;
 * - otherwise a configured head enters when it just got connected (within
 *   VMODES_RECONCILE_CONNECT_USEC of being seen connecting: servers set a
 *   new head up in several steps) or when it is pinned;
 * - with auto-fit, a connected head whose preferred mode changed (the host
 *   asks for its window size) enters with that size at the configured
 *   refresh rate and blanking; heads without a configuration too, once the
 *   first reconcile is done. A size asked while auto-fit was off counts as
 *   asked until auto-fit is on (turning it on fits the heads to what the
 *   host asks now), and an unanswered request wins over the stored mode
 *   in a full reconcile (the configuration changed in the same moment);
 * - a head without a configuration that the host disconnected (a SPICE
 *   client switched that display off) is turned off, unless it is the last
 *   one lit;
 * - every other head keeps whatever size someone else (the host, the
 *   desktop) gave it: it stays out of the plan;
 * - in a desktop that follows the host itself (GNOME: mutter sets a head
 *   the host resized, connected or disconnected to what the host asks, on
 *   outputs with the hotplug_mode_update property, which qxl's carry),
 *   auto-fit and the host-off rule leave those heads to it: two agents
 *   answering the same request would undo each other's mode. Heads
 *   without the property (virtio-gpu) stay with auto-fit.
 * Configured heads are renamed to the X session's output names (any naming
 * scheme or a head number in the config); a head the session does not have
 * is left out and reported, a relation to such a head becomes auto.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/core/layout.h"
#include "agent/core/state.h"

/* How long after a head connects the layout it comes up with counts as
 * part of the connect (Xvnc, for one, sets it in several steps). */
#define VMODES_RECONCILE_CONNECT_USEC (1000 * 1000ULL)

/* What the agent saw of one X output at its last reconcile. */
struct vmodes_reconcile_seen {
        uint32_t output;       /* RROutput XID */
        bool known;
        enum vmodes_layout_connection connection;
        unsigned pref_w, pref_h; /* the size the host asked for then, 0x0 if none */
        uint64_t connected_at; /* when it was seen connecting (usec, the caller's clock), 0: at start */
};

/* The agent's memory between reconciles; zero it before the first. */
struct vmodes_reconcile {
        bool started; /* one reconcile was remembered */
        struct vmodes_reconcile_seen seen[VMODES_LAYOUT_OUTPUTS_MAX];
};

struct vmodes_reconcile_input {
        const struct vmodes_config *config; /* the stored configuration */
        const struct vmodes_layout_state *state; /* the X session now */
        bool full;    /* apply every configured head (start, configuration changed) */
        uint64_t now; /* usec, the clock of connected_at */
        bool desktop_follows_host; /* vmodes_reconcile_desktop_follows_host() */
        vmodes_layout_resolve_fn resolve; /* NULL: vmodes_layout_find_head() */
        void *userdata;
};

/* Why a head is in the effective config (for logs and tests). */
enum vmodes_reconcile_why {
        VMODES_RECONCILE_FULL = 1,  /* a full reconcile */
        VMODES_RECONCILE_CONNECTED, /* it just got connected */
        VMODES_RECONCILE_PINNED,    /* pinned: its configured mode back */
        VMODES_RECONCILE_AUTO_FIT,  /* the host asked for a size */
        VMODES_RECONCILE_HOST_OFF,  /* the host disconnected it (no configuration) */
        VMODES_RECONCILE_RELATIVE,  /* placed relative to a head that enters: its place again */
};

struct vmodes_reconcile_result {
        /* What to plan: the heads that enter, in X output names. */
        struct vmodes_config config;
        enum vmodes_reconcile_why why[VMODES_CONFIG_HEADS_MAX];
        /* Configured heads the X session does not have (indices into the
         * stored config's heads). */
        unsigned n_skipped;
        unsigned skipped[VMODES_CONFIG_HEADS_MAX];
};

/* The effective config of this moment. 0, or -EINVAL without a config or a
 * state. */
int vmodes_reconcile_decide(const struct vmodes_reconcile *r, const struct vmodes_reconcile_input *in,
                            struct vmodes_reconcile_result *out);

/* Remembers state (as queried, before the plan) as the last one seen:
 * which heads connected since the last time (at `now`) and, when config
 * (the one decide() was given) has auto-fit on, the sizes the host asks
 * for now as answered. */
void vmodes_reconcile_remember(struct vmodes_reconcile *r, const struct vmodes_layout_state *state,
                               const struct vmodes_config *config, uint64_t now);

/* Whether the desktop named by XDG_CURRENT_DESKTOP (a colon-separated list,
 * NULL when unset) follows the host's size requests itself: GNOME's mutter
 * does, on outputs with the hotplug_mode_update property (Linux creates it
 * for qxl and vmwgfx connectors, not for virtio-gpu or bochs). */
bool vmodes_reconcile_desktop_follows_host(const char *current_desktop);

/* The auto-fit mode for a requested size: CVT at the configured refresh
 * rate (60 Hz when unset) and blanking. 0 or -EINVAL (a size the timing
 * library refuses). */
int vmodes_reconcile_auto_fit_mode(const struct vmodes_config *config, unsigned width, unsigned height,
                                   struct vmodes_head_mode *out);

/* The size the host asks of an output: its last preferred mode (X puts the
 * mode its config prefers first, marked preferred too, and the kernel's
 * preferred mode after it); an output
 * without one (Xvnc while it shows a size a client asked for) asks for the
 * size it shows; 0x0 when neither. */
void vmodes_reconcile_requested_size(const struct vmodes_layout_state *state, const struct vmodes_layout_output *o,
                                     unsigned *width, unsigned *height);
