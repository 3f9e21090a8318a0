/* The conformance runner's JSON reader (see json.h). Recursive descent over the text; depth-limited. */
#include "json.h"

#include <stdlib.h>
#include <string.h>

typedef struct { const char *p; int depth; } cursor;

static void skip(cursor *c) {
    while (*c->p == ' ' || *c->p == '\n' || *c->p == '\t' || *c->p == '\r') c->p++;
}

static json *value(cursor *c);

static char *string(cursor *c) {
    if (*c->p != '"') return NULL;
    const char *s = ++c->p;
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) return NULL;
    while (*c->p && *c->p != '"') {
        char ch = *c->p++;
        if (ch == '\\') {
            char e = *c->p++;
            if (e == 'n') ch = '\n'; else if (e == 't') ch = '\t'; else if (e == 'r') ch = '\r';
            else if (e == 'b') ch = '\b'; else if (e == 'f') ch = '\f';
            else if (e == 'u') {
                char hex[5] = {0};
                for (int i = 0; i < 4 && c->p[i]; i++) hex[i] = c->p[i];
                long code = strtol(hex, NULL, 16);
                if (code > 0x7f || strlen(hex) != 4) { free(out); return NULL; }  /* ASCII escapes only */
                ch = (char)code;
                c->p += 4;
            } else if (e == '"' || e == '\\' || e == '/') ch = e;
            else { free(out); return NULL; }
        }
        *o++ = ch;
    }
    if (*c->p != '"') { free(out); return NULL; }
    c->p++;
    *o = 0;
    return out;
}

static json *node(json_kind kind, const char *start) {
    json *v = calloc(1, sizeof *v);
    if (v) { v->kind = kind; v->start = start; }
    return v;
}

static int push(json *v, char *key, json *item) {
    json **items = realloc(v->items, (v->count + 1) * sizeof *items);
    if (!items) return 0;
    v->items = items;
    if (v->kind == JSON_OBJECT) {
        char **keys = realloc(v->keys, (v->count + 1) * sizeof *keys);
        if (!keys) return 0;
        v->keys = keys;
        keys[v->count] = key;
    }
    items[v->count++] = item;
    return 1;
}

static json *container(cursor *c, json_kind kind, char close) {
    json *v = node(kind, c->p);
    if (!v || ++c->depth > 64) return NULL;
    c->p++;
    skip(c);
    if (*c->p == close) { c->p++; c->depth--; return v; }
    for (;;) {
        char *key = NULL;
        skip(c);
        if (kind == JSON_OBJECT) {
            if (!(key = string(c))) return NULL;
            skip(c);
            if (*c->p++ != ':') return NULL;
        }
        json *item = value(c);
        if (!item || !push(v, key, item)) return NULL;
        skip(c);
        if (*c->p == ',') { c->p++; continue; }
        if (*c->p++ != close) return NULL;
        c->depth--;
        return v;
    }
}

static json *value(cursor *c) {
    skip(c);
    const char *start = c->p;
    json *v = NULL;
    if (*c->p == '{') v = container(c, JSON_OBJECT, '}');
    else if (*c->p == '[') v = container(c, JSON_ARRAY, ']');
    else if (*c->p == '"') { char *s = string(c); if (s && (v = node(JSON_STRING, start))) v->string = s; }
    else if (!strncmp(c->p, "true", 4)) { c->p += 4; if ((v = node(JSON_BOOL, start))) v->number = 1; }
    else if (!strncmp(c->p, "false", 5)) { c->p += 5; v = node(JSON_BOOL, start); }
    else if (!strncmp(c->p, "null", 4)) { c->p += 4; v = node(JSON_NULL, start); }
    else {
        char *end;
        double n = strtod(c->p, &end);
        if (end != c->p && (v = node(JSON_NUMBER, start))) { v->number = n; c->p = end; }
    }
    if (v) v->length = (size_t)(c->p - start);
    return v;
}

json *json_parse(const char *text) {
    cursor c = {text, 0};
    json *v = value(&c);
    skip(&c);
    return v && *c.p == 0 ? v : NULL;
}

json *json_get(const json *object, const char *key) {
    if (!object || object->kind != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (!strcmp(object->keys[i], key)) return object->items[i];
    return NULL;
}

const char *json_str(const json *object, const char *key, const char *fallback) {
    json *v = json_get(object, key);
    return v && v->kind == JSON_STRING ? v->string : fallback;
}

double json_num(const json *object, const char *key, double fallback) {
    json *v = json_get(object, key);
    return v && (v->kind == JSON_NUMBER || v->kind == JSON_BOOL) ? v->number : fallback;
}

char *json_raw(const json *value) {
    if (!value) return NULL;
    char *out = malloc(value->length + 1);
    if (out) { memcpy(out, value->start, value->length); out[value->length] = 0; }
    return out;
}
