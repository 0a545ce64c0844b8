/* SPDX-License-Identifier: MIT */
/* Helpers shared inside the device layer (not part of its API). The same
 * three as agent/common/macro.h: udev/ never includes agent/. */
#pragma once

#include <stdlib.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
        free(*(void **)p);
}
