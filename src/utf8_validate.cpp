#include "utf8_validate.h"

#include <algorithm>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PYIO_UTF8_AVX2 1
#endif

namespace pyio::utf8 {

#ifdef PYIO_UTF8_AVX2
namespace {

// Each block is checked against the three bytes before it: every error
// shows as a bit in (what the byte pairs say) ^ (what 3- and 4-byte leads
// two or three bytes back require).  Error classes, as bits:
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
constexpr char kTooLargeAll = kCarry | kTooLarge | kTooLarge1000;

// The three lookups, by nibble: the first byte of a pair by its high and by
// its low nibble, the second by its high nibble.  Each kernel loads them
// into every 16-byte lane.
alignas(16) constexpr char kByte1High[16] = {
    kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,  // 0___
    kTwoConts, kTwoConts, kTwoConts, kTwoConts,                                      // 10__
    kTooShort | kOverlong2,                                                          // 1100
    kTooShort,                                                                       // 1101
    kTooShort | kOverlong3 | kSurrogate,                                             // 1110
    kTooShort | kTooLarge | kTooLarge1000 | kOverlong4,                              // 1111
};
alignas(16) constexpr char kByte1Low[16] = {
    kCarry | kOverlong3 | kOverlong2 | kOverlong4,  // ____0000
    kCarry | kOverlong2,                            // ____0001
    kCarry, kCarry,                                 // ____001_
    kCarry | kTooLarge,                             // ____0100
    kTooLargeAll, kTooLargeAll, kTooLargeAll, kTooLargeAll, kTooLargeAll, kTooLargeAll, kTooLargeAll,
    kTooLargeAll,                                   // ____0101 .. ____1100
    kTooLargeAll | kSurrogate,                      // ____1101
    kTooLargeAll, kTooLargeAll,
};
alignas(16) constexpr char kByte2High[16] = {
    kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,  // 0___
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4,            // 1000
    kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge,                             // 1001
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,                             // 101_
    kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,
    kTooShort, kTooShort, kTooShort, kTooShort,  // 11__
};

// s[0, i) was passed block by block, the last sequence's continuations
// (which may run on past i) still unchecked: the end of the valid prefix is
// before that sequence unless it is complete.
size_t before_cut_sequence(const unsigned char* s, size_t i) noexcept {
    for (size_t k = 1; k <= 3 && k <= i; ++k) {
        const unsigned char c = s[i - k];
        if ((c & 0xc0) == 0x80) continue;
        const size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return length > k ? i - k : i;
    }
    return i;
}

}  // namespace

namespace avx2 {

#define PYIO_AVX2 __attribute__((target("avx2")))

PYIO_AVX2 inline __m256i lookup(const char (&table)[16], __m256i nibbles) {
    return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(table))),
                               nibbles);
}

PYIO_AVX2 inline __m256i high_nibbles(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0f));
}

// The block shifted by n bytes, the first n taken from the end of prev.
template <int N>
PYIO_AVX2 inline __m256i before(__m256i input, __m256i prev) {
    return _mm256_alignr_epi8(input, _mm256_permute2x128_si256(prev, input, 0x21), 16 - N);
}

// The errors of a block given the blocks one, two and three bytes before it.
PYIO_AVX2 inline __m256i block_errors(__m256i input, __m256i prev1, __m256i prev2, __m256i prev3) {
    const __m256i special =
        _mm256_and_si256(_mm256_and_si256(lookup(kByte1High, high_nibbles(prev1)),
                                          lookup(kByte1Low, _mm256_and_si256(prev1, _mm256_set1_epi8(0x0f)))),
                         lookup(kByte2High, high_nibbles(input)));
    // Where a 3- or 4-byte lead two or three bytes back requires a continuation.
    const __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8(static_cast<char>(0xe0 - 0x80)));
    const __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8(static_cast<char>(0xf0 - 0x80)));
    const __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(kTwoConts));
    return _mm256_xor_si256(must23, special);
}

PYIO_AVX2 inline __m256i block_errors(__m256i input, __m256i prev) {
    return block_errors(input, before<1>(input, prev), before<2>(input, prev), before<3>(input, prev));
}

// A lead in the last three bytes of a block wants continuations after it:
// the block minus these (saturating) is non-zero then.
PYIO_AVX2 inline __m256i cut_leads() {
    return _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                            -1, -1, -1, -1, -1, -1, -1, static_cast<char>(0xf0 - 1), static_cast<char>(0xe0 - 1),
                            static_cast<char>(0xc0 - 1));
}

// The 32 bytes ending K bytes before end.  (Named loads: an array of the
// four, filled in a loop, was kept on the stack, with the frame realigned
// for it.)
template <int K>
PYIO_AVX2 inline __m256i load_before(const unsigned char* end) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(end - 32 - K));
}

