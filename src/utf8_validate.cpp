#include "utf8_validate.h"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PYIO_UTF8_AVX2 1
#endif

namespace pyio::utf8 {

#ifdef PYIO_UTF8_AVX2
namespace {

// Each 32-byte block is checked against the three bytes before it: every
// error shows as a bit in (what the byte pairs say) ^ (what 3- and 4-byte
// leads two or three bytes back require).  Error classes, as bits:
constexpr char kTooShort = 1 << 0;   // a lead or ASCII followed by a lead or ASCII where a continuation belongs
constexpr char kTooLong = 1 << 1;    // ASCII followed by a continuation
constexpr char kOverlong3 = 1 << 2;  // E0 80..9F
constexpr char kTooLarge = 1 << 3;   // F4 90..BF, F5..FF
constexpr char kSurrogate = 1 << 4;  // ED A0..BF
constexpr char kOverlong2 = 1 << 5;  // C0, C1
constexpr char kTooLarge1000 = 1 << 6;
constexpr char kOverlong4 = 1 << 6;  // F0 80..8F
constexpr char kTwoConts = static_cast<char>(1 << 7);  // two continuations: right only as 3rd/4th byte
constexpr char kCarry = kTooShort | kTooLong | kTwoConts;

__attribute__((target("avx2"))) inline __m256i table(char a0, char a1, char a2, char a3, char a4, char a5,
                                                     char a6, char a7, char a8, char a9, char a10, char a11,
                                                     char a12, char a13, char a14, char a15) {
    return _mm256_setr_epi8(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a0, a1, a2,
                            a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
}

__attribute__((target("avx2"))) inline __m256i high_nibbles(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
}

// The block shifted by n bytes, the first n taken from the end of prev.
template <int N>
__attribute__((target("avx2"))) inline __m256i before(__m256i input, __m256i prev) {
    return _mm256_alignr_epi8(input, _mm256_permute2x128_si256(prev, input, 0x21), 16 - N);
}

__attribute__((target("avx2"))) __m256i block_errors(__m256i input, __m256i prev) {
    const __m256i prev1 = before<1>(input, prev);
    const __m256i byte_1_high = _mm256_shuffle_epi8(
        table(kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,  // 0___
              kTwoConts, kTwoConts, kTwoConts, kTwoConts,                                      // 10__
              kTooShort | kOverlong2,                                                          // 1100
              kTooShort,                                                                       // 1101
              kTooShort | kOverlong3 | kSurrogate,                                             // 1110
              kTooShort | kTooLarge | kTooLarge1000 | kOverlong4),                             // 1111
        high_nibbles(prev1));
    const __m256i byte_1_low = _mm256_shuffle_epi8(
        table(kCarry | kOverlong3 | kOverlong2 | kOverlong4,  // ____0000
              kCarry | kOverlong2,                            // ____0001
              kCarry, kCarry,                                 // ____001_
              kCarry | kTooLarge,                             // ____0100
              kCarry | kTooLarge | kTooLarge1000,             // ____0101
              kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,
              kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,
              kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,
              kCarry | kTooLarge | kTooLarge1000,
              kCarry | kTooLarge | kTooLarge1000 | kSurrogate,  // ____1101
              kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000),
        _mm256_and_si256(prev1, _mm256_set1_epi8(0x0f)));
    const __m256i byte_2_high = _mm256_shuffle_epi8(
        table(kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,  // 0___
              kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4,            // 1000
              kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge,                             // 1001
              kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,                             // 101_
              kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
              kTooShort, kTooShort, kTooShort, kTooShort),  // 11__
        high_nibbles(input));
    const __m256i special = _mm256_and_si256(_mm256_and_si256(byte_1_high, byte_1_low), byte_2_high);
    // Where a 3- or 4-byte lead two or three bytes back requires a continuation.
    const __m256i third = _mm256_subs_epu8(before<2>(input, prev), _mm256_set1_epi8(static_cast<char>(0xe0 - 0x80)));
    const __m256i fourth = _mm256_subs_epu8(before<3>(input, prev), _mm256_set1_epi8(static_cast<char>(0xf0 - 0x80)));
    const __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(kTwoConts));
    return _mm256_xor_si256(must23, special);
}

__attribute__((target("avx2"))) size_t valid_prefix_avx2(const unsigned char* s, size_t n) noexcept {
    __m256i prev = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i input = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        // All ASCII: only a sequence cut short at the end of the previous
        // block can be wrong, and block_errors would see it; skip the rest.
        if (_mm256_movemask_epi8(input) == 0) {
            const __m256i cut = _mm256_subs_epu8(
                prev, _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                       -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xf0 - 1),
                                       static_cast<char>(0xe0 - 1), static_cast<char>(0xc0 - 1)));
            if (!_mm256_testz_si256(cut, cut)) break;
        } else {
            const __m256i errors = block_errors(input, prev);
            if (!_mm256_testz_si256(errors, errors)) break;
        }
        prev = input;
    }
    // The last bytes, padded with ASCII NULs to a block: then any sequence
    // they cut short shows as an error, so that a clean block means all of
    // s is valid and complete.
    if (i < n && i + 32 > n) {
        alignas(32) unsigned char last[32] = {};
        __builtin_memcpy(last, s + i, n - i);
        const __m256i input = _mm256_load_si256(reinterpret_cast<const __m256i*>(last));
        const __m256i errors = block_errors(input, prev);
        if (_mm256_testz_si256(errors, errors)) return n;
    }
    // s[0, i) is valid but for its last sequence, which may run on past i
    // (its continuations are checked with the next block): end before it
    // unless it is complete.
    for (size_t k = 1; k <= 3 && k <= i; ++k) {
        const unsigned char c = s[i - k];
        if ((c & 0xc0) == 0x80) continue;
        const size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return length > k ? i - k : i;
    }
    return i;
}

