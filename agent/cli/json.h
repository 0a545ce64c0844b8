/* SPDX-License-Identifier: MIT */
/*
 * json-c for `vmodes status` and `vmodes list --json`, loaded when one of
 * them runs (cli_json_load), not when vmodes starts: the other commands
 * (add, apply, cvt, ...) never pay for its dynamic linking. The calls keep
 * json-c's names (the macros below route them through the loaded
 * library), and its prototypes, so the compiler checks every call.
 */
#pragma once

#include <json-c/json.h>

#define CLI_JSON_SYMBOLS(X) \
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
        X(json_object_to_json_string_ext)

#define CLI_JSON_POINTER(f) extern typeof(f) *cli_json_##f;
CLI_JSON_SYMBOLS(CLI_JSON_POINTER)
#undef CLI_JSON_POINTER

#define json_object_new_object cli_json_json_object_new_object
#define json_object_new_array cli_json_json_object_new_array
#define json_object_new_string cli_json_json_object_new_string
#define json_object_new_int cli_json_json_object_new_int
#define json_object_new_int64 cli_json_json_object_new_int64
#define json_object_new_double cli_json_json_object_new_double
#define json_object_new_boolean cli_json_json_object_new_boolean
#define json_object_object_add cli_json_json_object_object_add
#define json_object_object_get_ex cli_json_json_object_object_get_ex
#define json_object_array_add cli_json_json_object_array_add
#define json_object_array_length cli_json_json_object_array_length
#define json_object_array_get_idx cli_json_json_object_array_get_idx
#define json_object_get_boolean cli_json_json_object_get_boolean
#define json_object_get_string cli_json_json_object_get_string
#define json_object_get_int64 cli_json_json_object_get_int64
#define json_object_is_type cli_json_json_object_is_type
#define json_object_put cli_json_json_object_put
#define json_object_to_json_string_ext cli_json_json_object_to_json_string_ext

/* Loads json-c (once). CLI_EXIT_OK, or CLI_EXIT_FAILURE with the error
 * printed. */
int cli_json_load(void);
