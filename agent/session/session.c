/* SPDX-License-Identifier: MIT */
/*
 * vmodes session: the per-X-session agent (started by the XDG autostart
 * entry through `vmodes session`, which runs this program). Applies the
 * configured layout at login, then waits on an sd-event loop for
 *   - RandR screen/output/CRTC events (a head connected, resized by the host
 *     or by another client), through the display seam (display.h),
 *   - DRM hotplug uevents (the host asked for another size: X learns of it
 *     only after a probe, so the agent makes one; uevent.c),
 *   - configuration changes: vmodesd's ConfigChanged signal on the system
 *     bus (the default), or changes of the file given with --config
 *     (source.c),
 * and applies what they call for. Nothing wakes it up while nothing happens;
 * it exits when the X server goes away.
 *
 * Which heads an apply changes is the policy in reconcile.c (pure,
 * unit-tested); this file only queries, plans, executes and logs. A failed
 * apply (most often the server changed its layout meanwhile, as Xvnc does
 * for its clients) is tried again after 0.1 to 1.6 s.
 *
 * Changes are coalesced: a change that comes 100 ms or more after the last
 * apply is applied at once; one that comes sooner (a burst: a user dragging
 * the edge of a SPICE window) waits until nothing has happened for 100 ms,
 * but not longer than 500 ms. The last apply always follows the last event.
 *
 * Memory: the RandR state and the plan (a few hundred kB) exist only while
 * a change is being applied; freed memory goes back to the system.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "agent/common/log.h"
#include "agent/core/layout.h"
#include "agent/session/agent.h"

#define SETTLE_USEC (1000 * 1000ULL)   /* the second look after a DRM hotplug */
#define COALESCE_USEC (100 * 1000ULL)   /* applies at most this often; quiet time that ends a burst */
#define BURST_WAIT_USEC (500 * 1000ULL) /* longest a change waits during a burst */
/* Blocks at least this large are mmap'ed and given back when freed (the
 * RandR state and the plan), instead of staying in the heap. */
#define MMAP_THRESHOLD (64 * 1024)

uint64_t session_now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* The X server went away (r == -ECONNRESET): the normal end of a session. */
static bool x_lost(struct agent *a, int r, const struct vmodes_error *err)
{
        if (r != -ECONNRESET)
                return false;
        log_info("%s", err->msg);
        sd_event_exit(a->event, 0);
        return true;
}

/* ---- one apply --------------------------------------------------------------------- */

static const char *cause_name(enum cause c)
{
        static const char *const names[] = {
                [CAUSE_NONE] = "none",     [CAUSE_START] = "start",   [CAUSE_RANDR] = "randr",
                [CAUSE_UEVENT] = "uevent", [CAUSE_CONFIG] = "config", [CAUSE_RETRY] = "retry",
        };

        return c < sizeof(names) / sizeof(names[0]) && names[c] ? names[c] : "none";
}

/* --stats: one line per apply, CLOCK_MONOTONIC times in seconds:
 * event (the first event it handles was received), start, queried,
 * execute (the plan is ready; its first request is written at once), done
 * (the server answered the plan's last request), and the counts. */
struct timing {
        uint64_t start, queried, execute, done;
};

static void log_stats(struct agent *a, const struct timing *t, const struct vmodes_layout_plan *plan, int r)
{
        struct vmodes_display_stats st = { 0 };
        unsigned sets = 0;

        if (!a->stats)
                return;
        if (a->x.display)
                vmodes_display_get_stats(a->x.display, &st);
        for (unsigned i = 0; plan && t->execute && r >= 0 && i < plan->n_results; i++)
                sets += plan->results[i].changes ? 1 : 0;
        log_info("stats: cause=%s events=%u event=%.6f start=%.6f queried=%.6f execute=%.6f done=%.6f ops=%u "
                 "heads-changed=%u requests=%u round-trips=%u query-round-trips=%u result=%s",
                 cause_name(a->cause), a->n_events, a->first_event / 1e6, t->start / 1e6, t->queried / 1e6,
                 t->execute / 1e6, t->done / 1e6, plan && t->execute ? plan->n_ops : 0, sets,
                 t->execute ? st.execute_requests : 0, t->execute ? st.execute_round_trips : 0, st.query_round_trips,
                 r < 0 ? "failed" : "ok");
}

