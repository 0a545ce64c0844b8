/* SPDX-License-Identifier: MIT */
/*
 * vmodesd's D-Bus API: org.vmodes.Daemon1 (agent/daemon/org.vmodes.Daemon1.xml)
 * served for one daemon state on one bus connection. Marshalling and polkit
 * here; the state and the files are daemon.c's, the editing rules
 * agent/core/edit.c's.
 */
#pragma once

#include <systemd/sd-bus.h>

#include "agent/daemon/daemon.h"

/* Bounds: what one caller can make the daemon hold. */
#define VMODES_DAEMON_ARG_MAX 256     /* bytes of any string argument */
#define VMODES_DAEMON_PENDING_MAX 32  /* authorization checks in flight */

struct vmodes_daemon_bus;

/* Serve d on bus (the object and its signals); d must outlive it. */
int vmodes_daemon_bus_new(struct vmodes_daemon_bus **out, struct vmodes_daemon *d, sd_bus *bus);
void vmodes_daemon_bus_free(struct vmodes_daemon_bus *b);
