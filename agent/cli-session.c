/* SPDX-License-Identifier: MIT */
/*
 * vmodes session: the per-X-session agent (started by the XDG autostart
 * entry). Applies the configured layout at login, then waits on an sd-event
 * loop for
 *   - RandR screen/output/CRTC events (a head connected, resized by the host
 *     or by another client),
 *   - DRM hotplug uevents (the host asked for another size: X learns of it
 *     only after a probe, so the agent makes one),
 *   - changes of the config file (the daemon writes it atomically),
 * and applies what they call for. Nothing wakes it up while nothing happens;
 * it exits when the X server goes away.
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
 * Changes in a burst are coalesced: at most one apply per 100 ms, and the
 * last one always follows the last event.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
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
#include <systemd/sd-event.h>

#include "agent/cli-heads.h"
#include "agent/cli.h"
#include "agent/config.h"
#include "agent/layout.h"
#include "agent/randr.h"

#define COALESCE_USEC (100 * 1000ULL)
#define DEFAULT_CONFIG SYSCONFDIR "/vmodes/vmodes.conf"

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

struct agent {
        sd_event *event;
        struct cli_heads_session x;
        struct vmodes_monitor *monitor;
        sd_event_source *x_source, *timer, *inotify;
        const char *config_path;
        char *config_dir, *config_name;
        struct vmodes_config cfg;
        bool started;         /* the first apply was made */
        bool config_changed;  /* apply the whole config at the next reconcile */
        bool probe;           /* next query with a probe (DRM hotplug) */
        uint64_t last_apply;  /* CLOCK_MONOTONIC usec */
        struct seen seen[VMODES_LAYOUT_OUTPUTS_MAX];
        bool verbose, once;
        bool retry;           /* the last apply failed: reconcile again soon */
        unsigned retries;
        unsigned applies;
};

