/* SPDX-License-Identifier: MIT */
/*
 * Head names: THE rule of what a head may be called, how the number at the
 * end of its name is read, and how a kernel connector name maps to the X
 * output name each X driver gives it. Plain C on strings and on the
 * discovery's device records: no libudev, no I/O, no allocation, so the
 * agent's core links it too (agent/common/head.h says why it lives here).
 *
 * Functions return 0 or a negative errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vmodes_device;

/* Bytes of a head name including the NUL: at most 31 characters. */
#define VMODES_HEAD_NAME_MAX 32
/* The largest number at the end of a head name ("Virtual-1000"). */
#define VMODES_HEAD_NUMBER_MAX 1000

/* How an X driver names the heads of a virtual GPU. */
enum vmodes_head_scheme {
        VMODES_HEADS_KMS = 0,  /* Virtual-1..N: qxl DDX (KMS) and modesetting */
        VMODES_HEADS_UMS,      /* qxl-0..N-1: qxl DDX without a kernel driver */
        VMODES_HEADS_LEGACY,   /* Virtual-0..N-1: older qxl DDX releases */
};

/* ---- Names alone ------------------------------------------------------- */

/* A head name is 1 to 31 letters, digits, '-', '_' and '.', starting with a
 * letter or a digit. That holds every DRM connector and X output name seen
 * (Virtual-1, DP-1-1, HDMI-A-1, eDP-1, qxl-0, DUMMY15, screen, VNC-0) and a
 * bare head number ("2"). Refused: ':' (the kernel's video= option puts it
 * between the connector and the mode), spaces, quotes and any other byte
 * (the name is written into vmodes.conf section headers and xorg.conf
 * Identifiers), and a leading '-' (it would read as a command-line option). */
bool vmodes_head_name_valid(const char *name);
/* The same with the reason: 0, or -EINVAL and one line in why (at most len
 * bytes; why may be NULL) that does not quote the name, e.g.
 * "head name has a character other than letters, digits, '-', '_' and '.'
 * (byte 8, 0x20)". */
int vmodes_head_name_check(const char *name, char *why, size_t len);
/* The number of "<prefix><n>" (prefix "" for a bare number): n decimal,
 * without sign or leading zeros ("Virtual-01" is no name X uses), at most
 * VMODES_HEAD_NUMBER_MAX. -EINVAL when name is not of that form, -ERANGE
 * when n is larger ("Virtual-99999999999"). */
int vmodes_head_name_number(const char *name, const char *prefix, unsigned *n);
/* The X output name of kernel connector `connector` under an X driver of
 * `scheme`:
 *   KMS     the kernel's name, with the three connector types the qxl DDX
 *           and modesetting spell differently renamed: HDMI-A-1 -> HDMI-1,
 *           Component-1 -> CTV-1, Unknown-1 -> None-1 (Virtual, DP, eDP,
 *           DVI-I, VGA, ... and names without a number stay as they are);
 *   UMS     Virtual-N -> qxl-(N-1);
 *   LEGACY  Virtual-N -> Virtual-(N-1).
 * -EOPNOTSUPP when the connector has no name in that scheme (UMS and LEGACY
 * know Virtual-1 and up only), -EINVAL for an invalid name, -ENOBUFS when
 * buf is too small. */
int vmodes_head_name_to_x(const char *connector, enum vmodes_head_scheme scheme, char *buf, size_t len);
/* The reverse: the kernel connector name of X output `output` under an X
 * driver of `scheme` (HDMI-1 -> HDMI-A-1; qxl-0 -> Virtual-1; legacy
 * Virtual-0 -> Virtual-1). Same errors. */
int vmodes_head_name_from_x(const char *output, enum vmodes_head_scheme scheme, char *buf, size_t len);

/* ---- Names of a device's heads ------------------------------------------ */

/* Name of head `head` (1-based) of `dev` in `scheme`, derived from the
 * device's connector for that head ("Virtual-1" -> "qxl-0" / "Virtual-0").
 * -ENOENT when the device has no such head, -EOPNOTSUPP when the scheme does
 * not apply (UMS/legacy names exist for QXL only), -ENOBUFS if buf is small. */
int vmodes_heads_name(const struct vmodes_device *dev, unsigned head,
                      enum vmodes_head_scheme scheme, char *buf, size_t len);
/* Which naming scheme a set of X output names uses. */
enum vmodes_head_scheme vmodes_heads_detect_scheme(const char *const *x_outputs, size_t n);
/* Resolves a user- or X-supplied head name to a 1-based head number of dev:
 * any scheme's name (under KMS the connector's kernel name or its X name:
 * HDMI-A-1 or HDMI-1), the DRM sysname ("card0-Virtual-2"), or a bare head
 * number ("2"). scheme disambiguates "Virtual-N". -ENOENT: no such head
 * (also a number too large for any head), -EINVAL: not a head name at all
 * (every name vmodes_head_name_valid() refuses). */
int vmodes_heads_resolve(const struct vmodes_device *dev, const char *name,
                         enum vmodes_head_scheme scheme, unsigned *head);
/* Number of virtual heads (connectors numbered as heads) of dev. */
unsigned vmodes_heads_count(const struct vmodes_device *dev);
