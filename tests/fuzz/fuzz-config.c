/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the config parser (vmodes.conf), on the bytes as read.
 * Every message is one line of valid UTF-8. Every accepted input is text,
 * validates, formats, parses back to an equal config whose text is the same
 * (a fixed point), and gives an X config (every naming scheme) and a kernel
 * command line without error, as UTF-8 text without NULs or stray control
 * characters that names only heads and modes of the config.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/core/state.h"
#include "agent/core/kcmdline.h"
#include "agent/core/xorgconf.h"
#include "udev/heads.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* UTF-8 text: no NUL, no control character but a newline (and, in
 * messages, not even that). */
static bool is_text(const char *s, size_t len, bool newlines)
{
        if (vmodes_utf8_valid_prefix(s, len) != len)
                return false;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if ((c < 0x20 && !(newlines && c == '\n')) || c == 0x7f)
                        return false;
        }
        return true;
}

/* Whether head (a config name) is written as the X name name[0..n) under
 * the KMS scheme: the one head rule's mapping (HDMI-A-1 is HDMI-1 there),
 * or the name itself where the rule has none. */
static bool x_name_is(const char *head, const char *name, size_t n)
{
        char x[VMODES_HEAD_NAME_MAX];

        if (vmodes_head_name_to_x(head, VMODES_HEADS_KMS, x, sizeof(x)) < 0)
                snprintf(x, sizeof(x), "%s", head);
        return strlen(x) == n && !memcmp(x, name, n);
}

/* name[0..n) is a head of the config (the kernel's connector names, as
 * video= writes them). */
static bool is_head(const struct vmodes_config *c, const char *name, size_t n)
{
        for (unsigned i = 0; i < c->n_heads; i++)
                if (strlen(c->heads[i].head) == n && !memcmp(c->heads[i].head, name, n))
                        return true;
        return false;
}

/* name[0..n) is the X output name of a head of the config (KMS scheme). */
static bool is_x_head(const struct vmodes_config *c, const char *name, size_t n)
{
        for (unsigned i = 0; i < c->n_heads; i++)
                if (x_name_is(c->heads[i].head, name, n))
                        return true;
        return false;
}

static bool is_mode(const struct vmodes_config *c, const char *name, size_t n)
{
        for (unsigned i = 0; i < c->n_heads; i++)
                for (unsigned k = 0; k < c->heads[i].n_modes; k++)
                        if (strlen(c->heads[i].modes[k].mode.name) == n &&
                            !memcmp(c->heads[i].modes[k].mode.name, name, n))
                                return true;
        return false;
}

/* The quoted word after `key` at the start of a line's content. */
static bool quoted_after(const char *line, const char *key, const char **word, size_t *n)
{
        const char *q, *end;

        while (*line == ' ')
                line++;
        if (strncmp(line, key, strlen(key)))
                return false;
        *word = line + strlen(key);
        end = *word + strcspn(*word, "\n");
        q = memchr(*word, '"', (size_t)(end - *word));
        if (!q)
                abort(); /* an unterminated quote */
        *n = (size_t)(q - *word);
        return true;
}

/* With the KMS scheme the X config names heads as the config does. */
static void check_xorg_names(const struct vmodes_config *c, const char *x)
{
        static const char *const relations[] = { "Option \"RightOf\" \"", "Option \"LeftOf\" \"",
                                                 "Option \"Above\" \"", "Option \"Below\" \"" };

        for (const char *line = x, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
                const char *w;
                size_t n;

                nl = strchr(line, '\n');
                if (quoted_after(line, "Identifier \"", &w, &n) && !is_x_head(c, w, n))
                        abort();
                if ((quoted_after(line, "Modeline \"", &w, &n) || quoted_after(line, "Option \"PreferredMode\" \"", &w, &n)) &&
                    !is_mode(c, w, n))
                        abort();
                for (size_t r = 0; r < sizeof(relations) / sizeof(relations[0]); r++)
                        if (quoted_after(line, relations[r], &w, &n) && !is_x_head(c, w, n)) {
                                bool named = false; /* a head not in the config, named by a relation */
                                for (unsigned i = 0; i < c->n_heads && !named; i++)
                                        named = c->heads[i].relative_to[0] &&
                                                x_name_is(c->heads[i].relative_to, w, n);
                                if (!named)
                                        abort();
                        }
        }
}

static void check_outputs(const struct vmodes_config *c)
{
        static const enum vmodes_head_scheme schemes[] = { VMODES_HEADS_KMS, VMODES_HEADS_UMS, VMODES_HEADS_LEGACY };
        char *text = NULL;

        for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
                if (vmodes_xorgconf_format(c, schemes[i], "/etc/vmodes/vmodes.conf", &text) != 0 ||
                    !is_text(text, strlen(text), true))
                        abort();
                if (schemes[i] == VMODES_HEADS_KMS)
                        check_xorg_names(c, text);
                free(text);
                text = NULL;
        }
        if (vmodes_kcmdline_format(c, NULL, &text) != 0 || !is_text(text, strlen(text), true) ||
            !vmodes_kcmdline_is_ours(text))
                abort();
        free(text);
        text = NULL;
        if (vmodes_kcmdline_args(c, NULL, &text) != 0 || !is_text(text, strlen(text), false))
                abort();
        /* each argument is video=HEAD:..., HEAD a head of the config */
        for (char *a = text; *a;) {
                size_t n = strcspn(a, " ");
                char *colon = memchr(a, ':', n);

                if (strncmp(a, "video=", 6) || !colon || !is_head(c, a + 6, (size_t)(colon - a - 6)))
                        abort();
                a += n;
                a += *a == ' ';
        }
        free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vmodes_config *c = malloc(sizeof(*c)), *c2 = malloc(sizeof(*c2));
        struct vmodes_error err = { "" };
        char *text = NULL, *text2 = NULL;

        if (!c || !c2)
                goto out;
        if (vmodes_config_parse_n((const char *)data, size, "fuzz.conf", c, &err) != 0) {
                if (!err.msg[0] || !is_text(err.msg, strlen(err.msg), false))
                        abort(); /* a message is one line of UTF-8 text */
                goto out;
        }
        for (size_t i = 0; i < size; i++)
                if ((data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r') || data[i] == 0x7f)
                        abort(); /* accepted bytes are text: no NUL, no control character */
        if (vmodes_utf8_valid_prefix((const char *)data, size) != size || vmodes_config_validate(c, &err) != 0)
                abort();
        if (vmodes_config_format(c, &text) != 0 || !is_text(text, strlen(text), true))
                abort();
        if (vmodes_config_parse_n(text, strlen(text), "formatted", c2, &err) != 0 || !vmodes_config_equal(c, c2))
                abort(); /* the formatted text parses back to the same config */
        if (vmodes_config_format(c2, &text2) != 0 || strcmp(text, text2))
                abort(); /* and formats to the same text */
        check_outputs(c);
out:
        free(text);
        free(text2);
        free(c);
        free(c2);
        return 0;
}
