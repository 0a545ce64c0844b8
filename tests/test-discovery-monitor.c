/* SPDX-License-Identifier: MIT */
/* Prints the events vmodes_monitor reports, one line each, from an sd-event
 * loop: "READY" once listening, then "<type> <subsystem> <sysname>
 * connector=<id>". Exits after `count` events or `timeout` seconds (exit 1).
 * Driven by tests/test-discovery-monitor.py inside a umockdev testbed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "udev/vmodes-udev.h"

static int remaining;

static void on_event(struct vmodes_monitor *m, const struct vmodes_event *ev, void *userdata)
{
        sd_event *loop = userdata;
        const char *type = ev->type == VMODES_EVENT_DEVICE_ADD ? "add"
                           : ev->type == VMODES_EVENT_DEVICE_REMOVE ? "remove" : "hotplug";

        printf("%s %s %s connector=%d\n", type, ev->subsystem, ev->sysname, ev->connector_id);
        fflush(stdout);
        if (--remaining <= 0)
                sd_event_exit(loop, 0);
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        fprintf(stderr, "timeout with %d events missing\n", remaining);
        return sd_event_exit(sd_event_source_get_event(s), 1);
}

int main(int argc, char **argv)
{
        struct vmodes_monitor *mon = NULL;
        sd_event *loop = NULL;
        uint64_t now;
        int r, ret = 1;

        if (argc != 3) {
                fprintf(stderr, "usage: %s COUNT TIMEOUT_SECONDS\n", argv[0]);
                return 2;
        }
        remaining = atoi(argv[1]);
        if ((r = sd_event_new(&loop)) < 0 ||
            (r = vmodes_monitor_new(&mon, on_event, loop)) < 0 ||
            (r = vmodes_monitor_attach(mon, loop, 0)) < 0 ||
            (r = sd_event_now(loop, CLOCK_MONOTONIC, &now)) < 0 ||
            (r = sd_event_add_time(loop, NULL, CLOCK_MONOTONIC, now + (uint64_t)atoi(argv[2]) * 1000000u, 0,
                                   on_timeout, NULL)) < 0) {
                fprintf(stderr, "setup: %s\n", strerror(-r));
                goto out;
        }
        printf("READY\n");
        fflush(stdout);
        r = sd_event_loop(loop);
        ret = r == 0 ? 0 : 1;
out:
        vmodes_monitor_free(mon);
        sd_event_unref(loop);
        return ret;
}
