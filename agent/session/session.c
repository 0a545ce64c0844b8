/* SPDX-License-Identifier: MIT */
/*
 * vmodes session: the per-X-session agent (started by the XDG autostart
 * entry). Applies the configured layout at login, then waits on an sd-event
 * loop for
 *   - RandR screen/output/CRTC events (a head connected, resized by the host
 *     or by another client),
 *   - DRM hotplug uevents (the host asked for another size: X learns of it
 *     only after a probe, so the agent makes one),
 *   - configuration changes: vmodesd's ConfigChanged signal on the system
 *     bus (the default), or changes of the file given with --config,
 * and applies what they call for. Nothing wakes it up while nothing happens;
 * it exits when the X server goes away.
 *
 * Where the configuration comes from (one rule):
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
 *
 * Rules (they keep it from fighting spice-vdagent or the desktop):
 *   - at start, on a config change and when a configured head gets connected,
 *     the configured layout is applied (whatever size a head shows within a
 *     second of connecting counts as part of the connect: servers set it up
 *     in several steps);
 *   - a failed apply (most often the server changed its layout meanwhile,
 *     as Xvnc does for its clients) is tried again after 0.1 to 1.6 s;
 *   - a pinned head always gets its configured mode back;
 *   - otherwise a size someone else set (the host through spice-vdagent, the
 *     desktop's display settings) is left alone;
 *   - with auto-fit, a head whose preferred mode changes (the host asks for
 *     its window size) is set to that size at the configured refresh rate.
 * Changes are coalesced: a change that comes 100 ms or more after the last
 * apply is applied at once; one that comes sooner (a burst: a user dragging
 * the edge of a SPICE window) waits until nothing has happened for 100 ms,
 * but not longer than 500 ms. The last apply always follows the last event.
 *
 * Memory: the RandR state and the plan (a few hundred kB) exist only while
 * a change is being applied; freed memory goes back to the system.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <time.h>

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "agent/cli/heads.h"
#include "agent/common/client.h"
#include "agent/cli/cli.h"
#include "agent/core/state.h"
#include "agent/core/layout.h"
#include "agent/display/x11-randr.h"

#define COALESCE_USEC (100 * 1000ULL)   /* applies at most this often; quiet time that ends a burst */
#define BURST_WAIT_USEC (500 * 1000ULL) /* longest a change waits during a burst */
/* Blocks at least this large are mmap'ed and given back when freed (the
 * RandR state and the plan), instead of staying in the heap. */
#define MMAP_THRESHOLD (64 * 1024)

#define BUS_NAME "org.vmodes.Daemon1"
#define BUS_PATH "/org/vmodes/Daemon1"
#define BUS_INTERFACE "org.vmodes.Daemon1"
/* The longest a read of vmodesd's Config may take */
#define BUS_TIMEOUT_USEC (5 * 1000 * 1000ULL)
/* After losing the system bus: the first try to reconnect after 0.1 s, each
 * next one twice as late, then every 5 s until the bus is back */
#define RECONNECT_FIRST_USEC (100 * 1000ULL)
#define RECONNECT_MAX_USEC (5 * 1000 * 1000ULL)

struct seen {
        uint32_t output;
        bool known;
        enum vmodes_layout_connection connection;
        unsigned pref_w, pref_h; /* first preferred mode, 0 if none */
        bool ours;               /* geometry below is what the agent set */
        bool lit;
        unsigned w, h;
        uint64_t connected_at;   /* when it was seen connecting (CLOCK_MONOTONIC usec) */
};

/* How long after a head connects the layout it comes up with counts as part
 * of the connect (Xvnc, for one, sets it in several steps) */
#define CONNECT_WINDOW_USEC (1000 * 1000ULL)

/* What made the agent reconcile (for --stats) */
enum cause {
        CAUSE_NONE = 0,
        CAUSE_START,
        CAUSE_RANDR,
        CAUSE_UEVENT,
        CAUSE_CONFIG,
        CAUSE_RETRY,
};

