/* SPDX-License-Identifier: MIT */
/* Opening the bus vmodesd serves on (see bus.h). */
#include <systemd/sd-bus.h>

#include "agent/common/bus.h"

int vmodes_bus_open(const char *address, sd_bus **out)
{
        sd_bus *bus = NULL;
        int r;

        if (!address || !*address)
                return sd_bus_open_system(out);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *out = bus;
        return 0;
}
