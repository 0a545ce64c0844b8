/* SPDX-License-Identifier: MIT */
/*
 * vmodes add | remove | list | apply: modes and layout of the heads. Each
 * change is stored through vmodesd (which keeps it across restarts and tells
 * every session agent) and made in the caller's X session: the command reads
 * the RandR state, resolves the head names, asks the layout planner for the
 * operations, stores the change once the plan is known to fit, and runs the
 * operations through the XRandR backend under a server grab. Without a
 * display the change is only stored; without vmodesd it is only made live,
 * with a warning.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "agent/cli/cli.h"
#include "agent/cli/heads.h"
#include "agent/common/client.h"
#include "agent/core/layout.h"
#include "agent/display/x11-randr.h"
#include "modes/modes.h"
#include "udev/vmodes-udev.h"

#define LIVE_ONLY_NOTE "live X session only: nothing stored, the change lasts until the X server restarts"

/* ---- helpers ------------------------------------------------------------------ */


/* Head names are short and made of letters, digits and "-_.:" only. */
static bool head_name_valid(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len >= VMODES_HEAD_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr("-_.:", s[i]))
                        return false;
        return true;
}

/* A head name's syntax, checked before anything is connected to. Exit
 * code (the error printed). */
static int check_head_name(const char *name)
{
        if (head_name_valid(name))
                return CLI_EXIT_OK;
        log_error("'%s' is not a head name: use an output name as 'vmodes list' shows it or a head number "
                  "(letters, digits and - _ . : only)",
                  cli_arg(name));
        return CLI_EXIT_USAGE;
}

void cli_heads_session_close(struct cli_heads_session *s)
{
        if (s->randr) {
                /* closing waits for the server to take the last requests */
                cli_x_deadline(CLI_X_ANSWER, vmodes_randr_display_name(s->randr));
                vmodes_randr_free(s->randr);
                cli_x_deadline_clear();
        }
        if (s->disc)
                vmodes_discovery_free(s->disc);
        free(s->state);
        memset(s, 0, sizeof(*s));
}

/* The device memory limit of the virtual GPU (if the guest has one). */
static void memory_limit(struct cli_heads_session *s)
{
        struct vmodes_fb_limit l;

        if (!s->dev || vmodes_memory_fb_limit(s->dev, &l) < 0 || !l.known || !l.bytes)
                return;
        /* an upper bound refuses only what cannot fit anyway */
        s->state->memory_limit = l.bytes;
        /* the kernel qxl driver keeps a framebuffer copy per head under the
         * modesetting DDX (the qxl DDX does not) */
        s->state->memory_per_head = s->dev->type->kind == VMODES_GPU_QXL && !strcmp(s->provider, "modesetting");
        if (s->dev->type->vm_setting)
                snprintf(s->state->memory_fix, sizeof(s->state->memory_fix),
                         "raise %s in the VM definition or use smaller modes", s->dev->type->vm_setting);
}

/* Opens the display, locks it (when lock) and reads its state. Returns an
 * exit code, CLI_EXIT_OK on success. */
