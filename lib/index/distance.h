// Distance kernels for float32 and packed binary vectors, with scalar, AVX2 and AVX-512 versions
// chosen once at runtime from the CPU's features. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vdb::index {

enum class SimdLevel : uint8_t { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

const char* SimdLevelName(SimdLevel level);
// The best level this CPU supports (AVX2 needs FMA too; AVX-512 needs F, BW, DQ and VL).
SimdLevel DetectedSimdLevel();

// One ISA's kernels. Single forms compare a with b of d elements. Batch forms compare one query q
// with n contiguous rows of x (row i at x + i * d) and write out[0, n).
struct DistanceKernels {
  SimdLevel level;
  float (*l2_sqr)(const float* a, const float* b, size_t d);
  float (*inner_product)(const float* a, const float* b, size_t d);
  void (*l2_sqr_batch)(const float* q, const float* x, size_t n, size_t d, float* out);
  void (*inner_product_batch)(const float* q, const float* x, size_t n, size_t d, float* out);
  // Binary vectors of `bytes` bytes (d bits packed, bit j of dimension in byte j/8, LSB first).
  uint32_t (*hamming)(const uint8_t* a, const uint8_t* b, size_t bytes);
  float (*jaccard)(const uint8_t* a, const uint8_t* b, size_t bytes);
};

// The kernels of `level`. REQUIRES: level <= DetectedSimdLevel() (calling them would fault).
const DistanceKernels& KernelsFor(SimdLevel level);
// The kernels of DetectedSimdLevel(); resolved once.
const DistanceKernels& Kernels();

// Convenience wrappers over Kernels().
inline float L2Sqr(const float* a, const float* b, size_t d) { return Kernels().l2_sqr(a, b, d); }
inline float InnerProduct(const float* a, const float* b, size_t d) {
  return Kernels().inner_product(a, b, d);
}
inline uint32_t Hamming(const uint8_t* a, const uint8_t* b, size_t bytes) {
  return Kernels().hamming(a, b, bytes);
}
// Jaccard distance 1 - popcount(a & b) / popcount(a | b); 0 when both are all zero.
inline float Jaccard(const uint8_t* a, const uint8_t* b, size_t bytes) {
  return Kernels().jaccard(a, b, bytes);
}

// Euclidean norms of n rows of x: norms[i] = sqrt(<x_i, x_i>).
void L2Norms(const float* x, size_t n, size_t d, float* norms);
// Scales each of the n rows of x to unit length in place; all-zero rows stay zero.
void NormalizeL2(float* x, size_t n, size_t d);

}  // namespace vdb::index
