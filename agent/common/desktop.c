/* SPDX-License-Identifier: MIT */
/* XDG_CURRENT_DESKTOP's tokens (desktop.h). */
#include <string.h>

#include "agent/common/desktop.h"

bool vmodes_desktop_listed(const char *current_desktop, const char *name)
{
        const char *p = current_desktop;
        size_t len = strlen(name);

        while (p && *p) {
                size_t n = strcspn(p, ":");

                if (n == len && !strncmp(p, name, n))
                        return true;
                p += n + (p[n] == ':');
        }
        return false;
}
