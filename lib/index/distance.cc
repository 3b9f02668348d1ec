#include "index/distance.h"

// GCC 12 flags the deliberately undefined upper lanes inside its own _mm512_reduce_add_ps
// (GCC bug 105593); the warning is about the header, not this code.
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "common/check.h"

// Every ISA-specific function carries its own target attribute, so this file builds without any
// global -m flag and the binary still runs on CPUs without AVX2/AVX-512: Kernels() only hands out
// the functions the CPU supports.

namespace vdb::index {
namespace {

// ---- scalar reference ------------------------------------------------------------------------

float L2SqrScalar(const float* a, const float* b, size_t d) {
  float sum = 0;
  for (size_t i = 0; i < d; ++i) {
    float diff = a[i] - b[i];
    sum += diff * diff;
  }
  return sum;
}

float InnerProductScalar(const float* a, const float* b, size_t d) {
  float sum = 0;
  for (size_t i = 0; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

void L2SqrBatchScalar(const float* q, const float* x, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = L2SqrScalar(q, x + i * d, d);
}

void InnerProductBatchScalar(const float* q, const float* x, size_t n, size_t d, float* out) {
  for (size_t i = 0; i < n; ++i) out[i] = InnerProductScalar(q, x + i * d, d);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

// The popcount loops are written once and compiled twice: plain (a bit-twiddling popcount) and
// with the popcnt instruction enabled.
#define VDB_BINARY_KERNELS(SUFFIX, ATTR)                                                         \
  ATTR uint32_t Hamming##SUFFIX(const uint8_t* a, const uint8_t* b, size_t bytes) {              \
    uint32_t count = 0;                                                                          \
    size_t i = 0;                                                                                \
    for (; i + 8 <= bytes; i += 8) count += __builtin_popcountll(Load64(a + i) ^ Load64(b + i)); \
    for (; i < bytes; ++i) count += __builtin_popcount(unsigned(a[i] ^ b[i]));                   \
    return count;                                                                                \
  }                                                                                              \
  ATTR float Jaccard##SUFFIX(const uint8_t* a, const uint8_t* b, size_t bytes) {                 \
    uint32_t inter = 0, uni = 0;                                                                 \
    size_t i = 0;                                                                                \
    for (; i + 8 <= bytes; i += 8) {                                                             \
      uint64_t va = Load64(a + i), vb = Load64(b + i);                                           \
      inter += __builtin_popcountll(va & vb);                                                    \
      uni += __builtin_popcountll(va | vb);                                                      \
    }                                                                                            \
    for (; i < bytes; ++i) {                                                                     \
      inter += __builtin_popcount(unsigned(a[i] & b[i]));                                        \
      uni += __builtin_popcount(unsigned(a[i] | b[i]));                                          \
    }                                                                                            \
    return uni == 0 ? 0.0f : 1.0f - static_cast<float>(inter) / static_cast<float>(uni);         \
  }

VDB_BINARY_KERNELS(Scalar, )
VDB_BINARY_KERNELS(Popcnt, __attribute__((target("popcnt"))))
#undef VDB_BINARY_KERNELS

// ---- AVX2 + FMA --------------------------------------------------------------------------------

#define VDB_AVX2 __attribute__((target("avx2,fma")))

VDB_AVX2 inline float HorizontalSum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v);
  __m128 hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
  return _mm_cvtss_f32(lo);
}

VDB_AVX2 float L2SqrAvx2(const float* a, const float* b, size_t d) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    acc1 = _mm256_fmadd_ps(d1, d1, acc1);
  }
  if (i + 8 <= d) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    acc0 = _mm256_fmadd_ps(d0, d0, acc0);
    i += 8;
  }
  float sum = HorizontalSum256(_mm256_add_ps(acc0, acc1));
  for (; i < d; ++i) {
    float diff = a[i] - b[i];
    sum += diff * diff;
  }
  return sum;
}

VDB_AVX2 float InnerProductAvx2(const float* a, const float* b, size_t d) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
  }
  if (i + 8 <= d) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    i += 8;
  }
  float sum = HorizontalSum256(_mm256_add_ps(acc0, acc1));
  for (; i < d; ++i) sum += a[i] * b[i];
  return sum;
}

