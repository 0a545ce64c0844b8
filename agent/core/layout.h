/* SPDX-License-Identifier: MIT */
/*
 * The layout planner: desired state (struct vmodes_config) + observed state
 * (what a RandR query returned) -> the minimal ordered list of RandR
 * operations that turns one into the other, or a one-line error saying what
 * does not fit and how to fix it.
 *
 * Pure: no I/O, no X, no globals; the XRandR backend (agent/display/x11-randr.c) fills a
 * struct vmodes_layout_state and executes the plan, tests build both by hand.
 *
 * Head names in the config given to the planner are X output names (the
 * caller maps "Virtual-1", "qxl-0", "1", ... to the server's names first).
 *
 * Rules the planner follows:
 * - A mode is created only when no mode with identical timings exists; a new
 *   mode whose name is taken by different timings gets a "-2", "-3", ...
 *   suffix. A mode is added to an output only when the output lacks it.
 * - A head without a CRTC gets a free one it can use (neither lit now nor
 *   claimed by another head of the plan; CRTCs of heads turned off count as
 *   free).
 * - Positions: VMODES_REL_AUTO puts the first configured head at its current
 *   position when it is lit (else right of every lit head not in the config),
 *   every later one right of the previous enabled configured head. Relations
 *   may chain; a cycle is an error. A layout reaching left of or above 0,0
 *   (left-of, above) is moved right/down as a whole, heads not in the config
 *   included; one with a fixed position (VMODES_REL_POS) cannot be moved and
 *   is refused then.
 * - The screen becomes the bounding box of every lit CRTC (at least the
 *   server's minimum). It is grown before CRTCs are enlarged and shrunk after
 *   they are reduced; when one dimension grows and the other shrinks it goes
 *   through the larger of both sizes if that fits, else the CRTCs that do not
 *   fit the new size are turned off first (as xrandr does).
 * - The server's maximum screen size and the device's memory are checked
 *   before any operation is emitted.
 * - Heads that are disconnected are treated like connected ones: an explicit
 *   mode works on them (QXL heads 2-4 without a client).
 * - Outputs not named in the config keep their state (they only move when
 *   the layout is moved right/down as above). An output sharing a CRTC with
 *   a configured head (a clone) follows it, or leaves the clone when it
 *   cannot show the new mode.
 * - The config's `pinned` and auto-fit settings mean nothing here: the
 *   session agent decides which heads go into the config it plans.
 * - Applying a plan's result again yields an empty plan.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/core/state.h"
#include "modes/modes.h"

#define VMODES_LAYOUT_MODES_MAX 1024        /* modes on the screen */
#define VMODES_LAYOUT_OUTPUTS_MAX 32
#define VMODES_LAYOUT_CRTCS_MAX 32
#define VMODES_LAYOUT_OUTPUT_MODES_MAX 512  /* modes one output offers */
#define VMODES_LAYOUT_NAME_MAX 64           /* X output names */
#define VMODES_LAYOUT_OPS_MAX 256

/* RandR's RR_Rotate_0 */
#define VMODES_LAYOUT_ROTATE_0 1

enum vmodes_layout_connection {
        VMODES_LAYOUT_CONNECTED = 0, /* RandR's RR_Connected */
        VMODES_LAYOUT_DISCONNECTED = 1,
        VMODES_LAYOUT_UNKNOWN = 2,
};

struct vmodes_layout_smode {
        uint32_t id;             /* RRMode XID */
        struct vmodes_mode mode; /* timings and name as the server has them */
        /* The server tells only the size and the refresh rate (a Wayland
         * compositor): mode holds the size, the rate (clock, htotal, vtotal
         * with no blanking) and the interlace flag, and the planner takes it
         * for any mode of that size whose rate rounds to the same mHz, give
         * or take the state's loose_tolerance_mhz (vmodes_layout_mode_matches). */
        bool loose;
};

