/* SPDX-License-Identifier: MIT */
/* Client side of org.vmodes.Daemon1 (see client.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "agent/common/bus.h"
#include "agent/client/client.h"

#define NOT_RUNNING "vmodesd is not running (start it with: systemctl start vmodesd)"

struct vmodes_client {
        sd_bus *bus;
};

int vmodes_client_open(struct vmodes_client **out, struct vmodes_error *err)
{
        struct vmodes_client *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = vmodes_bus_open(getenv("VMODES_BUS_ADDRESS"), &c->bus);
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(c->bus, VMODES_CLIENT_TIMEOUT_USEC);
        if (r < 0) {
                vmodes_client_free(c);
                return vmodes_error_set(err, -ESRCH, "cannot reach the system D-Bus (%s): " NOT_RUNNING, strerror(-r));
        }
        *out = c;
        return 0;
}

void vmodes_client_free(struct vmodes_client *c)
{
        if (!c)
                return;
        sd_bus_flush_close_unref(c->bus);
        free(c);
}

static int map_error(const sd_bus_error *e, int r, struct vmodes_error *err)
{
        const char *name = e && e->name ? e->name : "";
        const char *msg = e && e->message ? e->message : strerror(r < 0 ? -r : EIO);

        if (!strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) || !strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ||
            !strcmp(name, SD_BUS_ERROR_DISCONNECTED) || r == -ECONNRESET || r == -ENOTCONN)
                return vmodes_error_set(err, -ESRCH, NOT_RUNNING);
        if (!strcmp(name, SD_BUS_ERROR_NO_REPLY) || !strcmp(name, SD_BUS_ERROR_TIMEOUT) || r == -ETIMEDOUT)
                return vmodes_error_set(err, -ETIMEDOUT,
                                        "vmodesd did not answer in time (%llu s; %llu s while polkit may ask for a "
                                        "password)",
                                        (unsigned long long)(VMODES_CLIENT_TIMEOUT_USEC / 1000000),
                                        (unsigned long long)(VMODES_CLIENT_AUTH_TIMEOUT_USEC / 1000000));
        if (!strcmp(name, VMODES_ERROR_ACCESS_DENIED) || !strcmp(name, SD_BUS_ERROR_ACCESS_DENIED))
                return vmodes_error_set(err, -EACCES, "%s", msg);
        if (!strcmp(name, VMODES_ERROR_TOO_LARGE) || !strcmp(name, VMODES_ERROR_LIMIT))
                return vmodes_error_set(err, -E2BIG, "%s", msg);
        if (!strcmp(name, VMODES_ERROR_NO_SUCH_MODE))
                return vmodes_error_set(err, -ENOENT, "%s", msg);
        if (!strncmp(name, VMODES_ERROR_PREFIX "Invalid", strlen(VMODES_ERROR_PREFIX "Invalid")) ||
            !strcmp(name, SD_BUS_ERROR_INVALID_ARGS))
                return vmodes_error_set(err, -EINVAL, "%s", msg);
        return vmodes_error_set(err, -EIO, "%s", msg);
}

/* Calls a method: m is filled by the caller; reply optional. */
static int call(struct vmodes_client *c, sd_bus_message *m, sd_bus_message **reply, struct vmodes_error *err)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r;

        /* a password typed into a polkit agent takes longer than an answer */
        r = sd_bus_call(c->bus, m,
                        sd_bus_message_get_allow_interactive_authorization(m) > 0 ? VMODES_CLIENT_AUTH_TIMEOUT_USEC
                                                                                  : VMODES_CLIENT_TIMEOUT_USEC,
                        &e, reply);
        if (r < 0)
                r = map_error(&e, r, err);
        sd_bus_error_free(&e);
        return r;
}

static int new_call(struct vmodes_client *c, const char *method, sd_bus_message **m, struct vmodes_error *err)
{
        int r = sd_bus_message_new_method_call(c->bus, m, VMODES_BUS_NAME, VMODES_BUS_PATH, VMODES_BUS_INTERFACE,
                                               method);

        if (r < 0)
                return vmodes_error_set(err, r, "cannot build a D-Bus call: %s", strerror(-r));
        /* polkit may ask for a password when someone is there to type it */
        sd_bus_message_set_allow_interactive_authorization(*m, isatty(STDIN_FILENO));
        return 0;
}