PYIO_AVX2 size_t valid_prefix(const unsigned char* s, size_t n) noexcept {
    // An all-ASCII block's predecessor is checked for leads cut short.
    const __m256i cut_leads = avx2::cut_leads();
    __m256i prev = _mm256_setzero_si256();
    size_t i = 0;
    // As the AVX-512 kernel: four blocks a step, one branch on whether they
    // are all ASCII (a branch a block mispredicted on mixed-script text); a
    // step with an error is gone through block by block below.
    for (; i + 128 <= n; i += 128) {
        const auto* p = reinterpret_cast<const __m256i*>(s + i);
        const __m256i a = _mm256_loadu_si256(p), b = _mm256_loadu_si256(p + 1), c = _mm256_loadu_si256(p + 2),
                      d = _mm256_loadu_si256(p + 3);
        __m256i errors;
        if (_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d))) == 0)
            errors = _mm256_subs_epu8(prev, cut_leads);
        else
            errors = _mm256_or_si256(_mm256_or_si256(block_errors(a, prev), block_errors(b, a)),
                                     _mm256_or_si256(block_errors(c, b), block_errors(d, c)));
        if (!_mm256_testz_si256(errors, errors)) break;
        prev = d;
    }
    for (; i + 32 <= n; i += 32) {
        const __m256i input = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        // All ASCII: only a sequence cut short at the end of the previous
        // block can be wrong, and block_errors would see it; skip the rest.
        if (_mm256_movemask_epi8(input) == 0) {
            const __m256i cut = _mm256_subs_epu8(prev, cut_leads);
            if (!_mm256_testz_si256(cut, cut)) break;
        } else {
            const __m256i errors = block_errors(input, prev);
            if (!_mm256_testz_si256(errors, errors)) break;
        }
        prev = input;
    }
    if (i < n && i + 32 > n) {
        if (n >= 35) {
            // The last 32 bytes, overlapping blocks passed already, with the
            // three bytes before them loaded as shifted blocks: text writes
            // end every line here, and the copy to the stack below (a call
            // to memcpy, then a load that waits for its stores) made
            // validating the mixed corpus's lines one by one 12% slower
            // (Zen 2; 32 ns a line against 28).  Only a sequence cut short
            // by the end goes unseen in the block: checked after it.
            const __m256i errors = block_errors(load_before<0>(s + n), load_before<1>(s + n), load_before<2>(s + n),
                                                load_before<3>(s + n));
            if (_mm256_testz_si256(errors, errors) && before_cut_sequence(s, n) == n) return n;
        } else {
            // The last bytes, padded with ASCII NULs to a block: then any
            // sequence they cut short shows as an error, so that a clean
            // block means all of s is valid and complete.
            alignas(32) unsigned char last[32] = {};
            __builtin_memcpy(last, s + i, n - i);
            const __m256i input = _mm256_load_si256(reinterpret_cast<const __m256i*>(last));
            const __m256i errors = block_errors(input, prev);
            if (_mm256_testz_si256(errors, errors)) return n;
        }
    }
    return before_cut_sequence(s, i);
}

// Bit k: byte k of v is a continuation (0x80..0xBF, signed below -64).
PYIO_AVX2 inline unsigned continuations(__m256i v) {
    return static_cast<unsigned>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(-64), v)));
}

// 32 zeros, 32 ones, 32 zeros: the 32 bytes from kKeep + 64 - n keep a
// block's first n bytes, those from kKeep + n its last n.
alignas(32) constexpr char kKeep[96] = {
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};

