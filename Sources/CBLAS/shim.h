// CBLAS from OpenBLAS (Debian: libopenblas-dev; Homebrew: openblas). On macOS the Swift
// code uses Accelerate instead and never imports this module.
#ifndef BRSGD_CBLAS_SHIM_H
#define BRSGD_CBLAS_SHIM_H
#include <cblas.h>
#endif
