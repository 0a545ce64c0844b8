/* SPDX-License-Identifier: MIT */
/*
 * vmodes session: runs the session agent's own program, vmodes-session
 * (agent/session/), which links only what the agent uses and so stays small
 * while it idles for the whole session. The XDG autostart entry and users
 * keep the command `vmodes session [OPTIONS]`.
 *
 * The program is looked for next to this one first (a build tree, where
 * vmodes and vmodes-session are side by side), then where it is installed
 * (PKGLIBEXECDIR).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
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
        char here[PATH_MAX];

        (void)argc;
        next_to_self(here, sizeof(here));
        /* argv[0] is "session": the agent's own argv[0] names its program */
        if (here[0] && access(here, X_OK) == 0) {
                argv[0] = here;
                execv(here, argv);
        }
        argv[0] = (char *)installed;
        execv(installed, argv);
        log_error("cannot run %s: %s", installed, strerror(errno));
        return CLI_EXIT_FAILURE;
}