int cli_heads_session_open(struct cli_heads_session *s, bool lock)
{
        struct vmodes_error err = { "" };
        int r;

        memset(s, 0, sizeof(*s));
        s->state = calloc(1, sizeof(*s->state));
        if (!s->state) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        /* a server that accepts and never answers must not hang the command */
        r = cli_x_deadline(CLI_X_CONNECT, NULL);
        if (r != CLI_EXIT_OK)
                return r;
        r = vmodes_randr_open(NULL, &s->randr, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        /* the virtual GPU (for head numbers and its memory); none is fine.
         * Connector state and the card node are not needed: X knows them. */
        if (vmodes_discovery_new(&s->disc) == 0 && vmodes_discovery_scan_flags(s->disc, 0) >= 0)
                for (size_t i = 0; i < vmodes_discovery_get_n_devices(s->disc) && !s->dev; i++) {
                        const struct vmodes_device *d = vmodes_discovery_get_device(s->disc, i);
                        if (d->type && d->type->kind != VMODES_GPU_OTHER && !d->secondary)
                                s->dev = d;
                }
        /* from here to the last request of the plan no other client changes the screen */
        if (lock)
                vmodes_randr_lock(s->randr);
        cli_x_deadline(CLI_X_QUERY, vmodes_randr_display_name(s->randr));
        r = cli_heads_session_query(s, &err);
        cli_x_deadline_clear();
        if (r < 0) {
                log_error("%s", err.msg);
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

int cli_heads_session_query(struct cli_heads_session *s, struct vmodes_error *err)
{
        int r = vmodes_randr_query(s->randr, s->state, err);

        if (r < 0)
                return r;
        vmodes_randr_provider_name(s->randr, s->provider, sizeof(s->provider));
        memory_limit(s);
        return 0;
}

/* ---- head names ----------------------------------------------------------------- */

static const struct vmodes_layout_output *find_output(const struct cli_heads_session *s, const char *name)
{
        return vmodes_layout_output_by_name(s->state, name);
}

static enum vmodes_head_scheme x_scheme(const struct cli_heads_session *s)
{
        const char *names[VMODES_LAYOUT_OUTPUTS_MAX];

        for (unsigned i = 0; i < s->state->n_outputs; i++)
                names[i] = s->state->outputs[i].name;
        return vmodes_heads_detect_scheme(names, s->state->n_outputs);
}

/* The X output a head name means: the X name itself, any scheme's name of
 * the same head (Virtual-1, qxl-0, legacy Virtual-0, card0-Virtual-1) or a
 * head number (1-based). NULL and an error message when there is none. */
const struct vmodes_layout_output *cli_heads_resolve(const struct cli_heads_session *s, const char *name, bool quiet)
{
        const struct vmodes_layout_output *o;
        enum vmodes_head_scheme scheme = x_scheme(s);
        char buf[64];
        unsigned head;

        if (!head_name_valid(name)) {
                if (!quiet)
                        check_head_name(name);
                return NULL;
        }
        o = find_output(s, name);
        if (o)
                return o;
        /* through the device's connectors */
        if (s->dev && vmodes_heads_resolve(s->dev, name, scheme, &head) == 0 &&
            vmodes_heads_name(s->dev, head, scheme, buf, sizeof(buf)) == 0 && (o = find_output(s, buf)))
                return o;
        /* through the naming schemes alone */
        if ((o = vmodes_layout_find_head(s->state, name)))
                return o;
        if (!quiet) {
                char names[200] = "";
                size_t len = 0;
                for (unsigned i = 0; i < s->state->n_outputs && len + 40 < sizeof(names); i++)
                        len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
                                                s->state->outputs[i].name);
                log_error("unknown head %s: this X server has %s (or give a head number, 1 to %u)", name,
                          s->state->n_outputs ? names : "no outputs", s->state->n_outputs);
        }
        return NULL;
}

/* 1-based head number of an output: the device's head when known, else
 * its place in the server's list. */
static unsigned head_number(const struct cli_heads_session *s, const struct vmodes_layout_output *o)
{
        unsigned head;

        if (s->dev && vmodes_heads_resolve(s->dev, o->name, x_scheme(s), &head) == 0)
                return head;
        return (unsigned)(o - s->state->outputs) + 1;
}

/* ---- modes from the command line --------------------------------------------------- */

/* SPEC with an optional --rb override, or a modeline. Exit code. */
static int parse_mode(const char *spec, int rb, struct vmodes_head_mode *hm)
{
        struct vmodes_error err = { "" };

        memset(hm, 0, sizeof(*hm));
        if (vmodes_spec_parse(spec, &hm->spec, &err) == 0) {
                if (rb >= 0) {
                        static const enum vmodes_method m[] = { VMODES_METHOD_CVT, VMODES_METHOD_CVT_RB1,
                                                                VMODES_METHOD_CVT_RB2, VMODES_METHOD_CVT_RB3 };
                        if (hm->spec.method != VMODES_METHOD_CVT && hm->spec.method != m[rb]) {
                                log_error("--rb=%d contradicts the blanking in '%s'", rb, cli_arg(spec));
                                return CLI_EXIT_USAGE;
                        }
                        hm->spec.method = m[rb];
                }
                if (vmodes_spec_to_mode(&hm->spec, &hm->mode, &err) < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_USAGE;
                }
                return CLI_EXIT_OK;
        }
        /* a pasted modeline ("Modeline ...", a quoted name, or numbers) */
        if (strchr(spec, ' ')) {
                struct vmodes_error err2 = { "" };
                if (vmodes_modeline_parse(spec, &hm->mode, &err2) == 0 && vmodes_mode_validate(&hm->mode, &err2) == 0) {
                        hm->custom = true;
                        return CLI_EXIT_OK;
                }
                /* a spec with stray blanks ("1024x768 ") is a bad spec, not a bad modeline */
                if (!strncmp(err2.msg, "mode spec ", 10))
                        log_error("bad mode: %s", err2.msg);
                else
                        log_error("bad modeline: %s", err2.msg);
                return CLI_EXIT_USAGE;
        }
        log_error("bad mode '%s': %s", cli_arg(spec), err.msg);
        return CLI_EXIT_USAGE;
}

/* ---- reporting ---------------------------------------------------------------------- */

/* "43.99 Hz", or "? Hz" for a mode without a pixel clock (Xvfb) */
static void format_refresh(char *buf, size_t size, const struct vmodes_mode *m)
{
        if (m->clock_hz && m->htotal && m->vtotal)
                snprintf(buf, size, "%.2f Hz", vmodes_mode_refresh(m));
        else
                snprintf(buf, size, "? Hz");
}

static void describe_mode(char *buf, size_t size, const struct vmodes_mode *m)
{
        char rate[32];

        format_refresh(rate, sizeof(rate), m);
        snprintf(buf, size, "%ux%u at %s (%s)", m->hdisplay, m->vdisplay, rate, m->name);
}

static void print_result(const struct cli_heads_session *s, const struct vmodes_layout_plan *plan,
                         const struct vmodes_layout_result *res, bool executed)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_id(s->state, res->output);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(s->state, o->crtc) : NULL;
        const struct vmodes_layout_smode *old = c && c->mode ? vmodes_layout_mode_by_id(s->state, c->mode) : NULL;
        char what[256] = "", mode[128], oldmode[128];
        size_t n = 0;

#define ADD(...) n += (size_t)snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, __VA_ARGS__)
        if (res->changes & VMODES_CHANGE_ADDED)
                ADD("%smode added", n ? ", " : "");
        if (res->changes & VMODES_CHANGE_REMOVED)
                ADD("%smode removed", n ? ", " : "");
        if (res->changes & VMODES_CHANGE_ON)
                ADD("%sturned on", n ? ", " : "");
        if ((res->changes & VMODES_CHANGE_MODE) && old) {
                describe_mode(oldmode, sizeof(oldmode), &old->mode);
                ADD("%swas %s", n ? ", " : "", oldmode);
        }
        if (res->changes & VMODES_CHANGE_POSITION)
                ADD("%smoved from +%d+%d", n ? ", " : "", c ? c->x : 0, c ? c->y : 0);
        if (res->changes & VMODES_CHANGE_PRIMARY)
                ADD("%snow primary", n ? ", " : "");
        if (res->changes & VMODES_CHANGE_OFF)
                ADD("%sturned off", n ? ", " : "");
        if (!n)
                ADD("unchanged");
#undef ADD
        if (res->enabled) {
                describe_mode(mode, sizeof(mode), &res->mode);
                printf("%s: %s at +%d+%d%s%s%s\n", res->head, mode, res->x, res->y, executed ? "" : " (would be)",
                       n ? ": " : "", what);
        } else
                printf("%s: off%s: %s\n", res->head, executed ? "" : " (would be)", what);
        (void)plan;
}

/* After executing on a server without a RandR provider: does it show what
 * the plan promised? Some servers (Xvfb) accept RandR 1.2 requests and
 * keep their one fixed mode. A server with a driver behind its outputs (a
 * provider: qxl, modesetting) answers a request it cannot do with an error
 * or a failed status, which the backend reports: no read-back there.
 * Exit code. */
static int verify(struct cli_heads_session *s, const struct vmodes_layout_plan *plan)
{
        _cleanup_(freep) struct vmodes_layout_state *now = calloc(1, sizeof(*now));
        struct vmodes_error err = { "" };

        /* without a driver (Xvfb, Xvnc) a probe costs nothing and is the
         * only way to see what such a server really shows */
        vmodes_randr_set_probe(s->randr, true);
        if (!now || vmodes_randr_query(s->randr, now, &err) < 0) {
                log_error("cannot read the layout back: %s", now ? err.msg : "out of memory");
                return CLI_EXIT_FAILURE;
        }
        for (unsigned i = 0; i < plan->n_results; i++) {
                const struct vmodes_layout_result *res = &plan->results[i];
                const struct vmodes_layout_output *o = vmodes_layout_output_by_id(now, res->output);
                const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(now, o->crtc) : NULL;
                const struct vmodes_layout_smode *m = c && c->mode ? vmodes_layout_mode_by_id(now, c->mode) : NULL;
                char want[128], have[128];

                if (!res->enabled && !m)
                        continue;
                if (res->enabled && m && vmodes_mode_equal_timings(&m->mode, &res->mode) && c->x == res->x &&
                    c->y == res->y)
                        continue;
                if (res->enabled)
                        describe_mode(want, sizeof(want), &res->mode);
                if (m)
                        describe_mode(have, sizeof(have), &m->mode);
                log_error("the X server accepted the change but %s shows %s at +%d+%d instead of %s%s; this server "
                          "does not let clients set modes",
                          res->head, m ? have : "nothing", c ? c->x : 0, c ? c->y : 0, res->enabled ? want : "off",
                          res->enabled ? "" : "");
                return CLI_EXIT_FAILURE;
        }
        return CLI_EXIT_OK;
}

/* ---- the stored configuration (vmodesd) --------------------------------------------- */

/* How a command keeps its change: through vmodesd unless --no-store (or a
 * dry run), and in the live X session when there is a display. */
struct store {
        bool wanted;                     /* store through vmodesd */
        bool live;                       /* the caller's X session changes too */
        struct vmodes_client *client;
        struct vmodes_config *config;    /* vmodesd's config as last read (NULL until read) */
        bool stored;                     /* vmodesd has the change */
        bool not_running;                /* vmodesd could not be reached: live only */
        bool absent;                     /* vmodesd had nothing stored to remove */
        bool dry_run;                    /* show the plan only */
        bool changed_live;               /* the plan had operations */
        char note[300];                  /* why not stored, or what was stored */
        char head[VMODES_HEAD_NAME_MAX]; /* the head as vmodesd names it */
};

/* A failed call to vmodesd. When it is not running and the change can still
 * be made live, that goes on (with a warning at the end); any other failure
 * stops the command before the live session is touched. Exit code. */
static int store_failed(struct store *st, int r, const struct vmodes_error *err)
{
        if (r == -ESRCH && st->live) {
                st->not_running = true;
                snprintf(st->note, sizeof(st->note), "%s", err->msg);
                return CLI_EXIT_OK;
        }
        log_error("not stored: %s%s", err->msg,
                  st->live ? "; nothing changed (--no-store changes this X session only)" : "");
        return r == -EINVAL || r == -E2BIG || r == -ENOENT ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

/* Connects to vmodesd. Exit code. */
static int store_begin(struct store *st)
{
        struct vmodes_error err = { "" };
        int r;

        if (!st->wanted)
                return CLI_EXIT_OK;
        r = vmodes_client_open(&st->client, &err);
        return r < 0 ? store_failed(st, r, &err) : CLI_EXIT_OK;
}

/* Sets up a command's store: live when there is a display, through vmodesd
 * unless no_store or dry_run. Exit code. */
static int store_open_for(struct store *st, bool no_store, bool dry_run, const char *command)
{
        const char *display = getenv("DISPLAY");

        memset(st, 0, sizeof(*st));
        st->live = display && *display;
        st->dry_run = dry_run;
        st->wanted = !no_store && !dry_run;
        if (!st->live && (no_store || dry_run)) {
                log_error("%s needs an X display ($DISPLAY is not set); without one 'vmodes %s' only stores the "
                          "change through vmodesd",
                          no_store ? "--no-store" : "--dry-run", command);
                return CLI_EXIT_USAGE;
        }
        return store_begin(st);
}

/* vmodesd can take the change (connected, not given up on). */
static bool store_ready(const struct store *st)
{
        return st->wanted && st->client && !st->not_running;
}

/* vmodesd's config as it is now, or NULL when it cannot be read: it only
 * completes a change (keeps a stored primary, describes what was stored),
 * so a failure here is no reason to fail the change. */
static const struct vmodes_config *store_config(struct store *st)
{
        struct vmodes_error err = { "" };

        if (!st->config)
                st->config = calloc(1, sizeof(*st->config));
        if (!st->config || vmodes_client_get_config(st->client, st->config, &err) < 0)
                return NULL;
        return st->config;
}

/* The stored configuration of head (vmodesd's name) now, or NULL. */
static const struct vmodes_head_config *stored_head(struct store *st, const char *head)
{
        const struct vmodes_config *c = store_config(st);

        for (unsigned i = 0; c && i < c->n_heads; i++)
                if (!strcmp(c->heads[i].head, head))
                        return &c->heads[i];
        return NULL;
}

/* Is head (vmodesd's name) the stored primary one? */
static bool stored_primary(struct store *st, const char *head)
{
        const struct vmodes_head_config *h = stored_head(st, head);

        return h && h->primary;
}

/* Reports (when report) what happened to the stored configuration and
 * disconnects. */
static void store_end(struct store *st, bool report)
{
        if (!report)
                ;
        else if (st->stored)
                printf("stored: %s\n", st->note);
        else if (st->absent)
                printf("nothing stored to remove: %s\n", st->note);
        else if (st->not_running)
                log_warning("warning: not stored: %s; the change lasts until the X server restarts",
                        st->note);
        else if (st->dry_run)
                printf("(dry run: nothing stored or changed)\n");
        else if (st->live && st->changed_live && !st->wanted)
                printf("(%s)\n", LIVE_ONLY_NOTE);
        vmodes_client_free(st->client);
        free(st->config);
        st->client = NULL;
        st->config = NULL;
}

/* The name to give vmodesd for an X output: the number of the virtual GPU's
 * head it is (vmodesd maps it to the DRM connector whatever the X driver
 * calls the output), else the output's own name, which vmodesd refuses
 * unless it names one of its heads: an X session on another device (Xvnc,
 * a passed-through GPU) does not change the virtual GPU's configuration. */
static void daemon_head(const struct cli_heads_session *s, const struct vmodes_layout_output *o, char *buf,
                        size_t size)
{
        unsigned head;

        if (s->dev && vmodes_heads_resolve(s->dev, o->name, x_scheme(s), &head) == 0)
                snprintf(buf, size, "%u", head);
        else
                snprintf(buf, size, "%.*s", (int)size - 1, o->name);
}

/* A command's store step, run once the plan is known to fit. Exit code. */
typedef int (*store_fn)(struct store *st, const struct cli_heads_session *s, const void *job);

/* Plans, stores (through save), executes (unless dry_run) and reports.
 * Exit code. */
static int run_plan(struct cli_heads_session *s, const struct vmodes_config *cfg, const struct vmodes_layout_drop *drop,
                    size_t n_drop, bool verbose, struct store *st, store_fn save, const void *job)
{
        _cleanup_(freep) struct vmodes_layout_plan *plan = calloc(1, sizeof(*plan));
        struct vmodes_error err = { "" };
        bool dry_run = st->dry_run;
        int r;

        if (!plan) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        r = vmodes_layout_plan(cfg, s->state, drop, n_drop, plan, &err);
        if (r < 0) {
                log_error("%s", err.msg);
                return r == -EINVAL || r == -ENOSPC || r == -ENOENT ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
        }
        if (verbose || dry_run)
                for (unsigned i = 0; i < plan->n_ops; i++) {
                        char d[200];
                        vmodes_layout_op_describe(d, sizeof(d), &plan->ops[i], s->state, plan);
                        printf("%s %s\n", dry_run ? "would" : "step:", d);
                }
        if (!dry_run && save && store_ready(st)) {
                int ex = save(st, s, job);
                if (ex != CLI_EXIT_OK)
                        return ex;
        }
        if (!dry_run) {
                struct vmodes_randr_stats stats;

                cli_x_deadline(CLI_X_CHANGE, vmodes_randr_display_name(s->randr));
                r = vmodes_randr_execute(s->randr, s->state, plan, &err);
                cli_x_deadline_clear();
                if (r < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_FAILURE;
                }
                vmodes_randr_get_stats(s->randr, &stats);
                if (plan->n_ops > 0 && !s->provider[0]) {
                        cli_x_deadline(CLI_X_ANSWER, vmodes_randr_display_name(s->randr));
                        r = verify(s, plan);
                        cli_x_deadline_clear();
                        if (r != CLI_EXIT_OK)
                                return r;
                }
                if (verbose)
                        printf("%u operations, %u requests, %u round trips (query %u)\n", plan->n_ops,
                               stats.execute_requests, stats.execute_round_trips, stats.query_round_trips);
        }
        for (unsigned i = 0; i < plan->n_results; i++)
                print_result(s, plan, &plan->results[i], !dry_run);
        if (plan->width != s->state->width || plan->height != s->state->height)
                printf("screen: %ux%u%s, was %ux%u\n", plan->width, plan->height, dry_run ? " (would be)" : "",
                       s->state->width, s->state->height);
        if (plan->n_ops == 0)
                printf("nothing to change in the X session\n");
        st->changed_live = plan->n_ops > 0;
        return CLI_EXIT_OK;
}

/* ---- layout options shared by add and apply ------------------------------------------------ */

/* Fills relation fields from "right-of"/"--right-of" style words. */
static bool relation_word(const char *w, enum vmodes_relation *rel)
{
        static const struct { const char *w; enum vmodes_relation r; } t[] = {
                { "right-of", VMODES_REL_RIGHT_OF }, { "left-of", VMODES_REL_LEFT_OF }, { "above", VMODES_REL_ABOVE },
                { "below", VMODES_REL_BELOW },       { "same-as", VMODES_REL_SAME_AS },
        };
        if (!strncmp(w, "--", 2))
                w += 2;
        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (!strcmp(w, t[i].w)) {
                        *rel = t[i].r;
                        return true;
                }
        return false;
}

static bool parse_pos(const char *v, int *x, int *y)
{
        char *end;
        long a, b;

        if (!isdigit((unsigned char)*v))
                return false;
        a = strtol(v, &end, 10);
        if ((*end != 'x' && *end != ',') || !isdigit((unsigned char)end[1]))
                return false;
        b = strtol(end + 1, &end, 10);
        if (*end || a > 32767 || b > 32767)
                return false;
        *x = (int)a;
        *y = (int)b;
        return true;
}

/* Fills dst (h->head or h->relative_to) from a user head name: the X
 * output it means, or without a session (s NULL: arguments checked before
 * connecting) the name as given once its syntax is right. Exit code. */
static int set_name(const struct cli_heads_session *s, char dst[VMODES_HEAD_NAME_MAX], const char *name)
{
        const struct vmodes_layout_output *o;

        if (!s) {
                int ex = check_head_name(name);
                if (ex == CLI_EXIT_OK)
                        snprintf(dst, VMODES_HEAD_NAME_MAX, "%s", name);
                return ex;
        }
        o = cli_heads_resolve(s, name, false);
        if (!o)
                return CLI_EXIT_USAGE;
        if (strlen(o->name) >= VMODES_HEAD_NAME_MAX) {
                log_error("the X output name %s is too long for vmodes", o->name);
                return CLI_EXIT_FAILURE;
        }
        snprintf(dst, VMODES_HEAD_NAME_MAX, "%s", o->name);
        return CLI_EXIT_OK;
}

static int set_relative(const struct cli_heads_session *s, struct vmodes_head_config *h, const char *name)
{
        return set_name(s, h->relative_to, name);
}

static int set_head(const struct cli_heads_session *s, struct vmodes_head_config *h, const char *name)
{
        return set_name(s, h->head, name);
}

/* The timings a lit output shows now (for "offer, don't switch"). */
static bool current_mode(const struct cli_heads_session *s, const char *name, struct vmodes_mode *m)
{
        const struct vmodes_layout_output *o = find_output(s, name);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(s->state, o->crtc) : NULL;
        const struct vmodes_layout_smode *sm = c && c->mode ? vmodes_layout_mode_by_id(s->state, c->mode) : NULL;

        if (!sm)
                return false;
        *m = sm->mode;
        return true;
}

/* ---- vmodes add ----------------------------------------------------------------------- */

static void add_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes add HEAD SPEC [OPTIONS]\n"
                "       vmodes add HEAD --modeline 'MODELINE' [OPTIONS]\n"
                "\n"
                "Add a mode to a head: vmodesd stores it (the X configuration it writes\n"
                "brings it back at every start, the login screen included) and the running\n"
                "X session gets it now. With --apply (or any layout option) the head\n"
                "switches to it and it becomes the head's stored mode; without, it is only\n"
                "offered, as 'xrandr --newmode/--addmode' do. The mode is created only when\n"
                "the X server has no mode with the same timings; a head that is off or\n"
                "disconnected (QXL heads without a client) is turned on with it.\n"
                "\n"
                "HEAD     an output name as 'vmodes list' shows it, the same head in any other\n"
                "         naming scheme (Virtual-1, qxl-0, the legacy Virtual-0, card0-Virtual-1)\n"
                "         or a head number (1 = the first head)\n"
                "SPEC     WIDTHxHEIGHT[M|R|R1|R2|R3|G|D][@RATE][i]: CVT by default, R* reduced\n"
                "         blanking v1-v3, G GTF, D the VESA DMT table; RATE in Hz, default 60\n"
                "         (see 'vmodes mode --help'). Examples: 2560x1440@44, 1920x1080R2@60\n"
                "\n"
                "Options:\n"
                "      --apply           switch the head to the mode now (without it the mode is\n"
                "                        only offered, as 'xrandr --newmode/--addmode' do)\n"
                "      --primary         make the head the primary one (implies --apply)\n"
                "      --right-of HEAD   place it right of HEAD (implies --apply); likewise\n"
                "      --left-of HEAD, --above HEAD, --below HEAD, --same-as HEAD (mirror)\n"
                "      --pos XxY         place its top-left corner at X,Y (implies --apply)\n"
                "      --rb=N            CVT reduced blanking version N (0 standard, 1, 2, 3);\n"
                "                        the same as the R, R2, R3 suffixes of SPEC\n"
                "      --modeline TEXT   use these timings (xorg.conf or xrandr --newmode form)\n"
                "      --pinned          store the head as pinned: auto-fit and host resize\n"
                "                        requests leave it alone\n"
                "      --no-store        change this X session only; store nothing\n"
                "  -n, --dry-run         print the RandR operations, change and store nothing\n"
                "  -v, --verbose         print every RandR operation and the X round trips\n"
                "  -h, --help            show this help\n"
                "\n"
                "Without a relation a head that is off goes right of the heads that are on.\n"
                "The layout is checked against the screen size the X server allows and the\n"
                "video memory of the virtual GPU before anything changes; when an X request\n"
                "fails the previous layout is restored.\n"
                "\n"
                "The change is stored first (when the layout fits this X session), then made\n"
                "in the X session of $DISPLAY. Without $DISPLAY it is only stored; running\n"
                "session agents ('vmodes session') apply it when vmodesd announces it. When\n"
                "vmodesd cannot be reached the change is made live only, with a warning.\n"
                "Changing the stored configuration needs root or the polkit authorization\n"
                "org.vmodes.configure (granted to active local sessions).\n"
                "\n"
                "Examples:\n"
                "  vmodes add Virtual-1 2560x1440@44 --apply\n"
                "  vmodes add 2 1920x1080R2@60 --right-of 1 --primary\n"
                "\n"
                "Exit status: 0 done (or nothing to do), 1 the X server or vmodesd is\n"
                "unreachable or refused (the previous layout is restored; nothing is stored),\n"
                "2 bad arguments: an unknown head, a bad spec, a layout too large for the\n"
                "screen or memory.\n");
}

