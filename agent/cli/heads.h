/* SPDX-License-Identifier: MIT */
/* What vmodes add/remove/list/apply (agent/cli/heads.c) share with the
 * session agent (agent/session/session.c): an X session's RandR state with the
 * virtual GPU behind it, and head names in every scheme. */
#pragma once

#include <stdbool.h>

#include "agent/core/layout.h"
#include "agent/display/x11-randr.h"
#include "udev/vmodes-udev.h"

struct cli_heads_session {
        struct vmodes_randr *randr;
        struct vmodes_layout_state *state;
        struct vmodes_discovery *disc;
        const struct vmodes_device *dev; /* the virtual GPU, if any */
        char provider[64];               /* RandR provider ("modesetting", "qxl"), "" if none */
};

/* Opens $DISPLAY, grabs the server when lock, finds the virtual GPU and
 * reads the state (with the device memory limit). Returns an exit code
 * (CLI_EXIT_OK) and has printed the error otherwise. */
int cli_heads_session_open(struct cli_heads_session *s, bool lock);
/* Reads the state again. 0 or a negative errno with err set. */
int cli_heads_session_query(struct cli_heads_session *s, struct vmodes_error *err);
void cli_heads_session_close(struct cli_heads_session *s);
/* The X output a head name means (any scheme, a DRM connector name or a
 * head number), or NULL; unless quiet, the reason is printed. */
const struct vmodes_layout_output *cli_heads_resolve(const struct cli_heads_session *s, const char *name, bool quiet);
