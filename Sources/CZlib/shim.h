// zlib (https://zlib.net), reached through pkg-config `zlib` (Debian: zlib1g-dev).
// Datasets uses it to inflate gzip-compressed IDX files; Foundation on Linux cannot.
#include <zlib.h>