// Four rows at a time: each query load feeds four independent FMA chains.
VDB_AVX2 void L2SqrBatchAvx2(const float* q, const float* x, size_t n, size_t d, float* out) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * d;
    const float* x1 = x0 + d;
    const float* x2 = x1 + d;
    const float* x3 = x2 + d;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
      __m256 vq = _mm256_loadu_ps(q + j);
      __m256 d0 = _mm256_sub_ps(vq, _mm256_loadu_ps(x0 + j));
      __m256 d1 = _mm256_sub_ps(vq, _mm256_loadu_ps(x1 + j));
      __m256 d2 = _mm256_sub_ps(vq, _mm256_loadu_ps(x2 + j));
      __m256 d3 = _mm256_sub_ps(vq, _mm256_loadu_ps(x3 + j));
      a0 = _mm256_fmadd_ps(d0, d0, a0);
      a1 = _mm256_fmadd_ps(d1, d1, a1);
      a2 = _mm256_fmadd_ps(d2, d2, a2);
      a3 = _mm256_fmadd_ps(d3, d3, a3);
    }
    float s0 = HorizontalSum256(a0), s1 = HorizontalSum256(a1);
    float s2 = HorizontalSum256(a2), s3 = HorizontalSum256(a3);
    for (; j < d; ++j) {
      float t0 = q[j] - x0[j], t1 = q[j] - x1[j], t2 = q[j] - x2[j], t3 = q[j] - x3[j];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; ++i) out[i] = L2SqrAvx2(q, x + i * d, d);
}

VDB_AVX2 void InnerProductBatchAvx2(const float* q, const float* x, size_t n, size_t d,
                                    float* out) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * d;
    const float* x1 = x0 + d;
    const float* x2 = x1 + d;
    const float* x3 = x2 + d;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    size_t j = 0;
    for (; j + 8 <= d; j += 8) {
      __m256 vq = _mm256_loadu_ps(q + j);
      a0 = _mm256_fmadd_ps(vq, _mm256_loadu_ps(x0 + j), a0);
      a1 = _mm256_fmadd_ps(vq, _mm256_loadu_ps(x1 + j), a1);
      a2 = _mm256_fmadd_ps(vq, _mm256_loadu_ps(x2 + j), a2);
      a3 = _mm256_fmadd_ps(vq, _mm256_loadu_ps(x3 + j), a3);
    }
    float s0 = HorizontalSum256(a0), s1 = HorizontalSum256(a1);
    float s2 = HorizontalSum256(a2), s3 = HorizontalSum256(a3);
    for (; j < d; ++j) {
      s0 += q[j] * x0[j];
      s1 += q[j] * x1[j];
      s2 += q[j] * x2[j];
      s3 += q[j] * x3[j];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; ++i) out[i] = InnerProductAvx2(q, x + i * d, d);
}

#undef VDB_AVX2

// ---- AVX-512 -----------------------------------------------------------------------------------
// Tails use masked loads, so odd dimensions need no scalar loop.

#define VDB_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))

VDB_AVX512 inline __mmask16 TailMask(size_t left) {
  return static_cast<__mmask16>((1u << left) - 1);
}

VDB_AVX512 float L2SqrAvx512(const float* a, const float* b, size_t d) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
    acc0 = _mm512_fmadd_ps(d0, d0, acc0);
    acc1 = _mm512_fmadd_ps(d1, d1, acc1);
  }
  if (i + 16 <= d) {
    __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    acc0 = _mm512_fmadd_ps(d0, d0, acc0);
    i += 16;
  }
  if (i < d) {
    __mmask16 m = TailMask(d - i);
    __m512 d0 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
    acc1 = _mm512_fmadd_ps(d0, d0, acc1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

VDB_AVX512 float InnerProductAvx512(const float* a, const float* b, size_t d) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), acc1);
  }
  if (i + 16 <= d) {
    acc0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), acc0);
    i += 16;
  }
  if (i < d) {
    __mmask16 m = TailMask(d - i);
    acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), acc1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

VDB_AVX512 void L2SqrBatchAvx512(const float* q, const float* x, size_t n, size_t d, float* out) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * d;
    const float* x1 = x0 + d;
    const float* x2 = x1 + d;
    const float* x3 = x2 + d;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= d; j += 16) {
      __m512 vq = _mm512_loadu_ps(q + j);
      __m512 d0 = _mm512_sub_ps(vq, _mm512_loadu_ps(x0 + j));
      __m512 d1 = _mm512_sub_ps(vq, _mm512_loadu_ps(x1 + j));
      __m512 d2 = _mm512_sub_ps(vq, _mm512_loadu_ps(x2 + j));
      __m512 d3 = _mm512_sub_ps(vq, _mm512_loadu_ps(x3 + j));
      a0 = _mm512_fmadd_ps(d0, d0, a0);
      a1 = _mm512_fmadd_ps(d1, d1, a1);
      a2 = _mm512_fmadd_ps(d2, d2, a2);
      a3 = _mm512_fmadd_ps(d3, d3, a3);
    }
    if (j < d) {
      __mmask16 m = TailMask(d - j);
      __m512 vq = _mm512_maskz_loadu_ps(m, q + j);
      __m512 d0 = _mm512_sub_ps(vq, _mm512_maskz_loadu_ps(m, x0 + j));
      __m512 d1 = _mm512_sub_ps(vq, _mm512_maskz_loadu_ps(m, x1 + j));
      __m512 d2 = _mm512_sub_ps(vq, _mm512_maskz_loadu_ps(m, x2 + j));
      __m512 d3 = _mm512_sub_ps(vq, _mm512_maskz_loadu_ps(m, x3 + j));
      a0 = _mm512_fmadd_ps(d0, d0, a0);
      a1 = _mm512_fmadd_ps(d1, d1, a1);
      a2 = _mm512_fmadd_ps(d2, d2, a2);
      a3 = _mm512_fmadd_ps(d3, d3, a3);
    }
    out[i] = _mm512_reduce_add_ps(a0);
    out[i + 1] = _mm512_reduce_add_ps(a1);
    out[i + 2] = _mm512_reduce_add_ps(a2);
    out[i + 3] = _mm512_reduce_add_ps(a3);
  }
  for (; i < n; ++i) out[i] = L2SqrAvx512(q, x + i * d, d);
}

