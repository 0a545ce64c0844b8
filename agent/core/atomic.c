/* SPDX-License-Identifier: MIT */
/* Crash-safe replacement of state files (see atomic.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/core/atomic.h"

#define TXN_FILES_MAX 8

struct txn_file {
        char path[PATH_MAX];
        char tmp[PATH_MAX];     /* the new content (writes) */
        char prev[PATH_MAX];    /* hard link of the current version */
        char old[PATH_MAX];     /* path.old (keep_old) */
        char oldprev[PATH_MAX]; /* hard link of the current path.old */
        int dfd;
        bool remove, keep_old;
        bool has_tmp, has_prev, has_oldprev;
        bool renamed, rotated;  /* commit progress */
};

struct vmodes_atomic_txn {
        unsigned n;
        bool committed;
        struct txn_file f[TXN_FILES_MAX];
};

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

/* Hard link of src under a temp name (replacing any stale one); 0 when
 * there is nothing to link (src missing or a folder), 1 when linked. */
static int link_temp(const char *src, const char *tmp)
{
        struct stat st;

        if (unlink(tmp) < 0 && errno != ENOENT)
                return -errno;
        if (lstat(src, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode))
                return 0; /* the rename over it fails and names it */
        return link(src, tmp) < 0 ? -errno : 1;
}

/* Names, folder and the links of the current versions of one file. */
static int file_init(struct txn_file *f, const char *path, bool keep_old)
{
        char dir[PATH_MAX], base[NAME_MAX + 1];
        int r;

        f->dfd = -1;
        r = split_path(path, dir, sizeof(dir), base, sizeof(base));
        if (r < 0)
                return r;
        if ((size_t)snprintf(f->path, sizeof(f->path), "%s", path) >= sizeof(f->path) ||
            (size_t)snprintf(f->tmp, sizeof(f->tmp), "%s/.%s.tmp", dir, base) >= sizeof(f->tmp) ||
            (size_t)snprintf(f->prev, sizeof(f->prev), "%s/.%s.prev.tmp", dir, base) >= sizeof(f->prev) ||
            (size_t)snprintf(f->old, sizeof(f->old), "%s.old", path) >= sizeof(f->old) ||
            (size_t)snprintf(f->oldprev, sizeof(f->oldprev), "%s/.%s.old.prev.tmp", dir, base) >= sizeof(f->oldprev))
                return -ENAMETOOLONG;
        f->keep_old = keep_old;
        f->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (f->dfd < 0)
                return -errno;
        r = link_temp(path, f->prev);
        if (r < 0)
                return r;
        f->has_prev = r > 0;
        if (keep_old && f->has_prev) {
                r = link_temp(f->old, f->oldprev);
                if (r < 0)
                        return r;
                f->has_oldprev = r > 0;
        }
        return 0;
}

static void file_cleanup(struct txn_file *f)
{
        if (f->has_tmp)
                (void)unlink(f->tmp);
        if (f->has_prev)
                (void)unlink(f->prev);
        if (f->has_oldprev)
                (void)unlink(f->oldprev);
        f->has_tmp = f->has_prev = f->has_oldprev = false;
        if (f->dfd >= 0)
                close(f->dfd);
        f->dfd = -1;
}

int vmodes_atomic_txn_new(struct vmodes_atomic_txn **out)
{
        *out = calloc(1, sizeof(**out));
        return *out ? 0 : -ENOMEM;
}

void vmodes_atomic_txn_free(struct vmodes_atomic_txn *t)
{
        if (!t)
                return;
        for (unsigned i = 0; i < t->n; i++)
                file_cleanup(&t->f[i]);
        free(t);
}

static struct txn_file *txn_add(struct vmodes_atomic_txn *t)
{
        struct txn_file *f;

        if (t->committed || t->n >= TXN_FILES_MAX)
                return NULL;
        f = &t->f[t->n++];
        memset(f, 0, sizeof(*f));
        f->dfd = -1;
        return f;
}

