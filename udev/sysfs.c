/* SPDX-License-Identifier: MIT */
/* Strict parsers for sysfs values: a malformed file is an error, never a guess. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "udev/vmodes-udev.h"

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int vmodes_sysfs_parse_hex(const char *text, unsigned digits, uint32_t *out)
{
        uint32_t v = 0;
        size_t len;

        if (!text || digits == 0 || digits > 8)
                return -EINVAL;
        len = strlen(text);
        /* libudev strips the trailing newline; a file read directly keeps it */
        if (len > 0 && text[len - 1] == '\n')
                len--;
        if (len != 2 + digits || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
                return -EINVAL;
        for (unsigned i = 0; i < digits; i++) {
                int d = hexval(text[2 + i]);
                if (d < 0)
                        return -EINVAL;
                v = (v << 4) | (uint32_t)d;
        }
        *out = v;
        return 0;
}

/* "0x" followed by 1..16 hex digits, then a space, newline or the end. */
static int parse_u64_hex(const char **p, uint64_t *out)
{
        const char *s = *p;
        uint64_t v = 0;
        unsigned n = 0;

        if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
                return -EINVAL;
        s += 2;
        for (; hexval(*s) >= 0; s++, n++) {
                if (n == 16)
                        return -EINVAL;
                v = (v << 4) | (uint64_t)hexval(*s);
        }
        if (n == 0 || (*s != ' ' && *s != '\n' && *s != '\0'))
                return -EINVAL;
        *p = s;
        *out = v;
        return 0;
}

int vmodes_sysfs_parse_resource(const char *text, struct vmodes_bar bars[VMODES_N_BARS])
{
        const char *p = text;
        unsigned line = 0;

        if (!text)
                return -EINVAL;
        memset(bars, 0, sizeof(struct vmodes_bar) * VMODES_N_BARS);
        /* The kernel prints at least the 6 BARs and the expansion ROM; fewer
         * than 6 complete lines means the file was cut short. */
        while (*p && line < VMODES_N_BARS) {
                uint64_t start, end, flags;
                int r;

                if ((r = parse_u64_hex(&p, &start)) < 0 || *p++ != ' ')
                        return -EINVAL;
                if ((r = parse_u64_hex(&p, &end)) < 0 || *p++ != ' ')
                        return -EINVAL;
                if ((r = parse_u64_hex(&p, &flags)) < 0)
                        return -EINVAL;
                if (*p == '\n')
                        p++;
                else if (*p != '\0')
                        return -EINVAL;
                if (end < start)
                        return -EINVAL;
                bars[line].start = start;
                bars[line].flags = flags;
                bars[line].size = (end == 0 && start == 0) ? 0 : end - start + 1;
                line++;
        }
        return line == VMODES_N_BARS ? 0 : -EINVAL;
}

int vmodes_sysfs_count_bytes(const char *path, size_t max)
{
        char buf[4096];
        size_t len = 0;
        int fd, r = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while (len < max) {
                ssize_t n = read(fd, buf, sizeof(buf) < max - len ? sizeof(buf) : max - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = -errno;
                        break;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        close(fd);
        return r < 0 ? r : (int)len;
}

int vmodes_sysfs_read_file(const char *path, size_t max, char **out)
{
        char *buf = NULL;
        size_t len = 0;
        int fd, r;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        buf = malloc(max + 1);
        if (!buf) {
                r = -ENOMEM;
                goto out;
        }
        for (;;) {
                ssize_t n = read(fd, buf + len, max + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        goto out;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > max) {
                        r = -EFBIG;
                        goto out;
                }
        }
        if (memchr(buf, '\0', len)) {
                r = -EINVAL;   /* text attributes never hold NUL bytes */
                goto out;
        }
        buf[len] = '\0';
        *out = buf;
        buf = NULL;
        r = 0;
out:
        free(buf);
        close(fd);
        return r;
}
