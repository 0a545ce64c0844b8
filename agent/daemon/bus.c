/* SPDX-License-Identifier: MIT */
/*
 * vmodesd's D-Bus API: org.vmodes.Daemon1 at /org/vmodes/Daemon1
 * (agent/daemon/org.vmodes.Daemon1.xml). Reading is open to everyone; changes are
 * allowed to uid 0 and otherwise to whoever polkit authorizes for
 * org.vmodes.configure (asked asynchronously, at most
 * VMODES_DAEMON_PENDING_MAX checks in flight). Every argument is checked
 * against the known heads and the timing library before anything is
 * written; errors are named org.vmodes.Error.* with one line saying why.
 * What a change does to the config is agent/core/edit.c's: this file
 * reads arguments, asks polkit and replies.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "agent/common/bus.h"
#include "agent/common/macro.h"
#include "agent/core/edit.h"
#include "agent/daemon/bus.h"

struct vmodes_daemon_bus {
        struct vmodes_daemon *d;
        sd_bus *bus;
        sd_bus_slot *slot;   /* the object */
        unsigned n_pending;  /* authorization checks in flight */
};

typedef int (*op_fn)(struct vmodes_daemon *d, sd_bus_message *m, sd_bus_error *e);

/* What a change request would do, computed before anything is written. */
struct change {
        struct vmodes_config config; /* the config after the request */
        enum { REPLY_NONE, REPLY_NAMES, REPLY_HEADS } reply;
        char head[VMODES_HEAD_NAME_MAX];  /* REPLY_NAMES (AddMode): head, mode name */
        char mode_name[VMODES_NAME_MAX];
        unsigned n_heads;                 /* REPLY_HEADS (SetHeads): the heads given */
        struct vmodes_edit_head heads[VMODES_CONFIG_HEADS_MAX];
};
/* Reads the arguments and fills ch; no side effects. */
typedef int (*build_fn)(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e);



/* ---- properties ---------------------------------------------------------- */

static int prop_version(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                        void *userdata, sd_bus_error *e)
{
        return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int prop_devices(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                        void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sssss)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                if (!dev->type)
                        continue;
                r = sd_bus_message_append(reply, "(sssss)", dev->slot ? dev->slot : "", dev->type->id,
                                          dev->type->name, dev->driver ? dev->driver : "",
                                          dev->card ? dev->card : "");
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}


static int prop_heads(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                      void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        size_t n = vmodes_discovery_get_n_devices(d->discovery);
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(ssssas)");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const struct vmodes_device *dev = vmodes_discovery_get_device(d->discovery, i);
                if (!dev->type)
                        continue;
                for (size_t k = 0; r >= 0 && k < dev->n_connectors; k++) {
                        const struct vmodes_connector *c = &dev->connectors[k];
                        char xname[64];

                        if (!c->head)
                                continue;
                        if (vmodes_heads_name(dev, c->head, d->scheme, xname, sizeof(xname)) < 0)
                                snprintf(xname, sizeof(xname), "%s", c->name);
                        r = sd_bus_message_open_container(reply, 'r', "ssssas");
                        if (r >= 0)
                                r = sd_bus_message_append(reply, "ssss", c->name, xname, dev->slot ? dev->slot : "",
                                                          vmodes_connector_status_to_string(c->status));
                        if (r >= 0)
                                r = sd_bus_message_open_container(reply, 'a', "s");
                        for (size_t j = 0; r >= 0 && j < c->n_modes; j++)
                                r = sd_bus_message_append(reply, "s", c->modes[j]);
                        if (r >= 0)
                                r = sd_bus_message_close_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_close_container(reply);
                }
        }
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int prop_config(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                       void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        _cleanup_(freep) char *text = NULL, *clean = NULL;
        size_t size;
        int r;

        r = vmodes_config_format(&d->config, &text);
        if (r < 0)
                return r;
        size = strlen(text) * 4 + 1;
        clean = malloc(size);
        if (!clean)
                return -ENOMEM;
        vmodes_text_clean(clean, size, text, true);
        return sd_bus_message_append(reply, "s", clean);
}

