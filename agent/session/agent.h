/* SPDX-License-Identifier: MIT */
/* The session agent's parts (internal to agent/session/): main.c parses the
 * command line, session.c runs the event loop, the timers and the applies,
 * source.c follows the configuration (vmodesd on the system bus or a file),
 * uevent.c hears udevd's DRM hotplug events, reconcile.c decides. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "agent/core/state.h"
#include "agent/display/display.h"
#include "agent/session/reconcile.h"

/* Exit statuses (as every vmodes command: vmodes(1)) */
enum {
        SESSION_EXIT_OK = 0,
        SESSION_EXIT_FAILURE = 1,
        SESSION_EXIT_USAGE = 2,
};

struct session_options {
        const char *config_path;
        bool follow_file; /* --config: the file, followed with inotify; no D-Bus */
        bool once, stats, verbose;
};

/* What made the agent apply (for --stats) */
enum cause {
        CAUSE_NONE = 0,
        CAUSE_START,
        CAUSE_RANDR,
        CAUSE_UEVENT,
        CAUSE_CONFIG,
        CAUSE_RETRY,
};

struct uevent_listener;

struct agent {
        sd_event *event;
        struct vmodes_screen x;
        struct uevent_listener *uevents;
        sd_event_source *x_source, *timer, *inotify;
        /* a second look 1 s after a DRM hotplug: a compositor that probes
         * the connectors itself (sway) updates the kernel's list only then */
        sd_event_source *settle;
        const char *config_path;
        char *config_dir, *config_name; /* point into the copies below */
        char *config_dir_copy, *config_name_copy;
        bool follow_file;     /* the config is the file, followed with inotify */
        sd_bus *bus;          /* the config is vmodesd's (NULL: the file) */
        sd_event_source *reconnect; /* the bus was lost: the next try to reconnect */
        uint64_t reconnect_delay;   /* usec before that try; 0: none made since the loss */
        uint64_t bus_since;   /* CLOCK_MONOTONIC usec of the last connect */
        sd_bus_slot *config_call; /* a pending read of vmodesd's Config */
        bool config_again;    /* ConfigChanged came while it was pending */
        bool config_forced;   /* that read follows a ConfigChanged: apply in full */
        bool daemon_seen;     /* vmodesd's Config has been read once */
        struct vmodes_config cfg;
        bool config_ready;    /* the first configuration is known */
        bool config_changed;  /* apply the whole config at the next apply */
        bool probe;           /* next query with a probe (DRM hotplug) */
        uint64_t last_apply;  /* CLOCK_MONOTONIC usec */
        uint64_t waiting_since; /* the first change the armed timer is for; 0: none */
        bool burst;           /* the armed timer waits for a quiet moment */
        struct vmodes_reconcile memory; /* what the last applies saw */
        bool verbose, once, stats;
        /* the desktop follows the host's size requests itself (GNOME), on
         * heads with hotplug_mode_update: auto-fit leaves those to it
         * (reconcile.h) */
        bool desktop_follows_host;
        bool retry;           /* the last apply failed: apply again soon */
        unsigned retries;
        unsigned applies;
        /* --stats: what the armed timer is for */
        enum cause cause;
        unsigned n_events;
        uint64_t first_event; /* CLOCK_MONOTONIC usec when the first one was received */
};

/* session.c: runs the agent on the open screen x until the X server goes
 * away or a signal ends it; the exit status. x is closed by the caller. */
int session_run(const struct session_options *o, struct vmodes_screen *x);
uint64_t session_now_usec(void);
/* A change to apply (coalesced). when_received: when the event was
 * received (0: now). */
void session_schedule(struct agent *a, enum cause cause, uint64_t when_received);
/* The first configuration is known: the first apply comes next. */
void session_config_ready(struct agent *a);

/* source.c: where the configuration comes from */
/* Reads the config file (at start, on inotify, while vmodesd is not running). */
void source_load_file(struct agent *a);
/* Connects to the system bus and follows vmodesd; without a bus, or when
 * following fails, falls back to the file. */
void source_bus_start(struct agent *a);
/* Follows the file (inotify) when the configuration comes from it. */
int source_file_watch(struct agent *a);
void source_free(struct agent *a);

/* uevent.c: DRM hotplug events (a "change" of a DRM card with HOTPLUG=1)
 * as udevd announces them, through libsystemd's device monitor. */
typedef void (*uevent_fn)(void *userdata);
int uevent_listener_new(sd_event *event, uevent_fn on_hotplug, void *userdata, struct uevent_listener **out);
struct uevent_listener *uevent_listener_free(struct uevent_listener *l);
