// One thread count for the SID builders' two pools: OpenMP's (faiss's k-means, the assignment loops) and
// OpenBLAS's own (faiss's distance GEMMs). OpenBLAS sizes its pool from the environment at load time and
// ignores omp_set_num_threads, and faiss's codes depend on that pool's size (ties between centroids fall
// differently), so `--threads N` must bound both for a result that does not depend on OMP_NUM_THREADS.
#pragma once

namespace sidr::sidgen {

// n > 0: both pools get n threads; n <= 0: left as they are.
void set_compute_threads(int n);

}  // namespace sidr::sidgen
