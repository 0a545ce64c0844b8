/* SPDX-License-Identifier: MIT */
/*
 * Where the session agent's configuration comes from (one rule):
 *   - with --config FILE: from FILE, followed with inotify; no D-Bus at all;
 *   - otherwise from vmodesd: its Config property at start and after each
 *     ConfigChanged signal, read asynchronously with a timeout. While vmodesd
 *     is not running the file it keeps is used as it is on disk, and its
 *     Config is read when it takes its bus name (again after a restart).
 *     When the bus connection is lost (dbus-daemon restarted) the
 *     configuration in use stays and the agent reconnects, with a pause
 *     growing from 0.1 s to 5 s between tries, then reads Config anew.
 *     Without a system bus at start the agent follows that file as with
 *     --config.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "agent/common/bus.h"
#include "agent/common/log.h"
#include "agent/session/agent.h"

/* The longest a read of vmodesd's Config may take */
#define BUS_TIMEOUT_USEC (5 * 1000 * 1000ULL)
/* After losing the system bus: the first try to reconnect after 0.1 s, each
 * next one twice as late, then every 5 s until the bus is back */
#define RECONNECT_FIRST_USEC (100 * 1000ULL)
#define RECONNECT_MAX_USEC (5 * 1000 * 1000ULL)

/* Takes c as the configuration (from `source`, for the log). A config equal
 * to the one in use changes nothing unless forced (vmodesd's Apply: every
 * agent applies the configuration again). */
static void source_take(struct agent *a, const struct vmodes_config *c, bool forced, const char *source)
{
        bool same = a->config_ready && vmodes_config_equal(c, &a->cfg);

        if (same && !forced)
                return;
        a->cfg = *c;
        a->config_changed = true;
        if (!a->config_ready) {
                session_config_ready(a);
                return;
        }
        if (same)
                log_info("applying the configuration again (%s)", source);
        else
                log_info("configuration changed (%s)", source);
        session_schedule(a, CAUSE_CONFIG, 0);
}

/* Reads the config file (at start, on inotify, and while vmodesd is not
 * running). A missing file is an empty configuration; a broken one keeps
 * the configuration in use (none at start). */
void source_load_file(struct agent *a)
{
        struct vmodes_config *c = calloc(1, sizeof(*c));
        struct vmodes_error err = { "" };
        int r;

        if (!c) {
                log_error("out of memory");
                return;
        }
        r = vmodes_config_load(a->config_path, c, &err);
        if (r == -ENOENT) {
                vmodes_config_init(c);
                if (!a->config_ready)
                        log_info("no configuration at %s yet%s", a->config_path,
                                 a->follow_file && !a->once ? "; watching it" : "");
        } else if (r < 0) {
                log_error("%s; %s", err.msg,
                        a->config_ready ? "keeping the last good configuration" : "starting with no configuration");
                if (a->config_ready)
                        goto out;
                vmodes_config_init(c);
        }
        source_take(a, c, false, a->config_path);
out:
        free(c);
}

/* ---- vmodesd on the system bus -------------------------------------------------------- */

static int fetch_config(struct agent *a, bool forced);

static bool daemon_absent(const sd_bus_error *e)
{
        return sd_bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
               sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
               sd_bus_error_has_name(e, "org.freedesktop.DBus.Error.Spawn.ServiceNotFound");
}