bool has_avx2() noexcept {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

__attribute__((target("avx2"))) size_t count_blocks_avx2(const unsigned char* s, size_t n, size_t* done) {
    // Signed, a byte is a continuation exactly when it is < -64 (0x80..0xBF).
    const __m256i last_continuation = _mm256_set1_epi8(-65);
    const __m256i zero = _mm256_setzero_si256();
    const size_t blocks = n / 32;
    size_t total = 0;
    for (size_t b = 0; b < blocks;) {
        // Per-byte tallies, each counting at most 255 blocks before the sums
        // of absolute differences widen them into four 64-bit totals.
        const size_t end = b + std::min<size_t>(255, blocks - b);
        __m256i tally = zero;
        for (; b < end; ++b) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + 32 * b));
            tally = _mm256_sub_epi8(tally, _mm256_cmpgt_epi8(v, last_continuation));  // -(-1) per lead or ASCII
        }
        const __m256i sums = _mm256_sad_epu8(tally, zero);
        total += static_cast<size_t>(_mm256_extract_epi64(sums, 0)) + static_cast<size_t>(_mm256_extract_epi64(sums, 1)) +
                 static_cast<size_t>(_mm256_extract_epi64(sums, 2)) + static_cast<size_t>(_mm256_extract_epi64(sums, 3));
    }
    *done = 32 * blocks;
    return total;
}

}  // namespace
#endif

size_t valid_prefix(const unsigned char* s, size_t n) noexcept {
#ifdef PYIO_UTF8_AVX2
    if (n > 0 && has_avx2()) return valid_prefix_avx2(s, n);
#else
    (void)s;
    (void)n;
#endif
    return 0;
}

size_t count_blocks(const unsigned char* s, size_t n, size_t* done) noexcept {
#ifdef PYIO_UTF8_AVX2
    if (n >= 32 && has_avx2()) return count_blocks_avx2(s, n, done);
#else
    (void)s;
    (void)n;
#endif
    *done = 0;
    return 0;
}

}  // namespace pyio::utf8
