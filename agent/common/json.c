/* SPDX-License-Identifier: MIT */
/* json-c loaded on first use (json.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "agent/common/json.h"
#include "modes/modes.h"

#define LIBJSONC_SONAME "libjson-c.so.5"

#define VMODES_JSON_DEFINE(f) typeof(vmodes_dl_##f) vmodes_dl_##f;
VMODES_JSON_SYMBOLS(VMODES_JSON_DEFINE)
#undef VMODES_JSON_DEFINE

int vmodes_json_load(struct vmodes_error *err)
{
        static bool loaded;
        void *dl;

        if (loaded)
                return 0;
        dl = dlopen(LIBJSONC_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return vmodes_error_set(err, -ENOENT, "cannot load %s (%s): install json-c", LIBJSONC_SONAME,
                                        dlerror());
#define VMODES_JSON_LOAD(f) \
        if (!(*(void **)&vmodes_dl_##f = dlsym(dl, #f))) { \
                dlclose(dl); \
                return vmodes_error_set(err, -ENOENT, "%s lacks %s", LIBJSONC_SONAME, #f); \
        }
        VMODES_JSON_SYMBOLS(VMODES_JSON_LOAD)
#undef VMODES_JSON_LOAD
        loaded = true;
        return 0;
}
