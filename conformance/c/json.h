/* A small JSON reader for the C conformance runner: enough to read conformance/scenarios.json (objects, arrays,
 * strings, numbers, booleans, null). Every value keeps its span in the source text, so a runner can hand a request
 * or a record to the library exactly as the file spells it (json_raw). */
#ifndef CONFORMANCE_JSON_H
#define CONFORMANCE_JSON_H

#include <stddef.h>

/** The kinds of value. */
typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_kind;

/** One value: its kind, its decoded scalar, its members (objects: keys[i] -> items[i]) and its source span. */
typedef struct json {
    json_kind kind;
    double number;        /**< JSON_NUMBER; JSON_BOOL: 1 or 0 */
    char *string;         /**< JSON_STRING, decoded (escapes \" \\ \/ \n \t \r \b \f and \u00XX) */
    size_t count;         /**< members of an array or object */
    char **keys;          /**< object member names */
    struct json **items;  /**< array items or object member values */
    const char *start;    /**< the value's text in the source */
    size_t length;
} json;

/** Parses `text` (kept: spans point into it); NULL when it is not JSON. */
json *json_parse(const char *text);
/** The member `key` of an object, or NULL (also when `object` is NULL or not an object). */
json *json_get(const json *object, const char *key);
/** The string of a member, or `fallback`. */
const char *json_str(const json *object, const char *key, const char *fallback);
/** The number of a member, or `fallback`. */
double json_num(const json *object, const char *key, double fallback);
/** A new NUL-terminated copy of the value's source text (free it); NULL for NULL. */
char *json_raw(const json *value);

#endif
