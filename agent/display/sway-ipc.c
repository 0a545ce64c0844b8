/* SPDX-License-Identifier: MIT */
/* The sway backend of the display seam (sway-ipc.h). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/common/json.h"
#include "agent/display/backend.h"
#include "agent/display/sway-ipc.h"

#define IPC_MAGIC "i3-ipc"
#define IPC_HEADER (sizeof(IPC_MAGIC) - 1 + 8)
#define IPC_COMMAND 0
#define IPC_SUBSCRIBE 2
#define IPC_GET_OUTPUTS 3
#define IPC_GET_VERSION 7
#define IPC_EVENT_SHUTDOWN (0x80000000u | 6)
/* a reply larger than this is not sway's */
#define IPC_REPLY_MAX (16u << 20)

struct sway {
        int fd;       /* requests and replies */
        int event_fd; /* subscribed events (-1 until watch) */
        char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
        unsigned major, minor;
        /* outputs whose backend has no modelines (sway's `modeline` needs a
         * DRM output): they get `mode --custom` */
        unsigned n_no_modeline;
        char no_modeline[VMODES_LAYOUT_OUTPUTS_MAX][VMODES_LAYOUT_NAME_MAX];
        struct vmodes_display_stats stats;
};

static int lost(const struct sway *s, struct vmodes_error *err, int e)
{
        return vmodes_error_set(err, -ECONNRESET, "lost the connection to sway (%s): %s", s->path,
                                e ? strerror(e) : "it closed the socket");
}