struct agent {
        sd_event *event;
        struct cli_heads_session x;
        struct vmodes_monitor *monitor;
        sd_event_source *x_source, *timer, *inotify;
        const char *config_path;
        char *config_dir, *config_name;
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
        bool started;         /* the first apply was made */
        bool config_changed;  /* apply the whole config at the next reconcile */
        bool probe;           /* next query with a probe (DRM hotplug) */
        uint64_t last_apply;  /* CLOCK_MONOTONIC usec */
        uint64_t waiting_since; /* the first change the armed timer is for; 0: none */
        bool burst;           /* the armed timer waits for a quiet moment */
        struct seen seen[VMODES_LAYOUT_OUTPUTS_MAX];
        bool verbose, once, stats;
        bool retry;           /* the last apply failed: reconcile again soon */
        unsigned retries;
        unsigned applies;
        /* --stats: what the armed timer is for */
        enum cause cause;
        unsigned n_events;
        uint64_t first_event; /* CLOCK_MONOTONIC usec when the first one was received */
};

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* ---- config ---------------------------------------------------------------------- */

static void schedule(struct agent *a, enum cause cause, uint64_t when_received);
static void config_ready(struct agent *a);

/* Takes c as the configuration (from `source`, for the log). A config equal
 * to the one in use changes nothing unless forced (vmodesd's Apply: every
 * agent applies the configuration again). */
static void config_take(struct agent *a, const struct vmodes_config *c, bool forced, const char *source)
{
        bool same = a->config_ready && vmodes_config_equal(c, &a->cfg);

        if (same && !forced)
                return;
        a->cfg = *c;
        a->config_changed = true;
        if (!a->config_ready) {
                config_ready(a);
                return;
        }
        if (same)
                log_info("applying the configuration again (%s)", source);
        else
                log_info("configuration changed (%s)", source);
        schedule(a, CAUSE_CONFIG, 0);
}

/* Reads the config file (at start, on inotify, and while vmodesd is not
 * running). A missing file is an empty configuration; a broken one keeps
 * the configuration in use (none at start). */
static void load_file(struct agent *a)
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
        config_take(a, c, false, a->config_path);
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
                        load_file(a);
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
        config_take(a, c, forced, "vmodesd");
        free(c);
        return 0;
fallback:
        free(c);
        if (!a->config_ready)
                load_file(a);
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
        r = sd_bus_call_method_async(a->bus, &a->config_call, BUS_NAME, BUS_PATH, "org.freedesktop.DBus.Properties",
                                     "Get", on_config_reply, a, "ss", BUS_INTERFACE, "Config");
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

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || strcmp(name, BUS_NAME))
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
        a->bus_since = now_usec();
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
        if (now_usec() - a->bus_since > RECONNECT_MAX_USEC)
                a->reconnect_delay = 0;
        log_warning("lost the connection to the system bus: keeping the configuration in use, reconnecting");
        reconnect_later(a);
        if (!a->config_ready)
                load_file(a);
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
                r = sd_bus_match_signal_async(a->bus, NULL, BUS_NAME, BUS_PATH, BUS_INTERFACE, "ConfigChanged",
                                              on_config_changed, NULL, a);
        if (r >= 0)
                r = sd_bus_add_match_async(a->bus, NULL,
                                           "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                           "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                                           "arg0='" BUS_NAME "'",
                                           on_owner_changed, NULL, a);
        if (r >= 0)
                r = sd_bus_match_signal_async(a->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                              "org.freedesktop.DBus.Local", "Disconnected", on_bus_disconnected,
                                              NULL, a);
        if (r >= 0)
                r = fetch_config(a, false);
        return r;
}

/* ---- reconcile ---------------------------------------------------------------------- */

static struct seen *seen_for(struct agent *a, uint32_t output)
{
        for (unsigned i = 0; i < VMODES_LAYOUT_OUTPUTS_MAX; i++)
                if (a->seen[i].known && a->seen[i].output == output)
                        return &a->seen[i];
        for (unsigned i = 0; i < VMODES_LAYOUT_OUTPUTS_MAX; i++)
                if (!a->seen[i].known) {
                        memset(&a->seen[i], 0, sizeof(a->seen[i]));
                        a->seen[i].output = output;
                        return &a->seen[i];
                }
        return NULL;
}

/* The size the host asks for: the output's preferred mode; an output
 * without one (Xvnc while it shows a size a client asked for) asks for the
 * size it shows. */
