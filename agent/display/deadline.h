/* SPDX-License-Identifier: MIT */
/*
 * Bounds on waiting for the display server, so that a server that accepts
 * the connection and never answers (stopped, hung) cannot hang a program:
 * connecting gets VMODES_DEADLINE_CONNECT_SECONDS, each later exchange
 * (reading the heads, changing the layout, closing) gets
 * VMODES_DEADLINE_ANSWER_SECONDS, unless the program chose a bound of its
 * own (the session agent, which starts while the session is still coming
 * up, VMODES_DEADLINE_START_SECONDS); $VMODES_X_TIMEOUT (seconds, 0.1 to
 * 3600) sets them all. When the time is up the process writes one line
 * naming the server, the time and what it was doing, and exits with the
 * status the program chose: a timer and a signal, as Xlib and XCB offer
 * no timeout of their own (a D-Bus backend's calls get a longer timeout
 * of their own, VMODES_DEADLINE_BUS_SECONDS, so that this bound speaks
 * first). Only waits are bounded: never arm it around
 * idle waiting for events. The one place below the programs that ends the
 * process, because a program asked it to.
 */
#pragma once

#include "modes/modes.h"

#define VMODES_DEADLINE_CONNECT_SECONDS 5.0
#define VMODES_DEADLINE_ANSWER_SECONDS 10.0
#define VMODES_DEADLINE_START_SECONDS 120.0
#define VMODES_DEADLINE_BUS_SECONDS 150

enum vmodes_deadline_wait {
        VMODES_DEADLINE_CONNECT, /* connecting */
        VMODES_DEADLINE_QUERY,   /* reading the heads */
        VMODES_DEADLINE_CHANGE,  /* changing the layout: it may be left half done */
        VMODES_DEADLINE_ANSWER,  /* any other exchange (reading the layout back, closing) */
};

/* Arms the bound of `seconds` (0: the default for what) on waiting for
 * server (its description, vmodes_display_describe); exit_status is what
 * the process exits with when the time is up. 0, or -EINVAL with the
 * message in err when $VMODES_X_TIMEOUT is not a number of seconds in
 * range. */
int vmodes_deadline_arm(enum vmodes_deadline_wait what, double seconds, const char *server, int exit_status,
                        struct vmodes_error *err);
/* Disarms it. */
void vmodes_deadline_clear(void);
