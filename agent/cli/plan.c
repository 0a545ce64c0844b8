/* SPDX-License-Identifier: MIT */
/* Plan, store, execute and report: the step vmodes add, remove and apply end with. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/cli/change.h"
#include "agent/cli/cli.h"

/* ---- reporting ---------------------------------------------------------------------- */

/* "43.99 Hz", or "? Hz" for a mode without a pixel clock (Xvfb) */
void cli_format_refresh(char *buf, size_t size, const struct vmodes_mode *m)
{
        if (m->clock_hz && m->htotal && m->vtotal)
                snprintf(buf, size, "%.2f Hz", vmodes_mode_refresh(m));
        else
                snprintf(buf, size, "? Hz");
}

static void describe_mode(char *buf, size_t size, const struct vmodes_mode *m)
{
        char rate[32];

        cli_format_refresh(rate, sizeof(rate), m);
        snprintf(buf, size, "%ux%u at %s (%s)", m->hdisplay, m->vdisplay, rate, m->name);
}

static void print_result(const struct vmodes_screen *s, const struct vmodes_layout_plan *plan,
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
static int verify(struct vmodes_screen *s, const struct vmodes_layout_plan *plan)
{
        _cleanup_(freep) struct vmodes_layout_state *now = calloc(1, sizeof(*now));
        struct vmodes_error err = { "" };
        int r;

        /* without a driver (Xvfb, Xvnc) a probe costs nothing and is the
         * only way to see what such a server really shows */
        vmodes_display_set_probe(s->display, true);
        r = now ? vmodes_display_query(s->display, now, &err) : -ENOMEM;
        if (r == -ECONNRESET)
                log_error("%s", err.msg);
        else if (r < 0)
                log_error("cannot read the layout back: %s", now ? err.msg : "out of memory");
        if (r < 0)
                return CLI_EXIT_FAILURE;
        for (unsigned i = 0; i < plan->n_results; i++) {
                const struct vmodes_layout_result *res = &plan->results[i];
                const struct vmodes_layout_output *o = vmodes_layout_output_by_id(now, res->output);
                const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(now, o->crtc) : NULL;
                const struct vmodes_layout_smode *m = c && c->mode ? vmodes_layout_mode_by_id(now, c->mode) : NULL;
                char want[128], have[128];

                if (!res->enabled && !m)
                        continue;
                if (res->enabled && m && vmodes_layout_mode_matches(now, m, &res->mode) && c->x == res->x &&
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
/* Plans, stores (through save), executes (unless dry_run) and reports.
 * Exit code. */
int cli_run_plan(struct vmodes_screen *s, const struct vmodes_config *cfg, const struct vmodes_layout_drop *drop,
                    size_t n_drop, bool verbose, struct store *st, store_fn save, const void *job)
{
        /* vmodes_layout_plan() clears it */
        _cleanup_(freep) struct vmodes_layout_plan *plan = malloc(sizeof(*plan));
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
                struct vmodes_display_stats stats;

                cli_x_deadline(VMODES_DEADLINE_CHANGE, s->display);
                r = vmodes_display_execute(s->display, s->state, plan, &err);
                cli_x_deadline_clear();
                if (r < 0) {
                        log_error("%s", err.msg);
                        return CLI_EXIT_FAILURE;
                }
                vmodes_display_get_stats(s->display, &stats);
                if (plan->n_ops > 0 && !s->provider[0]) {
                        cli_x_deadline(VMODES_DEADLINE_ANSWER, s->display);
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
        /* (sway has no screen of its own) */
        if ((plan->width != s->state->width || plan->height != s->state->height) && !strcmp(cli_server_word(), "X"))
                printf("screen: %ux%u%s, was %ux%u\n", plan->width, plan->height, dry_run ? " (would be)" : "",
                       s->state->width, s->state->height);
        if (plan->n_ops == 0)
                printf("nothing to change in the %s session\n", cli_server_word());
        st->changed_live = plan->n_ops > 0;
        return CLI_EXIT_OK;
}