static int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EPIPE;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
        char *p = buf;

        while (len) {
                ssize_t n = read(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EPIPE;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* One message from fd: its type and its payload (NUL-terminated, to
 * free). */
static int ipc_read(const struct sway *s, int fd, uint32_t *type, char **payload, struct vmodes_error *err)
{
        char header[IPC_HEADER];
        uint32_t len;
        char *buf;
        int r;

        r = read_all(fd, header, sizeof(header));
        if (r < 0)
                return lost(s, err, r == -EPIPE ? 0 : -r);
        if (memcmp(header, IPC_MAGIC, sizeof(IPC_MAGIC) - 1))
                return vmodes_error_set(err, -EIO, "%s does not speak sway's IPC (a reply without \"i3-ipc\")", s->path);
        memcpy(&len, header + sizeof(IPC_MAGIC) - 1, 4);
        memcpy(type, header + sizeof(IPC_MAGIC) + 3, 4);
        if (len > IPC_REPLY_MAX)
                return vmodes_error_set(err, -EIO, "sway (%s) sent a reply of %" PRIu32 " bytes (at most %u expected)",
                                        s->path, len, IPC_REPLY_MAX);
        buf = malloc((size_t)len + 1);
        if (!buf)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        r = read_all(fd, buf, len);
        if (r < 0) {
                free(buf);
                return lost(s, err, r == -EPIPE ? 0 : -r);
        }
        buf[len] = '\0';
        *payload = buf;
        return 0;
}

static int ipc_send(const struct sway *s, int fd, uint32_t type, const char *payload, struct vmodes_error *err)
{
        uint32_t len = (uint32_t)strlen(payload);
        char header[IPC_HEADER];
        int r;

        memcpy(header, IPC_MAGIC, sizeof(IPC_MAGIC) - 1);
        memcpy(header + sizeof(IPC_MAGIC) - 1, &len, 4);
        memcpy(header + sizeof(IPC_MAGIC) + 3, &type, 4);
        r = write_all(fd, header, sizeof(header));
        if (r >= 0)
                r = write_all(fd, payload, len);
        return r < 0 ? lost(s, err, r == -EPIPE ? 0 : -r) : 0;
}

/* A request and its reply, parsed. */
static int ipc_call(struct sway *s, int fd, uint32_t type, const char *payload, json_object **reply,
                    struct vmodes_error *err)
{
        enum json_tokener_error jerr;
        uint32_t rtype = 0;
        char *text = NULL;
        int r;

        r = ipc_send(s, fd, type, payload, err);
        if (r >= 0)
                r = ipc_read(s, fd, &rtype, &text, err);
        if (r < 0)
                return r;
        if (rtype != type) {
                free(text);
                return vmodes_error_set(err, -EIO, "sway (%s) answered message type %" PRIu32 " with type %" PRIu32,
                                        s->path, type, rtype);
        }
        *reply = json_tokener_parse_verbose(text, &jerr);
        free(text);
        if (!*reply)
                return vmodes_error_set(err, -EIO, "sway (%s) sent a reply that is not JSON (%s)", s->path,
                                        json_tokener_error_desc(jerr));
        return 0;
}

static int sway_connect(const struct sway *s, int *fd, struct vmodes_error *err)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int f = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (f < 0)
                return vmodes_error_set(err, -ENXIO, "cannot make a socket: %s", strerror(errno));
        memcpy(sa.sun_path, s->path, sizeof(s->path));
        if (connect(f, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(f);
                return vmodes_error_set(err, -ENXIO, "cannot connect to sway's socket %s ($SWAYSOCK): %s", s->path,
                                        strerror(e));
        }
        *fd = f;
        return 0;
}

static void sway_free(void *impl)
{
        struct sway *s = impl;

        if (!s)
                return;
        if (s->fd >= 0)
                close(s->fd);
        if (s->event_fd >= 0)
                close(s->event_fd);
        free(s);
}

/* ---- JSON fields ----------------------------------------------------------------- */

static json_object *field(json_object *o, const char *key, json_type type)
{
        json_object *v = NULL;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static int64_t int_field(json_object *o, const char *key, int64_t dflt)
{
        json_object *v = field(o, key, json_type_int);

        return v ? json_object_get_int64(v) : dflt;
}

static bool bool_field(json_object *o, const char *key, bool dflt)
{
        json_object *v = field(o, key, json_type_boolean);

        return v ? json_object_get_boolean(v) : dflt;
}

static const char *string_field(json_object *o, const char *key)
{
        json_object *v = field(o, key, json_type_string);

        return v ? json_object_get_string(v) : NULL;
}

/* ---- open ------------------------------------------------------------------------ */

static int sway_open(const char *name, void **impl, struct vmodes_error *err)
{
        const char *path = name ? name : getenv("SWAYSOCK");
        json_object *version = NULL;
        struct sway *s;
        int r;

        if (!path || !*path)
                return vmodes_error_set(err, -ENXIO, "no sway session: $SWAYSOCK is not set");
        if (strlen(path) >= sizeof(s->path))
                return vmodes_error_set(err, -ENXIO, "sway's socket path ($SWAYSOCK) is longer than %zu bytes",
                                        sizeof(s->path) - 1);
        r = vmodes_json_load(err);
        if (r < 0)
                return r;
        s = calloc(1, sizeof(*s));
        if (!s)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        s->fd = s->event_fd = -1;
        snprintf(s->path, sizeof(s->path), "%s", path);
        r = sway_connect(s, &s->fd, err);
        if (r >= 0)
                r = ipc_call(s, s->fd, IPC_GET_VERSION, "", &version, err);
        if (r >= 0 && json_object_is_type(version, json_type_object)) {
                s->major = (unsigned)int_field(version, "major", 0);
                s->minor = (unsigned)int_field(version, "minor", 0);
        }
        if (version)
                json_object_put(version);
        if (r < 0) {
                char msg[sizeof(err->msg)];

                sway_free(s);
                if (r != -ECONNRESET)
                        return r;
                /* formatting err->msg into itself would overlap */
                snprintf(msg, sizeof(msg), "%s", err->msg);
                return vmodes_error_set(err, -ENXIO, "%s", msg);
        }
        *impl = s;
        return 0;
}

static const char *sway_display_name(const void *impl)
{
        const struct sway *s = impl;

        return s->path;
}

static int sway_get_fd(const void *impl)
{
        const struct sway *s = impl;

        return s->event_fd;
}

/* ---- query ----------------------------------------------------------------------- */

static void offer(struct vmodes_layout_output *o, uint32_t id)
{
        if (!id || o->n_modes >= VMODES_LAYOUT_OUTPUT_MODES_MAX)
                return;
        for (unsigned i = 0; i < o->n_modes; i++)
                if (o->modes[i] == id)
                        return;
        o->modes[o->n_modes++] = id;
}

/* The size the kernel prefers for DRM connector `name` now, from sysfs
 * (/sys/class/drm/cardN-NAME/modes lists the modes preferred first): 0,
 * or -ENOENT when no card has that connector (sway's headless or nested
 * outputs) or it lists no mode. */
static int kernel_preferred_size(const char *name, unsigned *w, unsigned *h)
{
        const char *root = "/sys/class/drm";
        struct dirent *de;
        DIR *dir;
        int r = -ENOENT;

        if (strchr(name, '/') || !(dir = opendir(root)))
                return -ENOENT;
        while (r < 0 && (de = readdir(dir))) {
                const char *dash = strchr(de->d_name, '-');
                char path[PATH_MAX], line[64] = "";
                FILE *f;

                if (strncmp(de->d_name, "card", 4) || !dash || strcmp(dash + 1, name))
                        continue;
                snprintf(path, sizeof(path), "%s/%s/modes", root, de->d_name);
                f = fopen(path, "re");
                if (!f)
                        continue;
                if (fgets(line, sizeof(line), f) && sscanf(line, "%ux%u", w, h) == 2 && *w && *h)
                        r = 0;
                fclose(f);
        }
        closedir(dir);
        return r;
}

/* Puts the kernel's preferred mode first and marks it preferred. wlroots
 * 0.15 reads a connector's modes only when it connects, and puts the custom
 * modes it registers at the front of its list: neither sway's list nor its
 * order tells the size the host asks for now (a SPICE window resized), the
 * kernel does. The rate: the highest sway lists for that size, else 60 Hz. */
static void preferred_first(struct vmodes_layout_state *st, struct vmodes_layout_output *o)
{
        unsigned w, h;
        int64_t best = 0;
        uint32_t id;

        o->n_preferred = 0;
        if (kernel_preferred_size(o->name, &w, &h) < 0)
                return;
        for (unsigned i = 0; i < o->n_modes; i++) {
                const struct vmodes_layout_smode *sm = vmodes_layout_mode_by_id(st, o->modes[i]);
                if (sm && sm->mode.hdisplay == w && sm->mode.vdisplay == h && vmodes_layout_refresh_mhz(&sm->mode) > best)
                        best = vmodes_layout_refresh_mhz(&sm->mode);
        }
        id = vmodes_layout_add_loose_mode(st, w, h, best ? best : 60000);
        if (!id)
                return;
        for (unsigned i = 0; i < o->n_modes; i++)
                if (o->modes[i] == id) {
                        memmove(&o->modes[1], &o->modes[0], i * sizeof(o->modes[0]));
                        o->modes[0] = id;
                        o->n_preferred = 1;
                        return;
                }
        if (o->n_modes >= VMODES_LAYOUT_OUTPUT_MODES_MAX)
                return;
        memmove(&o->modes[1], &o->modes[0], o->n_modes * sizeof(o->modes[0]));
        o->modes[0] = id;
        o->n_modes++;
        o->n_preferred = 1;
}

/* Output ids are 1..n in sway's order, its CRTC's id is 0x100 + the same. */
#define CRTC_BASE 0x100

static int output_from_json(struct vmodes_layout_state *st, json_object *jo, struct vmodes_error *err)
{
        struct vmodes_layout_output *o = &st->outputs[st->n_outputs];
        struct vmodes_layout_crtc *c = &st->crtcs[st->n_crtcs];
        json_object *modes = field(jo, "modes", json_type_array), *cur = field(jo, "current_mode", json_type_object);
        json_object *rect = field(jo, "rect", json_type_object);
        const char *name = string_field(jo, "name");

        if (!name || !*name || strlen(name) >= sizeof(o->name))
                return vmodes_error_set(err, -EIO, "sway lists an output without a usable name");
        memset(o, 0, sizeof(*o));
        memset(c, 0, sizeof(*c));
        o->id = st->n_outputs + 1;
        snprintf(o->name, sizeof(o->name), "%s", name);
        /* sway lists the outputs that are connected only */
        o->connection = VMODES_LAYOUT_CONNECTED;
        c->id = CRTC_BASE + o->id;
        c->rotation = VMODES_LAYOUT_ROTATE_0;
        o->n_crtcs = 1;
        o->crtcs[0] = c->id;
        for (size_t i = 0; modes && i < json_object_array_length(modes); i++) {
                json_object *m = json_object_array_get_idx(modes, i);
                offer(o, vmodes_layout_add_loose_mode(st, (unsigned)int_field(m, "width", 0), (unsigned)int_field(m, "height", 0),
                                    int_field(m, "refresh", 0)));
        }
        preferred_first(st, o);
        if (bool_field(jo, "active", false) && cur && rect) {
                uint32_t id = vmodes_layout_add_loose_mode(st, (unsigned)int_field(cur, "width", 0), (unsigned)int_field(cur, "height", 0),
                                         int_field(cur, "refresh", 0));
                if (id) {
                        offer(o, id);
                        c->mode = id;
                        c->x = (int)int_field(rect, "x", 0);
                        c->y = (int)int_field(rect, "y", 0);
                        c->width = (unsigned)int_field(cur, "width", 0);
                        c->height = (unsigned)int_field(cur, "height", 0);
                        c->n_outputs = 1;
                        c->outputs[0] = o->id;
                        o->crtc = c->id;
                }
        }
        st->n_outputs++;
        st->n_crtcs++;
        return 0;
}

static int sway_query(void *impl, struct vmodes_layout_state *st, struct vmodes_error *err)
{
        struct sway *s = impl;
        json_object *outputs = NULL;
        int r;

        memset(st, 0, sizeof(*st));
        s->stats.query_round_trips = 1;
        r = ipc_call(s, s->fd, IPC_GET_OUTPUTS, "", &outputs, err);
        if (r < 0)
                return r;
        if (!json_object_is_type(outputs, json_type_array)) {
                json_object_put(outputs);
                return vmodes_error_set(err, -EIO, "sway's GET_OUTPUTS reply is not a list");
        }
        for (size_t i = 0; r >= 0 && i < json_object_array_length(outputs); i++) {
                json_object *jo = json_object_array_get_idx(outputs, i);
                if (!json_object_is_type(jo, json_type_object))
                        continue;
                if (st->n_outputs >= VMODES_LAYOUT_OUTPUTS_MAX)
                        r = vmodes_error_set(err, -E2BIG, "sway has more than %d outputs", VMODES_LAYOUT_OUTPUTS_MAX);
                else
                        r = output_from_json(st, jo, err);
        }
        json_object_put(outputs);
        if (r < 0)
                return r;
        vmodes_layout_state_screenless(st);
        return 0;
}

/* ---- execute --------------------------------------------------------------------- */

/* What one output is to be after the plan. */
struct target {
        bool touched;
        bool lit;
        bool loose; /* a mode sway listed: chosen by size and rate */
        struct vmodes_mode mode;
        int x, y;
};

static bool no_modeline(const struct sway *s, const char *name)
{
        for (unsigned i = 0; i < s->n_no_modeline; i++)
                if (!strcmp(s->no_modeline[i], name))
                        return true;
        return false;
}

static void rate_text(char *buf, size_t size, const struct vmodes_mode *m)
{
        int32_t mhz = vmodes_layout_refresh_mhz(m);

        snprintf(buf, size, "%" PRId32 ".%03" PRId32, mhz / 1000, mhz % 1000);
}

/* The `output` command that makes output `name` what t says. */
static void output_command(const struct sway *s, char *buf, size_t size, const char *name, const struct target *t)
{
        char rate[32];
        size_t n;

        if (!t->lit) {
                snprintf(buf, size, "output \"%s\" disable", name);
                return;
        }
        rate_text(rate, sizeof(rate), &t->mode);
        if (t->loose)
                n = (size_t)snprintf(buf, size, "output \"%s\" mode %ux%u@%sHz", name, t->mode.hdisplay,
                                     t->mode.vdisplay, rate);
        else if (no_modeline(s, name))
                n = (size_t)snprintf(buf, size, "output \"%s\" mode --custom %ux%u@%sHz", name, t->mode.hdisplay,
                                     t->mode.vdisplay, rate);
        else
                n = (size_t)snprintf(buf, size, "output \"%s\" modeline %" PRIu64 ".%03" PRIu64 " %u %u %u %u %u %u %u %u %s %s",
                                     name, t->mode.clock_hz / 1000000, t->mode.clock_hz / 1000 % 1000, t->mode.hdisplay,
                                     t->mode.hsync_start, t->mode.hsync_end, t->mode.htotal, t->mode.vdisplay,
                                     t->mode.vsync_start, t->mode.vsync_end, t->mode.vtotal,
                                     t->mode.flags & VMODES_FLAG_PHSYNC ? "+hsync" : "-hsync",
                                     t->mode.flags & VMODES_FLAG_PVSYNC ? "+vsync" : "-vsync");
        /* sway 1.7 takes nothing after a modeline's 11 numbers and flags */
        if (n < size && (t->loose || no_modeline(s, name)))
                snprintf(buf + n, size - n, " pos %d %d enable", t->x, t->y);
        else if (n < size)
                snprintf(buf + n, size - n, "; output \"%s\" pos %d %d enable", name, t->x, t->y);
}

/* Runs the commands (one message); a command sway refuses is -EIO with its
 * error. */
static int run_commands(struct sway *s, const char *commands, struct vmodes_error *err)
{
        json_object *reply = NULL;
        int r;

        s->stats.execute_round_trips++;
        r = ipc_call(s, s->fd, IPC_COMMAND, commands, &reply, err);
        if (r < 0)
                return r;
        for (size_t i = 0; json_object_is_type(reply, json_type_array) && i < json_object_array_length(reply); i++) {
                json_object *res = json_object_array_get_idx(reply, i);
                const char *e = string_field(res, "error");
                if (!bool_field(res, "success", false)) {
                        r = vmodes_error_set(err, -EIO, "sway refused \"%s\": %s", commands, e ? e : "no reason given");
                        break;
                }
        }
        json_object_put(reply);
        return r;
}

static void describe_target(char *buf, size_t size, const char *name, const struct target *t)
{
        char rate[32];

        if (!t->lit) {
                snprintf(buf, size, "%s off", name);
                return;
        }
        rate_text(rate, sizeof(rate), &t->mode);
        snprintf(buf, size, "%s at %ux%u %s Hz +%d+%d", name, t->mode.hdisplay, t->mode.vdisplay, rate, t->x, t->y);
}

/* Does output o in st show what t says? */
static bool shows(const struct vmodes_layout_state *st, const char *name, const struct target *t, char *have,
                  size_t size)
{
        const struct vmodes_layout_output *o = vmodes_layout_output_by_name(st, name);
        const struct vmodes_layout_crtc *c = o && o->crtc ? vmodes_layout_crtc_by_id(st, o->crtc) : NULL;
        const struct vmodes_layout_smode *m = c ? vmodes_layout_mode_by_id(st, c->mode) : NULL;

        if (!o) {
                snprintf(have, size, "no output %s any more", name);
                return false;
        }
        describe_target(have, size, name,
                        &(struct target){ .lit = m != NULL, .mode = m ? m->mode : t->mode, .x = c ? c->x : 0, .y = c ? c->y : 0 });
        if (!m)
                return !t->lit;
        return t->lit && vmodes_layout_mode_matches(st, m, &t->mode) && c->x == t->x && c->y == t->y;
}

/* Sends the targets of the touched outputs; then reads back. On an output
 * that kept its size after a modeline (not a DRM output) the same mode goes
 * once more as `mode --custom`. 0, -EIO with err naming the first output
 * that does not show its target, or a connection error. */
static int apply_targets(struct sway *s, const struct vmodes_layout_state *st, const struct target *t,
                         struct vmodes_layout_state *now, struct vmodes_error *err)
{
        char *commands = malloc(VMODES_LAYOUT_OUTPUTS_MAX * 256);
        bool retried = false;
        int r = 0;

        if (!commands)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        for (;;) {
                size_t len = 0;

                commands[0] = '\0';
                /* outputs turned off first, then the others */
                for (int pass = 0; pass < 2; pass++)
                        for (unsigned i = 0; i < st->n_outputs; i++) {
                                if (!t[i].touched || t[i].lit != (pass == 1))
                                        continue;
                                if (len)
                                        len += (size_t)snprintf(commands + len, 256, "; ");
                                output_command(s, commands + len, 250, st->outputs[i].name, &t[i]);
                                len += strlen(commands + len);
                        }
                if (len)
                        r = run_commands(s, commands, err);
                if (r >= 0)
                        r = sway_query(s, now, err);
                if (r < 0)
                        break;
                bool again = false;
                for (unsigned i = 0; i < st->n_outputs; i++) {
                        char have[128], want[128];
                        if (!t[i].touched || shows(now, st->outputs[i].name, &t[i], have, sizeof(have)))
                                continue;
                        /* a modeline that did nothing: the output is not a DRM one */
                        if (!retried && t[i].lit && !t[i].loose && !no_modeline(s, st->outputs[i].name) &&
                            s->n_no_modeline < VMODES_LAYOUT_OUTPUTS_MAX) {
                                snprintf(s->no_modeline[s->n_no_modeline++], VMODES_LAYOUT_NAME_MAX, "%s",
                                         st->outputs[i].name);
                                again = true;
                                continue;
                        }
                        describe_target(want, sizeof(want), st->outputs[i].name, &t[i]);
                        r = vmodes_error_set(err, -EIO, "sway shows %s, not %s: it did not take the change", have, want);
                        break;
                }
                if (r < 0 || !again)
                        break;
                retried = true;
        }
        free(commands);
        return r;
}

static int sway_execute(void *impl, const struct vmodes_layout_state *st, const struct vmodes_layout_plan *plan,
                        struct vmodes_error *err)
{
        struct sway *s = impl;
        struct target t[VMODES_LAYOUT_OUTPUTS_MAX] = { 0 }, before[VMODES_LAYOUT_OUTPUTS_MAX] = { 0 };
        struct vmodes_layout_state *now = malloc(sizeof(*now));
        int r;

        if (!now)
                return vmodes_error_set(err, -ENOMEM, "out of memory");
        s->stats.execute_round_trips = 0;
        s->stats.execute_requests = 0;
        for (unsigned i = 0; i < st->n_outputs; i++) {
                const struct vmodes_layout_crtc *c = vmodes_layout_crtc_by_id(st, CRTC_BASE + st->outputs[i].id);
                const struct vmodes_layout_smode *m = c && c->mode ? vmodes_layout_mode_by_id(st, c->mode) : NULL;
                before[i] = (struct target){ .touched = true, .lit = m != NULL, .loose = m && m->loose,
                                             .mode = m ? m->mode : (struct vmodes_mode){ 0 }, .x = c ? c->x : 0,
                                             .y = c ? c->y : 0 };
                t[i] = before[i];
                t[i].touched = false;
        }
        for (unsigned k = 0; k < plan->n_ops; k++) {
                const struct vmodes_layout_op *op = &plan->ops[k];
                unsigned i = op->crtc - CRTC_BASE - 1;

                if (op->type != VMODES_OP_SET_CRTC && op->type != VMODES_OP_DISABLE_CRTC)
                        continue;
                if (op->crtc <= CRTC_BASE || i >= st->n_outputs) {
                        free(now);
                        return vmodes_error_set(err, -EINVAL, "the plan names CRTC 0x%" PRIx32 ", which sway does not have",
                                                op->crtc);
                }
                t[i].touched = true;
                t[i].lit = op->type == VMODES_OP_SET_CRTC;
                if (!t[i].lit)
                        continue;
                if (op->ref.created >= 0) {
                        t[i].mode = plan->ops[op->ref.created].mode;
                        t[i].loose = false;
                } else {
                        const struct vmodes_layout_smode *m = vmodes_layout_mode_by_id(st, op->ref.id);
                        if (!m) {
                                free(now);
                                return vmodes_error_set(err, -EINVAL, "the plan names mode %" PRIu32 ", which sway does not have",
                                                        op->ref.id);
                        }
                        t[i].mode = m->mode;
                        t[i].loose = m->loose;
                }
                if (t[i].mode.flags & (VMODES_FLAG_INTERLACE | VMODES_FLAG_DBLSCAN)) {
                        free(now);
                        return vmodes_error_set(err, -EINVAL, "sway cannot show %s: it takes no interlaced or doublescan modes",
                                                t[i].mode.name);
                }
                t[i].x = op->x;
                t[i].y = op->y;
        }
        r = apply_targets(s, st, t, now, err);
        if (r == -EIO) {
                /* put back what the plan changed */
                struct vmodes_error ignored;
                char first[sizeof(err->msg)];

                snprintf(first, sizeof(first), "%s", err->msg);
                for (unsigned i = 0; i < st->n_outputs; i++)
                        before[i].touched = t[i].touched;
                if (apply_targets(s, st, before, now, &ignored) < 0)
                        vmodes_error_set(err, -EIO, "%s; the previous layout could not be put back completely", first);
                else
                        vmodes_error_set(err, -EIO, "%s; the previous layout was put back", first);
        }
        s->stats.execute_requests = s->stats.execute_round_trips;
        free(now);
        return r;
}

/* ---- events ---------------------------------------------------------------------- */

static int sway_watch(void *impl, struct vmodes_error *err)
{
        struct sway *s = impl;
        json_object *reply = NULL;
        int r;

        if (s->event_fd >= 0)
                return 0;
        r = sway_connect(s, &s->event_fd, err);
        if (r < 0)
                return lost(s, err, ECONNREFUSED);
        r = ipc_call(s, s->event_fd, IPC_SUBSCRIBE, "[\"workspace\",\"shutdown\"]", &reply, err);
        if (r < 0)
                return r;
        r = bool_field(reply, "success", false) ? 0 : vmodes_error_set(err, -EIO, "sway refused the subscription to its events");
        json_object_put(reply);
        return r;
}

static int sway_dispatch(void *impl, bool *changed, struct vmodes_error *err)
{
        struct sway *s = impl;

        for (;;) {
                struct pollfd p = { .fd = s->event_fd, .events = POLLIN };
                uint32_t type = 0;
                char *payload = NULL;
                int r;

                if (s->event_fd < 0 || poll(&p, 1, 0) <= 0)
                        return 0;
                r = ipc_read(s, s->event_fd, &type, &payload, err);
                if (r < 0)
                        return r;
                free(payload);
                if (type == IPC_EVENT_SHUTDOWN)
                        return vmodes_error_set(err, -ECONNRESET, "sway (%s) is shutting down", s->path);
                /* a workspace made, moved or emptied: outputs may have come or gone */
                *changed = true;
        }
}

static void sway_get_caps(const void *impl, struct vmodes_display_caps *caps)
{
        const struct sway *s = impl;

        caps->create_modes = true;
        caps->version_major = s->major;
        caps->version_minor = s->minor;
        snprintf(caps->provider, sizeof(caps->provider), "sway");
}

static void sway_get_stats(const void *impl, struct vmodes_display_stats *stats)
{
        const struct sway *s = impl;

        *stats = s->stats;
}

const struct vmodes_display_ops vmodes_display_sway = {
        .name = "sway",
        .open = sway_open,
        .free = sway_free,
        .display_name = sway_display_name,
        .get_fd = sway_get_fd,
        .query = sway_query,
        .execute = sway_execute,
        .watch = sway_watch,
        .dispatch = sway_dispatch,
        .get_caps = sway_get_caps,
        .get_stats = sway_get_stats,
};
