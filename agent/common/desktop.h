/* SPDX-License-Identifier: MIT */
/* The desktop a session runs, as XDG_CURRENT_DESKTOP names it. */
#pragma once

#include <stdbool.h>

/* Whether the colon-separated list (XDG_CURRENT_DESKTOP's value, NULL:
 * empty) has the token name ("GNOME" in "ubuntu:GNOME", not in
 * "GNOME-Flashback"). */
bool vmodes_desktop_listed(const char *current_desktop, const char *name);
