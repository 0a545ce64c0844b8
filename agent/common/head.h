/* SPDX-License-Identifier: MIT */
/*
 * THE head-name rule, as the agent sees it: what a head may be called, the
 * number at the end of its name, the kernel connector name <-> X output name
 * mapping of each X driver (all from udev/heads.h, included here), plus what
 * is the agent's own: the rule's verdict as a struct vmodes_error, and which
 * X output of a server a head name means.
 *
 * Why the rule itself lives in udev/heads.c and not here: the device layer
 * needs it (vmodes_heads_resolve reads user-supplied names against the
 * connectors) and udev/ never includes agent/, so the one implementation
 * sits in the lower layer. It is plain C without libudev or I/O, so the core
 * links it from udev/libvmodes-udev.a without pulling libudev in: only
 * heads.o is taken from that archive. Use the names of udev/heads.h through
 * this header; do not re-implement any part of the rule.
 */
#pragma once

#include <stddef.h>

#include "modes/modes.h"
#include "udev/heads.h"

/* vmodes_head_name_check() with the reason in err: 0 or -EINVAL. */
int vmodes_head_validate(const char *name, struct vmodes_error *err);

/* The X output (index into outputs[0..n-1], the server's output names)
 * that head name `name` means: the output of that name; the same head in
 * the server's naming scheme (vmodes_heads_detect_scheme) when the name is
 * the kernel connector name or another scheme's name (Virtual-2 on a qxl-N
 * server is qxl-1; qxl-1 on a KMS server is Virtual-2; HDMI-A-1 under
 * modesetting is HDMI-1); a bare head number N: head N in that scheme, or
 * else the N-th output. A Virtual-N name on a server of the legacy scheme
 * is read as a legacy name only. -EINVAL when name is no head name,
 * -ENOENT when no output matches. */
int vmodes_head_find_output(const char *const *outputs, size_t n, const char *name);
