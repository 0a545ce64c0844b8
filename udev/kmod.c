/* SPDX-License-Identifier: MIT */
/*
 * The kernel module that drives a virtual GPU: is it there, is it loaded,
 * does the admin keep it out, and loading it the way modprobe would
 * (dependencies, soft dependencies, options and install commands from
 * modprobe.d, all through libkmod).
 *
 * Every path is taken below an optional root, so tests can hand libkmod a
 * fake /lib/modules tree and modprobe.d without touching the running system.
 */
#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libkmod.h>

#include "udev/util.h"
#include "udev/vmodes-udev.h"


/* libkmod is loaded when the first struct vmodes_kmod is made, not when the
 * program starts: it pulls in libcrypto, whose dynamic linking was most of
 * the start of every vmodes command (5.5 of 7.8 million instructions), and
 * only `vmodes status` and vmodesd look at modules. The prototypes come from
 * libkmod.h, so the compiler checks every call. */
#define LIBKMOD_SONAME "libkmod.so.2"
#define KMOD_SYMBOLS(X) \
        X(kmod_new) \
        X(kmod_unref) \
        X(kmod_set_log_fn) \
        X(kmod_list_next) \
        X(kmod_module_new_from_lookup) \
        X(kmod_module_new_from_name) \
        X(kmod_module_get_module) \
        X(kmod_module_get_name) \
        X(kmod_module_get_path) \
        X(kmod_module_get_install_commands) \
        X(kmod_module_get_options) \
        X(kmod_module_get_initstate) \
        X(kmod_module_probe_insert_module) \
        X(kmod_module_unref) \
        X(kmod_module_unref_list) \
        X(kmod_config_get_blacklists) \
        X(kmod_config_iter_next) \
        X(kmod_config_iter_get_key) \
        X(kmod_config_iter_free_iter)

#define SYMBOL_POINTER(f) static typeof(f) *sym_##f;
KMOD_SYMBOLS(SYMBOL_POINTER)
#undef SYMBOL_POINTER

/* libkmod.h's kmod_list_foreach, through the loaded library */
#define list_foreach(entry, first) \
        for (entry = (first); entry != NULL; entry = sym_kmod_list_next((first), entry))

/* 0 once libkmod is loaded; -ELIBACC when it cannot be, -ELIBBAD when it
 * lacks a function. The library stays loaded. */
