/* SPDX-License-Identifier: MIT */
/*
 * The X server's side of a plan, for tests: applies a plan of the layout
 * planner (agent/core/layout.h) to an observed state as the server would,
 * refusing what it would refuse. Not in libvmodes-core.a: only the tests
 * that check plans build agent/core/simulate.c.
 */
#pragma once

#include <stdint.h>

#include "agent/core/layout.h"

/* Applies a plan to a state as the X server would (new modes get ids from
 * `next_id` upwards). -EINVAL if an operation does not fit the state (an
 * unknown id, a CRTC outside the screen, a mode an output lacks, a screen
 * size outside the range, a duplicate mode name), err naming the operation
 * and the X error it stands for. On failure the state is partially changed. */
int vmodes_layout_simulate(struct vmodes_layout_state *state, const struct vmodes_layout_plan *plan,
                           uint32_t next_id, struct vmodes_error *err);
