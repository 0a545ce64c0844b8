/* SPDX-License-Identifier: MIT */
/*
 * vmodes session: runs the session agent's own program, vmodes-session
 * (agent/session/), which links only what the agent uses and so stays small
 * while it idles for the whole session. The XDG autostart entry and users
 * keep the command `vmodes session [OPTIONS]`.
 *
 * The program is looked for next to this one first (a build tree, where
 * vmodes and vmodes-session are side by side), then where it is installed
 * (PKGLIBEXECDIR). It gets the command line unchanged, "vmodes session"
 * included, so that the process still shows as `vmodes session ...`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/cli/cli.h"

#define SESSION_PROGRAM "vmodes-session"

/* dir/vmodes-session where dir is this program's folder; "" if none. */
static void next_to_self(char *buf, size_t size)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash;

        buf[0] = 0;
        if (n <= 0)
                return;
        self[n] = 0;
        slash = strrchr(self, '/');
        if (!slash)
                return;
        *slash = 0;
        if (snprintf(buf, size, "%s/" SESSION_PROGRAM, self) >= (int)size)
                buf[0] = 0;
}

int cli_session(int argc, char **argv)
{
        static const char installed[] = PKGLIBEXECDIR "/" SESSION_PROGRAM;
        /* the command line as vmodes got it: "vmodes" (as it was run), then
         * argv ("session" and the options), so that ps and pgrep -f show
         * the agent as before */
        char **line = calloc((size_t)argc + 2, sizeof(*line));
        char here[PATH_MAX];

        if (!line) {
                log_error("out of memory");
                return CLI_EXIT_FAILURE;
        }
        line[0] = program_invocation_name;
        memcpy(line + 1, argv, (size_t)argc * sizeof(*argv));
        next_to_self(here, sizeof(here));
        if (here[0] && access(here, X_OK) == 0)
                execv(here, line);
        execv(installed, line);
        log_error("cannot run %s: %s", installed, strerror(errno));
        free(line);
        return CLI_EXIT_FAILURE;
}