static const struct vmodes_layout_output *resolve(const struct vmodes_layout_state *state, const char *name,
                                                  void *userdata)
{
        struct vmodes_error err;

        (void)state; /* the screen's own state */
        return vmodes_screen_resolve(userdata, name, &err);
}

static void log_results(const struct vmodes_layout_plan *plan)
{
        for (unsigned i = 0; i < plan->n_results; i++) {
                const struct vmodes_layout_result *res = &plan->results[i];

                if (!res->changes)
                        continue;
                if (res->enabled)
                        log_info("%s: %ux%u at %.2f Hz (%s) at +%d+%d", res->head, res->mode.hdisplay,
                                 res->mode.vdisplay, vmodes_mode_refresh(&res->mode), res->mode.name, res->x, res->y);
                else
                        log_info("%s: off", res->head);
        }
}

/* Plans the effective config and executes the plan. 0, or a negative
 * errno: -EAGAIN when the apply is to be tried again. */
static int execute(struct agent *a, const struct vmodes_config *eff, struct vmodes_layout_plan *plan,
                   struct timing *t)
{
        struct vmodes_error err = { "" };
        int r;

        r = vmodes_layout_plan(eff, a->x.state, NULL, 0, plan, &err);
        if (r < 0) {
                log_error("cannot apply the layout: %s", err.msg);
                return r;
        }
        if (!plan->n_ops)
                return 0;
        t->execute = session_now_usec();
        r = vmodes_display_execute(a->x.display, a->x.state, plan, &err);
        t->done = session_now_usec();
        a->applies++;
        a->last_apply = t->done;
        if (r >= 0) {
                log_results(plan);
                return 0;
        }
        if (x_lost(a, r, &err))
                return r;
        /* most often the screen changed under the plan (a server that
         * resizes itself, as Xvnc does for its clients): the same triggers
         * are tried again */
        log_error("%s", err.msg);
        return ++a->retries <= 5 ? -EAGAIN : r;
}

/* Reads the X layout (with a probe after a DRM hotplug). */
static int query(struct agent *a)
{
        struct vmodes_error err = { "" };
        int r;

        vmodes_display_set_probe(a->x.display, a->probe);
        r = vmodes_screen_query(&a->x, &err);
        vmodes_display_set_probe(a->x.display, false);
        a->probe = false;
        if (r < 0 && !x_lost(a, r, &err))
                log_error("cannot read the layout: %s", err.msg);
        return r;
}

/* What the policy decides now, with the skipped heads logged. */
static int decide(struct agent *a, struct vmodes_reconcile_result *res)
{
        struct vmodes_reconcile_input in = {
                .config = &a->cfg,
                .state = a->x.state,
                .full = !a->memory.started || a->config_changed,
                .desktop_follows_host = a->desktop_follows_host,
                .now = session_now_usec(),
                .resolve = resolve,
                .userdata = &a->x,
        };
        int r = vmodes_reconcile_decide(&a->memory, &in, res);

        for (unsigned i = 0; r >= 0 && in.full && a->verbose && i < res->n_skipped; i++)
                log_info("%s: no such head in this session; skipped", a->cfg.heads[res->skipped[i]].head);
        return r;
}

static void apply(struct agent *a)
{
        struct vmodes_reconcile_result *res = calloc(1, sizeof(*res));
        struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
        struct vmodes_error err = { "" };
        struct timing t = { session_now_usec(), 0, 0, 0 };
        bool queried = false;
        int r = -ENOMEM;

        if (!res || !plan) {
                log_error("out of memory");
                goto out;
        }
        vmodes_display_lock(a->x.display);
        r = query(a);
        t.queried = session_now_usec();
        queried = r >= 0;
        if (r >= 0)
                r = decide(a, res);
        if (r >= 0)
                r = execute(a, &res->config, plan, &t);
        if (r == -EAGAIN)
                a->retry = true;
        else if (queried && r != -ECONNRESET) {
                /* remember what is there now (as queried, before the plan) */
                vmodes_reconcile_remember(&a->memory, a->x.state, &a->cfg, session_now_usec());
                a->config_changed = false;
                a->retries = 0;
        }
        if (vmodes_display_unlock(a->x.display, &err) < 0 && r != -ECONNRESET)
                x_lost(a, -ECONNRESET, &err);
out:
        log_stats(a, &t, plan, r);
        free(res);
        free(plan);
        /* the RandR state exists only while a change is applied */
        free(a->x.state);
        a->x.state = NULL;
        malloc_trim(0);
}

