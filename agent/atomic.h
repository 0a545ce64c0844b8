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
 * mix, even when the writer is killed at any point. */
int vmodes_atomic_write(const char *path, const void *data, size_t len, mode_t mode, bool keep_old);
/* Read a whole file of at most max bytes (NUL-terminated, malloc'd);
 * -EFBIG when larger. */
int vmodes_atomic_read(const char *path, size_t max, char **out, size_t *len);