static int on_config_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct agent *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        struct vmodes_config *c = NULL;
        struct vmodes_error err = { "" };
        bool forced = a->config_forced;
        const char *text;
        int r;

        a->config_call = sd_bus_slot_unref(a->config_call);
        if (a->config_again) {
                /* it changed again while this was on its way: read it anew */
                a->config_again = false;
                if (fetch_config(a, forced) >= 0)
                        return 0;
        }
        if (e) {
                if (daemon_absent(e)) {
                        if (!a->config_ready)
                                log_info("vmodesd is not running: using %s as it is on disk until it starts",
                                         a->config_path);
                        else if (a->daemon_seen)
                                log_info("vmodesd is not running: keeping the configuration in use until it starts");
                } else
                        log_error("cannot read vmodesd's configuration: %s%s", e->message ? e->message : e->name,
                                a->config_ready ? "; keeping the configuration in use" : "");
                if (!a->config_ready)
                        source_load_file(a);
                return 0;
        }
        r = sd_bus_message_enter_container(m, 'v', "s");
        if (r >= 0)
                r = sd_bus_message_read(m, "s", &text);
        if (r < 0) {
                log_error("cannot read vmodesd's configuration: unexpected reply (%s)", strerror(-r));
                goto fallback;
        }
        if (strlen(text) > VMODES_CONFIG_FILE_MAX) {
                log_error("cannot read vmodesd's configuration: larger than %d bytes", VMODES_CONFIG_FILE_MAX);
                goto fallback;
        }
        c = calloc(1, sizeof(*c));
        if (!c) {
                log_error("out of memory");
                goto fallback;
        }
        r = vmodes_config_parse(text, "vmodesd's configuration", c, &err);
        if (r < 0) {
                log_error("%s", err.msg);
                goto fallback;
        }
        if (!a->daemon_seen && (a->verbose || a->config_ready))
                log_info("configuration from vmodesd");
        a->daemon_seen = true;
        source_take(a, c, forced, "vmodesd");
        free(c);
        return 0;
fallback:
        free(c);
        if (!a->config_ready)
                source_load_file(a);
        else
                log_info("keeping the configuration in use");
        return 0;
}

/* Asks vmodesd for its Config (the answer comes to on_config_reply). At
 * most one read is on its way; a change signalled meanwhile is read after
 * it. */
static int fetch_config(struct agent *a, bool forced)
{
        int r;

        if (a->config_call) {
                a->config_again = true;
                a->config_forced |= forced;
                return 0;
        }
        a->config_forced = forced;
        r = sd_bus_call_method_async(a->bus, &a->config_call, VMODES_BUS_NAME, VMODES_BUS_PATH, "org.freedesktop.DBus.Properties",
                                     "Get", on_config_reply, a, "ss", VMODES_BUS_INTERFACE, "Config");
        if (r < 0)
                log_error("cannot ask vmodesd for its configuration: %s", strerror(-r));
        return r;
}

static int on_config_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct agent *a = userdata;

        if (a->verbose)
                log_info("vmodesd: ConfigChanged");
        fetch_config(a, true);
        return 0;
}

/* vmodesd took its name (started) or gave it up. */
static int on_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct agent *a = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || strcmp(name, VMODES_BUS_NAME))
                return 0;
        if (*new_owner) {
                if (a->verbose)
                        log_info("vmodesd started");
                fetch_config(a, false);
        } else
                log_info("vmodesd stopped: keeping the configuration in use");
        return 0;
}

static int bus_setup(struct agent *a);
static int on_reconnect(sd_event_source *src, uint64_t usec, void *userdata);

/* Arms the next try to reconnect, each one later than the one before
 * (bounded: no busy loop while the bus is away, and nothing at all while
 * connected). */
