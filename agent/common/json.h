/* SPDX-License-Identifier: MIT */
/*
 * json-c, loaded when a program first needs it (vmodes_json_load), not
 * when it starts: `vmodes status`, `vmodes list --json` and the sway
 * backend load it; the other commands (add, apply, cvt, ...) and a session
 * agent on X never pay for its dynamic linking. The calls keep
 * json-c's names (the macros below route them through the loaded
 * library), and its prototypes, so the compiler checks every call.
 */
#pragma once

#include <json-c/json.h>

#define VMODES_JSON_SYMBOLS(X) \
        X(json_object_new_object) \
        X(json_object_new_array) \
        X(json_object_new_string) \
        X(json_object_new_int) \
        X(json_object_new_int64) \
        X(json_object_new_double) \
        X(json_object_new_boolean) \
        X(json_object_object_add) \
        X(json_object_object_get_ex) \
        X(json_object_array_add) \
        X(json_object_array_length) \
        X(json_object_array_get_idx) \
        X(json_object_get_boolean) \
        X(json_object_get_string) \
        X(json_object_get_int64) \
        X(json_object_is_type) \
        X(json_object_put) \
        X(json_object_to_json_string_ext) \
        X(json_object_get_int) \
        X(json_object_get_double) \
        X(json_tokener_parse_verbose) \
        X(json_tokener_error_desc)

#define VMODES_JSON_POINTER(f) extern typeof(f) *vmodes_dl_##f;
VMODES_JSON_SYMBOLS(VMODES_JSON_POINTER)
#undef VMODES_JSON_POINTER

#define json_object_new_object vmodes_dl_json_object_new_object
#define json_object_new_array vmodes_dl_json_object_new_array
#define json_object_new_string vmodes_dl_json_object_new_string
#define json_object_new_int vmodes_dl_json_object_new_int
#define json_object_new_int64 vmodes_dl_json_object_new_int64
#define json_object_new_double vmodes_dl_json_object_new_double
#define json_object_new_boolean vmodes_dl_json_object_new_boolean
#define json_object_object_add vmodes_dl_json_object_object_add
#define json_object_object_get_ex vmodes_dl_json_object_object_get_ex
#define json_object_array_add vmodes_dl_json_object_array_add
#define json_object_array_length vmodes_dl_json_object_array_length
#define json_object_array_get_idx vmodes_dl_json_object_array_get_idx
#define json_object_get_boolean vmodes_dl_json_object_get_boolean
#define json_object_get_string vmodes_dl_json_object_get_string
#define json_object_get_int64 vmodes_dl_json_object_get_int64
#define json_object_is_type vmodes_dl_json_object_is_type
#define json_object_put vmodes_dl_json_object_put
#define json_object_to_json_string_ext vmodes_dl_json_object_to_json_string_ext
#define json_object_get_int vmodes_dl_json_object_get_int
#define json_object_get_double vmodes_dl_json_object_get_double
#define json_tokener_parse_verbose vmodes_dl_json_tokener_parse_verbose
#define json_tokener_error_desc vmodes_dl_json_tokener_error_desc

struct vmodes_error;

/* Loads json-c (once): 0, or -ENOENT with err saying what is missing. */
int vmodes_json_load(struct vmodes_error *err);
