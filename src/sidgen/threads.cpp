#include "sidgen/threads.h"

#include <dlfcn.h>
#include <omp.h>

namespace sidr::sidgen {

void set_compute_threads(int n) {
  if (n <= 0) return;
  omp_set_num_threads(n);
  // Looked up at run time: the BLAS behind libblas.so.3 need not be OpenBLAS.
  using SetThreads = void (*)(int);
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(n);
}

}  // namespace sidr::sidgen