enum { OPT_APPLY = 1000, OPT_PRIMARY, OPT_RIGHT_OF, OPT_LEFT_OF, OPT_ABOVE, OPT_BELOW, OPT_SAME_AS, OPT_POS, OPT_RB,
       OPT_MODELINE, OPT_JSON, OPT_MODES, OPT_NO_STORE, OPT_PINNED };

/* What 'vmodes add' stores: names as vmodesd takes them. */
struct add_job {
        char head[VMODES_HEAD_NAME_MAX], other[VMODES_HEAD_NAME_MAX];
        char mode[512]; /* a canonical spec or the modeline */
        enum vmodes_relation rel;
        int x, y;
        bool apply, primary, pinned;
};

static int save_add(struct store *st, const struct cli_heads_session *s, const void *data)
{
        const struct add_job *j = data;
        struct vmodes_client_mode_options o = VMODES_CLIENT_MODE_OPTIONS_INIT;
        struct vmodes_error err = { "" };
        char name[VMODES_NAME_MAX] = "";
        int r;

        (void)s;
        o.make_default = j->apply;
        if (j->apply)
                o.enabled = 1;
        if (j->primary)
                o.primary = 1;
        if (j->pinned)
                o.pinned = 1;
        r = vmodes_client_add_mode(st->client, j->head, j->mode, &o, st->head, name, &err);
        if (r == 0 && j->rel != VMODES_REL_AUTO) {
                bool primary = j->primary || stored_primary(st, st->head);
                r = vmodes_client_set_layout(st->client, st->head, j->rel, j->other, j->x, j->y, primary, &err);
                if (r < 0) {
                        log_error("stored the mode %s for %s but not its place: %s", name, st->head, err.msg);
                        return CLI_EXIT_FAILURE;
                }
        }
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        {
                const struct vmodes_head_config *h = stored_head(st, st->head);
                const char *used = h && h->n_modes ? h->modes[0].mode.name : NULL;
                char role[160] = "";

                if (used && strcmp(used, name))
                        snprintf(role, sizeof(role), ", offered beside %s", used);
                snprintf(st->note, sizeof(st->note), "%s %s%s%s (vmodesd keeps it across restarts and applies it at "
                         "login)", st->head, name, role, j->pinned ? ", pinned" : "");
        }
        return CLI_EXIT_OK;
}

