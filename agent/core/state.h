/* SPDX-License-Identifier: MIT */
/*
 * The desired display state: what /etc/vmodes/vmodes.conf holds, what the
 * daemon owns and publishes over D-Bus, and what the layout planner turns
 * into RandR operations.
 *
 * Shared contract between the daemon (config store, D-Bus API, xorg.conf.d
 * writer) and the session side (planner, XRandR backend, CLI, session agent).
 * Plain data: fixed-size arrays, no pointers, so a config can be copied by
 * assignment and compared with vmodes_config_equal().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "agent/common/head.h" /* VMODES_HEAD_NAME_MAX and the rule of head names */
#include "modes/modes.h"

#define VMODES_CONFIG_HEADS_MAX 16   /* heads in one config */
#define VMODES_CONFIG_MODES_MAX 8    /* modes per head */
/* The largest X screen (RandR's limit): positions run from 0 to this, and
 * so do the screen's width and height. */
#define VMODES_SCREEN_MAX 32767

/* Where a head sits relative to another one, or at a fixed position. */
enum vmodes_relation {
        VMODES_REL_AUTO = 0, /* right of the previous enabled head (or 0,0) */
        VMODES_REL_RIGHT_OF,
        VMODES_REL_LEFT_OF,
        VMODES_REL_ABOVE,
        VMODES_REL_BELOW,
        VMODES_REL_SAME_AS, /* mirror */
        VMODES_REL_POS,     /* x, y below */
};

/* One mode of a head: either a spec (re-computed from the timing library
 * whenever needed) or custom timings from a modeline (kept as numbers). */
struct vmodes_head_mode {
        bool custom;               /* false: spec, true: mode (from a modeline) */
        struct vmodes_spec spec;   /* when !custom */
        struct vmodes_mode mode;   /* custom timings; for specs filled by vmodes_config_resolve() */
};

struct vmodes_head_config {
        /* Canonical head name: the DRM connector name ("Virtual-1"); other
         * schemes (qxl-0, Virtual-0, a bare index) are mapped to it first. */
        char head[VMODES_HEAD_NAME_MAX];
        unsigned n_modes;
        struct vmodes_head_mode modes[VMODES_CONFIG_MODES_MAX]; /* modes[0] is the one to use */
        enum vmodes_relation relation;
        char relative_to[VMODES_HEAD_NAME_MAX]; /* for RIGHT_OF .. SAME_AS */
        int x, y;                               /* for VMODES_REL_POS */
        bool primary;
        bool enabled;  /* default true */
        bool pinned;   /* auto-fit and host resize requests leave it alone */
};

struct vmodes_config {
        bool auto_fit;          /* follow the size the host asks for (connector preferred mode) */
        double auto_fit_refresh; /* Hz for auto-fit modes; 0 = 60 */
        int auto_fit_reduced;   /* CVT blanking for auto-fit modes: 0 standard, 1..3 RB version */
        bool kernel_cmdline;    /* also persist as video= on the kernel command line */
        unsigned n_heads;
        struct vmodes_head_config heads[VMODES_CONFIG_HEADS_MAX];
};

/* ---- agent/core/config.c: the config store (/etc/vmodes/vmodes.conf) ----------
 * File format: vmodes.conf(5) (agent/man/vmodes.conf.5). Functions return 0 or a
 * negative errno and, given a struct vmodes_error, one line saying why
 * ("FILE:LINE: ..." for parse errors). */

#define VMODES_CONFIG_FILE_MAX (64 * 1024) /* bytes a config file may have */
/* The config file vmodesd keeps (and the tools read when it is not running). */
#define VMODES_CONFIG_DEFAULT_PATH SYSCONFDIR "/vmodes/vmodes.conf"

/* Defaults: no heads, auto-fit off, kernel command line off. */
void vmodes_config_init(struct vmodes_config *c);
/* Same desired state (names compared as strings, modes by spec or timings). */
bool vmodes_config_equal(const struct vmodes_config *a, const struct vmodes_config *b);
/* Fill modes[].mode of every spec mode from the timing library. */
int vmodes_config_resolve(struct vmodes_config *c, struct vmodes_error *err);
/* Everything a config must satisfy: names, limits, relations, one primary. */
int vmodes_config_validate(const struct vmodes_config *c, struct vmodes_error *err);
/* Parse (complete, strict) and resolve the len bytes at text; `filename`
 * names the text in errors. The text must be UTF-8 without NUL bytes or
 * control characters; the first byte that is not is an error naming its
 * line and byte offset ("FILE:LINE: NUL byte at offset 42 ..."). Messages
 * quote file text escaped and cut short, so they are always valid UTF-8.
 * *out is only written on success. */
int vmodes_config_parse_n(const char *text, size_t len, const char *filename, struct vmodes_config *out,
                          struct vmodes_error *err);
/* The same for a NUL-terminated string (text that cannot hold a NUL, such as
 * a D-Bus string); text read from a file goes through vmodes_config_parse_n()
 * with the length read, or vmodes_config_load(). */
int vmodes_config_parse(const char *text, const char *filename, struct vmodes_config *out,
                        struct vmodes_error *err);
/* Read and parse a file; -ENOENT when it does not exist. */
int vmodes_config_load(const char *path, struct vmodes_config *out, struct vmodes_error *err);
/* The config as vmodes.conf text (malloc'd), which parses back to an equal config. */
int vmodes_config_format(const struct vmodes_config *c, char **out);

struct vmodes_head_config *vmodes_config_find_head(struct vmodes_config *c, const char *head);
/* "auto", "right-of", "left-of", "above", "below", "same-as", "pos" */
const char *vmodes_relation_to_string(enum vmodes_relation r);
/* The auto-fit blanking names, "standard" and "rb1".."rb3" for 0..3 (the
 * one table of them): the name of a value (NULL out of range), and the
 * value of a name (any case), -EINVAL for another word. */
const char *vmodes_blanking_to_string(int reduced);
int vmodes_blanking_from_string(const char *name);
int vmodes_relation_from_string(const char *s, enum vmodes_relation *out);
