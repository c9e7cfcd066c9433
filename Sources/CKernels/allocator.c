#include "allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>

int kx_tune_malloc(size_t mmap_threshold, size_t trim_threshold) {
    int a = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold);
    int b = mallopt(M_TRIM_THRESHOLD, (int)trim_threshold);
    return a == 1 && b == 1;
}
#else
int kx_tune_malloc(size_t mmap_threshold, size_t trim_threshold) {
    (void)mmap_threshold; (void)trim_threshold;
    return 0;
}
#endif
