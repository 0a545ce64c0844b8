/* SPDX-License-Identifier: MIT */
/*
 * The X11 RandR backend of the display seam (x11-randr.c): programs use
 * it through display.h only.
 *
 * Queries use GetScreenResourcesCurrent (no forced output re-probe unless
 * vmodes_display_set_probe) and take two round trips whatever the number
 * of outputs. A plan runs under a server grab, so no other client changes
 * the screen between the query and the last operation; its operations are
 * sent in one go too (two round trips when it creates modes). X errors are
 * caught per operation and turned into one line a user understands; when
 * a step fails, with an X error or without one, the CRTCs, the screen
 * size, the primary output and the outputs' modes are put back as they
 * were and the modes the plan created are removed again.
 *
 * The connection is XCB's alone (no Xlib): losing it is an error the
 * calls return (-ECONNRESET), nothing prints or exits.
 */
#pragma once

#include "agent/display/backend.h"

extern const struct vmodes_display_ops vmodes_display_x11_randr;
