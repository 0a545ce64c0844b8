/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the modeline parser; a parsed modeline must format and
 * parse back to the same timings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modes/modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vmodes_mode m, again;
        struct vmodes_error err;
        char *text = malloc(size + 1), buf[512];

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (vmodes_modeline_parse(text, &m, &err) == 0) {
                if (vmodes_format_xorg(buf, sizeof(buf), &m) != 0)
                        abort();
                if (vmodes_modeline_parse(buf, &again, &err) != 0 || !vmodes_mode_equal_timings(&m, &again) ||
                    strcmp(m.name, again.name))
                        abort();
                if (vmodes_format_xrandr(buf, sizeof(buf), &m) != 0)
                        abort();
                if (vmodes_modeline_parse(buf, &again, &err) != 0 || !vmodes_mode_equal_timings(&m, &again))
                        abort();
        }
        free(text);
        return 0;
}