// Without branches on the bytes (a line of mixed-script text, ASCII or not
// block by block, would mispredict them) and without a copy to the stack:
// below 32 bytes, one block loaded from s or ending at s + n, whichever
// stays on the pages of s[0, n) -- bytes outside it are read, never
// outside those pages, so nothing can fault, which AddressSanitizer cannot
// know (hence no_sanitize_address); from 35 bytes, whole blocks and then
// the last 32 bytes in place, as valid_prefix's end.
__attribute__((target("avx2,popcnt"), no_sanitize_address)) size_t valid_count(const unsigned char* s, size_t n) noexcept {
    const __m256i zero = _mm256_setzero_si256();
    if (n < 32) {
        if (n == 0) return 0;
        const bool from_s = (reinterpret_cast<uintptr_t>(s) & 4095) <= 4096 - 32;
        const __m256i keep = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kKeep + (from_s ? 64 - n : n)));
        const __m256i block =
            _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(from_s ? s : s + n - 32)), keep);
        // From s, the zeros after the text show a sequence it cuts short as
        // an error; ending at s + n, the cut is checked as a block's end.
        __m256i errors = block_errors(block, zero);
        if (!from_s) errors = _mm256_or_si256(errors, _mm256_subs_epu8(block, cut_leads()));
        if (!_mm256_testz_si256(errors, errors)) return kNotValid;
        return n - static_cast<size_t>(__builtin_popcount(continuations(block)));
    }
    if (n % 32 != 0 && n < 35) return kNotValid;  // too short for the last block in place
    __m256i prev = zero, errors = zero;
    size_t conts = 0, i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i block = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        errors = _mm256_or_si256(errors, block_errors(block, prev));
        conts += static_cast<size_t>(__builtin_popcount(continuations(block)));
        prev = block;
    }
    if (i < n) {
        // The block ending at s + n and the three bytes before it; only its
        // bytes from i on are counted, the top n - i.
        const __m256i block = load_before<0>(s + n), errors_here =
            block_errors(block, load_before<1>(s + n), load_before<2>(s + n), load_before<3>(s + n));
        errors = _mm256_or_si256(errors, errors_here);
        conts += static_cast<size_t>(__builtin_popcount(continuations(block) >> (32 - (n - i))));
        prev = block;
    }
    errors = _mm256_or_si256(errors, _mm256_subs_epu8(prev, cut_leads()));
    if (!_mm256_testz_si256(errors, errors)) return kNotValid;
    return n - conts;
}

PYIO_AVX2 size_t count_blocks(const unsigned char* s, size_t n, size_t* done) noexcept {
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

#undef PYIO_AVX2
}  // namespace avx2

// The same check 64 bytes at a time, VBMI's two-table byte permute bringing
// the bytes before a block in from the previous one.  Measured against the
// AVX2 kernel on mixed-script text: read() of a 128 MiB file 680 -> 750
// MB/s, reading it line by line about 3% faster.
namespace avx512 {

#define PYIO_AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi")))

// A 16-byte table in each lane of a vector.  (Not _mm512_broadcast_i32x4:
// GCC 12 warns about the undefined vector its header passes.)
struct Lanes {
    alignas(64) char bytes[64];
    explicit constexpr Lanes(const char (&table)[16]) : bytes{} {
        for (int i = 0; i < 64; ++i) bytes[i] = table[i % 16];
    }
};
constexpr Lanes kByte1HighLanes(kByte1High), kByte1LowLanes(kByte1Low), kByte2HighLanes(kByte2High);

PYIO_AVX512 inline __m512i lookup(const Lanes& table, __m512i nibbles) {
    return _mm512_shuffle_epi8(_mm512_load_si512(table.bytes), nibbles);
}

PYIO_AVX512 inline __m512i high_nibbles(__m512i v) {
    return _mm512_and_si512(_mm512_srli_epi16(v, 4), _mm512_set1_epi8(0x0f));
}

alignas(64) constexpr unsigned char kIota[64] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
    44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};

// The block shifted by n bytes, the first n taken from the end of prev: byte
// i is input[i - N], or for i < N prev[64 - N + i] -- index i - N, whose low
// seven bits (all the permute reads) are then 64 + (64 - N + i): bit 6
// picks the second table, prev.
template <int N>
PYIO_AVX512 inline __m512i before(__m512i input, __m512i prev) {
    const __m512i index = _mm512_sub_epi8(_mm512_load_si512(kIota), _mm512_set1_epi8(N));
    return _mm512_permutex2var_epi8(input, index, prev);
}

PYIO_AVX512 inline __m512i block_errors(__m512i input, __m512i prev) {
    const __m512i prev1 = before<1>(input, prev);
    const __m512i special =
        _mm512_and_si512(_mm512_and_si512(lookup(kByte1HighLanes, high_nibbles(prev1)),
                                          lookup(kByte1LowLanes, _mm512_and_si512(prev1, _mm512_set1_epi8(0x0f)))),
                         lookup(kByte2HighLanes, high_nibbles(input)));
    const __m512i third = _mm512_subs_epu8(before<2>(input, prev), _mm512_set1_epi8(static_cast<char>(0xe0 - 0x80)));
    const __m512i fourth = _mm512_subs_epu8(before<3>(input, prev), _mm512_set1_epi8(static_cast<char>(0xf0 - 0x80)));
    const __m512i must23 = _mm512_and_si512(_mm512_or_si512(third, fourth), _mm512_set1_epi8(kTwoConts));
    return _mm512_xor_si512(must23, special);
}