int cli_add(int argc, char **argv)
{
        static const struct option opts[] = {
                { "apply", no_argument, NULL, OPT_APPLY },       { "primary", no_argument, NULL, OPT_PRIMARY },
                { "right-of", required_argument, NULL, OPT_RIGHT_OF },
                { "left-of", required_argument, NULL, OPT_LEFT_OF },
                { "above", required_argument, NULL, OPT_ABOVE }, { "below", required_argument, NULL, OPT_BELOW },
                { "same-as", required_argument, NULL, OPT_SAME_AS }, { "pos", required_argument, NULL, OPT_POS },
                { "rb", required_argument, NULL, OPT_RB },       { "modeline", required_argument, NULL, OPT_MODELINE },
                { "pinned", no_argument, NULL, OPT_PINNED },     { "no-store", no_argument, NULL, OPT_NO_STORE },
                { "dry-run", no_argument, NULL, 'n' },           { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },              {}
        };
        bool no_store = false, verbose = false, have_pos = false, dry_run = false;
        const char *relative = NULL, *modeline = NULL;
        int rb = -1, c, ex;
        struct cli_heads_session s = { 0 };
        struct store st = { 0 };
        struct add_job job = { .rel = VMODES_REL_AUTO };
        struct vmodes_config cfg;
        struct vmodes_head_config *h;
        struct vmodes_head_mode hm;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":nvh", opts, NULL)) != -1) {
                switch (c) {
                case ':':
                        log_error("option '%s' needs a value (try 'vmodes add --help')", cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                case OPT_APPLY:
                        job.apply = true;
                        break;
                case OPT_PRIMARY:
                        job.primary = job.apply = true;
                        break;
                case OPT_PINNED:
                        job.pinned = true;
                        break;
                case OPT_RIGHT_OF:
                case OPT_LEFT_OF:
                case OPT_ABOVE:
                case OPT_BELOW:
                case OPT_SAME_AS:
                        if (relative || have_pos) {
                                log_error("give one of --right-of, --left-of, --above, --below, --same-as, --pos");
                                return CLI_EXIT_USAGE;
                        }
                        job.rel = c == OPT_RIGHT_OF ? VMODES_REL_RIGHT_OF
                                  : c == OPT_LEFT_OF ? VMODES_REL_LEFT_OF
                                  : c == OPT_ABOVE   ? VMODES_REL_ABOVE
                                  : c == OPT_BELOW   ? VMODES_REL_BELOW
                                                     : VMODES_REL_SAME_AS;
                        relative = optarg;
                        job.apply = true;
                        break;
                case OPT_POS:
                        if (relative || have_pos) {
                                log_error("give one of --right-of, --left-of, --above, --below, --same-as, --pos");
                                return CLI_EXIT_USAGE;
                        }
                        if (!parse_pos(optarg, &job.x, &job.y)) {
                                log_error("bad position '%s': give XxY, two numbers from 0 to 32767 (0x0, 1920x0)",
                                          cli_arg(optarg));
                                return CLI_EXIT_USAGE;
                        }
                        have_pos = job.apply = true;
                        job.rel = VMODES_REL_POS;
                        break;
                case OPT_RB:
                        if (strlen(optarg) != 1 || optarg[0] < '0' || optarg[0] > '3') {
                                log_error("--rb=%s: give 0 (standard blanking), 1, 2 or 3", cli_arg(optarg));
                                return CLI_EXIT_USAGE;
                        }
                        rb = optarg[0] - '0';
                        break;
                case OPT_MODELINE:
                        modeline = optarg;
                        break;
                case OPT_NO_STORE:
                        no_store = true;
                        break;
                case 'n':
                        dry_run = true;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        add_help(stdout);
                        return CLI_EXIT_OK;
                default: {
                        log_error("unknown option '%s' (try 'vmodes add --help')",
                                  cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                }
                }
        }
        if (argc - optind != (modeline ? 1 : 2)) {
                log_error(modeline ? "give HEAD with --modeline (try 'vmodes add --help')"
                                   : "give HEAD and SPEC (try 'vmodes add --help')");
                return CLI_EXIT_USAGE;
        }
        if (modeline && rb >= 0) {
                log_error("--rb applies to a SPEC, not to --modeline");
                return CLI_EXIT_USAGE;
        }
        /* the mode first: a bad spec needs no X server to be reported */
        if (modeline) {
                memset(&hm, 0, sizeof(hm));
                struct vmodes_error err = { "" };
                if (strlen(modeline) >= sizeof(job.mode)) {
                        log_error("bad modeline: %zu characters is too long (at most %zu)", strlen(modeline),
                                  sizeof(job.mode) - 1);
                        return CLI_EXIT_USAGE;
                }
                if (vmodes_modeline_parse(modeline, &hm.mode, &err) < 0 || vmodes_mode_validate(&hm.mode, &err) < 0) {
                        log_error("bad modeline: %s", err.msg);
                        return CLI_EXIT_USAGE;
                }
                hm.custom = true;
                snprintf(job.mode, sizeof(job.mode), "%s", modeline);
        } else {
                ex = parse_mode(argv[optind + 1], rb, &hm);
                if (ex != CLI_EXIT_OK)
                        return ex;
                vmodes_spec_format(job.mode, sizeof(job.mode), &hm.spec);
        }
        ex = check_head_name(argv[optind]);
        if (ex == CLI_EXIT_OK && relative)
                ex = check_head_name(relative);
        if (ex != CLI_EXIT_OK)
                return ex;
        ex = store_open_for(&st, no_store, dry_run, "add");
        if (ex != CLI_EXIT_OK)
                return ex;
        snprintf(job.head, sizeof(job.head), "%s", argv[optind]);
        snprintf(job.other, sizeof(job.other), "%s", relative ? relative : "");
        if (!st.live) {
                /* no display: vmodesd alone, with the names as given */
                ex = save_add(&st, NULL, &job);
                goto out;
        }

        ex = cli_heads_session_open(&s, true);
        if (ex != CLI_EXIT_OK)
                goto out;
        memset(&cfg, 0, sizeof(cfg));
        cfg.n_heads = 1;
        h = &cfg.heads[0];
        ex = set_head(&s, h, argv[optind]);
        if (ex != CLI_EXIT_OK)
                goto out;
        daemon_head(&s, find_output(&s, h->head), job.head, sizeof(job.head));
        if (relative) {
                ex = set_relative(&s, h, relative);
                if (ex != CLI_EXIT_OK)
                        goto out;
                daemon_head(&s, find_output(&s, h->relative_to), job.other, sizeof(job.other));
        }
        h->relation = job.rel;
        h->x = job.x;
        h->y = job.y;
        h->primary = job.primary;
        h->enabled = true;
        if (job.apply) {
                h->modes[h->n_modes++] = hm;
        } else {
                /* offer only: the head keeps what it shows (or stays off) */
                struct vmodes_mode cur;
                if (current_mode(&s, h->head, &cur)) {
                        h->modes[0].custom = true;
                        h->modes[0].mode = cur;
                        h->n_modes = 1;
                } else
                        h->enabled = false;
                h->modes[h->n_modes++] = hm;
        }
        ex = run_plan(&s, &cfg, NULL, 0, verbose, &st, save_add, &job);
        if (ex == CLI_EXIT_OK && !job.apply)
                printf("%s: not switched; 'vmodes add %s %s --apply' switches to it\n", h->head, h->head,
                       modeline ? "--modeline '...'" : argv[optind + 1]);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_heads_session_close(&s);
        return ex;
}

/* The options of 'vmodes remove' and 'vmodes apply': -n, -v, --no-store,
 * -h. Returns -1 to go on (optind at the first argument), else the exit
 * code (help shown, or an unknown option reported). */
struct change_options {
        bool dry_run, verbose, no_store;
};

static int change_options(int argc, char **argv, const char *command, void (*help)(FILE *),
                          struct change_options *o)
{
        static const struct option opts[] = {
                { "dry-run", no_argument, NULL, 'n' }, { "verbose", no_argument, NULL, 'v' },
                { "no-store", no_argument, NULL, OPT_NO_STORE }, { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        memset(o, 0, sizeof(*o));
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "nvh", opts, NULL)) != -1) {
                switch (c) {
                case 'n':
                        o->dry_run = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case OPT_NO_STORE:
                        o->no_store = true;
                        break;
                case 'h':
                        help(stdout);
                        return CLI_EXIT_OK;
                default: {
                        log_error("unknown option '%s' (try 'vmodes %s --help')", cli_arg(argv[optind - 1]),
                                  command);
                        return CLI_EXIT_USAGE;
                }
                }
        }
        return -1;
}

