// glibc malloc settings, which Swift's Glibc module does not expose (<malloc.h>).
#pragma once
#include <stddef.h>

// Serve blocks below `mmap_threshold` bytes from the heap (fixed: glibc stops moving it) and
// give heap memory back to the system only past `trim_threshold` free bytes at its top.
// Returns 1 when both settings took effect; 0 elsewhere (non-glibc C libraries).
int kx_tune_malloc(size_t mmap_threshold, size_t trim_threshold);
