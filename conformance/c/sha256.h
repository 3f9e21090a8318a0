/* SHA-256 of a file, for the C conformance runner to check downloads against scenarios.json's "video". */
#ifndef CONFORMANCE_SHA256_H
#define CONFORMANCE_SHA256_H

#include <stddef.h>

/** Writes the lowercase hex SHA-256 of the file at `path` into hex[65] and its size into *size; 0, or -1 when the
 * file cannot be read. */
int sha256_file(const char *path, char hex[65], size_t *size);

#endif
