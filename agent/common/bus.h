/* SPDX-License-Identifier: MIT */
/*
 * org.vmodes.Daemon1, named once: the bus name, object path and interface
 * vmodesd serves, its error names and polkit actions
 * (agent/daemon/org.vmodes.Daemon1.xml), and how every program opens the
 * bus. Shared by vmodesd, the D-Bus client (client.c) and the session agent.
 */
#pragma once

#include <systemd/sd-bus.h>

#define VMODES_BUS_NAME "org.vmodes.Daemon1"
#define VMODES_BUS_PATH "/org/vmodes/Daemon1"
#define VMODES_BUS_INTERFACE "org.vmodes.Daemon1"

/* polkit actions: modes and layout; what changes how the machine boots
 * (kernel-cmdline, every head off) needs the second one */
#define VMODES_POLKIT_ACTION "org.vmodes.configure"
#define VMODES_POLKIT_ACTION_BOOT "org.vmodes.configure-boot"

#define VMODES_ERROR_PREFIX "org.vmodes.Error."
#define VMODES_ERROR_INVALID_HEAD VMODES_ERROR_PREFIX "InvalidHead"
#define VMODES_ERROR_INVALID_MODE VMODES_ERROR_PREFIX "InvalidMode"
#define VMODES_ERROR_TOO_LARGE VMODES_ERROR_PREFIX "TooLarge"
#define VMODES_ERROR_LIMIT VMODES_ERROR_PREFIX "LimitExceeded"
#define VMODES_ERROR_NO_SUCH_MODE VMODES_ERROR_PREFIX "NoSuchMode"
#define VMODES_ERROR_INVALID_ARGUMENT VMODES_ERROR_PREFIX "InvalidArgument"
#define VMODES_ERROR_INVALID_CONFIG VMODES_ERROR_PREFIX "InvalidConfig"
#define VMODES_ERROR_ACCESS_DENIED VMODES_ERROR_PREFIX "AccessDenied"
#define VMODES_ERROR_BUSY VMODES_ERROR_PREFIX "Busy"
#define VMODES_ERROR_FAILED VMODES_ERROR_PREFIX "Failed"

/* A bus connection: to address (a D-Bus address, as $VMODES_BUS_ADDRESS
 * holds in tests), else the system bus. Connecting does not wait for the
 * bus: authentication completes with the first call or on an event loop.
 * 0 or a negative errno. */
int vmodes_bus_open(const char *address, sd_bus **out);