PYIO_AVX512 size_t valid_prefix(const unsigned char* s, size_t n) noexcept {
    // A lead in the last three bytes of an all-ASCII block's predecessor
    // wants continuations: prev minus these (saturating) is non-zero then.
    alignas(64) static constexpr unsigned char kCutLeads[64] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 - 1, 0xe0 - 1, 0xc0 - 1};
    const __m512i cut_leads = _mm512_load_si512(kCutLeads);
    __m512i prev = _mm512_setzero_si512();
    size_t i = 0;
    // Four blocks a step, their errors or-ed together: one branch on
    // whether the step is all ASCII, where a branch per block was taken or
    // not by the script of the words in it, mispredicted on mixed-script
    // text.  A step with an error is then gone through block by block below.
    for (; i + 256 <= n; i += 256) {
        const __m512i a = _mm512_loadu_si512(s + i), b = _mm512_loadu_si512(s + i + 64),
                      c = _mm512_loadu_si512(s + i + 128), d = _mm512_loadu_si512(s + i + 192);
        __m512i errors;
        if (_mm512_movepi8_mask(_mm512_or_si512(_mm512_or_si512(a, b), _mm512_or_si512(c, d))) == 0)
            errors = _mm512_subs_epu8(prev, cut_leads);
        else
            errors = _mm512_or_si512(_mm512_or_si512(block_errors(a, prev), block_errors(b, a)),
                                     _mm512_or_si512(block_errors(c, b), block_errors(d, c)));
        if (_mm512_test_epi8_mask(errors, errors) != 0) break;
        prev = d;
    }
    for (; i + 64 <= n; i += 64) {
        const __m512i input = _mm512_loadu_si512(s + i);
        if (_mm512_movepi8_mask(input) == 0) {
            const __m512i cut = _mm512_subs_epu8(prev, cut_leads);
            if (_mm512_test_epi8_mask(cut, cut) != 0) break;
        } else {
            const __m512i errors = block_errors(input, prev);
            if (_mm512_test_epi8_mask(errors, errors) != 0) break;
        }
        prev = input;
    }
    if (i < n && i + 64 > n) {
        // The last bytes, zeros after them (a masked load: a copy to the
        // stack stalled on store forwarding, and text writes end every line
        // here).  Zeros are ASCII, so a sequence cut by the end is an error.
        const __m512i last = _mm512_maskz_loadu_epi8(~uint64_t{0} >> (64 - (n - i)), s + i);
        const __m512i errors = block_errors(last, prev);
        if (_mm512_test_epi8_mask(errors, errors) == 0) return n;
    }
    return before_cut_sequence(s, i);
}

// One compare into a mask and a popcount for each 64 bytes, the last ones
// loaded masked: AVX2's tallies took twice the time, and left the tail to
// the caller's scalar loop (2% of reading mixed-script text lines, perf).
PYIO_AVX512 size_t count_blocks(const unsigned char* s, size_t n, size_t* done) noexcept {
    // Signed, a byte is a continuation exactly when it is < -64 (0x80..0xBF).
    const __m512i last_continuation = _mm512_set1_epi8(-65);
    size_t total = 0, i = 0;
    for (; i + 64 <= n; i += 64)
        total += static_cast<size_t>(
            __builtin_popcountll(_mm512_cmpgt_epi8_mask(_mm512_loadu_si512(s + i), last_continuation)));
    if (i < n) {
        const uint64_t mask = ~uint64_t{0} >> (64 - (n - i));
        total += static_cast<size_t>(__builtin_popcountll(
            _mm512_mask_cmpgt_epi8_mask(mask, _mm512_maskz_loadu_epi8(mask, s + i), last_continuation)));
    }
    *done = n;
    return total;
}

#undef PYIO_AVX512
}  // namespace avx512

namespace {

// The instruction sets, read once at load: a function-local static's guard,
// checked at every call (and the call itself), was 3% of writing text lines,
// whose check runs once a line.  Before they are set (a caller in some
// other static initializer) they read false, and each function below then
// does what it does without a vector unit, which its callers handle.
const bool kHasAvx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}();

const bool kHasAvx512 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
}();

}  // namespace
#endif

size_t valid_prefix(const unsigned char* s, size_t n) noexcept {
#ifdef PYIO_UTF8_AVX2
    if (n > 0 && kHasAvx512) return avx512::valid_prefix(s, n);
    if (n > 0 && kHasAvx2) return avx2::valid_prefix(s, n);
#else
    (void)s;
    (void)n;
#endif
    return 0;
}

size_t valid_count(const unsigned char* s, size_t n) noexcept {
#ifdef PYIO_UTF8_AVX2
    if (kHasAvx2) return avx2::valid_count(s, n);
#else
    (void)s;
    (void)n;
#endif
    return kNotValid;
}

size_t count_blocks(const unsigned char* s, size_t n, size_t* done) noexcept {
#ifdef PYIO_UTF8_AVX2
    if (n > 0 && kHasAvx512) return avx512::count_blocks(s, n, done);
    if (n >= 32 && kHasAvx2) return avx2::count_blocks(s, n, done);
#else
    (void)s;
    (void)n;
#endif
    *done = 0;
    return 0;
}

}  // namespace pyio::utf8
