/* SPDX-License-Identifier: MIT */
/* Small C helpers every program of agent/ uses. (udev/ keeps its own copy in
 * udev/util.h: the device layer never includes agent/.) */
#pragma once

#include <stdlib.h>

/* Run f(&variable) when the variable goes out of scope. */
#define _cleanup_(f) __attribute__((cleanup(f)))
/* The number of elements of an array (not a pointer). */
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* For _cleanup_(freep) on any pointer from malloc. */
static inline void freep(void *p)
{
        free(*(void **)p);
}
