/* SPDX-License-Identifier: MIT */
/*
 * The XRandR backend: reads the RandR state of an X screen into a
 * struct vmodes_layout_state and executes a struct vmodes_layout_plan on it.
 *
 * Queries use GetScreenResourcesCurrent (no forced output re-probe) and
 * take two round trips whatever the number of outputs: the requests go
 * through XCB on the Xlib connection, all sent before any reply is read.
 * A plan runs under a server grab (vmodes_randr_lock) so no other client
 * changes the screen between the query and the last operation; its
 * operations are sent in one go too (two round trips when it creates modes).
 * X errors are caught per operation and turned into one line a user
 * understands; when a step fails, with an X error or without one, the
 * CRTCs, the screen size, the primary output and the outputs' modes are
 * put back as they were and the modes the plan created are removed again.
 *
 * Losing the X connection is fatal in Xlib; the backend prints one line
 * ("lost the connection to the X display ...") and exits (status 1 unless
 * vmodes_randr_set_io_error_exit() says otherwise).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "agent/core/layout.h"
#include "modes/modes.h"

struct vmodes_randr;

/* What losing the X connection does: print "<who>: lost the connection to
 * the X display ..." (nothing when who is NULL) and exit with status
 * (default "vmodes", 1). */
void vmodes_randr_set_io_error_exit(const char *who, int status);

/* Opens the display (NULL: $DISPLAY). -ENXIO: cannot open it (err says
 * why), -EOPNOTSUPP: no RandR. The version comes with the first query,
 * which fails with -EOPNOTSUPP below RandR 1.2. */
int vmodes_randr_open(const char *display, struct vmodes_randr **out, struct vmodes_error *err);
void vmodes_randr_free(struct vmodes_randr *r);
static inline void vmodes_randr_freep(struct vmodes_randr **r)
{
        if (*r)
                vmodes_randr_free(*r);
}

/* The display's name as Xlib reports it (":1"). */
const char *vmodes_randr_display_name(const struct vmodes_randr *r);
/* The connection's fd, for event loops. */
int vmodes_randr_get_fd(const struct vmodes_randr *r);
/* The Xlib Display (for event handling by the session agent). */
struct _XDisplay *vmodes_randr_get_display(const struct vmodes_randr *r);

/* Grabs / releases the server. Locks nest. */
void vmodes_randr_lock(struct vmodes_randr *r);
void vmodes_randr_unlock(struct vmodes_randr *r);

/* Reads the screen's RandR state. memory_limit, memory_per_head and
 * memory_fix are left 0/empty: device memory is not something X knows.
 * -E2BIG when the server has more outputs, CRTCs or modes than a layout
 * state holds. */
int vmodes_randr_query(struct vmodes_randr *r, struct vmodes_layout_state *state, struct vmodes_error *err);

/* Makes later queries use XRRGetScreenResources, which asks the driver to
 * probe its outputs, instead of the cached state. Servers emulating RandR
 * 1.2 on top of a fixed screen (Xvfb) show their real state only so. */
void vmodes_randr_set_probe(struct vmodes_randr *r, bool probe);

/* Name of the RandR provider driving the screen ("modesetting", "qxl"), or
 * "" when the server has none or RandR < 1.4. */
int vmodes_randr_provider_name(struct vmodes_randr *r, char *buf, size_t size);

/* Executes the plan, which must have been made from `state` as just
 * queried. Returns 0, or a negative errno with err set: -EIO (an X error,
 * or the server refused an operation without one: a failed SetCrtcConfig,
 * a CreateMode without a mode; the previous layout was restored, err says
 * what and, if the restore was incomplete, that too), -ESTALE (the screen
 * changed since the query). */
int vmodes_randr_execute(struct vmodes_randr *r, const struct vmodes_layout_state *state,
                         const struct vmodes_layout_plan *plan, struct vmodes_error *err);

/* Counters for benchmarks and tests: requests with a reply (round trips)
 * made by the last vmodes_randr_query() and vmodes_randr_execute(). */
struct vmodes_randr_stats {
        unsigned query_round_trips;
        unsigned execute_round_trips;
        unsigned execute_requests;
};
void vmodes_randr_get_stats(const struct vmodes_randr *r, struct vmodes_randr_stats *out);
