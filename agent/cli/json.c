/* SPDX-License-Identifier: MIT */
/* json-c loaded on first use (json.h). */
#include <dlfcn.h>

#include "agent/cli/cli.h"
#include "agent/cli/json.h"

#define LIBJSONC_SONAME "libjson-c.so.5"

#define CLI_JSON_DEFINE(f) typeof(cli_json_##f) cli_json_##f;
CLI_JSON_SYMBOLS(CLI_JSON_DEFINE)
#undef CLI_JSON_DEFINE

int cli_json_load(void)
{
        static bool loaded;
        void *dl;

        if (loaded)
                return CLI_EXIT_OK;
        dl = dlopen(LIBJSONC_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                log_error("cannot load %s (%s): install json-c", LIBJSONC_SONAME, dlerror());
                return CLI_EXIT_FAILURE;
        }
#define CLI_JSON_LOAD(f) \
        if (!(*(void **)&cli_json_##f = dlsym(dl, #f))) { \
                log_error("%s lacks %s", LIBJSONC_SONAME, #f); \
                dlclose(dl); \
                return CLI_EXIT_FAILURE; \
        }
        CLI_JSON_SYMBOLS(CLI_JSON_LOAD)
#undef CLI_JSON_LOAD
        loaded = true;
        return CLI_EXIT_OK;
}