struct vmodes_layout_output {
        uint32_t id;             /* RROutput XID */
        char name[VMODES_LAYOUT_NAME_MAX];
        enum vmodes_layout_connection connection;
        uint32_t crtc;           /* current CRTC, 0 = none */
        unsigned n_crtcs;        /* CRTCs this output can use */
        uint32_t crtcs[VMODES_LAYOUT_CRTCS_MAX];
        unsigned n_modes;        /* modes it offers (ids into state.modes) */
        uint32_t modes[VMODES_LAYOUT_OUTPUT_MODES_MAX];
        unsigned n_preferred;    /* the first n_preferred of modes are preferred */
        /* it has the hotplug_mode_update property: the host sets its size
         * (qxl), and GNOME's mutter then follows the host itself */
        bool hotplug_mode_update;
};

struct vmodes_layout_crtc {
        uint32_t id;             /* RRCrtc XID */
        int x, y;
        unsigned width, height;  /* 0 when off */
        uint32_t mode;           /* 0 = off */
        uint16_t rotation;       /* RR_Rotate_* | RR_Reflect_* */
        unsigned n_outputs;      /* outputs it drives now */
        uint32_t outputs[VMODES_LAYOUT_OUTPUTS_MAX];
};

struct vmodes_layout_state {
        unsigned width, height;          /* screen size */
        unsigned min_width, min_height;  /* XRRGetScreenSizeRange */
        unsigned max_width, max_height;
        uint32_t primary;                /* primary output, 0 = none */
        /* Bytes of video memory a framebuffer may use, 0 = not limited. */
        uint64_t memory_limit;
        /* The driver keeps one framebuffer copy per lit head (kernel qxl
         * under the modesetting DDX). */
        bool memory_per_head;
        /* What raises the memory, for the error message ("raise vgamem_mb
         * in the VM definition"); empty = generic advice. */
        char memory_fix[128];
        /* How far (mHz) a loose mode's rate may be from a wanted mode's
         * for the planner to take it: 0 for a server that makes any mode
         * (sway), more for one that offers only its own list (GNOME's
         * mutter lists 60.000 Hz where CVT's 1920x1080@60 is 59.963);
         * the closest one is taken. */
        uint32_t loose_tolerance_mhz;
        /* The server takes only layouts that begin at 0,0 (GNOME's mutter):
         * the planner moves every layout there, left and up too. */
        bool layout_at_origin;
        unsigned n_modes;
        struct vmodes_layout_smode modes[VMODES_LAYOUT_MODES_MAX];
        unsigned n_outputs;
        struct vmodes_layout_output outputs[VMODES_LAYOUT_OUTPUTS_MAX];
        unsigned n_crtcs;
        struct vmodes_layout_crtc crtcs[VMODES_LAYOUT_CRTCS_MAX];
};

/* A mode to take away from an output (vmodes remove HEAD SPEC). */
struct vmodes_layout_drop {
        char head[VMODES_HEAD_NAME_MAX];
        struct vmodes_mode mode; /* matched by timings */
};

enum vmodes_layout_op_type {
        VMODES_OP_CREATE_MODE,     /* XRRCreateMode(mode) */
        VMODES_OP_ADD_MODE,        /* XRRAddOutputMode(output, mode) */
        VMODES_OP_DISABLE_CRTC,    /* XRRSetCrtcConfig(crtc, None) */
        VMODES_OP_SET_SCREEN_SIZE, /* XRRSetScreenSize(width, height) */
        VMODES_OP_SET_CRTC,        /* XRRSetCrtcConfig(crtc, x, y, mode, rotation, outputs) */
        VMODES_OP_SET_PRIMARY,     /* XRRSetOutputPrimary(output) */
        VMODES_OP_DELETE_MODE,     /* XRRDeleteOutputMode(output, mode) */
        VMODES_OP_DESTROY_MODE,    /* XRRDestroyMode(mode) */
};

/* A mode an operation refers to: an existing XID, or the mode created by
 * operation number `created` of the same plan (then id is 0). */
struct vmodes_layout_mode_ref {
        uint32_t id;
        int created; /* index into plan.ops, -1 for an existing mode */
};

struct vmodes_layout_op {
        enum vmodes_layout_op_type type;
        struct vmodes_mode mode;            /* CREATE_MODE: the new mode; else the mode's timings (for messages) */
        struct vmodes_layout_mode_ref ref;  /* ADD/DELETE/DESTROY_MODE, SET_CRTC */
        uint32_t output;                    /* ADD/DELETE_MODE, SET_PRIMARY */
        uint32_t crtc;                      /* SET_CRTC, DISABLE_CRTC */
        int x, y;                           /* SET_CRTC */
        unsigned width, height;             /* SET_SCREEN_SIZE; SET_CRTC: the mode's size */
        uint16_t rotation;                  /* SET_CRTC */
        unsigned n_outputs;                 /* SET_CRTC */
        uint32_t outputs[VMODES_LAYOUT_OUTPUTS_MAX];
};

