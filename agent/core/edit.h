/* SPDX-License-Identifier: MIT */
/*
 * The config-editing rules: what adding or removing a mode, placing a head,
 * setting its options or a whole layout does to a struct vmodes_config.
 * vmodesd's D-Bus methods are these functions plus marshalling and polkit.
 *
 * Pure: no I/O, no printing. Head names are canonical already (the caller
 * resolved them); mode texts are parsed with vmodes_edit_parse_mode(). Each
 * function returns 0 or a negative errno with one line in err; on error c
 * may be half-edited: edit a copy and keep it only on success.
 *   -ENOENT  the head (or the mode) is not in the config
 *   -E2BIG   a limit: VMODES_CONFIG_HEADS_MAX heads, VMODES_CONFIG_MODES_MAX modes
 *   -ELOOP   a head placed relative to itself
 *   -EINVAL  any other bad value (mode text, position, option, layout)
 * Whether the result is a valid config as a whole (cycles, relations to
 * heads that are not configured) is vmodes_config_validate()'s question.
 */
#pragma once

#include <stdbool.h>

#include "agent/core/state.h"

#define VMODES_EDIT_POS_MAX VMODES_SCREEN_MAX /* x, y of a fixed position: the largest X screen */

/* Per-head switches; -1 leaves one as it is (a new head: primary and
 * pinned off, enabled on). */
struct vmodes_edit_head_options {
        int primary;
        int pinned;
        int enabled;
};
#define VMODES_EDIT_HEAD_OPTIONS_INIT { -1, -1, -1 }

/* A mode as callers write it: a spec ("2560x1440@44") or, when the text has
 * a blank or a quote, a modeline. Validated by the timing library. */
int vmodes_edit_parse_mode(const char *text, struct vmodes_head_mode *out, struct vmodes_error *err);
/* The text vmodes_edit_parse_mode() turns back into m: its spec, or its
 * modeline ("NAME" CLOCK ... FLAGS) for custom timings. */
int vmodes_edit_format_mode(char *buf, size_t size, const struct vmodes_head_mode *m);

/* Add hm to head (a new head is created, enabled). A mode of the same name
 * is replaced; make_default puts it first (the mode used), else last. */
int vmodes_edit_add_mode(struct vmodes_config *c, const char *head, const struct vmodes_head_mode *hm,
                         bool make_default, const struct vmodes_edit_head_options *o, struct vmodes_error *err);
/* Remove a mode given by name, spec or modeline (same name, or for a
 * modeline the same timings). A head left without modes is forgotten
 * unless it is kept off. */
int vmodes_edit_remove_mode(struct vmodes_config *c, const char *head, const char *mode, struct vmodes_error *err);
/* Forget a head's whole configuration. */
int vmodes_edit_remove_head(struct vmodes_config *c, const char *head, struct vmodes_error *err);
/* Where a configured head sits: rel with other (RIGHT_OF .. SAME_AS) or
 * x, y (POS, 0..VMODES_EDIT_POS_MAX); primary true makes it the only
 * primary head, false takes it away from this head. */
int vmodes_edit_set_position(struct vmodes_config *c, const char *head, enum vmodes_relation rel, const char *other,
                             int x, int y, bool primary, struct vmodes_error *err);
/* Per-head switches. A head without a configuration can only be stored as
 * off (enabled 0; it needs no mode). */
int vmodes_edit_set_head_options(struct vmodes_config *c, const char *head, const struct vmodes_edit_head_options *o,
                                 struct vmodes_error *err);

/* The global options; unset ones stay. */
struct vmodes_edit_options {
        int auto_fit;            /* -1 leaves it */
        bool set_refresh;
        double auto_fit_refresh; /* 0 (60 Hz) or VMODES_REFRESH_MIN..MAX; kept to 0.001 Hz */
        const char *auto_fit_blanking; /* NULL, or "standard", "rb1", "rb2", "rb3" */
        int kernel_cmdline;      /* -1 leaves it */
};
#define VMODES_EDIT_OPTIONS_INIT { -1, false, 0.0, NULL, -1 }
int vmodes_edit_set_options(struct vmodes_config *c, const struct vmodes_edit_options *o, struct vmodes_error *err);

/* One head of a whole-layout change (vmodes_edit_set_heads). */
struct vmodes_edit_head {
        char head[VMODES_HEAD_NAME_MAX];
        unsigned n_modes;
        struct vmodes_head_mode modes[VMODES_CONFIG_MODES_MAX]; /* modes[0]: the one to use */
        bool keep_modes; /* add the modes in front of the stored ones (as add_mode does) instead of replacing them */
        bool keep_place; /* leave relation, other, x, y as stored (a new head: auto) */
        enum vmodes_relation relation;
        char other[VMODES_HEAD_NAME_MAX];
        int x, y;
        struct vmodes_edit_head_options o;
};
/* Every head of heads[] at once: modes, position, switches. replace:
 * heads not listed are forgotten; else they stay as they are. A head may
 * appear once; at most one may be made primary (which takes it from every
 * other head); a head that ends up enabled needs a mode. */
int vmodes_edit_set_heads(struct vmodes_config *c, const struct vmodes_edit_head *heads, unsigned n, bool replace,
                          struct vmodes_error *err);

/* Whether going from old to new changes how the machine boots: the kernel
 * command line (switched, or its video= arguments while on), or every
 * configured head off (the login screen and the console could stay
 * blank). Such a change needs the administrator's polkit action. */
bool vmodes_edit_affects_boot(const struct vmodes_config *old, const struct vmodes_config *new);
