/* SPDX-License-Identifier: MIT */
/* libFuzzer target: mode spec parser, spec -> mode, and formatting. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modes/modes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct vmodes_spec spec;
        struct vmodes_mode m;
        struct vmodes_error err;
        char *text = malloc(size + 1), buf[512];

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        if (vmodes_spec_parse(text, &spec, &err) == 0) {
                if (vmodes_spec_format(buf, sizeof(buf), &spec) != 0)
                        abort();
                if (vmodes_spec_to_mode(&spec, &m, &err) == 0) {
                        if (vmodes_mode_validate(&m, &err) != 0)
                                abort(); /* a computed mode is always valid */
                        if (vmodes_format_xorg(buf, sizeof(buf), &m) != 0 ||
                            vmodes_format_xrandr(buf, sizeof(buf), &m) != 0 ||
                            vmodes_format_cvt(buf, sizeof(buf), &m, NULL) != 0)
                                abort();
                }
        }
        free(text);
        return 0;
}