static void preferred_size(const struct vmodes_layout_state *s, const struct vmodes_layout_output *o, unsigned *w,
                           unsigned *h)
{
        const struct vmodes_layout_smode *m = o->n_preferred ? vmodes_layout_mode_by_id(s, o->modes[0]) : NULL;
        const struct vmodes_layout_crtc *c = !m && o->crtc ? vmodes_layout_crtc_by_id(s, o->crtc) : NULL;

        *w = m ? m->mode.hdisplay : c && c->mode ? c->width : 0;
        *h = m ? m->mode.vdisplay : c && c->mode ? c->height : 0;
}

static bool lit_size(const struct vmodes_layout_state *s, const struct vmodes_layout_output *o, unsigned *w,
                     unsigned *h)
{
        const struct vmodes_layout_crtc *c = o->crtc ? vmodes_layout_crtc_by_id(s, o->crtc) : NULL;

        if (!c || !c->mode)
                return false;
        *w = c->width;
        *h = c->height;
        return true;
}

/* The auto-fit mode for a requested size. */
static int auto_fit_mode(const struct vmodes_config *cfg, unsigned w, unsigned h, struct vmodes_head_mode *hm)
{
        static const enum vmodes_method rb[] = { VMODES_METHOD_CVT, VMODES_METHOD_CVT_RB1, VMODES_METHOD_CVT_RB2,
                                                 VMODES_METHOD_CVT_RB3 };
        struct vmodes_error err;

        memset(hm, 0, sizeof(*hm));
        hm->spec.width = (int)w;
        hm->spec.height = (int)h;
        hm->spec.refresh = cfg->auto_fit_refresh > 0 ? cfg->auto_fit_refresh : 60.0;
        hm->spec.method = cfg->auto_fit_reduced >= 0 && cfg->auto_fit_reduced <= 3 ? rb[cfg->auto_fit_reduced]
                                                                                     : VMODES_METHOD_CVT;
        return vmodes_spec_to_mode(&hm->spec, &hm->mode, &err);
}

static const char *cause_name(enum cause c)
{
        switch (c) {
        case CAUSE_START:
                return "start";
        case CAUSE_RANDR:
                return "randr";
        case CAUSE_UEVENT:
                return "uevent";
        case CAUSE_CONFIG:
                return "config";
        case CAUSE_RETRY:
                return "retry";
        default:
                return "none";
        }
}

/* --stats: one line per reconcile, CLOCK_MONOTONIC times in seconds:
 * event (the first event it handles was received), start, queried,
 * execute (the plan is ready; its first request is written at once), done
 * (the server answered the plan's last request), and the counts. */
struct timing {
        uint64_t start, queried, execute, done;
};

static void log_stats(struct agent *a, const struct timing *t, const struct vmodes_layout_plan *plan, int r)
{
        struct vmodes_randr_stats st = { 0 };
        unsigned sets = 0;

        if (!a->stats)
                return;
        vmodes_randr_get_stats(a->x.randr, &st);
        for (unsigned i = 0; plan && t->execute && r >= 0 && i < plan->n_results; i++)
                sets += plan->results[i].changes ? 1 : 0;
        log_info("stats: cause=%s events=%u event=%.6f start=%.6f queried=%.6f execute=%.6f done=%.6f ops=%u "
                 "heads-changed=%u requests=%u round-trips=%u query-round-trips=%u result=%s",
                 cause_name(a->cause), a->n_events, a->first_event / 1e6, t->start / 1e6, t->queried / 1e6,
                 t->execute / 1e6, t->done / 1e6, plan && t->execute ? plan->n_ops : 0, sets,
                 t->execute ? st.execute_requests : 0, t->execute ? st.execute_round_trips : 0, st.query_round_trips,
                 r < 0 ? "failed" : "ok");
}

