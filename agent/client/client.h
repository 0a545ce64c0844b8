/* SPDX-License-Identifier: MIT */
/*
 * Client side of org.vmodes.Daemon1 for the vmodes command and the session
 * agent (sd-bus). Every call has a short timeout (longer when polkit may ask
 * the user at a terminal for a password); when vmodesd is not running (or
 * there is no system bus) the error says so and how to start it, instead of
 * hanging.
 *
 * The bus is the system bus, or $VMODES_BUS_ADDRESS when set (tests).
 * Functions return 0 or a negative errno and fill err with one line:
 *   -ESRCH   vmodesd is not running / not reachable
 *   -EACCES  not authorized (org.vmodes.Error.AccessDenied)
 *   -EINVAL  bad head, mode or argument (InvalidHead, InvalidMode, ...)
 *   -ENOENT  the head has no such mode stored (NoSuchMode)
 *   -E2BIG   mode too large for the device, or a limit reached
 *   -ETIMEDOUT  no answer in time
 *   -EIO     anything else (the daemon's message is in err)
 */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "agent/common/bus.h" /* vmodes_bus_open */
#include "agent/core/state.h"

#define VMODES_CLIENT_TIMEOUT_USEC (10ULL * 1000 * 1000)
/* calls that may wait for a password in a polkit agent (stdin is a terminal) */
#define VMODES_CLIENT_AUTH_TIMEOUT_USEC (120ULL * 1000 * 1000)

struct vmodes_client;

int vmodes_client_open(struct vmodes_client **out, struct vmodes_error *err);
void vmodes_client_free(struct vmodes_client *c);
static inline void vmodes_client_freep(struct vmodes_client **c)
{
        vmodes_client_free(*c);
}

/* Tri-state options: -1 leaves the setting as it is. */
struct vmodes_client_mode_options {
        int primary;
        int pinned;
        int enabled;
        int make_default; /* -1 or 1: the new mode becomes the one used; 0: appended */
};
#define VMODES_CLIENT_MODE_OPTIONS_INIT { -1, -1, -1, -1 }

/* Adds a mode (a spec "2560x1440@44" or a modeline) to a head (any name
 * scheme or a head number). The canonical head name and the mode name are
 * returned when the buffers are given (VMODES_HEAD_NAME_MAX, VMODES_NAME_MAX). */
int vmodes_client_add_mode(struct vmodes_client *c, const char *head, const char *mode,
                           const struct vmodes_client_mode_options *o, char *head_out, char *mode_name_out,
                           struct vmodes_error *err);
/* mode "" removes the head's whole configuration. */
int vmodes_client_remove_mode(struct vmodes_client *c, const char *head, const char *mode, struct vmodes_error *err);
/* other: for right-of .. same-as; x, y: for VMODES_REL_POS. */
int vmodes_client_set_layout(struct vmodes_client *c, const char *head, enum vmodes_relation rel, const char *other,
                             int x, int y, bool primary, struct vmodes_error *err);
/* Per-head options (tri-state, -1 leaves it); enabled 0 on a head without a
 * configuration stores it as off. */
int vmodes_client_set_head_options(struct vmodes_client *c, const char *head, int primary, int pinned, int enabled,
                                   struct vmodes_error *err);

/* One head of a whole layout (vmodes_client_set_heads). */
struct vmodes_client_head {
        const char *head;          /* any name scheme or a head number */
        const char *const *modes;  /* n_modes specs or modelines, the first is the one used */
        unsigned n_modes;
        bool keep_modes;           /* put them in front of the stored ones (as add_mode does) instead of replacing them */
        bool keep_place;           /* leave the stored place (a new head: auto); relation .. y unused */
        enum vmodes_relation relation;
        const char *other;         /* for right-of .. same-as */
        int x, y;                  /* for VMODES_REL_POS */
        int primary, pinned, enabled; /* tri-state: -1 leaves it (a new head: off, off, on) */
};
/* What vmodesd stored for one head of a whole layout. */
struct vmodes_client_head_result {
        char head[VMODES_HEAD_NAME_MAX];   /* canonical name */
        char mode_name[VMODES_NAME_MAX];   /* the mode it uses, "" when none */
};
/* A whole layout in one transaction (SetHeads): every head's modes, place
 * and switches at once, validated as a whole and stored all or nothing (a
 * refused call changes nothing and no ConfigChanged is sent). replace:
 * heads not given are forgotten; else they stay as stored. results (n
 * entries, may be NULL) get each head's canonical name and mode. Errors as
 * above: -EINVAL (bad head, mode, place; a head given twice; two made
 * primary; a head on without a mode; a layout that does not validate),
 * -E2BIG (too large for the device, more than 16 heads / 8 modes), -EACCES
 * (polkit: all heads off or kernel-cmdline's video= changed need
 * org.vmodes.configure-boot). */
int vmodes_client_set_heads(struct vmodes_client *c, const struct vmodes_client_head *heads, unsigned n, bool replace,
                            struct vmodes_client_head_result *results, struct vmodes_error *err);
int vmodes_client_apply(struct vmodes_client *c, struct vmodes_error *err);
int vmodes_client_reload(struct vmodes_client *c, struct vmodes_error *err);
/* The daemon's config (its Config property, parsed). */
int vmodes_client_get_config(struct vmodes_client *c, struct vmodes_config *out, struct vmodes_error *err);

/* The stored configuration: vmodesd's when it runs, else the file
 * (VMODES_CONFIG_DEFAULT_PATH) as it is on disk; a missing file is an empty
 * config. *from_file tells which; when it is the file, note says why (one
 * line, for a message). 0 or a negative errno with err set. */
int vmodes_stored_config(struct vmodes_config *out, bool *from_file, char *note, size_t note_size,
                         struct vmodes_error *err);
