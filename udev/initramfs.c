/* SPDX-License-Identifier: MIT */
/*
 * Is the GPU driver in the initramfs? Without it the early boot (plymouth,
 * the console) runs on the firmware framebuffer and a dracut host-only image
 * may never load it at all. The image is listed with the distribution's own
 * tool (lsinitramfs, lsinitrd, lsinitcpio), so every compression works.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "udev/util.h"
#include "udev/vmodes-udev.h"



void vmodes_initramfs_free(struct vmodes_initramfs *i)
{
        if (!i)
                return;
        free(i->image);
        free(i->checked_by);
        free(i->generator);
        free(i->fix);
        free(i);
}

static bool exists_below(const char *root, const char *path)
{
        _cleanup_(freep) char *p = NULL;

        if (asprintf(&p, "%s%s", root, path) < 0)
                return false;
        return access(p, F_OK) == 0;
}

/* ID and ID_LIKE of os-release, space separated, or "". */
static char *os_ids(const char *root)
{
        static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };
        char *ids = NULL;

        for (size_t i = 0; i < 2 && !ids; i++) {
                _cleanup_(freep) char *path = NULL, *text = NULL;
                char *save = NULL;
                size_t len = 0;

                if (asprintf(&path, "%s%s", root, files[i]) < 0 ||
                    vmodes_sysfs_read_file(path, 64 * 1024, &text) < 0)
                        continue;
                ids = calloc(1, 256);
                if (!ids)
                        return NULL;
                for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *v;
                        if (strncmp(line, "ID=", 3) && strncmp(line, "ID_LIKE=", 8))
                                continue;
                        v = strchr(line, '=') + 1;
                        if (*v == '"' || *v == '\'')
                                v++;
                        v[strcspn(v, "\"'")] = '\0';
                        len += (size_t)snprintf(ids + len, 256 - len > 0 ? 256 - len : 0, " %s ", v);
                        if (len >= 256)
                                break;
                }
        }
        return ids ? ids : strdup("");
}

static bool has_word(const char *ids, const char *w)
{
        char pat[64];

        snprintf(pat, sizeof(pat), " %s ", w);
        return strstr(ids, pat) != NULL;
}

static const char *detect_generator(const char *root)
{
        _cleanup_(freep) char *ids = NULL;

        if (exists_below(root, "/usr/sbin/update-initramfs") || exists_below(root, "/sbin/update-initramfs"))
                return "initramfs-tools";
        if (exists_below(root, "/usr/bin/dracut") || exists_below(root, "/usr/sbin/dracut"))
                return "dracut";
        if (exists_below(root, "/usr/bin/mkinitcpio"))
                return "mkinitcpio";
        ids = os_ids(root);
        if (!ids)
                return NULL;
        if (has_word(ids, "debian") || has_word(ids, "ubuntu"))
                return "initramfs-tools";
        if (has_word(ids, "fedora") || has_word(ids, "rhel") || has_word(ids, "centos") ||
            has_word(ids, "suse") || has_word(ids, "opensuse"))
                return "dracut";
        if (has_word(ids, "arch"))
                return "mkinitcpio";
        return NULL;
}

static char *fix_for(const char *generator, const char *module)
{
        char *s = NULL;
        int r = -1;

        if (!generator)
                return NULL;
        if (!strcmp(generator, "initramfs-tools"))
                r = asprintf(&s, "echo %s | sudo tee -a /etc/initramfs-tools/modules && sudo update-initramfs -u",
                             module);
        else if (!strcmp(generator, "dracut"))
                r = asprintf(&s, "echo 'force_drivers+=\" %s \"' | sudo tee /etc/dracut.conf.d/50-vmodes-%s.conf && sudo dracut -f",
                             module, module);
        else if (!strcmp(generator, "mkinitcpio"))
                r = asprintf(&s, "add %s to MODULES=(...) in /etc/mkinitcpio.conf, then: sudo mkinitcpio -P",
                             module);
        return r < 0 ? NULL : s;
}