static int write_temp(struct txn_file *f, const void *data, size_t len, mode_t mode)
{
        int fd, r;

        /* a stale temp file (or a symlink planted under its name) goes first */
        if (unlink(f->tmp) < 0 && errno != ENOENT)
                return -errno;
        fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        f->has_tmp = true;
        r = 0;
        if (fchmod(fd, mode) < 0 || (r = write_all(fd, data, len)) < 0 || fsync(fd) < 0)
                r = r < 0 ? r : -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

int vmodes_atomic_txn_write(struct vmodes_atomic_txn *t, const char *path, const void *data, size_t len,
                            mode_t mode, bool keep_old)
{
        struct txn_file *f = txn_add(t);
        int r;

        if (!f)
                return -E2BIG;
        r = file_init(f, path, keep_old);
        if (r == 0)
                r = write_temp(f, data, len, mode);
        if (r < 0) {
                file_cleanup(f);
                t->n--;
        }
        return r;
}

int vmodes_atomic_txn_remove(struct vmodes_atomic_txn *t, const char *path)
{
        struct txn_file *f = txn_add(t);
        int r;

        if (!f)
                return -E2BIG;
        f->remove = true;
        r = file_init(f, path, false);
        if (r < 0) {
                file_cleanup(f);
                t->n--;
        }
        return r;
}

/* Put one file back as it was before the commit started. */
static void file_undo(struct txn_file *f)
{
        if (f->rotated) {
                /* path.old holds the version before: move it back, then
                 * the .old before that */
                if (rename(f->old, f->path) == 0) {
                        if (f->has_oldprev && rename(f->oldprev, f->old) == 0)
                                f->has_oldprev = false;
                }
                f->has_prev = false;
        } else if (f->renamed) {
                if (f->has_prev) {
                        if (rename(f->prev, f->path) == 0)
                                f->has_prev = false;
                } else if (!f->remove)
                        (void)unlink(f->path);
        }
        f->renamed = f->rotated = false;
}

static int file_apply(struct txn_file *f)
{
        if (f->remove) {
                if (f->has_prev && unlink(f->path) < 0)
                        return -errno;
        } else {
                if (rename(f->tmp, f->path) < 0)
                        return -errno;
                f->has_tmp = false;
        }
        f->renamed = true;
        return 0;
}

int vmodes_atomic_txn_commit(struct vmodes_atomic_txn *t, const char **failed)
{
        unsigned i;
        int r = 0;

        if (t->committed)
                return -EALREADY;
        t->committed = true;
        for (i = 0; i < t->n && r == 0; i++) {
                r = file_apply(&t->f[i]);
                if (r < 0 && failed)
                        *failed = t->f[i].path;
        }
        /* the replaced versions become .old (prev is a complete file) */
        for (i = 0; i < t->n && r == 0; i++) {
                struct txn_file *f = &t->f[i];
                if (!f->keep_old || !f->has_prev)
                        continue;
                if (rename(f->prev, f->old) < 0) {
                        r = -errno;
                        if (failed)
                                *failed = f->old;
                        break;
                }
                f->rotated = true;
        }
        if (r < 0) {
                for (i = t->n; i-- > 0;)
                        file_undo(&t->f[i]);
                return r;
        }
        /* done: every file is in place (the folders' fsync makes it
         * durable; it failing cannot undo the renames, so it is no error) */
        for (i = 0; i < t->n; i++) {
                struct txn_file *f = &t->f[i];
                if (f->rotated)
                        f->has_prev = false;
                (void)fsync(f->dfd);
                file_cleanup(f);
        }
        return 0;
}

int vmodes_atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool keep_old)
{
        struct vmodes_atomic_txn *t;
        int r;

        r = vmodes_atomic_txn_new(&t);
        if (r < 0)
                return r;
        r = vmodes_atomic_txn_write(t, path, data, len, mode, keep_old);
        if (r == 0)
                r = vmodes_atomic_txn_commit(t, NULL);
        vmodes_atomic_txn_free(t);
        return r;
}

int vmodes_atomic_read_file(const char *path, size_t max, int flags, char **out, size_t *len)
{
        struct stat st;
        char *buf = NULL;
        size_t n = 0;
        int fd, r = 0;

        /* O_NONBLOCK: a FIFO planted at path must not block the caller */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                (flags & VMODES_ATOMIC_NOFOLLOW ? O_NOFOLLOW : 0));
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode))
                r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        if (r < 0) {
                close(fd);
                return r;
        }
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

int vmodes_atomic_read(const char *path, size_t max, char **out, size_t *len)
{
        return vmodes_atomic_read_file(path, max, 0, out, len);
}