static void reconnect_later(struct agent *a)
{
        int r;

        a->reconnect_delay = !a->reconnect_delay ? RECONNECT_FIRST_USEC
                             : a->reconnect_delay < RECONNECT_MAX_USEC / 2 ? a->reconnect_delay * 2
                                                                           : RECONNECT_MAX_USEC;
        if (!a->reconnect)
                r = sd_event_add_time_relative(a->event, &a->reconnect, CLOCK_MONOTONIC, a->reconnect_delay, 0,
                                               on_reconnect, a);
        else {
                r = sd_event_source_set_time_relative(a->reconnect, a->reconnect_delay);
                if (r >= 0)
                        r = sd_event_source_set_enabled(a->reconnect, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                log_error("cannot arm a timer to reconnect to the system bus (%s): configuration changes are no "
                        "longer followed", strerror(-r));
}

/* Connects to the bus again (the old connection is closed here, outside
 * its own callbacks), follows vmodesd and reads its configuration anew. */
static int on_reconnect(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct agent *a = userdata;
        int r;

        a->bus = sd_bus_close_unref(a->bus);
        r = vmodes_bus_open(getenv("VMODES_BUS_ADDRESS"), &a->bus);
        if (r >= 0)
                r = bus_setup(a);
        if (r < 0) {
                a->bus = sd_bus_close_unref(a->bus);
                if (a->verbose)
                        log_info("cannot reconnect to the system bus yet (%s)", strerror(-r));
                reconnect_later(a);
                return 0;
        }
        log_info("reconnected to the system bus");
        a->bus_since = session_now_usec();
        return 0;
}

/* The bus went away (dbus-daemon restarted): the configuration in use
 * stays; the agent reconnects, soon at first, then less and less often. */
static int on_bus_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct agent *a = userdata;

        a->config_call = sd_bus_slot_unref(a->config_call);
        a->config_again = false;
        /* a connection that lasted starts the backoff anew; one dropped
         * right after it was made keeps growing it */
        if (session_now_usec() - a->bus_since > RECONNECT_MAX_USEC)
                a->reconnect_delay = 0;
        log_warning("lost the connection to the system bus: keeping the configuration in use, reconnecting");
        reconnect_later(a);
        if (!a->config_ready)
                source_load_file(a);
        return 0;
}

/* Follows vmodesd: its signals (whether or not it runs yet) and a first
 * read of its Config. */
static int bus_setup(struct agent *a)
{
        int r;

        r = sd_bus_set_method_call_timeout(a->bus, BUS_TIMEOUT_USEC);
        if (r >= 0)
                r = sd_bus_attach_event(a->bus, a->event, 0);
        /* sender by well-known name: the bus delivers the signals of whoever owns it */
        if (r >= 0)
                r = sd_bus_match_signal_async(a->bus, NULL, VMODES_BUS_NAME, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, "ConfigChanged",
                                              on_config_changed, NULL, a);
        if (r >= 0)
                r = sd_bus_add_match_async(a->bus, NULL,
                                           "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                           "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                           "arg0='" VMODES_BUS_NAME "'",
                                           on_owner_changed, NULL, a);
        if (r >= 0)
                r = sd_bus_match_signal_async(a->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                              "org.freedesktop.DBus.Local", "Disconnected", on_bus_disconnected,
                                              NULL, a);
        if (r >= 0)
                r = fetch_config(a, false);
        return r;
}


void source_bus_start(struct agent *a)
{
        int r;

        if (a->follow_file)
                return;
        r = vmodes_bus_open(getenv("VMODES_BUS_ADDRESS"), &a->bus);
        if (r < 0) {
                log_info("no system bus (%s): %s %s", strerror(-r), a->once ? "using" : "following", a->config_path);
                a->follow_file = true;
                return;
        }
        a->bus_since = session_now_usec();
        r = bus_setup(a);
        if (r < 0) {
                log_error("cannot follow vmodesd on the system bus (%s): following %s", strerror(-r), a->config_path);
                a->bus = sd_bus_close_unref(a->bus);
                a->follow_file = true;
        }
}

static int on_inotify(sd_event_source *src, const struct inotify_event *ev, void *userdata)
{
        struct agent *a = userdata;

        if (ev->len && strcmp(ev->name, a->config_name))
                return 0;
        source_load_file(a);
        return 0;
}

int source_file_watch(struct agent *a)
{
        char *dir_copy, *name_copy;
        int r;

        if (!a->follow_file || a->once)
                return 0;
        dir_copy = strdup(a->config_path);
        name_copy = strdup(a->config_path);
        if (!dir_copy || !name_copy) {
                free(dir_copy);
                free(name_copy);
                return -ENOMEM;
        }
        /* dirname() and basename() point into their copies, freed at the end */
        a->config_dir = dirname(dir_copy);
        a->config_name = basename(name_copy);
        a->config_dir_copy = dir_copy;
        a->config_name_copy = name_copy;
        r = sd_event_add_inotify(a->event, &a->inotify, a->config_dir,
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE | IN_ONLYDIR, on_inotify, a);
        if (r < 0)
                log_warning("cannot watch %s (%s): configuration changes need a restart of the agent", a->config_dir,
                            strerror(-r));
        return 0;
}

void source_free(struct agent *a)
{
        a->config_call = sd_bus_slot_unref(a->config_call);
        a->bus = sd_bus_close_unref(a->bus);
        a->reconnect = sd_event_source_unref(a->reconnect);
        a->inotify = sd_event_source_unref(a->inotify);
        free(a->config_dir_copy);
        free(a->config_name_copy);
        a->config_dir_copy = a->config_name_copy = NULL;
}
