/* SPDX-License-Identifier: MIT */
/*
 * The xorg.conf.d snippet that makes Xorg (and so the display manager's
 * greeter) start with the configured modes and layout: one Monitor section
 * per configured head, Identifier = the head's X output name.
 */
#pragma once

#include <stddef.h>

#include "agent/core/state.h"
#include "udev/vmodes-udev.h"

/* X output name of a config head (canonical: the kernel connector name,
 * "Virtual-N") in an X driver's naming scheme, by the one head-name rule
 * (vmodes_head_name_to_x): "Virtual-N" (KMS; HDMI-A-N is HDMI-N there),
 * "qxl-(N-1)" (UMS), "Virtual-(N-1)" (legacy). Names that have no form in
 * the scheme are returned unchanged. */
int vmodes_xorgconf_output_name(const char *head, enum vmodes_head_scheme scheme, char *buf, size_t len);
/* The whole file (malloc'd). config_path is named in the header comment. */
int vmodes_xorgconf_format(const struct vmodes_config *c, enum vmodes_head_scheme scheme,
                           const char *config_path, char **out);