/* ---- vmodes remove ---------------------------------------------------------------------- */

static void remove_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes remove HEAD [SPEC | MODE-NAME]\n"
                "\n"
                "With a mode: take that mode away from the head, stored and live (the mode is\n"
                "destroyed when no other head offers it). A head showing it switches to its\n"
                "preferred mode, or turns off when it has none.\n"
                "Without a mode: forget the head's stored configuration (from the next start\n"
                "X uses its defaults for it) and turn it off now. The last head that is on\n"
                "stays on.\n"
                "\n"
                "HEAD       an output name, the same head in any naming scheme, or a number\n"
                "SPEC       a mode spec as for 'vmodes add' (matched by its timings)\n"
                "MODE-NAME  a mode name as 'vmodes list --modes' shows it\n"
                "\n"
                "Options:\n"
                "      --no-store  change this X session only; leave the stored configuration\n"
                "  -n, --dry-run   print the RandR operations, change and store nothing\n"
                "  -v, --verbose   print every RandR operation\n"
                "  -h, --help      show this help\n"
                "\n"
                "As for 'vmodes add': stored through vmodesd, then made in the X session of\n"
                "$DISPLAY; without $DISPLAY only stored; without vmodesd only live.\n"
                "\n"
                "Exit status: 0 done, 1 the X server or vmodesd is unreachable or refused,\n"
                "2 bad arguments (unknown head or mode).\n");
}

/* What 'vmodes remove' stores: the head as vmodesd takes it, the mode
 * ("" for the head's whole configuration). */
struct remove_job {
        char head[VMODES_HEAD_NAME_MAX];
        const char *mode;
};

static int save_remove(struct store *st, const struct cli_heads_session *s, const void *data)
{
        const struct remove_job *j = data;
        struct vmodes_error err = { "" };
        int r;

        (void)s;
        r = vmodes_client_remove_mode(st->client, j->head, j->mode, &err);
        if (r == -ENOENT && st->live) {
                /* made live only before: the X session still changes */
                st->absent = true;
                snprintf(st->note, sizeof(st->note), "%s", err.msg);
                return CLI_EXIT_OK;
        }
        if (r < 0)
                return store_failed(st, r, &err);
        st->stored = true;
        if (*j->mode)
                snprintf(st->note, sizeof(st->note), "mode %s removed from head %s", j->mode, j->head);
        else
                snprintf(st->note, sizeof(st->note),
                         "head %s has no configuration now (from the next start X uses its defaults for it)", j->head);
        return CLI_EXIT_OK;
}

/* The syntax of the mode argument of 'vmodes remove', checked before
 * anything is connected to: "" (the whole head), a mode name (letters,
 * digits and _ . - + @ :, as modes/mode.c allows them) or a mode spec.
 * Exit code (the error printed). */
