/* SPDX-License-Identifier: MIT */
/*
 * One logger for the CLI, the session agent and vmodesd: one line on stderr
 * per message, "IDENT: text" (no ident for vmodesd, whose lines the journal
 * names), with a "<N>" syslog priority prefix where stderr is the journal.
 * Every line is valid UTF-8 with no control characters (vmodes_text_clean):
 * text from outside (file contents, D-Bus arguments, X names) can be
 * logged as it is. Libraries (modes/, udev/, agent/core/) never log; they
 * return errors.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

enum vmodes_log_prefix {
        VMODES_LOG_PREFIX_NEVER,   /* a command for a terminal */
        VMODES_LOG_PREFIX_JOURNAL, /* when $JOURNAL_STREAM says stderr is the journal */
        VMODES_LOG_PREFIX_ALWAYS,  /* a service that only ever runs under systemd */
};

/* ident: "vmodes", "vmodes session", or NULL for none. The default is
 * ("vmodes", VMODES_LOG_PREFIX_NEVER). */
void vmodes_log_setup(const char *ident, enum vmodes_log_prefix prefix);
void vmodes_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vmodes_logv(int priority, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_error(...) vmodes_log(LOG_ERR, __VA_ARGS__)
#define log_warning(...) vmodes_log(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) vmodes_log(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) vmodes_log(LOG_INFO, __VA_ARGS__)

/* src copied to dst as valid UTF-8: each byte that is not (and each control
 * character, except newline and tab when multiline) written as \xHH; cut
 * at a character boundary when dst is full. */
void vmodes_text_clean(char *dst, size_t size, const char *src, bool multiline);
/* printf into dst, then cleaned as above on one line. */
void vmodes_text_vformat(char *dst, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