static int append_opt(sd_bus_message *m, const char *key, int v)
{
        if (v < 0)
                return 0;
        return sd_bus_message_append(m, "{sv}", key, "b", v);
}

int vmodes_client_add_mode(struct vmodes_client *c, const char *head, const char *mode,
                           const struct vmodes_client_mode_options *o, char *head_out, char *mode_name_out,
                           struct vmodes_error *err)
{
        struct vmodes_client_mode_options def = VMODES_CLIENT_MODE_OPTIONS_INIT;
        sd_bus_message *m = NULL, *reply = NULL;
        const char *h, *n;
        int r;

        if (!o)
                o = &def;
        r = new_call(c, "AddMode", &m, err);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", head, mode);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = append_opt(m, "primary", o->primary);
        if (r >= 0)
                r = append_opt(m, "pinned", o->pinned);
        if (r >= 0)
                r = append_opt(m, "enabled", o->enabled);
        if (r >= 0)
                r = append_opt(m, "default", o->make_default);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0) {
                r = vmodes_error_set(err, r, "cannot build a D-Bus call: %s", strerror(-r));
                goto out;
        }
        r = call(c, m, &reply, err);
        if (r < 0)
                goto out;
        r = sd_bus_message_read(reply, "ss", &h, &n);
        if (r < 0) {
                r = vmodes_error_set(err, -EIO, "unexpected reply from vmodesd");
                goto out;
        }
        if (head_out)
                snprintf(head_out, VMODES_HEAD_NAME_MAX, "%s", h);
        if (mode_name_out)
                snprintf(mode_name_out, VMODES_NAME_MAX, "%s", n);
        r = 0;
out:
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return r;
}

static int simple_call(struct vmodes_client *c, const char *method, struct vmodes_error *err, const char *sig, ...)
{
        sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = new_call(c, method, &m, err);
        if (r < 0)
                return r;
        if (sig && *sig) {
                va_start(ap, sig);
                r = sd_bus_message_appendv(m, sig, ap);
                va_end(ap);
                if (r < 0) {
                        sd_bus_message_unref(m);
                        return vmodes_error_set(err, r, "cannot build a D-Bus call: %s", strerror(-r));
                }
        }
        r = call(c, m, NULL, err);
        sd_bus_message_unref(m);
        return r < 0 ? r : 0;
}

int vmodes_client_remove_mode(struct vmodes_client *c, const char *head, const char *mode, struct vmodes_error *err)
{
        return simple_call(c, "RemoveMode", err, "ss", head, mode ? mode : "");
}

int vmodes_client_set_layout(struct vmodes_client *c, const char *head, enum vmodes_relation rel, const char *other,
                             int x, int y, bool primary, struct vmodes_error *err)
{
        const char *rs = vmodes_relation_to_string(rel);

        if (!rs)
                return vmodes_error_set(err, -EINVAL, "unknown relation %d", (int)rel);
        return simple_call(c, "SetLayout", err, "sssiib", head, rs, other ? other : "", (int32_t)x, (int32_t)y,
                           (int)primary);
}

int vmodes_client_set_head_options(struct vmodes_client *c, const char *head, int primary, int pinned, int enabled,
                                   struct vmodes_error *err)
{
        sd_bus_message *m = NULL;
        int r;

        r = new_call(c, "SetHeadOptions", &m, err);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", head);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = append_opt(m, "primary", primary);
        if (r >= 0)
                r = append_opt(m, "pinned", pinned);
        if (r >= 0)
                r = append_opt(m, "enabled", enabled);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                r = vmodes_error_set(err, r, "cannot build a D-Bus call: %s", strerror(-r));
        else
                r = call(c, m, NULL, err);
        sd_bus_message_unref(m);
        return r < 0 ? r : 0;
}

