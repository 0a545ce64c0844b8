/* SPDX-License-Identifier: MIT */
/*
 * The GNOME backend of the display seam (mutter-dbus.c): mutter's
 * org.gnome.Mutter.DisplayConfig on the session bus, for GNOME on
 * Wayland. Programs use it through display.h only.
 *
 *   query    GetCurrentState: every monitor (connector), the modes mutter
 *            offers for it as loose modes (size and rate; a wanted rate
 *            within 0.5 Hz of an offered one takes the closest), the
 *            logical monitors (place, primary), one CRTC per monitor
 *   execute  ApplyMonitorsConfig with the temporary method (the persistent
 *            one makes gnome-shell ask the user to keep the change, and go
 *            back unless answered; the session agent applies the stored
 *            layout at every login): the whole layout as logical monitors, one monitor
 *            each, scale and transform kept; then GetCurrentState again to
 *            read back what mutter shows (-EIO when it differs)
 *   watch    the MonitorsChanged signal
 *
 * mutter makes no modes: a plan that creates one is refused (-ENOTSUP)
 * with the modes the monitor offers; the kernel must list a mode first
 * (doc/kms-routes.md).
 */
#pragma once

#include "agent/display/backend.h"

extern const struct vmodes_display_ops vmodes_display_mutter;
