/* SPDX-License-Identifier: MIT */
/*
 * The display backend seam: what a program (the vmodes CLI, the session
 * agent) needs from a display server, whatever the server is.
 *
 *   query    the outputs, their modes and the current layout, as a
 *            struct vmodes_layout_state (the planner's observed state)
 *   execute  a struct vmodes_layout_plan made from that state
 *   watch    the server's change notices (outputs, CRTCs, screen size)
 *   caps     what the server can do (create modes, re-probe outputs, ...)
 *
 * A backend is a struct vmodes_display_ops: X11 RandR (x11-randr.c),
 * sway's IPC (sway-ipc.c) and GNOME's DisplayConfig (mutter-dbus.c); vmodes_display_open() picks one from the
 * session's environment (vmodes_display_session).
 *
 * On top of that, struct vmodes_screen is the handle both programs use:
 * an open display, its last queried state, the virtual GPU behind it (if
 * the program found one) and head resolution in every naming scheme.
 *
 * Nothing here prints or exits: errors come back as a negative errno with
 * struct vmodes_error set. Losing the connection to the server is one of
 * them: -ECONNRESET with err "lost the connection to the X display :1
 * (the X server went away or closed it)", from any call that talks to the
 * server; the program prints it and ends as it sees fit.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/core/layout.h"
#include "agent/display/backend.h"
#include "modes/modes.h"
#include "udev/vmodes-udev.h"

struct vmodes_display;

/* ---- the display ---------------------------------------------------------------- */

/* The display server of this session, by its environment: sway when
 * $SWAYSOCK is set; GNOME's mutter in a Wayland session whose
 * XDG_CURRENT_DESKTOP names GNOME; none in another Wayland session ($WAYLAND_DISPLAY, or
 * XDG_SESSION_TYPE=wayland: DISPLAY there is Xwayland's, whose modes are
 * a pretence for X clients: VMODES_DISPLAY_WAYLAND); else X when
 * $DISPLAY is set. why: what was
 * found, or why there is nothing to drive (one line). */
enum vmodes_display_kind {
        VMODES_DISPLAY_NONE,    /* no display at all */
        VMODES_DISPLAY_WAYLAND, /* a Wayland compositor vmodes cannot drive (GNOME's mutter, ...) */
        VMODES_DISPLAY_X11,
        VMODES_DISPLAY_SWAY,
        VMODES_DISPLAY_MUTTER,  /* GNOME on Wayland (XDG_CURRENT_DESKTOP names GNOME) */
};
enum vmodes_display_kind vmodes_display_session(char *why, size_t size);

/* Opens the display server: name NULL, the session's
 * (vmodes_display_session); else the X display of that name. -ENXIO: none
 * or cannot open it, -EOPNOTSUPP: it lacks what vmodes needs (RandR 1.2);
 * err says which. */
int vmodes_display_open(const char *name, struct vmodes_display **out, struct vmodes_error *err);
void vmodes_display_free(struct vmodes_display *d);
static inline void vmodes_display_freep(struct vmodes_display **d)
{
        if (*d)
                vmodes_display_free(*d);
}

/* The display's name as the server's library reports it (":1"). */
const char *vmodes_display_name(const struct vmodes_display *d);
/* The server in words, for messages: "the X display :1", "sway
 * (/run/user/1000/sway-ipc.sock)", "GNOME's mutter"; d NULL: the server
 * of this session (vmodes_display_session), before it is opened. buf. */
const char *vmodes_display_describe(const struct vmodes_display *d, char *buf, size_t size);
/* The connection's fd, for event loops (readable: call dispatch). */
int vmodes_display_get_fd(const struct vmodes_display *d);

/* Keeps other clients from changing the screen (an X server grab) until
 * the matching unlock. Locks nest. unlock sends what is pending: 0 or
 * -ECONNRESET. */
void vmodes_display_lock(struct vmodes_display *d);
int vmodes_display_unlock(struct vmodes_display *d, struct vmodes_error *err);

/* Makes later queries ask the driver to probe its outputs (X:
 * GetScreenResources instead of the cached state). A DRM hotplug is seen
 * by X only after such a probe. */