/* What happens to one configured head (for the CLI's summary). */
enum vmodes_layout_change {
        VMODES_CHANGE_NONE = 0,  /* already so */
        VMODES_CHANGE_MODE = 1 << 0,
        VMODES_CHANGE_POSITION = 1 << 1,
        VMODES_CHANGE_ON = 1 << 2,
        VMODES_CHANGE_OFF = 1 << 3,
        VMODES_CHANGE_PRIMARY = 1 << 4,
        VMODES_CHANGE_ADDED = 1 << 5,   /* a mode was added to the output */
        VMODES_CHANGE_REMOVED = 1 << 6, /* a mode was taken away from the output */
};

struct vmodes_layout_result {
        char head[VMODES_HEAD_NAME_MAX];
        uint32_t output;
        unsigned changes;           /* enum vmodes_layout_change bits */
        bool enabled;               /* lit after the plan */
        struct vmodes_mode mode;    /* the mode it shows after the plan (when enabled) */
        int x, y;
};

struct vmodes_layout_plan {
        unsigned n_ops;
        struct vmodes_layout_op ops[VMODES_LAYOUT_OPS_MAX];
        unsigned width, height;     /* screen size after the plan */
        unsigned n_results;         /* one per configured head, in config order */
        struct vmodes_layout_result results[VMODES_CONFIG_HEADS_MAX + VMODES_CONFIG_HEADS_MAX];
};

/* Plans the change from `have` to `want` (plus the mode removals in drop).
 * The plan is complete or not made at all: -EINVAL (the config contradicts
 * itself or names unknown outputs), -ENOENT (a mode to drop is not there),
 * -ENOSPC (screen or memory too small), -EBUSY (no free CRTC), -E2BIG
 * (too many operations); err says which and how to fix it. */
int vmodes_layout_plan(const struct vmodes_config *want, const struct vmodes_layout_state *have,
                       const struct vmodes_layout_drop *drop, size_t n_drop,
                       struct vmodes_layout_plan *plan, struct vmodes_error *err);

/* Lookups in a state (NULL when absent). */
const struct vmodes_layout_output *vmodes_layout_output_by_name(const struct vmodes_layout_state *s,
                                                                const char *name);
const struct vmodes_layout_output *vmodes_layout_output_by_id(const struct vmodes_layout_state *s, uint32_t id);
const struct vmodes_layout_crtc *vmodes_layout_crtc_by_id(const struct vmodes_layout_state *s, uint32_t id);
const struct vmodes_layout_smode *vmodes_layout_mode_by_id(const struct vmodes_layout_state *s, uint32_t id);
/* How far a server mode is from the mode m: 0 for the same timings, or
 * for a loose mode of the same size and interlace flag the difference of
 * their rates in mHz; -1 when it is not m at all (other timings, or a
 * loose mode of another size or further than the state's
 * loose_tolerance_mhz). */
int64_t vmodes_layout_mode_distance(const struct vmodes_layout_state *s, const struct vmodes_layout_smode *sm,
                                    const struct vmodes_mode *m);
static inline bool vmodes_layout_mode_matches(const struct vmodes_layout_state *s, const struct vmodes_layout_smode *sm,
                                              const struct vmodes_mode *m)
{
        return vmodes_layout_mode_distance(s, sm, m) >= 0;
}
/* A loose mode of that size and rate (mHz) in s, made unless there is one:
 * its id (1-based place in s->modes), or 0 when the values are out of
 * range or s has no room. For backends whose server tells only size and
 * rate: their ids must then all be made this way. */
uint32_t vmodes_layout_add_loose_mode(struct vmodes_layout_state *s, unsigned width, unsigned height, int64_t mhz);
/* For a server without a screen of its own (a Wayland compositor): the
 * screen becomes the bounding box of the lit CRTCs, its maximum the
 * largest a layout may be (32767 x 32767). */