static char *find_tool(const char *name)
{
        const char *path = getenv("PATH");
        _cleanup_(freep) char *dirs = NULL;
        char *save = NULL;

        if (asprintf(&dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "") < 0)
                return NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *p = NULL;
                if (!*d || asprintf(&p, "%s/%s", d, name) < 0)
                        continue;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

/* Does the last word of a listing line name <module>.ko[.xz|.zst|.gz]? */
static bool line_has_module(const char *line, const char *module)
{
        const char *w = strrchr(line, '/');
        size_t ml = strlen(module);

        w = w ? w + 1 : line;
        for (size_t i = 0; i < ml; i++) {
                char a = w[i] == '-' ? '_' : w[i], b = module[i] == '-' ? '_' : module[i];
                if (!w[i] || a != b)
                        return false;
        }
        w += ml;
        return !strcmp(w, ".ko") || !strcmp(w, ".ko.xz") || !strcmp(w, ".ko.zst") || !strcmp(w, ".ko.gz");
}

/* Runs tool image, reads its listing: 1 found, 0 not found, <0 error. */
static int list_image(const char *tool, const char *image, const char *module)
{
        int pipefd[2], status, found = 0;
        FILE *f;
        pid_t pid;
        char line[4096];

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                close(pipefd[0]);
                close(pipefd[1]);
                return -errno;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                dup2(pipefd[1], STDOUT_FILENO);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                execl(tool, tool, image, (char *)NULL);
                _exit(127); /* layering: the child after fork, when exec failed */
        }
        close(pipefd[1]);
        f = fdopen(pipefd[0], "r");
        if (!f) {
                close(pipefd[0]);
                kill(pid, SIGTERM);
                waitpid(pid, NULL, 0);
                return -ENOMEM;
        }
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                if (!found && line_has_module(line, module))
                        found = 1;
        }
        fclose(f);
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return found ? 1 : -EIO;
        return found;
}

int vmodes_initramfs_check(const char *root, const char *kver, const char *module,
                           struct vmodes_initramfs **out)
{
        static const struct { const char *prefix, *suffix; } images[] = {
                { "/boot/initrd.img-", "" },  /* Debian, Ubuntu */
                { "/boot/initramfs-", ".img" }, /* Fedora, RHEL */
                { "/boot/initrd-", "" },      /* SUSE */
        };
        static const struct { const char *generator, *tool; } listers[] = {
                { "initramfs-tools", "lsinitramfs" }, { "dracut", "lsinitrd" }, { "mkinitcpio", "lsinitcpio" },
        };
        struct vmodes_initramfs *i;
        _cleanup_(freep) char *tool = NULL;
        const char *generator;
        int r;

        if (!root || !strcmp(root, "/"))
                root = "";
        if (!kver || !module || strchr(kver, '/'))
                return -EINVAL;
        i = calloc(1, sizeof(*i));
        if (!i)
                return -ENOMEM;
        i->included = -1;
        generator = detect_generator(root);
        if (generator && !(i->generator = strdup(generator)))
                goto oom;
        i->fix = fix_for(generator, module);

        for (size_t n = 0; n < ELEMENTSOF(images) && !i->image; n++) {
                _cleanup_(freep) char *path = NULL;
                if (asprintf(&path, "%s%s%s%s", root, images[n].prefix, kver, images[n].suffix) < 0)
                        goto oom;
                if (access(path, F_OK) == 0) {
                        i->image = path;
                        path = NULL;
                }
        }
        if (!i->image) {
                *out = i;
                return 0;
        }
        if (access(i->image, R_OK) < 0) {
                r = asprintf(&i->checked_by, "not checked: %s is readable only by root", i->image);
                goto done;
        }
        for (size_t n = 0; n < ELEMENTSOF(listers) && !tool; n++)
                if (!generator || !strcmp(generator, listers[n].generator))
                        tool = find_tool(listers[n].tool);
        if (!tool) {
                r = asprintf(&i->checked_by, "not checked: no %s to list the image",
                             generator && !strcmp(generator, "dracut") ? "lsinitrd"
                             : generator && !strcmp(generator, "mkinitcpio") ? "lsinitcpio" : "lsinitramfs");
                goto done;
        }
        r = list_image(tool, i->image, module);
        if (r >= 0) {
                i->included = r;
                r = asprintf(&i->checked_by, "%s %s", strrchr(tool, '/') + 1, i->image);
        } else {
                r = asprintf(&i->checked_by, "not checked: %s %s failed", strrchr(tool, '/') + 1, i->image);
        }
done:
        if (r < 0) {
                i->checked_by = NULL;
                goto oom;
        }
        *out = i;
        return 0;
oom:
        vmodes_initramfs_free(i);
        return -ENOMEM;
}
