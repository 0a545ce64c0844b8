/* SPDX-License-Identifier: MIT */
/* vmodes command-line interface: one function per subcommand. */
#pragma once

#include <stdbool.h>

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

/* "vmodes: <msg>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How much of an argument a message quotes (characters, then "..."). */
#define CLI_ARG_SHOWN_MAX 60

/* Untrusted text (an argument, a value from a file) as a message quotes
 * it: at most CLI_ARG_SHOWN_MAX characters, then "..."; control
 * characters, quotes, backslashes and non-ASCII bytes as \xNN. The result
 * lives in one of four rotating static buffers, so one message can quote
 * up to four arguments. */
const char *cli_arg(const char *s);