static void logf_(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int prio, const char *fmt, ...)
{
        va_list ap;

        if (getenv("JOURNAL_STREAM"))
                fprintf(stderr, "<%d>", prio);
        fputs("vmodes session: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}
#define log_info(...) logf_(6, __VA_ARGS__)
#define log_warn(...) logf_(4, __VA_ARGS__)
#define log_err(...) logf_(3, __VA_ARGS__)

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* ---- config ---------------------------------------------------------------------- */

static int load_config(struct agent *a, bool at_start)
{
        struct vmodes_config c;
        struct vmodes_error err = { "" };
        int r = vmodes_config_load(a->config_path, &c, &err);

        if (r == -ENOENT) {
                vmodes_config_init(&c);
                if (at_start)
                        log_info("no configuration at %s yet%s", a->config_path, a->once ? "" : "; watching it");
        } else if (r < 0) {
                log_err("%s; %s", err.msg, at_start ? "starting with no configuration" : "keeping the last good configuration");
                if (at_start)
                        vmodes_config_init(&a->cfg);
                return r;
        }
        if (!at_start && vmodes_config_equal(&c, &a->cfg))
                return 0;
        a->cfg = c;
        a->config_changed = true;
        if (!at_start)
                log_info("configuration changed (%s)", a->config_path);
        return 1;
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

static void reconcile(struct agent *a)
{
        struct vmodes_layout_state *s = a->x.state;
        struct vmodes_layout_plan *plan = NULL;
        struct vmodes_config *eff = NULL;
        struct vmodes_error err = { "" };
        bool full = !a->started || a->config_changed;
        int r;

        eff = calloc(1, sizeof(*eff));
        plan = calloc(1, sizeof(*plan));
        if (!eff || !plan) {
                log_err("out of memory");
                goto out;
        }
        vmodes_randr_lock(a->x.randr);
        vmodes_randr_set_probe(a->x.randr, a->probe);
        r = cli_heads_session_query(&a->x, &err);
        vmodes_randr_set_probe(a->x.randr, false);
        a->probe = false;
        if (r < 0) {
                log_err("cannot read the X layout: %s", err.msg);
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
                unsigned pw, ph;
                bool configured = false;

                for (unsigned k = 0; k < eff->n_heads; k++)
                        configured |= !strcmp(eff->heads[k].head, o->name);
                for (unsigned k = 0; k < a->cfg.n_heads; k++)
                        configured |= cli_heads_resolve(&a->x, a->cfg.heads[k].head, true) == o;
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
                log_err("cannot apply the layout: %s", err.msg);
        } else if (plan->n_ops > 0) {
                r = vmodes_randr_execute(a->x.randr, s, plan, &err);
                a->applies++;
                a->last_apply = now_usec();
                if (r < 0) {
                        /* most often the screen changed under the plan (a
                         * server that resizes itself, as Xvnc does for its
                         * clients): the same triggers are tried again */
                        log_err("%s", err.msg);
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
        free(eff);
        free(plan);
}

/* ---- events -------------------------------------------------------------------------- */

static void schedule(struct agent *a);

static int on_timer(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct agent *a = userdata;

        sd_event_source_set_enabled(src, SD_EVENT_OFF);
        a->retry = false;
        reconcile(a);
        if (a->retry) {
                /* back off: 0.1, 0.2, 0.4, 0.8, 1.6 s */
                sd_event_source_set_time(src, now_usec() + (COALESCE_USEC << (a->retries - 1)));
                sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        }
        return 0;
}

/* Coalescing: at once when the last apply is old enough, else when it is. */
static void schedule(struct agent *a)
{
        uint64_t now = now_usec(), when = a->last_apply + COALESCE_USEC;
        int enabled = SD_EVENT_OFF;

        sd_event_source_get_enabled(a->timer, &enabled);
        if (enabled != SD_EVENT_OFF)
                return; /* already due */
        if (when < now)
                when = now;
        sd_event_source_set_time(a->timer, when);
        sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

static int on_x(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct agent *a = userdata;
        Display *dpy = vmodes_randr_get_display(a->x.randr);
        bool randr = false;
        int ev_base = 0, err_base = 0;

        if (revents & (EPOLLHUP | EPOLLERR)) {
                log_info("the X display %s went away; exiting", vmodes_randr_display_name(a->x.randr));
                /* closing the dead connection makes Xlib call its I/O error handler */
                vmodes_randr_set_io_error_exit(NULL, CLI_EXIT_OK);
                sd_event_exit(a->event, 0);
                return 0;
        }
        XRRQueryExtension(dpy, &ev_base, &err_base);
        while (XPending(dpy)) {
                XEvent ev;
                XNextEvent(dpy, &ev);
                XRRUpdateConfiguration(&ev);
                if (ev.type == ev_base + RRScreenChangeNotify || ev.type == ev_base + RRNotify)
                        randr = true;
        }
        if (randr)
                schedule(a);
        return 0;
}

static void on_uevent(struct vmodes_monitor *m, const struct vmodes_event *ev, void *userdata)
{
        struct agent *a = userdata;

        if (ev->type != VMODES_EVENT_HOTPLUG)
                return;
        /* X sees new connector modes only after a probe */
        a->probe = true;
        schedule(a);
}

static int on_inotify(sd_event_source *src, const struct inotify_event *ev, void *userdata)
{
        struct agent *a = userdata;

        if (ev->len && strcmp(ev->name, a->config_name))
                return 0;
        if (load_config(a, false) > 0)
                schedule(a);
        return 0;
}

static int on_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        struct agent *a = userdata;

        sd_event_exit(a->event, 0);
        return 0;
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
                "the host or the desktop set. With auto_fit in the configuration a head\n"
                "follows the size the host asks for (its preferred mode, for instance a\n"
                "SPICE window size) at the configured refresh rate instead of 60 Hz.\n"
                "\n"
                "It reads the configuration file and follows its changes (vmodesd writes it),\n"
                "listens to RandR events and DRM hotplug uevents, uses no CPU while nothing\n"
                "happens, and exits when the X server goes away. In a Wayland session it\n"
                "exits at once.\n"
                "\n"
                "Options:\n"
                "      --config FILE   the configuration file (default %s)\n"
                "      --once          apply the configuration once and exit\n"
                "  -v, --verbose       log more\n"
                "  -h, --help          show this help\n"
                "\n"
                "Exit status: 0 when the X server went away or on SIGTERM, 1 when the X\n"
                "display cannot be opened or the event loop fails, 2 bad arguments.\n",
                DEFAULT_CONFIG);
}

int cli_session(int argc, char **argv)
{
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "once", no_argument, NULL, '1' },
                { "verbose", no_argument, NULL, 'v' },      { "help", no_argument, NULL, 'h' },
                {}
        };
        struct agent *a;
        int c, r, ex = CLI_EXIT_FAILURE;
        sigset_t mask;
        char *dir_copy = NULL, *name_copy = NULL;

        a = calloc(1, sizeof(*a));
        if (!a) {
                cli_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        a->config_path = DEFAULT_CONFIG;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        a->config_path = optarg;
                        break;
                case '1':
                        a->once = true;
                        break;
                case 'v':
                        a->verbose = true;
                        break;
                case 'h':
                        session_help(stdout);
                        free(a);
                        return CLI_EXIT_OK;
                default:
                        cli_error("unknown option (try 'vmodes session --help')");
                        free(a);
                        return CLI_EXIT_USAGE;
                }
        }
        if (optind < argc) {
                cli_error("'vmodes session' takes no arguments (try 'vmodes session --help')");
                free(a);
                return CLI_EXIT_USAGE;
        }
        if (getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY")) {
                log_info("this is a Wayland session; the compositor owns the display modes, nothing to do");
                free(a);
                return CLI_EXIT_OK;
        }

        load_config(a, true);
        if (cli_heads_session_open(&a->x, false) != CLI_EXIT_OK)
                goto out;
        /* from now on the X server going away is the normal end */
        vmodes_randr_set_io_error_exit("vmodes session", CLI_EXIT_OK);
        reconcile(a);
        if (a->once) {
                ex = CLI_EXIT_OK;
                goto out;
        }

        r = sd_event_new(&a->event);
        if (r < 0)
                goto fail;
        XRRSelectInput(vmodes_randr_get_display(a->x.randr),
                       DefaultRootWindow(vmodes_randr_get_display(a->x.randr)),
                       RRScreenChangeNotifyMask | RROutputChangeNotifyMask | RRCrtcChangeNotifyMask);
        XFlush(vmodes_randr_get_display(a->x.randr));
        r = sd_event_add_io(a->event, &a->x_source, vmodes_randr_get_fd(a->x.randr), EPOLLIN, on_x, a);
        if (r < 0)
                goto fail;
        r = sd_event_add_time(a->event, &a->timer, CLOCK_MONOTONIC, 0, 1000, on_timer, a);
        if (r < 0)
                goto fail;
        sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);

        dir_copy = strdup(a->config_path);
        name_copy = strdup(a->config_path);
        if (!dir_copy || !name_copy) {
                r = -ENOMEM;
                goto fail;
        }
        a->config_dir = dirname(dir_copy);
        a->config_name = basename(name_copy);
        r = sd_event_add_inotify(a->event, &a->inotify, a->config_dir,
                                 IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE | IN_ONLYDIR, on_inotify, a);
        if (r < 0)
                log_warn("cannot watch %s (%s): configuration changes need a restart of the agent", a->config_dir,
                         strerror(-r));

        if (vmodes_monitor_new(&a->monitor, on_uevent, a) < 0 ||
            vmodes_monitor_attach(a->monitor, a->event, 0) < 0) {
                if (a->verbose)
                        log_info("no udev monitor: DRM hotplug is seen through RandR events only");
                vmodes_monitor_free(a->monitor);
                a->monitor = NULL;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sd_event_add_signal(a->event, NULL, SIGTERM, on_signal, a);
        sd_event_add_signal(a->event, NULL, SIGINT, on_signal, a);

        r = sd_event_loop(a->event);
        if (r < 0)
                goto fail;
        ex = CLI_EXIT_OK;
        goto out;
fail:
        log_err("event loop: %s", strerror(-r));
out:
        if (a->verbose)
                log_info("%u applies", a->applies);
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