/* One head as ConfigHeads lists it and SetHeads takes it. */
static int append_head(sd_bus_message *reply, const struct vmodes_head_config *h)
{
        int r;

        r = sd_bus_message_open_container(reply, 'r', "sasssiia{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", h->head);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (unsigned k = 0; r >= 0 && k < h->n_modes; k++) {
                char text[256];

                r = vmodes_edit_format_mode(text, sizeof(text), &h->modes[k]);
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", text);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "ssii", vmodes_relation_to_string(h->relation), h->relative_to,
                                          (int32_t)h->x, (int32_t)h->y);
        if (r >= 0)
                r = sd_bus_message_append(reply, "a{sv}", 3, "primary", "b", (int)h->primary, "pinned", "b",
                                          (int)h->pinned, "enabled", "b", (int)h->enabled);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int prop_config_heads(sd_bus *bus, const char *path, const char *iface, const char *prop,
                             sd_bus_message *reply, void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sasssiia{sv})");
        for (unsigned i = 0; r >= 0 && i < d->config.n_heads; i++)
                r = append_head(reply, &d->config.heads[i]);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int prop_string(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                       void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        const char *v = !strcmp(prop, "ConfigPath") ? d->opt.config_path
                        : !strcmp(prop, "XConfigPath") ? d->opt.xorg_path
                        : !strcmp(prop, "ConfigError") ? d->config_error : "";
        char clean[4 * 4096 + 1];

        vmodes_text_clean(clean, sizeof(clean), v ? v : "", false);
        return sd_bus_message_append(reply, "s", clean);
}

static int prop_bool(sd_bus *bus, const char *path, const char *iface, const char *prop, sd_bus_message *reply,
                     void *userdata, sd_bus_error *e)
{
        struct vmodes_daemon *d = ((struct vmodes_daemon_bus *)userdata)->d;
        int v = !strcmp(prop, "AutoFit") ? d->config.auto_fit : d->config.kernel_cmdline;

        return sd_bus_message_append(reply, "b", v);
}

/* ---- argument checks ------------------------------------------------------ */

static int arg_error(sd_bus_error *e, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int arg_error(sd_bus_error *e, const char *name, const char *fmt, ...)
{
        char clean[1024];
        va_list ap;

        /* messages may quote what a caller or a file sent: one line of
         * valid UTF-8 (sd-bus refuses anything else) */
        va_start(ap, fmt);
        vmodes_text_vformat(clean, sizeof(clean), fmt, ap);
        va_end(ap);
        return sd_bus_error_set(e, name, clean);
}

static int resolve_head(struct vmodes_daemon *d, const char *name, char canon[VMODES_HEAD_NAME_MAX],
                        sd_bus_error *e)
{
        struct vmodes_error err;

        if (strlen(name) > VMODES_DAEMON_ARG_MAX)
                return arg_error(e, VMODES_ERROR_INVALID_HEAD, "head name of %zu bytes is too long", strlen(name));
        if (vmodes_daemon_resolve_head(d, name, canon, &err) < 0)
                return arg_error(e, VMODES_ERROR_INVALID_HEAD, "%s", err.msg);
        return 0;
}

/* A spec ("2560x1440@44") or a modeline (has a space or a quote). */
static int parse_mode(const char *text, struct vmodes_head_mode *out, sd_bus_error *e)
{
        struct vmodes_error err;

        if (strlen(text) > VMODES_DAEMON_ARG_MAX)
                return arg_error(e, VMODES_ERROR_INVALID_MODE, "mode of %zu bytes is too long", strlen(text));
        if (vmodes_edit_parse_mode(text, out, &err) < 0)
                return arg_error(e, VMODES_ERROR_INVALID_MODE, "%s", err.msg);
        return 0;
}

static int check_fits(struct vmodes_daemon *d, const char *head, const struct vmodes_mode *m, sd_bus_error *e)
{
        const struct vmodes_device *dev = vmodes_daemon_head_device(d, head);
        struct vmodes_fb_limit lim;

        if (!dev || vmodes_memory_fb_limit(dev, &lim) < 0)
                return 0;
        if (!vmodes_memory_fits(&lim, m->hdisplay, m->vdisplay, 1)) {
                if (lim.max_width && (m->hdisplay > lim.max_width || m->vdisplay > lim.max_height))
                        return arg_error(e, VMODES_ERROR_TOO_LARGE,
                                         "%ux%u is larger than the %s driver allows (%ux%u)", m->hdisplay,
                                         m->vdisplay, dev->type->name, lim.max_width, lim.max_height);
                return arg_error(e, VMODES_ERROR_TOO_LARGE,
                                 "%ux%u needs %llu MiB at 32 bpp, more than the %s holds (%llu MiB, %s)%s%s",
                                 m->hdisplay, m->vdisplay,
                                 (unsigned long long)((uint64_t)m->hdisplay * m->vdisplay * 4 >> 20),
                                 dev->type->name, (unsigned long long)(lim.bytes >> 20),
                                 lim.source ? lim.source : "device memory",
                                 dev->type->vm_setting ? "; grow it in the VM definition: " : "",
                                 dev->type->vm_setting ? dev->type->vm_setting : "");
        }
        return 0;
}

/* Options dictionary: known keys with their D-Bus type. */
struct opt {
        const char *key;
        char type; /* 'b', 'd', 's' */
        bool set;
        int b;
        double dbl;
        const char *s;
};

static int read_options(sd_bus_message *m, struct opt *opts, size_t n, sd_bus_error *e)
{
        const char *key;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                struct opt *o = NULL;
                char sig[2];

                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        if (!strcmp(opts[i].key, key))
                                o = &opts[i];
                if (!o)
                        return arg_error(e, VMODES_ERROR_INVALID_ARGUMENT, "unknown option '%.40s'", key);
                if (o->set)
                        return arg_error(e, VMODES_ERROR_INVALID_ARGUMENT, "option '%s' given twice", o->key);
                sig[0] = o->type;
                sig[1] = '\0';
                r = sd_bus_message_enter_container(m, 'v', sig);
                if (r < 0)
                        return arg_error(e, VMODES_ERROR_INVALID_ARGUMENT, "option '%s' must be of type '%s'",
                                         o->key, sig);
                if (o->type == 'b')
                        r = sd_bus_message_read(m, "b", &o->b);
                else if (o->type == 'd')
                        r = sd_bus_message_read(m, "d", &o->dbl);
                else
                        r = sd_bus_message_read(m, "s", &o->s);
                if (r < 0)
                        return r;
                o->set = true;
                r = sd_bus_message_exit_container(m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* A switch from an options dictionary: -1 when not given. */
static int opt_switch(const struct opt *o)
{
        return o->set ? o->b : -1;
}

/* An edit that was refused, as the D-Bus error its errno stands for in
 * this method (edit.h lists them). */
static int edit_error(sd_bus_error *e, int r, const struct vmodes_error *err, const char *enoent, const char *einval)
{
        const char *name = r == -E2BIG ? VMODES_ERROR_LIMIT
                           : r == -ENOENT ? enoent
                           : r == -ELOOP ? VMODES_ERROR_INVALID_HEAD
                           : r == -EINVAL ? einval : VMODES_ERROR_FAILED;

        return arg_error(e, name, "%s", err->msg);
}

static int parse_relation(const char *relation, enum vmodes_relation *rel, sd_bus_error *e)
{
        if (strlen(relation) > 32 || vmodes_relation_from_string(relation, rel) < 0)
                return arg_error(e, VMODES_ERROR_INVALID_ARGUMENT,
                                 "relation '%.32s' is not one of auto, right-of, left-of, above, below, same-as, pos",
                                 relation);
        return 0;
}

/* ---- methods (called once the caller is authorized) ------------------------ */

static int build_add_mode(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        struct opt opts[] = { { "primary", 'b' }, { "pinned", 'b' }, { "enabled", 'b' }, { "default", 'b' } };
        char canon[VMODES_HEAD_NAME_MAX];
        struct vmodes_head_mode hm;
        struct vmodes_edit_head_options o;
        struct vmodes_error err;
        const char *head, *spec;
        int r;

        r = sd_bus_message_read(m, "ss", &head, &spec);
        if (r < 0)
                return r;
        r = read_options(m, opts, ELEMENTSOF(opts), e);
        if (r < 0)
                return r;
        r = resolve_head(d, head, canon, e);
        if (r < 0)
                return r;
        r = parse_mode(spec, &hm, e);
        if (r < 0)
                return r;
        r = check_fits(d, canon, &hm.mode, e);
        if (r < 0)
                return r;
        o = (struct vmodes_edit_head_options){ opt_switch(&opts[0]), opt_switch(&opts[1]), opt_switch(&opts[2]) };
        ch->config = d->config;
        r = vmodes_edit_add_mode(&ch->config, canon, &hm, opts[3].set ? opts[3].b : true, &o, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_INVALID_HEAD, VMODES_ERROR_INVALID_ARGUMENT);
        ch->reply = REPLY_NAMES;
        snprintf(ch->head, sizeof(ch->head), "%s", canon);
        snprintf(ch->mode_name, sizeof(ch->mode_name), "%s", hm.mode.name);
        return 0;
}

static int build_remove_mode(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        char canon[VMODES_HEAD_NAME_MAX];
        struct vmodes_error err;
        const char *head, *spec;
        int r;

        r = sd_bus_message_read(m, "ss", &head, &spec);
        if (r < 0)
                return r;
        r = resolve_head(d, head, canon, e);
        if (r < 0)
                return r;
        if (strlen(spec) > VMODES_DAEMON_ARG_MAX)
                return arg_error(e, VMODES_ERROR_INVALID_MODE, "mode of %zu bytes is too long", strlen(spec));
        ch->config = d->config;
        r = vmodes_edit_remove_mode(&ch->config, canon, spec, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_NO_SUCH_MODE, VMODES_ERROR_INVALID_MODE);
        return 0;
}

static int build_set_layout(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        char canon[VMODES_HEAD_NAME_MAX], other[VMODES_HEAD_NAME_MAX] = "";
        const char *head, *relation, *other_name;
        enum vmodes_relation rel;
        struct vmodes_error err;
        int32_t x, y;
        int primary, r;

        r = sd_bus_message_read(m, "sssiib", &head, &relation, &other_name, &x, &y, &primary);
        if (r < 0)
                return r;
        r = resolve_head(d, head, canon, e);
        if (r < 0)
                return r;
        r = parse_relation(relation, &rel, e);
        if (r < 0)
                return r;
        if (rel != VMODES_REL_POS && rel != VMODES_REL_AUTO) {
                r = resolve_head(d, other_name, other, e);
                if (r < 0)
                        return r;
        }
        ch->config = d->config;
        r = vmodes_edit_set_position(&ch->config, canon, rel, other, x, y, primary, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_INVALID_HEAD, VMODES_ERROR_INVALID_ARGUMENT);
        return 0;
}

static int build_set_head_options(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        struct opt opts[] = { { "primary", 'b' }, { "pinned", 'b' }, { "enabled", 'b' } };
        char canon[VMODES_HEAD_NAME_MAX];
        struct vmodes_edit_head_options o;
        struct vmodes_error err;
        const char *head;
        int r;

        r = sd_bus_message_read(m, "s", &head);
        if (r < 0)
                return r;
        r = read_options(m, opts, ELEMENTSOF(opts), e);
        if (r < 0)
                return r;
        r = resolve_head(d, head, canon, e);
        if (r < 0)
                return r;
        o = (struct vmodes_edit_head_options){ opt_switch(&opts[0]), opt_switch(&opts[1]), opt_switch(&opts[2]) };
        ch->config = d->config;
        r = vmodes_edit_set_head_options(&ch->config, canon, &o, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_INVALID_HEAD, VMODES_ERROR_INVALID_ARGUMENT);
        return 0;
}

static int build_set_options(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        struct opt opts[] = { { "auto-fit", 'b' }, { "auto-fit-refresh", 'd' }, { "auto-fit-blanking", 's' },
                              { "kernel-cmdline", 'b' } };
        struct vmodes_edit_options o = VMODES_EDIT_OPTIONS_INIT;
        struct vmodes_error err;
        int r;

        r = read_options(m, opts, ELEMENTSOF(opts), e);
        if (r < 0)
                return r;
        o.auto_fit = opt_switch(&opts[0]);
        o.set_refresh = opts[1].set;
        o.auto_fit_refresh = opts[1].dbl;
        o.auto_fit_blanking = opts[2].set ? opts[2].s : NULL;
        o.kernel_cmdline = opt_switch(&opts[3]);
        ch->config = d->config;
        r = vmodes_edit_set_options(&ch->config, &o, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_INVALID_ARGUMENT, VMODES_ERROR_INVALID_ARGUMENT);
        return 0;
}

/* One (sasssiia{sv}) of SetHeads: names resolved, modes parsed and checked
 * against the device. */
static int read_head(struct vmodes_daemon *d, sd_bus_message *m, struct vmodes_edit_head *h, sd_bus_error *e)
{
        struct opt opts[] = { { "primary", 'b' }, { "pinned", 'b' }, { "enabled", 'b' }, { "keep-modes", 'b' } };
        const char *head, *text, *relation, *other;
        int32_t x, y;
        int r;

        r = sd_bus_message_read(m, "s", &head);
        if (r >= 0)
                r = resolve_head(d, head, h->head, e);
        if (r >= 0)
                r = sd_bus_message_enter_container(m, 'a', "s");
        while (r >= 0 && (r = sd_bus_message_read(m, "s", &text)) > 0) {
                if (h->n_modes >= VMODES_CONFIG_MODES_MAX)
                        return arg_error(e, VMODES_ERROR_LIMIT, "head %s: more than %d modes given", h->head,
                                         VMODES_CONFIG_MODES_MAX);
                r = parse_mode(text, &h->modes[h->n_modes], e);
                if (r >= 0)
                        r = check_fits(d, h->head, &h->modes[h->n_modes].mode, e);
                h->n_modes++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_read(m, "ssii", &relation, &other, &x, &y);
        h->keep_place = r >= 0 && !*relation;
        if (r >= 0 && !h->keep_place)
                r = parse_relation(relation, &h->relation, e);
        if (r >= 0 && !h->keep_place && h->relation != VMODES_REL_POS && h->relation != VMODES_REL_AUTO)
                r = resolve_head(d, other, h->other, e);
        if (r >= 0)
                r = read_options(m, opts, ELEMENTSOF(opts), e);
        if (r < 0)
                return r;
        h->x = x;
        h->y = y;
        h->o = (struct vmodes_edit_head_options){ opt_switch(&opts[0]), opt_switch(&opts[1]), opt_switch(&opts[2]) };
        h->keep_modes = opts[3].set && opts[3].b;
        return 0;
}

static int build_set_heads(struct vmodes_daemon *d, sd_bus_message *m, struct change *ch, sd_bus_error *e)
{
        struct opt opts[] = { { "replace", 'b' } };
        struct vmodes_error err;
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(sasssiia{sv})");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "sasssiia{sv}")) > 0) {
                if (ch->n_heads >= VMODES_CONFIG_HEADS_MAX)
                        return arg_error(e, VMODES_ERROR_LIMIT, "more than %d heads given", VMODES_CONFIG_HEADS_MAX);
                memset(&ch->heads[ch->n_heads], 0, sizeof(ch->heads[0]));
                r = read_head(d, m, &ch->heads[ch->n_heads], e);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                ch->n_heads++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = read_options(m, opts, ELEMENTSOF(opts), e);
        if (r < 0)
                return r;
        ch->config = d->config;
        r = vmodes_edit_set_heads(&ch->config, ch->heads, ch->n_heads, opts[0].set && opts[0].b, &err);
        if (r < 0)
                return edit_error(e, r, &err, VMODES_ERROR_INVALID_HEAD, VMODES_ERROR_INVALID_ARGUMENT);
        ch->reply = REPLY_HEADS;
        return 0;
}

/* SetHeads' reply: each head given, canonical, with the mode it uses. */
static int reply_heads(struct vmodes_daemon *d, sd_bus_message *m, const struct change *ch)
{
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ss)");
        for (unsigned i = 0; r >= 0 && i < ch->n_heads; i++) {
                const struct vmodes_head_config *h = vmodes_config_find_head(&d->config, ch->heads[i].head);

                r = sd_bus_message_append(reply, "(ss)", ch->heads[i].head,
                                          h && h->n_modes ? h->modes[0].mode.name : "");
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_send(reply);
        return r;
}

static int op_apply(struct vmodes_daemon *d, sd_bus_message *m, sd_bus_error *e)
{
        struct vmodes_error err;
        int r;

        vmodes_daemon_scan(d);
        r = vmodes_daemon_write_outputs(d, &err);
        if (r < 0)
                return arg_error(e, r == -ESTALE ? VMODES_ERROR_INVALID_CONFIG : VMODES_ERROR_FAILED, "%s", err.msg);
        vmodes_daemon_config_changed(d);
        return sd_bus_reply_method_return(m, "");
}

static int op_reload(struct vmodes_daemon *d, sd_bus_message *m, sd_bus_error *e)
{
        struct vmodes_error err;
        int r;

        r = vmodes_daemon_load_config(d, false, &err);
        if (r < 0) {
                vmodes_daemon_config_changed(d); /* ConfigError changed */
                return arg_error(e, VMODES_ERROR_INVALID_CONFIG, "%s", d->config_error);
        }
        if (vmodes_daemon_write_outputs(d, &err) < 0) {
                vmodes_daemon_config_changed(d);
                return arg_error(e, VMODES_ERROR_FAILED, "%s", err.msg);
        }
        log_info("reloaded %s", d->opt.config_path);
        vmodes_daemon_config_changed(d);
        return sd_bus_reply_method_return(m, "");
}

/* ---- authorization ---------------------------------------------------------- */

/* The polkit action a request needs (an invalid one: the plain action; it
 * is refused after authorization). */
static const char *request_action(struct vmodes_daemon *d, sd_bus_message *m, build_fn build)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        struct change *ch;
        bool boot = false;

        if (!build || sd_bus_message_rewind(m, true) < 0)
                return VMODES_POLKIT_ACTION;
        ch = calloc(1, sizeof(*ch));
        if (ch && build(d, m, ch, &e) >= 0)
                boot = vmodes_edit_affects_boot(&d->config, &ch->config);
        sd_bus_error_free(&e);
        free(ch);
        return boot ? VMODES_POLKIT_ACTION_BOOT : VMODES_POLKIT_ACTION;
}

static int ask_polkit(struct vmodes_daemon_bus *b, sd_bus_message *m, build_fn build, op_fn op, const char *action,
                      sd_bus_error *e);

/* Make the request; granted is the polkit action the caller holds (NULL:
 * root). A change that needs more than granted asks polkit again. */
static int run(struct vmodes_daemon_bus *b, sd_bus_message *m, build_fn build, op_fn op, const char *granted,
               sd_bus_error *e)
{
        struct vmodes_daemon *d = b->d;
        struct vmodes_error err;
        _cleanup_(freep) struct change *ch = NULL;
        int r;

        if (op)
                return op(d, m, e);
        r = sd_bus_message_rewind(m, true);
        if (r < 0)
                return r;
        ch = calloc(1, sizeof(*ch));
        if (!ch)
                return -ENOMEM;
        r = build(d, m, ch, e);
        if (r < 0)
                return r;
        if (granted && strcmp(granted, VMODES_POLKIT_ACTION_BOOT) && vmodes_edit_affects_boot(&d->config, &ch->config))
                return ask_polkit(b, m, build, op, VMODES_POLKIT_ACTION_BOOT, e);
        r = vmodes_daemon_commit(d, &ch->config, &err);
        if (r == -EINVAL)
                return arg_error(e, VMODES_ERROR_INVALID_ARGUMENT, "%s", err.msg);
        if (r == -ESTALE)
                return arg_error(e, VMODES_ERROR_INVALID_CONFIG, "%s", err.msg);
        if (r < 0)
                return arg_error(e, VMODES_ERROR_FAILED, "%s", err.msg);
        if (ch->reply == REPLY_NAMES)
                return sd_bus_reply_method_return(m, "ss", ch->head, ch->mode_name);
        if (ch->reply == REPLY_HEADS)
                return reply_heads(d, m, ch);
        return sd_bus_reply_method_return(m, "");
}

struct pending {
        struct vmodes_daemon_bus *b;
        sd_bus_message *m;
        build_fn build;
        op_fn op;
        const char *action;
};

static void pending_done(struct pending *p, int r, sd_bus_error *e)
{
        if (r < 0) {
                if (sd_bus_error_is_set(e))
                        sd_bus_reply_method_error(p->m, e);
                else
                        sd_bus_reply_method_errno(p->m, r, NULL);
        }
        p->b->n_pending--;
        sd_bus_message_unref(p->m);
        free(p);
}

static int polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error)
{
        struct pending *p = userdata;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        const sd_bus_error *perr = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        if (perr) {
                log_warning("polkit: %s: %s", perr->name, perr->message);
                r = arg_error(&e, VMODES_ERROR_ACCESS_DENIED,
                              "not authorized: only root may change the display config, and polkit could not be "
                              "asked (%s)", perr->name);
                goto out;
        }
        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                r = arg_error(&e, VMODES_ERROR_ACCESS_DENIED, "not authorized: bad reply from polkit");
                goto out;
        }
        if (!authorized) {
                r = arg_error(&e, VMODES_ERROR_ACCESS_DENIED,
                              "not authorized to %s (polkit action %s%s)",
                              strcmp(p->action, VMODES_POLKIT_ACTION_BOOT) ? "change the display config"
                                                                           : "change how the machine boots",
                              p->action, challenge ? ", authentication needed" : "");
                goto out;
        }
        r = run(p->b, p->m, p->build, p->op, p->action, &e);
out:
        pending_done(p, r, &e);
        sd_bus_error_free(&e);
        return 0;
}

static int ask_polkit(struct vmodes_daemon_bus *b, sd_bus_message *m, build_fn build, op_fn op, const char *action,
                      sd_bus_error *e)
{
        struct pending *p;
        int r;

        if (b->n_pending >= VMODES_DAEMON_PENDING_MAX)
                return arg_error(e, VMODES_ERROR_BUSY, "too many requests waiting for authorization; try again");
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->b = b;
        p->m = sd_bus_message_ref(m);
        p->build = build;
        p->op = op;
        p->action = action;
        r = sd_bus_call_method_async(sd_bus_message_get_bus(m), NULL, "org.freedesktop.PolicyKit1",
                                     "/org/freedesktop/PolicyKit1/Authority", "org.freedesktop.PolicyKit1.Authority",
                                     "CheckAuthorization", polkit_reply, p, "(sa{sv})sa{ss}us", "system-bus-name", 1,
                                     "name", "s", sd_bus_message_get_sender(m), action, 0,
                                     (uint32_t)(sd_bus_message_get_allow_interactive_authorization(m) > 0 ? 1 : 0),
                                     "");
        if (r < 0) {
                sd_bus_message_unref(p->m);
                free(p);
                return arg_error(e, VMODES_ERROR_ACCESS_DENIED, "not authorized: cannot ask polkit (%s)",
                                 strerror(-r));
        }
        b->n_pending++;
        return 1; /* the reply follows */
}

static int authorize(sd_bus_message *m, struct vmodes_daemon_bus *b, build_fn build, op_fn op, sd_bus_error *e)
{
        sd_bus_creds *creds = NULL;
        uid_t uid = (uid_t)-1;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0) {
                r = sd_bus_creds_get_euid(creds, &uid);
                sd_bus_creds_unref(creds);
        }
        if (r < 0)
                return arg_error(e, VMODES_ERROR_ACCESS_DENIED, "not authorized: cannot tell who is calling (%s)",
                                 strerror(-r));
        if (uid == 0)
                return run(b, m, build, op, NULL, e);
        return ask_polkit(b, m, build, op, request_action(b->d, m, build), e);
}

#define METHOD(name, build, op)                                                                   \
        static int method_##name(sd_bus_message *m, void *userdata, sd_bus_error *e)             \
        {                                                                                         \
                return authorize(m, userdata, build, op, e);                                      \
        }
METHOD(add_mode, build_add_mode, NULL)
METHOD(remove_mode, build_remove_mode, NULL)
METHOD(set_layout, build_set_layout, NULL)
METHOD(set_head_options, build_set_head_options, NULL)
METHOD(set_options, build_set_options, NULL)
METHOD(set_heads, build_set_heads, NULL)
METHOD(apply, NULL, op_apply)
METHOD(reload, NULL, op_reload)

static const sd_bus_vtable daemon_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", prop_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Devices", "a(sssss)", prop_devices, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("Heads", "a(ssssas)", prop_heads, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("Config", "s", prop_config, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConfigHeads", "a(sasssiia{sv})", prop_config_heads, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConfigError", "s", prop_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConfigPath", "s", prop_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("XConfigPath", "s", prop_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("AutoFit", "b", prop_bool, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("KernelCmdline", "b", prop_bool, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("AddMode", "ssa{sv}", SD_BUS_PARAM(head) SD_BUS_PARAM(mode) SD_BUS_PARAM(options),
                                 "ss", SD_BUS_PARAM(head) SD_BUS_PARAM(mode_name), method_add_mode,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("RemoveMode", "ss", SD_BUS_PARAM(head) SD_BUS_PARAM(mode), "", ,
                                 method_remove_mode, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetLayout", "sssiib",
                                 SD_BUS_PARAM(head) SD_BUS_PARAM(relation) SD_BUS_PARAM(other) SD_BUS_PARAM(x)
                                         SD_BUS_PARAM(y) SD_BUS_PARAM(primary),
                                 "", , method_set_layout, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetHeadOptions", "sa{sv}", SD_BUS_PARAM(head) SD_BUS_PARAM(options), "", ,
                                 method_set_head_options, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetOptions", "a{sv}", SD_BUS_PARAM(options), "", , method_set_options,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetHeads", "a(sasssiia{sv})a{sv}", SD_BUS_PARAM(heads) SD_BUS_PARAM(options),
                                 "a(ss)", SD_BUS_PARAM(heads), method_set_heads, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Apply", "", "", method_apply, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", "", "", method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL("ConfigChanged", "", 0),
        SD_BUS_VTABLE_END,
};

static void config_changed(void *userdata)
{
        struct vmodes_daemon_bus *b = userdata;

        sd_bus_emit_properties_changed(b->bus, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, "Config", "ConfigHeads",
                                       "ConfigError", "AutoFit", "KernelCmdline", NULL);
        sd_bus_emit_signal(b->bus, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, "ConfigChanged", "");
}

static void devices_changed(void *userdata)
{
        struct vmodes_daemon_bus *b = userdata;

        sd_bus_emit_properties_changed(b->bus, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, "Devices", "Heads", NULL);
}

int vmodes_daemon_bus_new(struct vmodes_daemon_bus **out, struct vmodes_daemon *d, sd_bus *bus)
{
        struct vmodes_daemon_bus *b;
        int r;

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->d = d;
        b->bus = sd_bus_ref(bus);
        r = sd_bus_add_object_vtable(bus, &b->slot, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, daemon_vtable, b);
        if (r < 0) {
                vmodes_daemon_bus_free(b);
                return r;
        }
        vmodes_daemon_set_notify(d, &(struct vmodes_daemon_notify){ config_changed, devices_changed, b });
        *out = b;
        return 0;
}

void vmodes_daemon_bus_free(struct vmodes_daemon_bus *b)
{
        if (!b)
                return;
        if (b->slot)
                vmodes_daemon_set_notify(b->d, &(struct vmodes_daemon_notify){ NULL, NULL, NULL });
        sd_bus_slot_unref(b->slot);
        sd_bus_unref(b->bus);
        free(b);
}