static int check_mode_arg(const char *arg)
{
        struct vmodes_spec spec;
        struct vmodes_mode mode;
        struct vmodes_error err = { "" };
        size_t len = strlen(arg);

        static const char name_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.-+@:";

        if (len < VMODES_NAME_MAX && strspn(arg, name_chars) == len)
                return CLI_EXIT_OK;
        if (vmodes_spec_parse(arg, &spec, &err) == 0 && vmodes_spec_to_mode(&spec, &mode, &err) == 0)
                return CLI_EXIT_OK;
        log_error("'%s' is neither a mode name (1 to %d letters, digits and _ . - + @ :) nor a mode spec: %s",
                  cli_arg(arg), VMODES_NAME_MAX - 1, err.msg);
        return CLI_EXIT_USAGE;
}

int cli_remove(int argc, char **argv)
{
        struct change_options co;
        struct cli_heads_session s = { 0 };
        struct store st = { 0 };
        struct remove_job job;
        struct vmodes_config cfg;
        struct vmodes_layout_drop drop;
        const struct vmodes_layout_output *o;
        int ex;

        ex = change_options(argc, argv, "remove", remove_help, &co);
        if (ex >= 0)
                return ex;
        if (argc - optind < 1 || argc - optind > 2) {
                log_error("give HEAD and optionally a mode (try 'vmodes remove --help')");
                return CLI_EXIT_USAGE;
        }
        ex = check_head_name(argv[optind]);
        if (ex != CLI_EXIT_OK)
                return ex;
        job.mode = argc - optind == 2 ? argv[optind + 1] : "";
        ex = check_mode_arg(job.mode);
        if (ex != CLI_EXIT_OK)
                return ex;
        snprintf(job.head, sizeof(job.head), "%s", argv[optind]);
        ex = store_open_for(&st, co.no_store, co.dry_run, "remove");
        if (ex != CLI_EXIT_OK)
                return ex;
        if (!st.live) {
                ex = save_remove(&st, NULL, &job);
                goto out;
        }
        ex = cli_heads_session_open(&s, true);
        if (ex != CLI_EXIT_OK)
                goto out;
        o = cli_heads_resolve(&s, argv[optind], false);
        if (!o) {
                ex = CLI_EXIT_USAGE;
                goto out;
        }
        daemon_head(&s, o, job.head, sizeof(job.head));
        memset(&cfg, 0, sizeof(cfg));
        if (!*job.mode) {
                cfg.n_heads = 1;
                snprintf(cfg.heads[0].head, sizeof(cfg.heads[0].head), "%.*s", VMODES_HEAD_NAME_MAX - 1, o->name);
                cfg.heads[0].enabled = false;
                ex = run_plan(&s, &cfg, NULL, 0, co.verbose, &st, save_remove, &job);
                goto out;
        }
        memset(&drop, 0, sizeof(drop));
        snprintf(drop.head, sizeof(drop.head), "%.*s", VMODES_HEAD_NAME_MAX - 1, o->name);
        {
                const char *arg = job.mode;
                struct vmodes_spec spec;
                struct vmodes_error err = { "" };
                bool found = false;

                /* a mode name the head offers, else a spec */
                for (unsigned i = 0; i < o->n_modes && !found; i++) {
                        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s.state, o->modes[i]);
                        if (sm && !strcmp(sm->mode.name, arg)) {
                                drop.mode = sm->mode;
                                found = true;
                        }
                }
                if (!found && (vmodes_spec_parse(arg, &spec, &err) < 0 || vmodes_spec_to_mode(&spec, &drop.mode, &err) < 0)) {
                        log_error("%s offers no mode named '%s', and it is no mode spec: %s", o->name,
                                  cli_arg(arg), err.msg);
                        ex = CLI_EXIT_USAGE;
                        goto out;
                }
        }
        ex = run_plan(&s, &cfg, &drop, 1, co.verbose, &st, save_remove, &job);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_heads_session_close(&s);
        return ex;
}

/* ---- vmodes list ------------------------------------------------------------------------- */

static void list_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes list [--json] [--modes]\n"
                "\n"
                "Show the heads of the running X session: head number, output name,\n"
                "connection, the mode each one shows with the refresh rate it achieves,\n"
                "position, primary; the screen size and its limits; and beside each head\n"
                "the mode stored for it (vmodesd's configuration, or the config file when\n"
                "vmodesd is not running; '-' when nothing is stored).\n"
                "\n"
                "Options:\n"
                "      --json    the same as JSON (modes included), for scripts\n"
                "  -m, --modes   also list the modes each head offers (* current, + preferred)\n"
                "  -h, --help    show this help\n"
                "\n"
                "Exit status: 0 shown, 1 the X display cannot be reached, 2 bad arguments.\n");
}

static const char *connection_name(enum vmodes_layout_connection c)
{
        return c == VMODES_LAYOUT_CONNECTED ? "connected" : c == VMODES_LAYOUT_DISCONNECTED ? "disconnected" : "unknown";
}

static json_object *mode_json(const struct vmodes_mode *m, uint32_t id)
{
        json_object *j = json_object_new_object();
        char clock[32];

        vmodes_format_clock(clock, sizeof(clock), m->clock_hz);
        json_object_object_add(j, "name", json_object_new_string(m->name));
        json_object_object_add(j, "id", json_object_new_int64(id));
        json_object_object_add(j, "width", json_object_new_int(m->hdisplay));
        json_object_object_add(j, "height", json_object_new_int(m->vdisplay));
        json_object_object_add(j, "refresh", json_object_new_double(vmodes_mode_refresh(m)));
        json_object_object_add(j, "clock_mhz", json_object_new_string(clock));
        return j;
}

/* The stored configuration of the head an X output is, or NULL. */
static const struct vmodes_head_config *stored_for_output(const struct cli_heads_session *s,
                                                          const struct vmodes_config *c,
                                                          const struct vmodes_layout_output *o)
{
        for (unsigned i = 0; c && i < c->n_heads; i++)
                if (cli_heads_resolve(s, c->heads[i].head, true) == o)
                        return &c->heads[i];
        return NULL;
}

static json_object *stored_json(const struct vmodes_head_config *h)
{
        json_object *j, *modes;

        if (!h)
                return NULL;
        j = json_object_new_object();
        modes = json_object_new_array();
        json_object_object_add(j, "head", json_object_new_string(h->head));
        for (unsigned k = 0; k < h->n_modes; k++)
                json_object_array_add(modes, json_object_new_string(h->modes[k].mode.name));
        json_object_object_add(j, "modes", modes);
        json_object_object_add(j, "enabled", json_object_new_boolean(h->enabled));
        json_object_object_add(j, "primary", json_object_new_boolean(h->primary));
        json_object_object_add(j, "pinned", json_object_new_boolean(h->pinned));
        return j;
}

