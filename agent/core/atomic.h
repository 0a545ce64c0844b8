/* SPDX-License-Identifier: MIT */
/* Crash-safe file replacement for state files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Replace path with data: a temp file in the same folder, fsync, rename over
 * path, fsync of the folder. With keep_old, the version being replaced stays
 * as path + ".old" (a hard link made before the rename, so it is always a
 * complete file). A reader sees either the old or the new content, never a
 * mix, even when the writer is killed at any point. A stale temp file (a
 * leftover, or anything planted under its name, symlinks included) is
 * unlinked and created anew with O_EXCL|O_NOFOLLOW. */
int vmodes_atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool keep_old);

/* Several files replaced (or removed) together, or none of them:
 * every new content is written to a temp file and fsync'ed, and every current
 * version is hard-linked under a temp name, before the first rename; when a
 * later rename fails, the earlier ones are put back. Temp names are
 * ".NAME.tmp", ".NAME.prev.tmp", ".NAME.old.prev.tmp" in the file's folder
 * (no ".conf" suffix: X never reads them from xorg.conf.d). */
struct vmodes_atomic_txn;
int vmodes_atomic_txn_new(struct vmodes_atomic_txn **out);
/* Aborts what was not committed (removes the temp files). */
void vmodes_atomic_txn_free(struct vmodes_atomic_txn *t);
/* Stage new content for path (the temp file is written and fsync'ed now). */
int vmodes_atomic_txn_write(struct vmodes_atomic_txn *t, const char *path, const void *data, size_t len,
                            mode_t mode, bool keep_old);
/* Stage the removal of path (nothing happens if it does not exist). */
int vmodes_atomic_txn_remove(struct vmodes_atomic_txn *t, const char *path);
/* Rename everything in the order staged; on failure put back what was
 * renamed and name the file that failed in *failed (valid until the txn is
 * freed). The folders are fsync'ed on success. */
int vmodes_atomic_txn_commit(struct vmodes_atomic_txn *t, const char **failed);

/* Read a whole regular file of at most max bytes (NUL-terminated, malloc'd;
 * *len gets the length, which may include NUL bytes). Never blocks on a FIFO
 * or device: -EINVAL for anything but a regular file, -EFBIG when larger.
 * Follows a symlink at path unless VMODES_ATOMIC_NOFOLLOW (then -ELOOP). */
#define VMODES_ATOMIC_NOFOLLOW 1
int vmodes_atomic_read_file(const char *path, size_t max, int flags, char **out, size_t *len);
/* The same, following symlinks. */
int vmodes_atomic_read(const char *path, size_t max, char **out, size_t *len);