static void reconcile(struct agent *a)
{
        struct vmodes_layout_state *s;
        struct vmodes_layout_plan *plan = NULL;
        struct vmodes_config *eff = NULL;
        struct vmodes_error err = { "" };
        struct timing t = { now_usec(), 0, 0, 0 };
        bool full = !a->started || a->config_changed;
        int r = -ENOMEM;

        /* the RandR state exists only while a change is applied */
        if (!a->x.state)
                a->x.state = calloc(1, sizeof(*a->x.state));
        s = a->x.state;
        eff = calloc(1, sizeof(*eff));
        plan = calloc(1, sizeof(*plan));
        if (!s || !eff || !plan) {
                log_error("out of memory");
                goto out;
        }
        vmodes_randr_lock(a->x.randr);
        vmodes_randr_set_probe(a->x.randr, a->probe);
        r = cli_heads_session_query(&a->x, &err);
        vmodes_randr_set_probe(a->x.randr, false);
        a->probe = false;
        t.queried = now_usec();
        if (r < 0) {
                log_error("cannot read the X layout: %s", err.msg);
                goto unlock;
        }

        /* the effective config of this moment */
        eff->auto_fit = a->cfg.auto_fit;
        for (unsigned i = 0; i < a->cfg.n_heads; i++) {
                const struct vmodes_head_config *h = &a->cfg.heads[i];
                const struct vmodes_layout_output *o = cli_heads_resolve(&a->x, h->head, true);
                struct vmodes_head_config *e;
                struct seen *sn;
                unsigned pw, ph;
                bool connected_now;

                if (!o) {
                        if (full && a->verbose)
                                log_info("%s: no such head in this X session; skipped", h->head);
                        continue;
                }
                sn = seen_for(a, o->id);
                preferred_size(s, o, &pw, &ph);
                /* a head X did not have before counts as newly connected */
                connected_now = sn && o->connection == VMODES_LAYOUT_CONNECTED &&
                                (!sn->known || sn->connection != VMODES_LAYOUT_CONNECTED ||
                                 (sn->connected_at && now_usec() - sn->connected_at < CONNECT_WINDOW_USEC));

                e = &eff->heads[eff->n_heads];
                *e = *h;
                snprintf(e->head, sizeof(e->head), "%.*s", (int)sizeof(e->head) - 1, o->name);
                if (h->relative_to[0]) {
                        const struct vmodes_layout_output *ro = cli_heads_resolve(&a->x, h->relative_to, true);
                        if (!ro) {
                                e->relation = VMODES_REL_AUTO; /* its anchor is not in this session */
                                e->relative_to[0] = 0;
                        } else
                                snprintf(e->relative_to, sizeof(e->relative_to), "%.*s",
                                         (int)sizeof(e->relative_to) - 1, ro->name);
                }
                if (full || connected_now || h->pinned) {
                        eff->n_heads++;
                } else if (a->cfg.auto_fit && sn && sn->known && o->connection == VMODES_LAYOUT_CONNECTED && pw &&
                           (pw != sn->pref_w || ph != sn->pref_h)) {
                        if (auto_fit_mode(&a->cfg, pw, ph, &e->modes[0]) == 0) {
                                e->n_modes = 1;
                                e->enabled = true;
                                eff->n_heads++;
                        }
                }
                /* otherwise the head stays as it is, whatever size the host
                 * or the desktop gave it: left out of the plan */
        }
        /* auto-fit for heads without a configuration */
        for (unsigned i = 0; a->cfg.auto_fit && a->started && i < s->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s->outputs[i];
                struct seen *sn = seen_for(a, o->id);
                unsigned pw, ph, lit = 0;
                bool configured = false;

                for (unsigned k = 0; k < eff->n_heads; k++)
                        configured |= !strcmp(eff->heads[k].head, o->name);
                for (unsigned k = 0; k < a->cfg.n_heads; k++)
                        configured |= cli_heads_resolve(&a->x, a->cfg.heads[k].head, true) == o;
                for (unsigned k = 0; k < s->n_outputs; k++)
                        lit += s->outputs[k].crtc != 0;
                /* the host took the head away (a SPICE client switched that
                 * display off): it goes off, as spice-vdagent would, unless
                 * it is the last head lit */
                if (!configured && sn && sn->known && sn->connection == VMODES_LAYOUT_CONNECTED &&
                    o->connection == VMODES_LAYOUT_DISCONNECTED && o->crtc && lit > 1 &&
                    eff->n_heads < VMODES_CONFIG_HEADS_MAX) {
                        struct vmodes_head_config *e = &eff->heads[eff->n_heads++];
                        memset(e, 0, sizeof(*e));
                        snprintf(e->head, sizeof(e->head), "%.*s", (int)sizeof(e->head) - 1, o->name);
                        continue;
                }
                preferred_size(s, o, &pw, &ph);
                if (configured || !sn || !sn->known || o->connection != VMODES_LAYOUT_CONNECTED || !pw ||
                    (pw == sn->pref_w && ph == sn->pref_h) || eff->n_heads >= VMODES_CONFIG_HEADS_MAX)
                        continue;
                struct vmodes_head_config *e = &eff->heads[eff->n_heads];
                memset(e, 0, sizeof(*e));
                snprintf(e->head, sizeof(e->head), "%.*s", (int)sizeof(e->head) - 1, o->name);
                e->enabled = true;
                if (auto_fit_mode(&a->cfg, pw, ph, &e->modes[0]) == 0) {
                        e->n_modes = 1;
                        eff->n_heads++;
                }
        }

        r = vmodes_layout_plan(eff, s, NULL, 0, plan, &err);
        if (r < 0) {
                log_error("cannot apply the layout: %s", err.msg);
        } else if (plan->n_ops > 0) {
                t.execute = now_usec();
                r = vmodes_randr_execute(a->x.randr, s, plan, &err);
                t.done = now_usec();
                a->applies++;
                a->last_apply = t.done;
                if (r < 0) {
                        /* most often the screen changed under the plan (a
                         * server that resizes itself, as Xvnc does for its
                         * clients): the same triggers are tried again */
                        log_error("%s", err.msg);
                        if (++a->retries <= 5) {
                                a->retry = true;
                                goto unlock;
                        }
                } else
                        for (unsigned i = 0; i < plan->n_results; i++) {
                                const struct vmodes_layout_result *res = &plan->results[i];
                                if (!res->changes)
                                        continue;
                                if (res->enabled)
                                        log_info("%s: %ux%u at %.2f Hz (%s) at +%d+%d", res->head, res->mode.hdisplay,
                                                 res->mode.vdisplay, vmodes_mode_refresh(&res->mode), res->mode.name,
                                                 res->x, res->y);
                                else
                                        log_info("%s: off", res->head);
                        }
        }

        /* remember what is there now (after the plan when it was applied) */
        for (unsigned i = 0; i < s->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s->outputs[i];
                struct seen *sn = seen_for(a, o->id);
                const struct vmodes_layout_result *res = NULL;

                if (!sn)
                        continue;
                for (unsigned k = 0; r >= 0 && k < plan->n_results; k++)
                        if (plan->results[k].output == o->id)
                                res = &plan->results[k];
                if (a->started && o->connection == VMODES_LAYOUT_CONNECTED &&
                    (!sn->known || sn->connection != VMODES_LAYOUT_CONNECTED))
                        sn->connected_at = now_usec();
                sn->known = true;
                sn->connection = o->connection;
                preferred_size(s, o, &sn->pref_w, &sn->pref_h);
                if (res) {
                        sn->ours = true;
                        sn->lit = res->enabled;
                        sn->w = res->enabled ? res->mode.hdisplay : 0;
                        sn->h = res->enabled ? res->mode.vdisplay : 0;
                } else {
                        sn->lit = lit_size(s, o, &sn->w, &sn->h);
                }
        }
        a->started = true;
        a->config_changed = false;
        a->retries = 0;
unlock:
        vmodes_randr_unlock(a->x.randr);
out:
        log_stats(a, &t, plan, r);
        free(eff);
        free(plan);
        free(a->x.state);
        a->x.state = NULL;
        malloc_trim(0);
}