static int libkmod_load(void)
{
        static int loaded; /* 1 yes, negative errno: failed before */
        void *dl;

        if (loaded)
                return loaded > 0 ? 0 : loaded;
        dl = dlopen(LIBKMOD_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return loaded = -ELIBACC;
#define SYMBOL_LOAD(f) \
        if (!(*(void **)&sym_##f = dlsym(dl, #f))) { \
                dlclose(dl); \
                return loaded = -ELIBBAD; \
        }
        KMOD_SYMBOLS(SYMBOL_LOAD)
#undef SYMBOL_LOAD
        loaded = 1;
        return 0;
}

struct vmodes_kmod {
        struct kmod_ctx *ctx;
        char *root;        /* "" for the running system */
        char *kver;
        char *module_dir;
        char *config_dirs[5];
        char *cmdline;     /* the kernel command line, "" if unreadable */
};


static void kmod_module_unref_listp(struct kmod_list **l)
{
        if (*l)
                sym_kmod_module_unref_list(*l);
}

static void kmod_module_unrefp(struct kmod_module **m)
{
        if (*m)
                sym_kmod_module_unref(*m);
}

static void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

/* libkmod's own messages would reach the user's terminal unasked. */
static void kmod_log_quiet(void *data, int priority, const char *file, int line, const char *fn,
                           const char *format, va_list args)
{
}

static char *path_join(const char *root, const char *path)
{
        char *p = NULL;

        if (asprintf(&p, "%s%s", root, path) < 0)
                return NULL;
        return p;
}

static char *read_cmdline(const char *root)
{
        _cleanup_(freep) char *path = path_join(root, "/proc/cmdline");
        char *s = NULL;

        if (!path || vmodes_sysfs_read_file(path, 64 * 1024, &s) < 0)
                return strdup("");
        for (char *p = s; *p; p++)
                if (*p == '\n' || *p == '\t')
                        *p = ' ';
        return s;
}

int vmodes_kmod_new(struct vmodes_kmod **out, const struct vmodes_kmod_options *options)
{
        static const char *const dirs[] = {
                "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d",
        };
        struct vmodes_kmod *k;
        struct utsname u;
        const char *root = options && options->root ? options->root : "";
        int r;

        r = libkmod_load();
        if (r < 0)
                return r;
        r = -ENOMEM;
        k = calloc(1, sizeof(*k));
        if (!k)
                return -ENOMEM;
        /* "/" and "" both mean the running system */
        k->root = strdup(strcmp(root, "/") ? root : "");
        if (!k->root)
                goto fail;
        if (k->root[0]) {
                size_t l = strlen(k->root);
                while (l > 1 && k->root[l - 1] == '/')
                        k->root[--l] = '\0';
        }
        if (options && options->kernel_release) {
                if (!*options->kernel_release || strchr(options->kernel_release, '/')) {
                        r = -EINVAL;
                        goto fail;
                }
                k->kver = strdup(options->kernel_release);
        } else {
                if (uname(&u) < 0) {
                        r = -errno;
                        goto fail;
                }
                k->kver = strdup(u.release);
        }
        if (!k->kver)
                goto fail;
        if (asprintf(&k->module_dir, "%s/lib/modules/%s", k->root, k->kver) < 0) {
                k->module_dir = NULL;
                goto fail;
        }
        for (size_t i = 0; i < 4; i++)
                if (!(k->config_dirs[i] = path_join(k->root, dirs[i])))
                        goto fail;
        k->cmdline = read_cmdline(k->root);
        if (!k->cmdline)
                goto fail;

        k->ctx = sym_kmod_new(k->module_dir, (const char *const *)k->config_dirs);
        if (!k->ctx)
                goto fail;
        sym_kmod_set_log_fn(k->ctx, kmod_log_quiet, NULL);
        *out = k;
        return 0;
fail:
        vmodes_kmod_free(k);
        return r;
}

void vmodes_kmod_free(struct vmodes_kmod *k)
{
        if (!k)
                return;
        if (k->ctx)
                sym_kmod_unref(k->ctx);
        free(k->root);
        free(k->kver);
        free(k->module_dir);
        for (size_t i = 0; i < 4; i++)
                free(k->config_dirs[i]);
        free(k->cmdline);
        free(k);
}

const char *vmodes_kmod_get_kernel_release(const struct vmodes_kmod *k)
{
        return k->kver;
}

const char *vmodes_kmod_get_module_dir(const struct vmodes_kmod *k)
{
        return k->module_dir;
}

const char *vmodes_kmod_get_root(const struct vmodes_kmod *k)
{
        return k->root;
}

const char *vmodes_module_state_to_string(enum vmodes_module_state s)
{
        switch (s) {
        case VMODES_MODULE_LOADED: return "loaded";
        case VMODES_MODULE_BUILTIN: return "builtin";
        case VMODES_MODULE_AVAILABLE: return "available";
        case VMODES_MODULE_BLACKLISTED: return "blacklisted";
        case VMODES_MODULE_DISABLED: return "disabled";
        case VMODES_MODULE_MISSING: return "missing";
        case VMODES_MODULE_UNKNOWN: break;
        }
        return "unknown";
}

const char *vmodes_module_action_to_string(enum vmodes_module_action a)
{
        switch (a) {
        case VMODES_ACTION_NONE: return "none";
        case VMODES_ACTION_LOAD: return "load";
        case VMODES_ACTION_REFUSE_BLACKLIST: return "refuse-blacklisted";
        case VMODES_ACTION_REFUSE_MISSING: return "refuse-missing";
        case VMODES_ACTION_INVESTIGATE: return "investigate";
        }
        return "unknown";
}

void vmodes_module_info_free(struct vmodes_module_info *info)
{
        if (!info)
                return;
        free(info->name);
        free(info->path);
        free(info->install_command);
        free(info->options);
        for (size_t i = 0; i < info->n_blacklist; i++) {
                free(info->blacklist[i].file);
                free(info->blacklist[i].text);
        }
        free(info->blacklist);
        free(info->nomodeset_arg);
        free(info);
}

/* Module names compare with '-' and '_' as one character, as the kernel does. */
static bool modname_eq(const char *a, size_t alen, const char *b)
{
        size_t blen = strlen(b);

        if (alen != blen)
                return false;
        for (size_t i = 0; i < alen; i++) {
                char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
                if (x != y)
                        return false;
        }
        return true;
}

static int add_blacklist(struct vmodes_module_info *info, const char *file, unsigned line,
                         const char *text)
{
        struct vmodes_blacklist_entry *n;

        if (info->n_blacklist >= 32)
                return 0;
        n = realloc(info->blacklist, (info->n_blacklist + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        info->blacklist = n;
        n = &n[info->n_blacklist];
        n->file = file ? strdup(file) : NULL;
        n->line = line;
        n->text = strdup(text);
        if ((file && !n->file) || !n->text) {
                free(n->file);
                free(n->text);
                return -ENOMEM;
        }
        info->n_blacklist++;
        return 0;
}

/* "/bin/false", "/bin/true" and friends: an install rule that disables. */
static bool command_disables(const char *cmd)
{
        static const char *const disablers[] = {
                "/bin/false", "/bin/true", "/usr/bin/false", "/usr/bin/true", "false", "true",
        };
        size_t l;

        while (isspace((unsigned char)*cmd))
                cmd++;
        l = strlen(cmd);
        while (l > 0 && isspace((unsigned char)cmd[l - 1]))
                l--;
        for (size_t i = 0; i < ELEMENTSOF(disablers); i++)
                if (strlen(disablers[i]) == l && !strncmp(cmd, disablers[i], l))
                        return true;
        return false;
}

static int filename_compare(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Scans one modprobe.d file for "blacklist NAME" and disabling "install NAME". */
static int scan_config_file(const char *path, const char *name, struct vmodes_module_info *info)
{
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        char buf[1024];
        unsigned line = 0;
        int r;

        if (!f)
                return 0;
        while (fgets(buf, sizeof(buf), f)) {
                char *p = buf, *word, *arg;
                size_t wl, al;

                line++;
                buf[strcspn(buf, "\n")] = '\0';
                while (isspace((unsigned char)*p))
                        p++;
                if (*p == '#' || !*p)
                        continue;
                word = p;
                wl = strcspn(word, " \t");
                arg = word + wl;
                while (isspace((unsigned char)*arg))
                        arg++;
                al = strcspn(arg, " \t");
                if (wl == 9 && !strncmp(word, "blacklist", 9) && modname_eq(arg, al, name)) {
                        if ((r = add_blacklist(info, path, line, p)) < 0)
                                return r;
                } else if (wl == 7 && !strncmp(word, "install", 7) && modname_eq(arg, al, name) &&
                           command_disables(arg + al)) {
                        if ((r = add_blacklist(info, path, line, p)) < 0)
                                return r;
                }
        }
        return 0;
}

/* modprobe.d semantics: a file name in an earlier folder hides the same name
 * in later ones; files are read in name order. */
static int scan_config(const struct vmodes_kmod *k, const char *name, struct vmodes_module_info *info)
{
        char *seen[256];
        size_t n_seen = 0;
        int r = 0;

        for (size_t i = 0; i < 4 && r == 0; i++) {
                DIR *d = opendir(k->config_dirs[i]);
                char *names[256];
                size_t n = 0;
                struct dirent *de;

                if (!d)
                        continue;
                while ((de = readdir(d)) && n < 256) {
                        size_t l = strlen(de->d_name);
                        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".conf"))
                                continue;
                        if (!(names[n] = strdup(de->d_name)))
                                break;
                        n++;
                }
                closedir(d);
                qsort(names, n, sizeof(*names), filename_compare);
                for (size_t j = 0; j < n; j++) {
                        bool hidden = false;
                        for (size_t s = 0; s < n_seen; s++)
                                if (!strcmp(seen[s], names[j]))
                                        hidden = true;
                        if (!hidden && r == 0) {
                                _cleanup_(freep) char *path = NULL;
                                if (asprintf(&path, "%s/%s", k->config_dirs[i], names[j]) < 0)
                                        r = -ENOMEM;
                                else
                                        r = scan_config_file(path, name, info);
                        }
                        if (!hidden && n_seen < 256)
                                seen[n_seen++] = names[j];
                        else
                                free(names[j]);
                }
        }
        for (size_t s = 0; s < n_seen; s++)
                free(seen[s]);
        return r;
}

/* Kernel command line words that keep the module out or off. */
static int scan_cmdline(const struct vmodes_kmod *k, const char *name, struct vmodes_module_info *info)
{
        const char *p = k->cmdline;
        size_t nl = strlen(name);
        int r;

        while (*p) {
                size_t wl;
                const char *w;

                while (*p == ' ')
                        p++;
                w = p;
                wl = strcspn(w, " ");
                p += wl;
                if (!wl)
                        continue;
                if ((wl > 19 && !strncmp(w, "modprobe.blacklist=", 19)) ||
                    (wl > 17 && !strncmp(w, "module_blacklist=", 17))) {
                        const char *list = strchr(w, '=') + 1;
                        while (list < w + wl) {
                                size_t il = strcspn(list, ", ");
                                if (il > (size_t)(w + wl - list))
                                        il = (size_t)(w + wl - list);
                                if (modname_eq(list, il, name)) {
                                        _cleanup_(freep) char *word = strndup(w, wl);
                                        if (!word || (r = add_blacklist(info, NULL, 0, word)) < 0)
                                                return -ENOMEM;
                                        break;
                                }
                                list += il + 1;
                        }
                } else if ((wl == 9 && !strncmp(w, "nomodeset", 9)) ||
                           (wl == nl + 10 && modname_eq(w, nl, name) && !strncmp(w + nl, ".modeset=0", 10))) {
                        info->nomodeset = true;
                        free(info->nomodeset_arg);
                        info->nomodeset_arg = strndup(w, wl);
                        if (!info->nomodeset_arg)
                                return -ENOMEM;
                }
        }
        return 0;
}

/* The module for dev: what its modalias resolves to (preferring the name we
 * expect), or the expected name when nothing resolves. */
static int find_module(struct vmodes_kmod *k, const struct vmodes_device *dev, struct kmod_module **out)
{
        _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
        struct kmod_list *l;
        struct kmod_module *pick = NULL;
        int r;

        if (dev->modalias) {
                r = sym_kmod_module_new_from_lookup(k->ctx, dev->modalias, &list);
                if (r < 0 && r != -ENOSYS && r != -ENOENT)
                        return r;
                list_foreach(l, list) {
                        struct kmod_module *m = sym_kmod_module_get_module(l);
                        const char *n = sym_kmod_module_get_name(m);
                        if (!pick || modname_eq(n, strlen(n), dev->type->module)) {
                                if (pick)
                                        sym_kmod_module_unref(pick);
                                pick = m;
                        } else {
                                sym_kmod_module_unref(m);
                        }
                }
        }
        if (!pick) {
                r = sym_kmod_module_new_from_name(k->ctx, dev->type->module, &pick);
                if (r < 0)
                        return r;
        }
        *out = pick;
        return 0;
}

static bool config_blacklists(const struct vmodes_kmod *k, const char *name)
{
        struct kmod_config_iter *it = sym_kmod_config_get_blacklists(k->ctx);
        bool found = false;

        if (!it)
                return false;
        while (sym_kmod_config_iter_next(it))
                if (modname_eq(sym_kmod_config_iter_get_key(it), strlen(sym_kmod_config_iter_get_key(it)), name))
                        found = true;
        sym_kmod_config_iter_free_iter(it);
        return found;
}

int vmodes_kmod_inspect(struct vmodes_kmod *k, const struct vmodes_device *dev,
                        struct vmodes_module_info **out)
{
        _cleanup_(vmodes_module_info_freep) struct vmodes_module_info *info = NULL;
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
        const char *s;
        int r, state;
        bool disabled = false;

        if (!dev->type)
                return -EOPNOTSUPP;
        info = calloc(1, sizeof(*info));
        if (!info)
                return -ENOMEM;
        r = find_module(k, dev, &mod);
        if (r < 0)
                return r;
        info->name = strdup(sym_kmod_module_get_name(mod));
        if (!info->name)
                return -ENOMEM;
        if ((s = sym_kmod_module_get_path(mod)) && !(info->path = strdup(s)))
                return -ENOMEM;
        if ((s = sym_kmod_module_get_install_commands(mod))) {
                if (!(info->install_command = strdup(s)))
                        return -ENOMEM;
                disabled = command_disables(s);
        }
        if ((s = sym_kmod_module_get_options(mod)) && *s) {
                size_t l;
                if (!(info->options = strdup(s)))
                        return -ENOMEM;
                l = strlen(info->options);
                while (l > 0 && isspace((unsigned char)info->options[l - 1]))
                        info->options[--l] = '\0';
        }
        if ((r = scan_config(k, info->name, info)) < 0 || (r = scan_cmdline(k, info->name, info)) < 0)
                return r;

        state = sym_kmod_module_get_initstate(mod);
        if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING)
                info->state = VMODES_MODULE_LOADED;
        else if (state != KMOD_MODULE_BUILTIN && dev->driver &&
                 modname_eq(dev->driver, strlen(dev->driver), info->name))
                info->state = VMODES_MODULE_LOADED; /* its driver is bound: it is in the kernel */
        else if (state == KMOD_MODULE_BUILTIN)
                info->state = VMODES_MODULE_BUILTIN;
        else if (!info->path && !disabled)
                info->state = VMODES_MODULE_MISSING;
        else if (disabled)
                info->state = VMODES_MODULE_DISABLED;
        else if (info->n_blacklist > 0 || config_blacklists(k, info->name))
                info->state = VMODES_MODULE_BLACKLISTED;
        else
                info->state = VMODES_MODULE_AVAILABLE;

        if (dev->driver)
                info->action = VMODES_ACTION_NONE;
        else if (info->state == VMODES_MODULE_LOADED || info->state == VMODES_MODULE_BUILTIN ||
                 info->nomodeset)
                info->action = VMODES_ACTION_INVESTIGATE;
        else if (info->state == VMODES_MODULE_AVAILABLE)
                info->action = VMODES_ACTION_LOAD;
        else if (info->state == VMODES_MODULE_MISSING)
                info->action = VMODES_ACTION_REFUSE_MISSING;
        else
                info->action = VMODES_ACTION_REFUSE_BLACKLIST;

        *out = info;
        info = NULL;
        return 0;
}

/* libkmod's print_action callback has no user data: keep it per thread. */
static __thread vmodes_kmod_step_fn step_fn;
static __thread void *step_data;

static void print_action(struct kmod_module *m, bool install, const char *options)
{
        char *line = NULL;
        int r;

        if (!step_fn)
                return;
        if (install)
                r = asprintf(&line, "install %s", options ? options : "");
        else
                r = asprintf(&line, "insmod %s%s%s", sym_kmod_module_get_path(m) ? sym_kmod_module_get_path(m)
                                                                            : sym_kmod_module_get_name(m),
                             options && *options ? " " : "", options ? options : "");
        if (r >= 0) {
                size_t l = strlen(line);
                while (l > 0 && isspace((unsigned char)line[l - 1]))
                        line[--l] = '\0';
        }
        if (r < 0)
                return;
        step_fn(step_data, line);
        free(line);
}

static int probe(struct kmod_module *mod, unsigned probe_flags)
{
        int r = sym_kmod_module_probe_insert_module(mod, probe_flags, NULL, NULL, NULL, print_action);

        if (r > 0)
                return -ECANCELED; /* blacklisted */
        return r;
}

int vmodes_kmod_load(struct vmodes_kmod *k, const struct vmodes_device *dev, unsigned flags,
                     vmodes_kmod_step_fn step, void *userdata)
{
        _cleanup_(vmodes_module_info_freep) struct vmodes_module_info *info = NULL;
        _cleanup_(kmod_module_unrefp) struct kmod_module *mod = NULL;
        unsigned probe_flags = 0;
        bool force = flags & VMODES_LOAD_FORCE, dry = flags & VMODES_LOAD_DRY_RUN;
        int r;

        r = vmodes_kmod_inspect(k, dev, &info);
        if (r < 0)
                return r;
        switch (info->action) {
        case VMODES_ACTION_NONE:
                return 0;
        case VMODES_ACTION_REFUSE_MISSING:
                return -ENOENT;
        case VMODES_ACTION_REFUSE_BLACKLIST:
                if (!force)
                        return -ECANCELED;
                break;
        case VMODES_ACTION_INVESTIGATE:
                /* already in the kernel, or refused by nomodeset: loading again changes nothing */
                if (info->state == VMODES_MODULE_LOADED || info->state == VMODES_MODULE_BUILTIN)
                        return -EALREADY;
                if (!force)
                        return -ENODEV;
                break;
        case VMODES_ACTION_LOAD:
                break;
        }
        if (!dry && geteuid() != 0)
                return -EPERM;

        if (dry)
                probe_flags |= KMOD_PROBE_DRY_RUN;
        if (!force)
                probe_flags |= KMOD_PROBE_APPLY_BLACKLIST;
        else if (info->state == VMODES_MODULE_DISABLED)
                probe_flags |= KMOD_PROBE_IGNORE_COMMAND;

        step_fn = step;
        step_data = userdata;

        /* virtio-gpu sits on a virtio device that only exists once the PCI
         * function has its virtio-pci driver: load that first. */
        if (dev->type->kind == VMODES_GPU_VIRTIO && !dev->pci_driver && dev->pci_modalias) {
                _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
                struct kmod_list *l;

                r = sym_kmod_module_new_from_lookup(k->ctx, dev->pci_modalias, &list);
                if (r >= 0)
                        list_foreach(l, list) {
                                struct kmod_module *m = sym_kmod_module_get_module(l);
                                r = probe(m, probe_flags);
                                sym_kmod_module_unref(m);
                                if (r < 0)
                                        goto out;
                        }
        }

        r = find_module(k, dev, &mod);
        if (r < 0)
                goto out;
        r = probe(mod, probe_flags);
out:
        step_fn = NULL;
        step_data = NULL;
        return r;
}