void vmodes_layout_state_screenless(struct vmodes_layout_state *s);
/* loose_tolerance_mhz where only the kernel's modes exist (GNOME's mutter,
 * GDM's greeter): a spec takes the listed mode of its size within 0.5 Hz
 * (CVT's 1920x1080@60 is 59.963 Hz, the kernel's DMT mode 60.000). */
#define VMODES_LAYOUT_KERNEL_RATE_TOLERANCE_MHZ 500u

/* What one CRTC shows once a plan is done (for servers that take a whole
 * layout at once: the Wayland backends, GDM's monitors.xml). */
struct vmodes_layout_target {
        bool lit;
        uint32_t mode; /* an id of the state, 0 when lit with a mode the plan creates */
        int created;   /* that mode: index into plan.ops of its CREATE_MODE, else -1 */
        int x, y;
};
/* The state's CRTCs after plan, in the state's order (t has s->n_crtcs
 * entries), and the primary output after it. */
void vmodes_layout_plan_targets(const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan,
                                struct vmodes_layout_target *t, uint32_t *primary);

/* A mode's refresh rate in whole mHz (rounded), as Wayland reports it. */
int32_t vmodes_layout_refresh_mhz(const struct vmodes_mode *m);

/* Does output o offer mode `mode`; may it use CRTC `crtc`? */
bool vmodes_layout_output_offers(const struct vmodes_layout_output *o, uint32_t mode);
bool vmodes_layout_output_can_use(const struct vmodes_layout_output *o, uint32_t crtc);

/* The output a head name means on this server without device information,
 * by the one head-name rule (vmodes_head_find_output, agent/common/head.h):
 * the output of that name; the same head in another naming scheme (the
 * KMS "Virtual-1".."Virtual-N", the qxl DDX's UMS "qxl-0".., the legacy
 * "Virtual-0".., detected from the server's own names); or a 1-based head
 * number (on servers with other names: the n-th output). NULL if none. */
const struct vmodes_layout_output *vmodes_layout_find_head(const struct vmodes_layout_state *s, const char *name);

/* The output a configured head name means in state, or NULL. */
typedef const struct vmodes_layout_output *(*vmodes_layout_resolve_fn)(const struct vmodes_layout_state *state,
                                                                         const char *name, void *userdata);

/* Head h of a stored config as e, in the state's output names (resolve
 * NULL: vmodes_layout_find_head()); a relation to a head the state does not
 * have becomes auto. The output it means, or NULL (e untouched) when the
 * state does not have it. */
const struct vmodes_layout_output *vmodes_layout_map_head(const struct vmodes_layout_state *state,
                                                          vmodes_layout_resolve_fn resolve, void *userdata,
                                                          const struct vmodes_head_config *h,
                                                          struct vmodes_head_config *e);

/* The stored config in the state's output names, head by head as
 * vmodes_layout_map_head(): heads the state does not have are left out
 * (their indexes listed in skipped / n_skipped when given). */
void vmodes_layout_map_config(const struct vmodes_config *in, const struct vmodes_layout_state *state,
                              vmodes_layout_resolve_fn resolve, void *userdata, struct vmodes_config *out,
                              unsigned *skipped, unsigned *n_skipped);

/* The names of n modes of state (ids), as "1920x1080_60.00, 1280x800, ..."
 * in buf (cut at its size). */
void vmodes_layout_mode_list(const struct vmodes_layout_state *state, const uint32_t *ids, unsigned n, char *buf,
                             size_t size);

/* The names of the state's outputs, as "Virtual-1, Virtual-2" in buf (cut
 * at its size, ending in "..."), or "no outputs". */
void vmodes_layout_output_names(const struct vmodes_layout_state *state, char *buf, size_t size);

/* Short name of an operation type ("create-mode", ...). */
const char *vmodes_layout_op_name(enum vmodes_layout_op_type t);
/* One line describing an operation ("set CRTC 0x41: 2560x1440_44.00 at +0+0
 * on DUMMY0"), using names from the state. */
void vmodes_layout_op_describe(char *buf, size_t size, const struct vmodes_layout_op *op,
                               const struct vmodes_layout_state *s, const struct vmodes_layout_plan *plan);