int cli_list(int argc, char **argv)
{
        static const struct option opts[] = {
                { "json", no_argument, NULL, OPT_JSON }, { "modes", no_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },      {}
        };
        bool json = false, modes = false;
        struct cli_heads_session s = { 0 };
        _cleanup_(freep) struct vmodes_config *stored = NULL;
        const char *source = NULL;
        int c, ex;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "mh", opts, NULL)) != -1) {
                switch (c) {
                case OPT_JSON:
                        json = true;
                        break;
                case 'm':
                        modes = true;
                        break;
                case 'h':
                        list_help(stdout);
                        return CLI_EXIT_OK;
                default: {
                        log_error("unknown option '%s' (try 'vmodes list --help')", cli_arg(argv[optind - 1]));
                        return CLI_EXIT_USAGE;
                }
                }
        }
        if (optind < argc) {
                log_error("'vmodes list' takes no arguments (try 'vmodes list --help')");
                return CLI_EXIT_USAGE;
        }
        ex = cli_heads_session_open(&s, false);
        if (ex != CLI_EXIT_OK)
                goto out;
        /* what is stored, to show beside what the X session has */
        stored = calloc(1, sizeof(*stored));
        if (stored) {
                struct vmodes_error err = { "" };
                char note[400];
                bool from_file;

                if (vmodes_stored_config(stored, &from_file, note, sizeof(note), &err) == 0)
                        source = from_file ? VMODES_CONFIG_DEFAULT_PATH : "vmodesd";
                else {
                        log_error("stored configuration not shown: %s", err.msg);
                        free(stored);
                        stored = NULL;
                }
        }

        if (json) {
                json_object *root = json_object_new_object(), *heads = json_object_new_array();
                json_object_object_add(root, "display", json_object_new_string(vmodes_randr_display_name(s.randr)));
                json_object_object_add(root, "width", json_object_new_int((int)s.state->width));
                json_object_object_add(root, "height", json_object_new_int((int)s.state->height));
                json_object_object_add(root, "max_width", json_object_new_int((int)s.state->max_width));
                json_object_object_add(root, "max_height", json_object_new_int((int)s.state->max_height));
                json_object_object_add(root, "memory_limit", json_object_new_int64((int64_t)s.state->memory_limit));
                json_object_object_add(root, "stored_from", source ? json_object_new_string(source) : NULL);
                for (unsigned i = 0; i < s.state->n_outputs; i++) {
                        const struct vmodes_layout_output *o = &s.state->outputs[i];
                        const struct vmodes_layout_crtc *cr = o->crtc ? vmodes_layout_crtc_by_id(s.state, o->crtc) : NULL;
                        const struct vmodes_layout_smode *cur = cr && cr->mode ? vmodes_layout_mode_by_id(s.state, cr->mode) : NULL;
                        json_object *h = json_object_new_object(), *ml = json_object_new_array();

                        json_object_object_add(h, "head", json_object_new_int((int)head_number(&s, o)));
                        json_object_object_add(h, "name", json_object_new_string(o->name));
                        json_object_object_add(h, "connection", json_object_new_string(connection_name(o->connection)));
                        json_object_object_add(h, "enabled", json_object_new_boolean(cur != NULL));
                        json_object_object_add(h, "primary", json_object_new_boolean(s.state->primary == o->id));
                        json_object_object_add(h, "mode", cur ? mode_json(&cur->mode, cur->id) : NULL);
                        json_object_object_add(h, "x", cur ? json_object_new_int(cr->x) : NULL);
                        json_object_object_add(h, "y", cur ? json_object_new_int(cr->y) : NULL);
                        for (unsigned k = 0; k < o->n_modes; k++) {
                                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s.state, o->modes[k]);
                                if (sm) {
                                        json_object *mj = mode_json(&sm->mode, sm->id);
                                        json_object_object_add(mj, "preferred", json_object_new_boolean(k < o->n_preferred));
                                        json_object_array_add(ml, mj);
                                }
                        }
                        json_object_object_add(h, "modes", ml);
                        json_object_object_add(h, "stored", stored_json(stored_for_output(&s, stored, o)));
                        json_object_array_add(heads, h);
                }
                json_object_object_add(root, "heads", heads);
                printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(root);
                goto out;
        }

        printf("screen %s: %ux%u (%ux%u to %ux%u)", vmodes_randr_display_name(s.randr), s.state->width,
               s.state->height, s.state->min_width, s.state->min_height, s.state->max_width, s.state->max_height);
        if (s.state->memory_limit)
                printf(", video memory %" PRIu64 " MiB%s", s.state->memory_limit >> 20,
                       s.state->memory_per_head ? " (one copy per head)" : "");
        printf("\n%-3s %-12s %-13s %-22s %-10s %-12s %s\n", "#", "HEAD", "CONNECTION", "MODE", "REFRESH", "POSITION",
               "STORED");
        for (unsigned i = 0; i < s.state->n_outputs; i++) {
                const struct vmodes_layout_output *o = &s.state->outputs[i];
                const struct vmodes_layout_crtc *cr = o->crtc ? vmodes_layout_crtc_by_id(s.state, o->crtc) : NULL;
                const struct vmodes_layout_smode *cur = cr && cr->mode ? vmodes_layout_mode_by_id(s.state, cr->mode) : NULL;
                const struct vmodes_head_config *sh = stored_for_output(&s, stored, o);
                char refresh[32] = "", pos[48] = "", kept[VMODES_NAME_MAX + 16] = "-";

                if (cur) {
                        format_refresh(refresh, sizeof(refresh), &cur->mode);
                        snprintf(pos, sizeof(pos), "+%d+%d%s", cr->x, cr->y,
                                 s.state->primary == o->id ? " primary" : "");
                }
                if (sh && !sh->enabled)
                        snprintf(kept, sizeof(kept), "off");
                else if (sh && sh->n_modes)
                        snprintf(kept, sizeof(kept), "%s%s", sh->modes[0].mode.name, sh->pinned ? " pinned" : "");
                printf("%-3u %-12s %-13s %-22s %-10s %-12s %s\n", head_number(&s, o), o->name,
                       connection_name(o->connection), cur ? cur->mode.name : "off", refresh, pos, kept);
                for (unsigned k = 0; modes && k < o->n_modes; k++) {
                        const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(s.state, o->modes[k]);
                        char rate[32];
                        if (!sm)
                                continue;
                        format_refresh(rate, sizeof(rate), &sm->mode);
                        printf("      %c%c %-22s %5ux%-5u %10s\n", cur && cur->id == sm->id ? '*' : ' ',
                               k < o->n_preferred ? '+' : ' ', sm->mode.name, sm->mode.hdisplay, sm->mode.vdisplay,
                               rate);
                }
        }
out:
        cli_heads_session_close(&s);
        return ex;
}

/* ---- vmodes apply ------------------------------------------------------------------------ */

static void apply_help(FILE *f)
{
        fprintf(f,
                "Usage: vmodes apply [OPTIONS]\n"
                "       vmodes apply [OPTIONS] 'HEAD SPEC [PLACEMENT] [primary]' ...\n"
                "       vmodes apply [OPTIONS] 'HEAD off' ...\n"
                "\n"
                "Without a layout: apply the stored one. vmodesd writes the X configuration\n"
                "again and asks every session agent to apply it; the X session of $DISPLAY\n"
                "gets it now (stored heads this session does not have are left out).\n"
                "\n"
                "With a layout: store it and apply it in one step: every head named gets its\n"
                "mode and place, all checked before anything changes and done under one\n"
                "server grab (restored on failure). Heads not named keep their state.\n"
                "Applying the same layout again changes nothing.\n"
                "\n"
                "Each argument describes one head:\n"
                "  HEAD SPEC      the head and its mode (as for 'vmodes add')\n"
                "  PLACEMENT      right-of HEAD | left-of HEAD | above HEAD | below HEAD |\n"
                "                 same-as HEAD | pos XxY; without one, the first head keeps its\n"
                "                 place and each next one goes right of the one before\n"
                "  primary        make it the primary head\n"
                "  HEAD off       turn the head off\n"
                "\n"
                "Options:\n"
                "      --no-store  change this X session only; store nothing\n"
                "  -n, --dry-run   print the RandR operations, change and store nothing\n"
                "  -v, --verbose   print every RandR operation and the X round trips\n"
                "  -h, --help      show this help\n"
                "\n"
                "A layout is stored through vmodesd (root or the polkit authorization\n"
                "org.vmodes.configure); when vmodesd cannot be reached it is applied live\n"
                "only, with a warning. Without $DISPLAY only the stored layout can be applied.\n"
                "\n"
                "Example:\n"
                "  vmodes apply 'Virtual-1 2560x1440@44 primary' 'Virtual-2 1920x1080@60 right-of Virtual-1'\n"
                "\n"
                "Exit status: 0 done, 1 the X server or vmodesd is unreachable or refused (the\n"
                "previous layout is restored; nothing is stored), 2 bad arguments, no layout\n"
                "given and none stored, or a layout that cannot fit.\n");
}

/* "HEAD SPEC [placement] [primary]" -> h, with the heads resolved in the
 * session s, or (s NULL) only checked: every argument is checked so before
 * vmodes connects to X or vmodesd. Exit code. */
