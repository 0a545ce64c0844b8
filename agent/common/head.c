/* SPDX-License-Identifier: MIT */
/*
 * The head-name rule's agent side (agent/common/head.h); the rule itself is
 * udev/heads.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/common/head.h"

int vmodes_head_validate(const char *name, struct vmodes_error *err)
{
        char why[sizeof(err->msg)];
        int r;

        r = vmodes_head_name_check(name, why, sizeof(why));
        if (r < 0)
                return vmodes_error_set(err, r, "%s", why);
        return 0;
}

static int index_of(const char *const *outputs, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (outputs[i] && !strcmp(outputs[i], name))
                        return (int)i;
        return -ENOENT;
}

/* Head N: its name in the server's scheme, else the N-th output. */
static int find_number(const char *const *outputs, size_t n, enum vmodes_head_scheme scheme, unsigned head)
{
        char connector[VMODES_HEAD_NAME_MAX], x[VMODES_HEAD_NAME_MAX];
        int i;

        if (head == 0)
                return -ENOENT;
        snprintf(connector, sizeof(connector), "Virtual-%u", head);
        if (vmodes_head_name_to_x(connector, scheme, x, sizeof(x)) == 0 && (i = index_of(outputs, n, x)) >= 0)
                return i;
        return head <= n ? (int)head - 1 : -ENOENT;
}

int vmodes_head_find_output(const char *const *outputs, size_t n, const char *name)
{
        enum vmodes_head_scheme scheme, own;
        char connector[VMODES_HEAD_NAME_MAX], x[VMODES_HEAD_NAME_MAX];
        unsigned head;
        int i;

        if (!vmodes_head_name_valid(name))
                return -EINVAL;
        if ((i = index_of(outputs, n, name)) >= 0)
                return i;
        scheme = vmodes_heads_detect_scheme(outputs, n);
        if (vmodes_head_name_number(name, "", &head) == 0)
                return find_number(outputs, n, scheme, head);
        /* the name's own scheme: qxl-N, or a kernel connector name */
        own = vmodes_head_name_number(name, "qxl-", &head) == 0 ? VMODES_HEADS_UMS : VMODES_HEADS_KMS;
        if (own == scheme && own == VMODES_HEADS_UMS)
                return -ENOENT;
        if (scheme == VMODES_HEADS_LEGACY && vmodes_head_name_number(name, "Virtual-", &head) == 0)
                return -ENOENT; /* a legacy name that matched nothing */
        if (vmodes_head_name_from_x(name, own, connector, sizeof(connector)) < 0 ||
            vmodes_head_name_to_x(connector, scheme, x, sizeof(x)) < 0 || !strcmp(x, name))
                return -ENOENT;
        return index_of(outputs, n, x);
}