VDB_AVX512 void InnerProductBatchAvx512(const float* q, const float* x, size_t n, size_t d,
                                        float* out) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * d;
    const float* x1 = x0 + d;
    const float* x2 = x1 + d;
    const float* x3 = x2 + d;
    __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
    __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
    size_t j = 0;
    for (; j + 16 <= d; j += 16) {
      __m512 vq = _mm512_loadu_ps(q + j);
      a0 = _mm512_fmadd_ps(vq, _mm512_loadu_ps(x0 + j), a0);
      a1 = _mm512_fmadd_ps(vq, _mm512_loadu_ps(x1 + j), a1);
      a2 = _mm512_fmadd_ps(vq, _mm512_loadu_ps(x2 + j), a2);
      a3 = _mm512_fmadd_ps(vq, _mm512_loadu_ps(x3 + j), a3);
    }
    if (j < d) {
      __mmask16 m = TailMask(d - j);
      __m512 vq = _mm512_maskz_loadu_ps(m, q + j);
      a0 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m, x0 + j), a0);
      a1 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m, x1 + j), a1);
      a2 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m, x2 + j), a2);
      a3 = _mm512_fmadd_ps(vq, _mm512_maskz_loadu_ps(m, x3 + j), a3);
    }
    out[i] = _mm512_reduce_add_ps(a0);
    out[i + 1] = _mm512_reduce_add_ps(a1);
    out[i + 2] = _mm512_reduce_add_ps(a2);
    out[i + 3] = _mm512_reduce_add_ps(a3);
  }
  for (; i < n; ++i) out[i] = InnerProductAvx512(q, x + i * d, d);
}

#undef VDB_AVX512

constexpr DistanceKernels kScalarKernels = {
    SimdLevel::kScalar,      L2SqrScalar,   InnerProductScalar, L2SqrBatchScalar,
    InnerProductBatchScalar, HammingScalar, JaccardScalar,
};
constexpr DistanceKernels kAvx2Kernels = {
    SimdLevel::kAvx2,      L2SqrAvx2,     InnerProductAvx2, L2SqrBatchAvx2,
    InnerProductBatchAvx2, HammingPopcnt, JaccardPopcnt,
};
constexpr DistanceKernels kAvx512Kernels = {
    SimdLevel::kAvx512,      L2SqrAvx512,   InnerProductAvx512, L2SqrBatchAvx512,
    InnerProductBatchAvx512, HammingPopcnt, JaccardPopcnt,
};

SimdLevel Detect() {
  __builtin_cpu_init();
  // libgcc only reports AVX features the OS saves (XCR0), so these checks are sufficient.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("popcnt")) {
    return SimdLevel::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("popcnt")) {
    return SimdLevel::kAvx2;
  }
  return SimdLevel::kScalar;
}

}  // namespace

const char* SimdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return "scalar";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512:
      return "avx512";
  }
  return "unknown";
}

SimdLevel DetectedSimdLevel() {
  static const SimdLevel level = Detect();
  return level;
}

const DistanceKernels& KernelsFor(SimdLevel level) {
  VDB_CHECK(level <= DetectedSimdLevel());
  switch (level) {
    case SimdLevel::kAvx512:
      return kAvx512Kernels;
    case SimdLevel::kAvx2:
      return kAvx2Kernels;
    case SimdLevel::kScalar:
      break;
  }
  return kScalarKernels;
}

const DistanceKernels& Kernels() {
  static const DistanceKernels* kernels = &KernelsFor(DetectedSimdLevel());
  return *kernels;
}

void L2Norms(const float* x, size_t n, size_t d, float* norms) {
  const DistanceKernels& k = Kernels();
  for (size_t i = 0; i < n; ++i) {
    const float* row = x + i * d;
    norms[i] = std::sqrt(k.inner_product(row, row, d));
  }
}

void NormalizeL2(float* x, size_t n, size_t d) {
  const DistanceKernels& k = Kernels();
  for (size_t i = 0; i < n; ++i) {
    float* row = x + i * d;
    float norm = std::sqrt(k.inner_product(row, row, d));
    if (norm == 0) continue;
    float inv = 1.0f / norm;
    for (size_t j = 0; j < d; ++j) row[j] *= inv;
  }
}

}  // namespace vdb::index