/* One (sasssiia{sv}) of SetHeads. */
static int append_head(sd_bus_message *m, const struct vmodes_client_head *h)
{
        const char *rel = h->keep_place ? "" : vmodes_relation_to_string(h->relation);
        int r;

        if (!rel)
                return -EINVAL;
        r = sd_bus_message_open_container(m, 'r', "sasssiia{sv}");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", h->head);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "s");
        for (unsigned k = 0; r >= 0 && k < h->n_modes; k++)
                r = sd_bus_message_append(m, "s", h->modes[k]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "ssii", rel, h->other ? h->other : "", (int32_t)h->x, (int32_t)h->y);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = append_opt(m, "primary", h->primary);
        if (r >= 0)
                r = append_opt(m, "pinned", h->pinned);
        if (r >= 0)
                r = append_opt(m, "enabled", h->enabled);
        if (r >= 0 && h->keep_modes)
                r = append_opt(m, "keep-modes", 1);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int read_results(sd_bus_message *reply, unsigned n, struct vmodes_client_head_result *results)
{
        const char *h, *name;
        unsigned i = 0;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ss)", &h, &name)) > 0) {
                if (i < n) {
                        snprintf(results[i].head, sizeof(results[i].head), "%s", h);
                        snprintf(results[i].mode_name, sizeof(results[i].mode_name), "%s", name);
                }
                i++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        return r < 0 ? r : i == n ? 0 : -EBADMSG;
}

int vmodes_client_set_heads(struct vmodes_client *c, const struct vmodes_client_head *heads, unsigned n, bool replace,
                            struct vmodes_client_head_result *results, struct vmodes_error *err)
{
        sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = new_call(c, "SetHeads", &m, err);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sasssiia{sv})");
        for (unsigned i = 0; r >= 0 && i < n; i++)
                r = append_head(m, &heads[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a{sv}", replace ? 1 : 0, "replace", "b", 1);
        if (r < 0) {
                r = vmodes_error_set(err, r, "cannot build a D-Bus call: %s", strerror(-r));
                goto out;
        }
        r = call(c, m, &reply, err);
        if (r >= 0 && results && read_results(reply, n, results) < 0)
                r = vmodes_error_set(err, -EIO, "unexpected reply from vmodesd");
out:
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

int vmodes_client_apply(struct vmodes_client *c, struct vmodes_error *err)
{
        return simple_call(c, "Apply", err, NULL);
}

int vmodes_client_reload(struct vmodes_client *c, struct vmodes_error *err)
{
        return simple_call(c, "Reload", err, NULL);
}

int vmodes_client_get_config(struct vmodes_client *c, struct vmodes_config *out, struct vmodes_error *err)
{
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *text = NULL;
        int r;

        r = sd_bus_get_property_string(c->bus, VMODES_BUS_NAME, VMODES_BUS_PATH, VMODES_BUS_INTERFACE, "Config", &e,
                                       &text);
        if (r < 0) {
                r = map_error(&e, r, err);
                sd_bus_error_free(&e);
                return r;
        }
        r = vmodes_config_parse(text, "vmodesd's config", out, err);
        free(text);
        return r < 0 ? -EIO : 0;
}

int vmodes_stored_config(struct vmodes_config *out, bool *from_file, char *note, size_t note_size,
                         struct vmodes_error *err)
{
        struct vmodes_client *c = NULL;
        struct vmodes_error e = { "" };
        int r;

        r = vmodes_client_open(&c, &e);
        if (r == 0)
                r = vmodes_client_get_config(c, out, &e);
        vmodes_client_free(c);
        *from_file = r == -ESRCH;
        if (r != -ESRCH) {
                if (r < 0)
                        return vmodes_error_set(err, r, "%s", e.msg);
                return 0;
        }
        snprintf(note, note_size, "%s; using %s as it is on disk", e.msg, VMODES_CONFIG_DEFAULT_PATH);
        r = vmodes_config_load(VMODES_CONFIG_DEFAULT_PATH, out, err);
        if (r == -ENOENT) {
                vmodes_config_init(out);
                return 0;
        }
        return r;
}