/* ---- events -------------------------------------------------------------------------- */

static void dispatch_x(struct agent *a, uint64_t received);

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct agent *a = userdata;

        sd_event_source_set_enabled(src, SD_EVENT_OFF);
        a->waiting_since = 0;
        a->burst = false;
        if (!a->config_ready)
                return 0; /* session_config_ready() applies */
        a->retry = false;
        apply(a);
        a->cause = CAUSE_NONE;
        a->n_events = 0;
        a->first_event = 0;
        if (a->once) {
                sd_event_exit(a->event, 0);
                return 0;
        }
        /* events that came while the agent waited for X's replies may be
         * queued already: the connection's fd will not tell */
        dispatch_x(a, 0);
        if (a->retry) {
                /* back off: 0.1, 0.2, 0.4, 0.8, 1.6 s */
                a->cause = CAUSE_RETRY;
                sd_event_source_set_time(src, session_now_usec() + (COALESCE_USEC << (a->retries - 1)));
                sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        }
        return 0;
}

/* Coalescing: a change 100 ms or more after the last apply is applied at
 * once; a sooner one (a burst) once nothing has happened for 100 ms, at
 * most 500 ms after it came. when_received: when the event was received
 * (0: now). */
void session_schedule(struct agent *a, enum cause cause, uint64_t when_received)
{
        uint64_t now = session_now_usec(), when;
        int enabled = SD_EVENT_OFF;

        if (a->stats && !a->n_events++) {
                a->first_event = when_received ? when_received : now;
                a->cause = cause;
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

/* Handles the X events there are without waiting. received: when the
 * loop woke up for them (0: now). */
static void dispatch_x(struct agent *a, uint64_t received)
{
        struct vmodes_error err = { "" };
        bool changed = false;
        int r;

        r = vmodes_display_dispatch(a->x.display, &changed, &err);
        if (r < 0) {
                if (!x_lost(a, r, &err)) {
                        log_error("%s", err.msg);
                        sd_event_exit(a->event, r);
                }
                return;
        }
        if (changed)
                session_schedule(a, CAUSE_RANDR, received);
}

static int on_x(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct agent *a = userdata;
        uint64_t received = 0;

        if (revents & (EPOLLHUP | EPOLLERR)) {
                log_info("the display %s went away; exiting", vmodes_display_name(a->x.display));
                sd_event_exit(a->event, 0);
                return 0;
        }
        /* when the loop woke up for it */
        sd_event_now(a->event, CLOCK_MONOTONIC, &received);
        dispatch_x(a, received);
        return 0;
}

static int on_settle(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct agent *a = userdata;

        a->probe = true;
        session_schedule(a, CAUSE_UEVENT, 0);
        return 0;
}

static void on_hotplug(void *userdata)
{
        struct agent *a = userdata;

        /* X sees new connector modes only after a probe */
        a->probe = true;
        session_schedule(a, CAUSE_UEVENT, 0);
        /* and once more a second later: the kernel's list (the host's new
         * size) changes only when the display server probes the connector,
         * which a Wayland compositor does in its own time */
        if (a->settle) {
                sd_event_source_set_time(a->settle, session_now_usec() + SETTLE_USEC);
                sd_event_source_set_enabled(a->settle, SD_EVENT_ONESHOT);
        }
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        struct agent *a = userdata;
        char path[64], comm[64] = "";
        FILE *f;

        /* who ended the agent, for the session's log */
        snprintf(path, sizeof(path), "/proc/%u/comm", (unsigned)si->ssi_pid);
        f = si->ssi_pid ? fopen(path, "re") : NULL;
        if (f) {
                if (!fgets(comm, sizeof(comm), f))
                        comm[0] = '\0';
                comm[strcspn(comm, "\n")] = '\0';
                fclose(f);
        }
        if (si->ssi_pid) /* 0: the kernel (Ctrl-C on a terminal) */
                log_info("SIG%s from pid %u%s%s%s; exiting", sigabbrev_np((int)si->ssi_signo), (unsigned)si->ssi_pid,
                         comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
        else
                log_info("SIG%s; exiting", sigabbrev_np((int)si->ssi_signo));
        sd_event_exit(a->event, 0);
        return 0;
}

void session_config_ready(struct agent *a)
{
        a->config_ready = true;
        a->cause = CAUSE_START;
        a->n_events = 1;
        a->first_event = session_now_usec();
        sd_event_source_set_time(a->timer, a->first_event);
        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

/* ---- the loop ------------------------------------------------------------------------ */

/* RandR events, DRM hotplug uevents (when the kernel's socket can be had). */
static int watch_x(struct agent *a)
{
        struct vmodes_error err = { "" };
        int r;

        if (a->once)
                return 0;
        r = vmodes_display_watch(a->x.display, &err);
        if (r < 0) {
                if (!x_lost(a, r, &err))
                        log_error("%s", err.msg);
                return r;
        }
        r = sd_event_add_io(a->event, &a->x_source, vmodes_display_get_fd(a->x.display), EPOLLIN, on_x, a);
        if (r < 0)
                return r;
        if (uevent_listener_new(a->event, on_hotplug, a, &a->uevents) < 0 && a->verbose)
                log_info("no udev monitor: DRM hotplug is seen through RandR events only");
        /* what came before the watch began */
        dispatch_x(a, 0);
        return 0;
}

static int setup(struct agent *a)
{
        sigset_t mask;
        int r;

        r = sd_event_new(&a->event);
        if (r >= 0)
                r = sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, 0, 1, on_timer, a);
        if (r < 0)
                return r;
        sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
        if (sd_event_add_time(a->event, &a->settle, CLOCK_MONOTONIC, 0, 1, on_settle, a) >= 0)
                sd_event_source_set_enabled(a->settle, SD_EVENT_OFF);
        /* the configuration: the file, or vmodesd's */
        source_bus_start(a);
        r = source_file_watch(a);
        if (r < 0)
                return r;
        if (a->follow_file)
                source_load_file(a);
        r = watch_x(a);
        if (r < 0)
                return r;
        /* the ends of a session: logged with their sender, exit status 0
         * (SIGHUP: the session or its terminal hung up; by default it
         * ended the agent without a word) */
        static const int ends[] = { SIGTERM, SIGINT, SIGHUP };
        sigemptyset(&mask);
        for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
                sigaddset(&mask, ends[i]);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        /* a write to a server that went away is a lost connection (logged),
         * not a silent death by SIGPIPE (XCB writes with writev) */
        signal(SIGPIPE, SIG_IGN);
        for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
                sd_event_add_signal(a->event, NULL, ends[i], on_signal, a);
        return 0;
}

int session_run(const struct session_options *o, struct vmodes_screen *x)
{
        struct agent *a = calloc(1, sizeof(*a));
        int r, ex = SESSION_EXIT_FAILURE;

        if (!a) {
                log_error("out of memory");
                return SESSION_EXIT_FAILURE;
        }
        a->x = *x;
        a->config_path = o->config_path;
        a->follow_file = o->follow_file;
        a->once = o->once;
        a->stats = o->stats;
        a->verbose = o->verbose;
        a->desktop_follows_host = vmodes_reconcile_desktop_follows_host(getenv("XDG_CURRENT_DESKTOP"));
        if (a->desktop_follows_host)
                log_info("the desktop (XDG_CURRENT_DESKTOP=%s) follows the host's size requests itself on "
                         "heads with hotplug_mode_update (qxl): auto-fit leaves those to it",
                         getenv("XDG_CURRENT_DESKTOP"));
        /* big temporary blocks (the RandR state, the plan) go back to the
         * system when freed instead of staying in the heap */
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        r = setup(a);
        if (r >= 0) {
                malloc_trim(0);
                r = sd_event_loop(a->event);
        }
        if (r >= 0 || r == -ECONNRESET) /* -ECONNRESET: the X server went away (logged) */
                ex = SESSION_EXIT_OK;
        else
                log_error("event loop: %s", strerror(-r));
        if (a->verbose)
                log_info("%u applies", a->applies);
        source_free(a);
        sd_event_source_unref(a->x_source);
        sd_event_source_unref(a->timer);
        sd_event_source_unref(a->settle);
        a->uevents = uevent_listener_free(a->uevents);
        sd_event_unref(a->event);
        *x = a->x;
        free(a);
        return ex;
}