/* ---- events -------------------------------------------------------------------------- */

static void drain_x(struct agent *a, uint64_t received);

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct agent *a = userdata;

        sd_event_source_set_enabled(src, SD_EVENT_OFF);
        a->waiting_since = 0;
        a->burst = false;
        if (!a->config_ready)
                return 0; /* config_ready() reconciles */
        a->retry = false;
        reconcile(a);
        a->cause = CAUSE_NONE;
        a->n_events = 0;
        a->first_event = 0;
        if (a->once) {
                sd_event_exit(a->event, 0);
                return 0;
        }
        /* events that came while the agent waited for X's replies are in
         * Xlib's queue already: the connection's fd will not tell */
        drain_x(a, 0);
        if (a->retry) {
                /* back off: 0.1, 0.2, 0.4, 0.8, 1.6 s */
                a->cause = CAUSE_RETRY;
                sd_event_source_set_time(src, now_usec() + (COALESCE_USEC << (a->retries - 1)));
                sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        }
        return 0;
}

/* Coalescing: a change 100 ms or more after the last apply is applied at
 * once; a sooner one (a burst) once nothing has happened for 100 ms, at
 * most 500 ms after it came. when_received: when the event was received
 * (0: now). */
static void schedule(struct agent *a, enum cause cause, uint64_t when_received)
{
        uint64_t now = now_usec(), when;
        int enabled = SD_EVENT_OFF;

        if (a->stats) {
                if (!a->n_events++) {
                        a->first_event = when_received ? when_received : now;
                        a->cause = cause;
                }
        }
        if (!a->config_ready)
                return; /* the first apply comes with the configuration */
        sd_event_source_get_enabled(a->timer, &enabled);
        if (enabled != SD_EVENT_OFF && !a->burst)
                return; /* due at once (or a retry): it takes this change along */
        if (enabled == SD_EVENT_OFF) {
                a->waiting_since = now;
                a->burst = now < a->last_apply + COALESCE_USEC;
                if (!a->burst) {
                        sd_event_source_set_time(a->timer, now);
                        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
                        return;
                }
        }
        /* a burst: wait for a quiet moment, but not for ever */
        when = now + COALESCE_USEC;
        if (when > a->waiting_since + BURST_WAIT_USEC)
                when = a->waiting_since + BURST_WAIT_USEC;
        sd_event_source_set_time(a->timer, when);
        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

/* Handles the events Xlib has or can read without waiting. received:
 * when the loop woke up for them (0: now). */
static void drain_x(struct agent *a, uint64_t received)
{
        Display *dpy = vmodes_randr_get_display(a->x.randr);
        bool randr = false;
        int ev_base = 0, err_base = 0;

        XRRQueryExtension(dpy, &ev_base, &err_base);
        while (XPending(dpy)) {
                XEvent ev;
                XNextEvent(dpy, &ev);
                XRRUpdateConfiguration(&ev);
                if (ev.type == ev_base + RRScreenChangeNotify || ev.type == ev_base + RRNotify)
                        randr = true;
        }
        if (randr)
                schedule(a, CAUSE_RANDR, received);
}

static int on_x(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct agent *a = userdata;
        uint64_t received = 0;

        if (revents & (EPOLLHUP | EPOLLERR)) {
                log_info("the X display %s went away; exiting", vmodes_randr_display_name(a->x.randr));
                /* closing the dead connection makes Xlib call its I/O error handler */
                vmodes_randr_set_io_error_exit(NULL, CLI_EXIT_OK);
                sd_event_exit(a->event, 0);
                return 0;
        }
        /* when the loop woke up for it */
        sd_event_now(a->event, CLOCK_MONOTONIC, &received);
        drain_x(a, received);
        return 0;
}

static void on_uevent(struct vmodes_monitor *m, const struct vmodes_event *ev, void *userdata)
{
        struct agent *a = userdata;

        if (ev->type != VMODES_EVENT_HOTPLUG)
                return;
        /* X sees new connector modes only after a probe */
        a->probe = true;
        schedule(a, CAUSE_UEVENT, 0);
}

static int on_inotify(sd_event_source *src, const struct inotify_event *ev, void *userdata)
{
        struct agent *a = userdata;

        if (ev->len && strcmp(ev->name, a->config_name))
                return 0;
        load_file(a);
        return 0;
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        struct agent *a = userdata;

        sd_event_exit(a->event, 0);
        return 0;
}

/* The first configuration is known: the first apply comes next. */
static void config_ready(struct agent *a)
{
        a->config_ready = true;
        a->cause = CAUSE_START;
        a->n_events = 1;
        a->first_event = now_usec();
        sd_event_source_set_time(a->timer, a->first_event);
        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

/* ---- command --------------------------------------------------------------------------- */

static void session_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes session [OPTIONS]\n"
                "\n"
                "The per-session agent, started at login by the XDG autostart entry\n"
                "vmodes-session.desktop. It applies the configured layout to this X session\n"
                "($DISPLAY) and keeps it: when a head is connected (a SPICE client opens a\n"
                "second display) it gets its configured mode and place; a pinned head gets\n"
                "its mode back whenever something else changes it; other heads keep a size\n"
                "the host or the desktop set. With auto-fit in the configuration a head\n"
                "follows the size the host asks for (its preferred mode, for instance a\n"
                "SPICE window size) at the configured refresh rate instead of 60 Hz.\n"
                "\n"
                "Where the configuration comes from:\n"
                "  - with --config FILE: from FILE, and every change of FILE is applied;\n"
                "    vmodesd is not asked;\n"
                "  - otherwise from vmodesd on the system bus ($VMODES_BUS_ADDRESS if set):\n"
                "    its configuration at start and again whenever it signals ConfigChanged\n"
                "    (vmodes add, remove and apply store their changes through it). While\n"
                "    vmodesd is not running, the file it keeps is used as it is on disk\n"
                "    until vmodesd starts:\n"
                "      %s\n"
                "    When vmodesd (re)starts, its configuration is read again. When the\n"
                "    connection to the bus is lost, the configuration in use is kept and\n"
                "    the agent reconnects (after 0.1 s, then less often, at least every 5 s).\n"
                "    Without a system bus at start that file is followed as with --config.\n"
                "\n"
                "It listens to RandR events and DRM hotplug uevents, uses no CPU while nothing\n"
                "happens, and exits when the X server goes away. A change is applied at once;\n"
                "during a burst of changes (a window edge being dragged) it waits until they\n"
                "pause for 0.1 s, at most 0.5 s. In a Wayland session it exits at once.\n"
                "\n"
                "Options:\n"
                "      --config FILE   take the configuration from FILE and follow its changes\n"
                "      --once          apply the configuration once and exit\n"
                "      --stats         log the timing of every apply (for benchmarks): when the\n"
                "                      event came, when the mode-set requests went out and when\n"
                "                      X answered (CLOCK_MONOTONIC seconds), and the counts\n"
                "  -v, --verbose       log more\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 when the X server went away or on SIGTERM, 1 when the X\n"
                "display cannot be opened or the event loop fails, 2 bad arguments.\n",
                VMODES_CONFIG_DEFAULT_PATH);
}

