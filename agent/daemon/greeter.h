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

/* The greeter's monitors.xml: `configured` when not NULL ("" : none, then
 * -ENOENT), else .config/monitors.xml in the home of GDM's user (Debian-gdm,
 * gdm), -ENOENT when there is no such user or home (no GDM). The greeter
 * makes that .config folder itself when it first runs. */
int vmodes_greeter_path(const char *configured, char *path, size_t size);

/* The connectors of every virtual GPU of disc as the kernel lists them now
 * (no probe), at most VMODES_GREETER_CONNECTORS_MAX (*out malloc'd, also
 * when *n is 0: a card that cannot be opened adds none). */
int vmodes_greeter_connectors(const struct vmodes_discovery *disc, struct vmodes_kms_connector **out, unsigned *n);