static int parse_head_arg(const struct cli_heads_session *s, const char *arg, struct vmodes_head_config *h)
{
        char buf[512], *save = NULL, *w;
        int ex;

        if (strlen(arg) >= sizeof(buf) || strpbrk(arg, "\n\r\t\"'")) {
                log_error("bad head description '%s': give 'HEAD SPEC [right-of HEAD] [primary]'",
                          cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        snprintf(buf, sizeof(buf), "%s", arg);
        memset(h, 0, sizeof(*h));
        h->enabled = true;
        w = strtok_r(buf, " ", &save);
        if (!w) {
                log_error("empty head description");
                return CLI_EXIT_USAGE;
        }
        ex = set_head(s, h, w);
        if (ex != CLI_EXIT_OK)
                return ex;
        w = strtok_r(NULL, " ", &save);
        if (!w) {
                log_error("'%s': give a mode spec or 'off' after the head", cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        if (!strcmp(w, "off"))
                h->enabled = false;
        else {
                ex = parse_mode(w, -1, &h->modes[0]);
                if (ex != CLI_EXIT_OK)
                        return ex;
                h->n_modes = 1;
        }
        while ((w = strtok_r(NULL, " ", &save))) {
                if (!strcmp(w, "primary"))
                        h->primary = true;
                else if (!strcmp(w, "pos")) {
                        const char *v = strtok_r(NULL, " ", &save);
                        if (!v || !parse_pos(v, &h->x, &h->y)) {
                                log_error("'%s': pos needs XxY, two numbers from 0 to 32767", cli_arg(arg));
                                return CLI_EXIT_USAGE;
                        }
                        h->relation = VMODES_REL_POS;
                } else if (relation_word(w, &h->relation)) {
                        const char *v = strtok_r(NULL, " ", &save);
                        if (!v) {
                                log_error("'%s': %s needs a head", cli_arg(arg), w);
                                return CLI_EXIT_USAGE;
                        }
                        ex = set_relative(s, h, v);
                        if (ex != CLI_EXIT_OK)
                                return ex;
                } else {
                        log_error("'%s': unknown word '%s' (right-of, left-of, above, below, same-as, pos, primary)",
                                  cli_arg(arg), cli_arg(w));
                        return CLI_EXIT_USAGE;
                }
        }
        if (!h->enabled && (h->primary || h->relation != VMODES_REL_AUTO)) {
                log_error("'%s': a head that is off has no place and cannot be primary", cli_arg(arg));
                return CLI_EXIT_USAGE;
        }
        return CLI_EXIT_OK;
}

/* The stored configuration in this X session's output names. Heads the
 * session does not have are left out and listed in skipped; a relation to
 * such a head becomes auto. */
static void map_config(const struct cli_heads_session *s, const struct vmodes_config *in, struct vmodes_config *out,
                       char *skipped, size_t size)
{
        size_t n = 0;

        *out = *in;
        out->n_heads = 0;
        skipped[0] = 0;
        for (unsigned i = 0; i < in->n_heads; i++) {
                const struct vmodes_head_config *h = &in->heads[i];
                const struct vmodes_layout_output *o = cli_heads_resolve(s, h->head, true), *ro;
                struct vmodes_head_config *e = &out->heads[out->n_heads];

                if (!o) {
                        if (n + strlen(h->head) + 3 < size)
                                n += (size_t)snprintf(skipped + n, size - n, "%s%s", n ? ", " : "", h->head);
                        continue;
                }
                *e = *h;
                snprintf(e->head, sizeof(e->head), "%.*s", (int)sizeof(e->head) - 1, o->name);
                if (h->relative_to[0]) {
                        ro = cli_heads_resolve(s, h->relative_to, true);
                        if (ro)
                                snprintf(e->relative_to, sizeof(e->relative_to), "%.*s",
                                         (int)sizeof(e->relative_to) - 1, ro->name);
                        else {
                                e->relation = VMODES_REL_AUTO;
                                e->relative_to[0] = 0;
                        }
                }
                out->n_heads++;
        }
}

/* What 'vmodes apply' stores: the layout from the command line (in X
 * output names), or NULL to apply the stored one. */
struct apply_job {
        const struct vmodes_config *layout;
};

static int save_apply(struct store *st, const struct cli_heads_session *s, const void *data)
{
        const struct apply_job *j = data;
        struct vmodes_error err = { "" };
        int r = 0;

        if (!j->layout) {
                /* vmodesd rewrites the X configuration and every session agent applies */
                r = vmodes_client_apply(st->client, &err);
                if (r < 0)
                        return store_failed(st, r, &err);
                st->stored = true;
                snprintf(st->note, sizeof(st->note),
                         "vmodesd wrote the X configuration again and asked every session agent to apply it");
                return CLI_EXIT_OK;
        }
        for (unsigned i = 0; i < j->layout->n_heads; i++) {
                const struct vmodes_head_config *h = &j->layout->heads[i];
                char head[VMODES_HEAD_NAME_MAX], other[VMODES_HEAD_NAME_MAX] = "", spec[128];

                daemon_head(s, find_output(s, h->head), head, sizeof(head));
                if (!h->enabled)
                        r = vmodes_client_set_head_options(st->client, head, -1, -1, 0, &err);
                else {
                        struct vmodes_client_mode_options o = VMODES_CLIENT_MODE_OPTIONS_INIT;
                        char canon[VMODES_HEAD_NAME_MAX];

                        o.make_default = o.enabled = 1;
                        if (h->primary)
                                o.primary = 1;
                        vmodes_spec_format(spec, sizeof(spec), &h->modes[0].spec);
                        r = vmodes_client_add_mode(st->client, head, spec, &o, canon, NULL, &err);
                        if (r == 0) {
                                bool primary = h->primary || stored_primary(st, canon);
                                if (h->relative_to[0])
                                        daemon_head(s, find_output(s, h->relative_to), other, sizeof(other));
                                r = vmodes_client_set_layout(st->client, canon, h->relation, other, h->x, h->y,
                                                             primary, &err);
                        }
                }
                if (r < 0 && i > 0) {
                        log_error("stored the first %u head%s of the layout but not %s: %s (the X session is "
                                  "unchanged)",
                                  i, i == 1 ? "" : "s", h->head, err.msg);
                        return CLI_EXIT_FAILURE;
                }
                if (r < 0)
                        return store_failed(st, r, &err);
        }
        st->stored = true;
        snprintf(st->note, sizeof(st->note),
                 "the layout of %u head%s (vmodesd keeps it across restarts and applies it at login)",
                 j->layout->n_heads, j->layout->n_heads == 1 ? "" : "s");
        return CLI_EXIT_OK;
}

int cli_apply(int argc, char **argv)
{
        struct change_options co;
        struct cli_heads_session s = { 0 };
        struct store st = { 0 };
        struct apply_job job = { NULL };
        _cleanup_(freep) struct vmodes_config *cfg = NULL;
        _cleanup_(freep) struct vmodes_config *stored = NULL;
        int ex;

        ex = change_options(argc, argv, "apply", apply_help, &co);
        if (ex >= 0)
                return ex;
        if (argc - optind > VMODES_CONFIG_HEADS_MAX) {
                log_error("at most %d heads in one layout", VMODES_CONFIG_HEADS_MAX);
                return CLI_EXIT_USAGE;
        }
        cfg = calloc(1, sizeof(*cfg));
        stored = calloc(1, sizeof(*stored));
        if (!cfg || !stored) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        /* every head description first: bad input needs neither X nor vmodesd */
        for (int i = optind; i < argc; i++) {
                ex = parse_head_arg(NULL, argv[i], &cfg->heads[0]);
                if (ex != CLI_EXIT_OK)
                        return ex;
        }
        if (optind < argc && !(getenv("DISPLAY") && *getenv("DISPLAY"))) {
                log_error("a layout given as arguments needs the X display it is for ($DISPLAY is not set); "
                          "'vmodes add' stores single heads without one");
                return CLI_EXIT_USAGE;
        }
        if (optind == argc) {
                /* the stored layout */
                struct vmodes_error err = { "" };
                char note[400] = "";
                bool from_file;

                if (vmodes_stored_config(stored, &from_file, note, sizeof(note), &err) < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_FAILURE;
                }
                if (stored->n_heads == 0) {
                        log_error("no layout given and none is stored: add modes with 'vmodes add' or give the "
                                  "layout as 'HEAD SPEC [right-of HEAD] [primary]' arguments (try 'vmodes apply "
                                  "--help')");
                        return CLI_EXIT_USAGE;
                }
                if (from_file)
                        log_error("%s", note);
        }
        ex = store_open_for(&st, co.no_store, co.dry_run, "apply");
        if (ex != CLI_EXIT_OK)
                return ex;
        if (!st.live) {
                /* the stored layout: vmodesd alone (a layout argument needs a display, see above) */
                ex = save_apply(&st, NULL, &job);
                goto out;
        }
        ex = cli_heads_session_open(&s, true);
        if (ex != CLI_EXIT_OK)
                goto out;
        if (optind == argc) {
                char skipped[200];

                map_config(&s, stored, cfg, skipped, sizeof(skipped));
                if (skipped[0])
                        log_error("this X session has no %s: left out", skipped);
        } else {
                for (int i = optind; i < argc; i++) {
                        ex = parse_head_arg(&s, argv[i], &cfg->heads[cfg->n_heads++]);
                        if (ex != CLI_EXIT_OK)
                                goto out;
                }
                job.layout = cfg;
        }
        ex = run_plan(&s, cfg, NULL, 0, co.verbose, &st, save_apply, &job);
out:
        store_end(&st, ex == CLI_EXIT_OK);
        cli_heads_session_close(&s);
        return ex;
}
