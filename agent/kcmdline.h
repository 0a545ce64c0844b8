/* SPDX-License-Identifier: MIT */
/*
 * Optional kernel-level persistence: video=CONNECTOR:WxH[M][R]@RATE on the
 * kernel command line, so the kernel itself offers the mode (console, every
 * display server). Written as a GRUB drop-in (/etc/default/grub.d/), which
 * takes effect after `update-grub` and a reboot.
 */
#pragma once

#include "agent/config.h"

/* The video= arguments for a config, space separated ("" when none). */
int vmodes_kcmdline_args(const struct vmodes_config *c, char **out);
/* With c->kernel_cmdline: write the drop-in at path (its folder must exist:
 * -ENOENT means the boot loader has no drop-in folder). Without: remove it.
 * Returns 1 when the file changed (the boot loader needs updating), 0 when not. */
int vmodes_kcmdline_write(const char *path, const struct vmodes_config *c);
