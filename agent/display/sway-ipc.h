/* SPDX-License-Identifier: MIT */
/*
 * The sway backend of the display seam (sway-ipc.c): sway's IPC socket
 * ($SWAYSOCK, i3's framing: "i3-ipc", length, type, JSON), with json-c
 * loaded when it opens. Programs use it through display.h only.
 *
 * Why IPC and not the wlr-output-management protocol: sway 1.7 takes
 * custom modes of any timings through its `output NAME modeline ...`
 * command (DRM outputs) and `output NAME mode --custom WxH@RHz` (others),
 * while a custom mode asked for through zwlr_output_manager_v1 falls back
 * to a listed mode at the listed rate (measured, see doc/kms-routes.md).
 *
 *   query    GET_OUTPUTS: every output sway has (it lists connected ones
 *            only), its listed modes and its current mode as loose modes
 *            (size and rate, struct vmodes_layout_smode.loose), one CRTC
 *            per output; the preferred mode is the kernel's, from sysfs
 *            (wlroots 0.15 does not see a new size on a connected head)
 *   execute  one COMMAND message with an `output` command per output the
 *            plan changes, then GET_OUTPUTS again: a mode, a place or an
 *            on/off state sway did not take is an error (-EIO) that names
 *            what sway shows instead, after the outputs were set back
 *   watch    a second connection subscribed to workspace and shutdown
 *            events (sway 1.7 has no output event: an output that comes or
 *            goes moves workspaces; a new size from the host comes as a DRM
 *            hotplug uevent, which the session agent watches itself)
 *
 * sway has no primary output and no screen size: SET_PRIMARY and
 * SET_SCREEN_SIZE operations are no-ops, mode creation and removal too
 * (a modeline's mode joins the output's list when it is used).
 */
#pragma once

#include "agent/display/backend.h"

extern const struct vmodes_display_ops vmodes_display_sway;
