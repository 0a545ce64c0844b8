/* SPDX-License-Identifier: MIT */
/*
 * GDM's login screen (agent/daemon/greeter.c): where its monitors.xml is
 * and the connectors it will show. The file's content is
 * agent/core/monitorsxml.h.
 */
#pragma once

#include <stddef.h>

#include "agent/core/monitorsxml.h"
#include "udev/vmodes-udev.h"

#define VMODES_GREETER_CONNECTORS_MAX 16

/* mutter reads a system-wide monitors.xml from the first folder of
 * XDG_CONFIG_DIRS that has one before the user's own (which wins for the
 * same monitors): GDM's greeter, a gnome-shell run by GDM's user, reads it
 * too. GDM's own home (/var/lib/gdm3/.config, mode 0700) is closed to a
 * root without CAP_DAC_OVERRIDE, which vmodesd's unit does not have. */
#define VMODES_GREETER_MONITORS_PATH SYSCONFDIR "/xdg/monitors.xml"

/* Where the monitors.xml for GDM's login screen goes: `configured` when
 * not NULL ("": nowhere, then -ENOENT), else VMODES_GREETER_MONITORS_PATH
 * when GDM is installed (its user Debian-gdm or gdm exists), else -ENOENT. */
int vmodes_greeter_path(const char *configured, char *path, size_t size);

/* The connectors of every virtual GPU of disc as its last scan read them
 * (the kernel's lists, no probe), at most VMODES_GREETER_CONNECTORS_MAX
 * (*out malloc'd, also when *n is 0: a card that could not be opened adds
 * none). */
int vmodes_greeter_connectors(const struct vmodes_discovery *disc, struct vmodes_kms_connector **out, unsigned *n);