void vmodes_display_set_probe(struct vmodes_display *d, bool probe);

/* Reads the outputs, modes and layout. memory_limit, memory_per_head and
 * memory_fix are left 0/empty (vmodes_screen_query fills them). -E2BIG
 * when the server has more outputs, CRTCs or modes than a layout state
 * holds, -EOPNOTSUPP below RandR 1.2, -EIO, -ECONNRESET. */
int vmodes_display_query(struct vmodes_display *d, struct vmodes_layout_state *state, struct vmodes_error *err);

/* Executes the plan made from `state` as just queried, under the lock.
 * 0, or: -EIO (the server refused an operation; the previous layout was
 * put back and err says what, and whether the restore was complete),
 * -ESTALE (the screen changed since the query), -ECONNRESET. */
int vmodes_display_execute(struct vmodes_display *d, const struct vmodes_layout_state *state,
                           const struct vmodes_layout_plan *plan, struct vmodes_error *err);

/* Asks the server for change notices (outputs, CRTCs, screen size). Then,
 * whenever the fd is readable: dispatch reads every pending notice without
 * blocking and sets *changed when one of them was a layout change. 0 or
 * -ECONNRESET (the server went away: err says so). */
int vmodes_display_watch(struct vmodes_display *d, struct vmodes_error *err);
int vmodes_display_dispatch(struct vmodes_display *d, bool *changed, struct vmodes_error *err);

/* "connected", "disconnected" or "unknown": how vmodes names an output's
 * connection state everywhere (vmodes list, vmodes status). */
const char *vmodes_display_connection_name(enum vmodes_layout_connection c);

/* What the server can do (valid after the first query). */
void vmodes_display_get_caps(const struct vmodes_display *d, struct vmodes_display_caps *caps);
void vmodes_display_get_stats(const struct vmodes_display *d, struct vmodes_display_stats *stats);

/* ---- the screen: a display, its state, the GPU behind it ------------------------- */

struct vmodes_screen {
        struct vmodes_display *display;
        struct vmodes_layout_state *state; /* the last query (owned) */
        const struct vmodes_device *dev;   /* the virtual GPU, or NULL (owned by the program) */
        char provider[64];                 /* copy of caps.provider */
};

/* Opens the display (NULL: $DISPLAY) into s; dev: the virtual GPU the
 * program found (udev discovery), or NULL. No query yet: call
 * vmodes_screen_query (after vmodes_display_lock when the change must not
 * race other clients). -ENOMEM or vmodes_display_open's errors. */
int vmodes_screen_open(struct vmodes_screen *s, const char *name, const struct vmodes_device *dev,
                       struct vmodes_error *err);
/* Reads the state again: vmodes_display_query plus the device memory
 * limit (memory_limit, memory_per_head, memory_fix) when dev is known. */
int vmodes_screen_query(struct vmodes_screen *s, struct vmodes_error *err);
/* Frees the state and the display; s can be opened again. */
void vmodes_screen_close(struct vmodes_screen *s);

/* The output a head name means: the output name itself, any scheme's
 * name of the same head (Virtual-1, qxl-0, legacy Virtual-0,
 * card0-Virtual-1) or a head number (1-based). NULL with err set when
 * there is none: -EINVAL "'NAME' is not a head name: ..." or -ENOENT
 * "unknown head NAME: this X server has A, B (or give a head number, 1 to
 * N)" (sway, GNOME's mutter in their sessions). */
const struct vmodes_layout_output *vmodes_screen_resolve(const struct vmodes_screen *s, const char *name,
                                                         struct vmodes_error *err);
/* The virtual GPU's head (1-based) an output is: 0, or -ENOENT when dev is
 * NULL or does not know the output. */
int vmodes_screen_device_head(const struct vmodes_screen *s, const struct vmodes_layout_output *o, unsigned *head);
/* 1-based head number of an output: the device's head when known, else its
 * place in the server's list. */
unsigned vmodes_screen_head_number(const struct vmodes_screen *s, const struct vmodes_layout_output *o);
