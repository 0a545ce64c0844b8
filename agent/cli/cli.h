/* SPDX-License-Identifier: MIT */
/* vmodes command-line interface: one function per subcommand. */
#pragma once

#include <stdbool.h>

#include "agent/common/log.h"
#include "agent/common/macro.h"
#include "agent/display/deadline.h"
#include "agent/display/display.h"

/* Exit codes shared by all subcommands (documented in vmodes --help). */
enum {
        CLI_EXIT_OK = 0,
        CLI_EXIT_FAILURE = 1, /* the command could not do its job */
        CLI_EXIT_USAGE = 2,   /* bad arguments or bad input values */
};

struct cli_command {
        const char *name;
        const char *summary;
        int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

int cli_cvt(int argc, char **argv);
int cli_gtf(int argc, char **argv);
int cli_dmt(int argc, char **argv);
int cli_mode(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_add(int argc, char **argv);
int cli_remove(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_apply(int argc, char **argv);
int cli_session(int argc, char **argv);
int cli_config(int argc, char **argv);

/* Messages: log_error() and friends ("vmodes: <msg>" on stderr). */

/* How much of an argument a message quotes (characters, then "..."). */
#define CLI_ARG_SHOWN_MAX 60

/* Untrusted text (an argument, a value from a file) as a message quotes
 * it: vmodes_excerpt() (control characters, backslashes and non-ASCII bytes
 * as \xNN) cut to CLI_ARG_SHOWN_MAX bytes, then "...". The result lives in
 * one of four rotating static buffers, so one message can quote up to four
 * arguments. */
const char *cli_arg(const char *s);

/* Loads json-c (agent/common/json.h): CLI_EXIT_OK, or CLI_EXIT_FAILURE
 * with the error printed. */
int cli_json_load(void);

/* Bounds on waiting for the display server (agent/display/deadline.h):
 * arms the bound of what for display (NULL: this session's server, not
 * opened yet). Returns CLI_EXIT_OK, or CLI_EXIT_USAGE with the error
 * printed when $VMODES_X_TIMEOUT is bad. */
int cli_x_deadline(enum vmodes_deadline_wait what, const struct vmodes_display *display);
/* Disarms it. */
void cli_x_deadline_clear(void);
/* The exit status when the time is up (default CLI_EXIT_FAILURE). */
void cli_x_deadline_set_exit(int status);
