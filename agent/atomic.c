/* SPDX-License-Identifier: MIT */
/* Crash-safe replacement of state files (see atomic.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/atomic.h"

static int split_path(const char *path, char *dir, size_t dlen, char *base, size_t blen)
{
        const char *slash = strrchr(path, '/');

        if (!*path || (slash && !slash[1]))
                return -EINVAL;
        if (!slash) {
                snprintf(dir, dlen, ".");
                if ((size_t)snprintf(base, blen, "%s", path) >= blen)
                        return -ENAMETOOLONG;
                return 0;
        }
        if ((size_t)(slash - path) + 1 >= dlen || strlen(slash + 1) >= blen)
                return -ENAMETOOLONG;
        if (slash == path)
                snprintf(dir, dlen, "/");
        else
                snprintf(dir, dlen, "%.*s", (int)(slash - path), path);
        snprintf(base, blen, "%s", slash + 1);
        return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
        const char *p = data;

        while (len) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

int vmodes_atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool keep_old)
{
        char dir[PATH_MAX], base[NAME_MAX + 1], tmp[PATH_MAX], old[PATH_MAX], oldtmp[PATH_MAX];
        int fd = -1, dfd = -1, r;

        r = split_path(path, dir, sizeof(dir), base, sizeof(base));
        if (r < 0)
                return r;
        /* Fixed temp names: one writer (the daemon owning its bus name);
         * a leftover from a killed writer is simply reused. No ".conf"
         * suffix, so X never reads a temp file from xorg.conf.d. */
        if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, base) >= sizeof(tmp) ||
            (size_t)snprintf(old, sizeof(old), "%s.old", path) >= sizeof(old) ||
            (size_t)snprintf(oldtmp, sizeof(oldtmp), "%s/.%s.old.tmp", dir, base) >= sizeof(oldtmp))
                return -ENAMETOOLONG;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) {
                r = -errno;
                goto out;
        }
        if (fchmod(fd, mode) < 0 || (r = write_all(fd, data, len)) < 0 || fsync(fd) < 0) {
                r = r < 0 ? r : -errno;
                goto fail;
        }
        if (close(fd) < 0) {
                fd = -1;
                r = -errno;
                goto fail;
        }
        fd = -1;
        if (keep_old) {
                /* the current version becomes .old: link it under a temp
                 * name, then rename, so .old is never missing or partial */
                (void)unlink(oldtmp);
                if (link(path, oldtmp) == 0) {
                        if (rename(oldtmp, old) < 0) {
                                r = -errno;
                                (void)unlink(oldtmp);
                                goto fail;
                        }
                } else if (errno != ENOENT) {
                        r = -errno;
                        goto fail;
                }
        }
        if (rename(tmp, path) < 0) {
                r = -errno;
                goto fail;
        }
        r = fsync(dfd) < 0 ? -errno : 0;
        goto out;
fail:
        (void)unlink(tmp);
out:
        if (fd >= 0)
                close(fd);
        close(dfd);
        return r;
}

int vmodes_atomic_read(const char *path, size_t max, char **out, size_t *len)
{
        char *buf = NULL;
        size_t n = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        buf = malloc(max + 2);
        if (!buf) {
                close(fd);
                return -ENOMEM;
        }
        for (;;) {
                ssize_t k = read(fd, buf + n, max + 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
                if (n > max) {
                        r = -EFBIG;
                        break;
                }
        }
        close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[n] = '\0';
        *out = buf;
        if (len)
                *len = n;
        return 0;
}
