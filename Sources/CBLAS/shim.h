// OpenBLAS through its CBLAS interface (Debian libopenblas-dev).
#include <cblas.h>
// Thread control is an OpenBLAS extension, declared in its cblas.h on Debian.