/* A Wayland session, by its display socket or by what logind's session
 * says: gnome-session starts autostart entries of its first phases before
 * WAYLAND_DISPLAY is set, and DISPLAY may then name a not yet running
 * Xwayland. */
static bool wayland_session(void)
{
        const char *display = getenv("WAYLAND_DISPLAY"), *type = getenv("XDG_SESSION_TYPE");

        return (display && *display) || (type && !strcmp(type, "wayland"));
}

int cli_session(int argc, char **argv)
{
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, '1' },
                { "stats", no_argument, NULL, 's' },        { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },         {}
        };
        struct agent *a;
        int c, r, ex = CLI_EXIT_FAILURE;
        sigset_t mask;
        char *dir_copy = NULL, *name_copy = NULL;

        a = calloc(1, sizeof(*a));
        if (!a) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        a->config_path = VMODES_CONFIG_DEFAULT_PATH;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        a->config_path = optarg;
                        a->follow_file = true;
                        break;
                case '1':
                        a->once = true;
                        break;
                case 's':
                        a->stats = true;
                        break;
                case 'v':
                        a->verbose = true;
                        break;
                case 'h':
                        session_help(stdout);
                        free(a);
                        return CLI_EXIT_OK;
                default:
                        log_error("unknown option (try 'vmodes session --help')");
                        free(a);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                log_error("'vmodes session' takes no arguments (try 'vmodes session --help')");
                free(a);
                return CLI_EXIT_USAGE;
        }
        /* argument errors above went to the terminal as "vmodes: ..."; from
         * here on the lines are the session's (the journal, under systemd) */
        vmodes_log_setup("vmodes session", VMODES_LOG_PREFIX_JOURNAL);
        if (wayland_session()) {
                log_info("this is a Wayland session; the compositor owns the display modes, nothing to do");
                free(a);
                return CLI_EXIT_OK;
        }
        /* big temporary blocks (the RandR state, the plan) go back to the
         * system when freed instead of staying in the heap */
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);

        if (cli_heads_session_open(&a->x, false) != CLI_EXIT_OK)
                goto out;
        /* from now on the X server going away is the normal end */
        vmodes_randr_set_io_error_exit("vmodes session", CLI_EXIT_OK);
        free(a->x.state); /* made again for each apply */
        a->x.state = NULL;

        r = sd_event_new(&a->event);
        if (r < 0)
                goto fail;
        r = sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, 0, 1, on_timer, a);
        if (r < 0)
                goto fail;
        sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);

        /* the configuration: the file, or vmodesd's */
        if (!a->follow_file) {
                r = vmodes_bus_open(getenv("VMODES_BUS_ADDRESS"), &a->bus);
                if (r < 0) {
                        log_info("no system bus (%s): %s %s", strerror(-r), a->once ? "using" : "following",
                                 a->config_path);
                        a->follow_file = true;
                } else {
                        a->bus_since = now_usec();
                        r = bus_setup(a);
                        if (r < 0) {
                                log_error("cannot follow vmodesd on the system bus (%s): following %s", strerror(-r),
                                        a->config_path);
                                a->bus = sd_bus_close_unref(a->bus);
                                a->follow_file = true;
                        }
                }
        }
        if (a->follow_file && !a->once) {
                dir_copy = strdup(a->config_path);
                name_copy = strdup(a->config_path);
                if (!dir_copy || !name_copy) {
                        r = -ENOMEM;
                        goto fail;
                }
                a->config_dir = dirname(dir_copy);
                a->config_name = basename(name_copy);
                r = sd_event_add_inotify(a->event, &a->inotify, a->config_dir,
                                         IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE | IN_ONLYDIR,
                                         on_inotify, a);
                if (r < 0)
                        log_warning("cannot watch %s (%s): configuration changes need a restart of the agent",
                                 a->config_dir, strerror(-r));
        }
        if (a->follow_file)
                load_file(a);

        if (!a->once) {
                Display *dpy = vmodes_randr_get_display(a->x.randr);

                XRRSelectInput(dpy, DefaultRootWindow(dpy),
                               RRScreenChangeNotifyMask | RROutputChangeNotifyMask | RRCrtcChangeNotifyMask);
                XFlush(dpy);
                r = sd_event_add_io(a->event, &a->x_source, vmodes_randr_get_fd(a->x.randr), EPOLLIN, on_x, a);
                if (r < 0)
                        goto fail;
                if (vmodes_monitor_new(&a->monitor, on_uevent, a) < 0 ||
                    vmodes_monitor_attach(a->monitor, a->event, 0) < 0) {
                        if (a->verbose)
                                log_info("no udev monitor: DRM hotplug is seen through RandR events only");
                        vmodes_monitor_free(a->monitor);
                        a->monitor = NULL;
                }
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sd_event_add_signal(a->event, NULL, SIGTERM, on_signal, a);
        sd_event_add_signal(a->event, NULL, SIGINT, on_signal, a);

        malloc_trim(0);
        r = sd_event_loop(a->event);
        if (r < 0)
                goto fail;
        ex = CLI_EXIT_OK;
        goto out;
fail:
        log_error("event loop: %s", strerror(-r));
out:
        if (a->verbose)
                log_info("%u applies", a->applies);
        sd_bus_slot_unref(a->config_call);
        sd_bus_close_unref(a->bus);
        sd_event_source_unref(a->reconnect);
        sd_event_source_unref(a->x_source);
        sd_event_source_unref(a->timer);
        sd_event_source_unref(a->inotify);
        if (a->monitor)
                vmodes_monitor_free(a->monitor);
        sd_event_unref(a->event);
        cli_heads_session_close(&a->x);
        free(dir_copy);
        free(name_copy);
        free(a);
        return ex;
}
