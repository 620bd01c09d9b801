#include "transcode_simd.h"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PYIO_TRANSCODE_AVX2 1
#endif

namespace pyio::transcode {

#ifdef PYIO_TRANSCODE_AVX2
namespace {

// The AVX2 kernels build, for a 128-bit lane of characters, one word each
// holding its UTF-8 bytes in order, then squeeze out the unused bytes with
// one shuffle chosen by which words are longer than one byte.
struct PackTable {
    alignas(16) unsigned char shuffle[256][16];
    unsigned char length[256];
};

// Eight 16-bit words of one or two bytes: bit k of the index says word k has two.
constexpr PackTable make_pack12() {
    PackTable t{};
    for (unsigned m = 0; m < 256; ++m) {
        unsigned o = 0;
        for (unsigned k = 0; k < 8; ++k) {
            t.shuffle[m][o++] = static_cast<unsigned char>(2 * k);
            if (m >> k & 1) t.shuffle[m][o++] = static_cast<unsigned char>(2 * k + 1);
        }
        t.length[m] = static_cast<unsigned char>(o);
        for (; o < 16; ++o) t.shuffle[m][o] = 0x80;
    }
    return t;
}

// Four 32-bit words of one to three bytes: bit k of the index says word k
// has two or more, bit k + 4 that it has three.
constexpr PackTable make_pack123() {
    PackTable t{};
    for (unsigned m = 0; m < 256; ++m) {
        unsigned o = 0;
        for (unsigned k = 0; k < 4; ++k) {
            const bool three = m >> (k + 4) & 1, two = three || (m >> k & 1);
            t.shuffle[m][o++] = static_cast<unsigned char>(4 * k);
            if (two) t.shuffle[m][o++] = static_cast<unsigned char>(4 * k + 1);
            if (three) t.shuffle[m][o++] = static_cast<unsigned char>(4 * k + 2);
        }
        t.length[m] = static_cast<unsigned char>(o);
        for (; o < 16; ++o) t.shuffle[m][o] = 0x80;
    }
    return t;
}

constexpr PackTable kPack12 = make_pack12();
constexpr PackTable kPack123 = make_pack123();

// For each set of up to eight bytes to drop from eight (bit k: byte k), the
// shuffle that moves the bytes kept to the front, in order, as one word
// (byte j of the word: the source index of output byte j).  AVX2 has no
// byte compress; universal newlines squeeze a block with these, eight bytes
// at a time.  shuffle[1] is shuffle[0] for the second eight of sixteen (its
// indexes 8 more), and kept[m] how many bytes a word keeps: loads in place
// of an add and a popcount, two of the kernel's 75 instructions a block
// each (reading the CRLF corpus's lines, Zen 2: 83.5 -> 81.8 ms).
struct DropTable {
    uint64_t shuffle[2][256];
    uint8_t kept[256];
};

constexpr DropTable make_drop8() {
    DropTable t{};
    for (unsigned m = 0; m < 256; ++m) {
        unsigned o = 0;
        for (unsigned k = 0; k < 8; ++k) {
            if (m >> k & 1) continue;
            t.shuffle[0][m] |= uint64_t{k} << (8 * o);
            t.shuffle[1][m] |= uint64_t{k + 8} << (8 * o);
            ++o;
        }
        t.kept[m] = static_cast<uint8_t>(o);
    }
    return t;
}

constexpr DropTable kDrop8 = make_drop8();

// Stores lane's bytes that the table's entry `index` keeps at out (all
// sixteen bytes are written); returns how many count.
__attribute__((target("avx2"))) inline size_t pack(const PackTable& t, __m128i lane, unsigned index, char* out) {
    const __m128i shuffle = _mm_load_si128(reinterpret_cast<const __m128i*>(t.shuffle[index]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_shuffle_epi8(lane, shuffle));
    return t.length[index];
}

// Sixteen values below 0x800 (16-bit, in order) as UTF-8 at out, given
// which are 0x80 or more as words of ones (wide) and as bits (bit k: value
// k).  Writes at most 48 bytes; returns how many count.
__attribute__((target("avx2"))) inline size_t put_utf8_12(__m256i v, __m256i wide, unsigned wide_bits, char* out) {
    const __m256i lead = _mm256_or_si256(_mm256_srli_epi16(v, 6), _mm256_set1_epi16(0xc0));
    const __m256i cont = _mm256_or_si256(_mm256_and_si256(v, _mm256_set1_epi16(0x3f)), _mm256_set1_epi16(0x80));
    const __m256i words = _mm256_blendv_epi8(v, _mm256_or_si256(lead, _mm256_slli_epi16(cont, 8)), wide);
    size_t n = pack(kPack12, _mm256_castsi256_si128(words), wide_bits & 0xff, out);
    return n + pack(kPack12, _mm256_extracti128_si256(words, 1), wide_bits >> 8 & 0xff, out + n);
}

// Eight 32-bit words of UTF-8, bytes in order from the lowest, as packed
// UTF-8 at out, given which have two or more bytes (bit k: word k) and
// which three.  Writes at most 28 bytes; returns how many count.
__attribute__((target("avx2"))) inline size_t put_packed_123(__m256i words, unsigned two, unsigned three, char* out) {
    size_t n = pack(kPack123, _mm256_castsi256_si128(words), (two & 0xf) | (three & 0xf) << 4, out);
    return n + pack(kPack123, _mm256_extracti128_si256(words, 1), (two >> 4 & 0xf) | (three >> 4 & 0xf) << 4, out + n);
}

// Eight values below 0x10000 (32-bit, in order) as UTF-8 at out, as
// put_packed_123.  Surrogates come out as their generalized UTF-8.
__attribute__((target("avx2"))) inline size_t put_utf8_123(__m256i v, unsigned two, unsigned three, char* out) {
    const __m256i low6 = _mm256_set1_epi32(0x3f), cont = _mm256_set1_epi32(0x80);
    const __m256i last = _mm256_or_si256(_mm256_and_si256(v, low6), cont);
    const __m256i middle = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(v, 6), low6), cont);
    const __m256i as2 = _mm256_or_si256(_mm256_or_si256(_mm256_srli_epi32(v, 6), _mm256_set1_epi32(0xc0)),
                                        _mm256_slli_epi32(last, 8));
    const __m256i as3 = _mm256_or_si256(_mm256_or_si256(_mm256_srli_epi32(v, 12), _mm256_set1_epi32(0xe0)),
                                        _mm256_or_si256(_mm256_slli_epi32(middle, 8), _mm256_slli_epi32(last, 16)));
    __m256i words = _mm256_blendv_epi8(v, as2, _mm256_cmpgt_epi32(v, _mm256_set1_epi32(0x7f)));
    words = _mm256_blendv_epi8(words, as3, _mm256_cmpgt_epi32(v, _mm256_set1_epi32(0x7ff)));
    return put_packed_123(words, two, three, out);
}

// The UTF-8 length of the first `count` characters of a block, given which
// have two or more bytes and which three.
inline size_t prefix_length(unsigned count, unsigned two, unsigned three) {
    const unsigned keep = (1u << count) - 1;
    return count + static_cast<size_t>(__builtin_popcount(two & keep) + __builtin_popcount(three & keep));
}

// Bit k of the result: 16-bit lane k of a (a comparison: all ones or zeros).
__attribute__((target("avx2"))) inline unsigned mask16(__m256i a) {
    const auto m = static_cast<unsigned>(_mm256_movemask_epi8(_mm256_packs_epi16(a, a)));
    return (m & 0xff) | (m >> 8 & 0xff00);
}

// Bit k of the result: 32-bit lane k of a (a comparison: all ones or zeros).
__attribute__((target("avx2"))) inline unsigned mask32(__m256i a) {
    return static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(a)));
}

// Bit k of the result: byte k of the 32 at s equals c's.
__attribute__((target("avx2"))) inline uint32_t equal_bytes(const char* s, __m256i c) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s));
    return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, c)));
}

bool has_avx2() noexcept {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

bool has_avx512() noexcept {
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("avx512vl") &&
                            __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2") &&
                            __builtin_cpu_supports("popcnt");
    return yes;
}

}  // namespace

// The kernels, each for machines with its instruction set.  Not static, so
// that the tests find each by name and try it whichever one runs here.
namespace avx2 {

__attribute__((target("avx2"))) Progress latin1_to_utf8(const unsigned char* s, size_t n, char* out,
                                                             size_t capacity) noexcept {
    size_t i = 0, w = 0;
    while (i + 32 <= n && capacity - w >= 64) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        const auto high = static_cast<unsigned>(_mm256_movemask_epi8(v));
        if (high == 0) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + w), v);
            w += 32;
        } else {
            for (unsigned half = 0; half < 2; ++half) {
                const __m256i x =
                    _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i + 16 * half)));
                const __m256i wide = _mm256_cmpgt_epi16(x, _mm256_set1_epi16(0x7f));
                w += put_utf8_12(x, wide, high >> (16 * half) & 0xffff, out + w);
            }
        }
        i += 32;
    }
    return {i, w};
}

__attribute__((target("avx2"))) Progress utf16_to_utf8(const unsigned char* s, size_t n, bool big_endian,
                                                            char* out, size_t capacity) noexcept {
    const __m256i swap = _mm256_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 1, 0, 3, 2, 5, 4, 7,
                                          6, 9, 8, 11, 10, 13, 12, 15, 14);
    size_t i = 0, w = 0;
    while (i + 32 <= n && capacity - w >= 64) {
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        if (big_endian) v = _mm256_shuffle_epi8(v, swap);
        if (_mm256_testz_si256(v, _mm256_set1_epi16(static_cast<short>(0xff80)))) {
            // ASCII: the low bytes, lane by lane, then the lanes together.
            const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packus_epi16(v, v), 0x08);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + w), _mm256_castsi256_si128(bytes));
            w += 16;
            i += 32;
            continue;
        }
        const __m256i wide = _mm256_cmpeq_epi16(_mm256_max_epu16(v, _mm256_set1_epi16(0x80)), v);
        if (_mm256_testz_si256(v, _mm256_set1_epi16(static_cast<short>(0xf800)))) {
            w += put_utf8_12(v, wide, mask16(wide), out + w);
            i += 32;
            continue;
        }
        const unsigned two = mask16(wide);
        const unsigned three = mask16(_mm256_cmpeq_epi16(_mm256_max_epu16(v, _mm256_set1_epi16(0x800)), v));
        const unsigned surrogates = mask16(_mm256_cmpeq_epi16(
            _mm256_and_si256(v, _mm256_set1_epi16(static_cast<short>(0xf800))),
            _mm256_set1_epi16(static_cast<short>(0xd800))));
        const unsigned count = surrogates ? static_cast<unsigned>(__builtin_ctz(surrogates)) : 16;
        size_t written = 0;
        if (count > 0)
            written = put_utf8_123(_mm256_cvtepu16_epi32(_mm256_castsi256_si128(v)), two & 0xff, three & 0xff, out + w);
        if (count > 8)
            written += put_utf8_123(_mm256_cvtepu16_epi32(_mm256_extracti128_si256(v, 1)), two >> 8, three >> 8,
                                    out + w + written);
        if (count < 16) {
            // What was written for the surrogate and after is not kept.
            w += prefix_length(count, two, three);
            i += 2 * count;
            // A valid pair is converted here and the blocks go on after it,
            // instead of leaving the kernel for the scalar decoder at each
            // (emoji: a pair in 22 units of the utf-16 corpus, whose read-all
            // went from 0.192 to 0.160 s on Zen 2); a lone surrogate is the
            // scalar decoder's to report.
            if (i + 4 > n) break;
            const auto unit = [&](size_t at) {
                return static_cast<uint32_t>(big_endian ? s[at] << 8 | s[at + 1] : s[at] | s[at + 1] << 8);
            };
            const uint32_t high = unit(i), low = unit(i + 2);
            if ((high & 0xfc00) != 0xd800 || (low & 0xfc00) != 0xdc00) break;
            const uint32_t cp = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
            out[w] = static_cast<char>(0xf0 | cp >> 18);
            out[w + 1] = static_cast<char>(0x80 | (cp >> 12 & 0x3f));
            out[w + 2] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            out[w + 3] = static_cast<char>(0x80 | (cp & 0x3f));
            w += 4;
            i += 4;
            continue;
        }
        w += written;
        i += 32;
    }
    return {i, w};
}

// pshufb looks up 16 entries at a time, so a 128-entry half of one byte of
// a charmap's entries is eight slices of 16, stored as differences: slice k
// is entries 16k.. XOR entries 16k-16.. (slice 0 as it is).  For an index x
// below 128, x - 16k has its top bit set (pshufb's "give zero") exactly
// when k > x / 16, so XOR-ing the eight lookups telescopes to entry x.
// Indexes of 128 and more give garbage, which the callers blend away.
// Looking up only the first Slices slices gives entry x for x < 16 Slices.
struct HalfPlane {
    __m256i slice[8];  // in both 128-bit lanes

    template <unsigned Slices = 8>
    __attribute__((target("avx2"))) __m256i lookup(const __m256i (&index)[8]) const {
        __m256i r = _mm256_shuffle_epi8(slice[0], index[0]);
#pragma GCC unroll 8
        for (unsigned k = 1; k < Slices; ++k) r = _mm256_xor_si256(r, _mm256_shuffle_epi8(slice[k], index[k]));
        return r;
    }
};

// x - 16k for k = 0..Slices-1, the indexes HalfPlane::lookup takes.
template <unsigned Slices = 8>
__attribute__((target("avx2"))) inline void slice_indexes(__m256i x, __m256i (&index)[8]) {
#pragma GCC unroll 8
    for (unsigned k = 0; k < Slices; ++k) index[k] = _mm256_sub_epi8(x, _mm256_set1_epi8(static_cast<char>(16 * k)));
}

// The table as three planes of two halves, one plane for each byte of the
// UTF-8, as the AVX-512 kernel's Planes: a character's UTF-8 is the non-zero
// bytes of its entry, and an undefined byte's first byte is 0xFF.  Built on
// each call, as the AVX-512 planes are: about a hundred cycles, against the
// thousands of a call's 5 KiB (codec_iconv.cpp's blocks).
struct Planes {
    HalfPlane byte[3][2];  // [UTF-8 byte][half of the table]
    bool ascii_identity;   // entries 0..127 are 0..127
    // Entries 128 + 16 latin1_from .. 255 are latin-1's (U+0080 + x - 128),
    // as cp1252's from 0xA0: 8 when not even the last slice is.
    unsigned latin1_from;

    __attribute__((target("avx2"))) explicit Planes(const CharmapEntry* table) {
        // Per lane, four entries' bytes regrouped: first bytes, second,
        // third, lengths.
        const __m256i by_byte = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12,
                                                 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        const __m256i by_qword = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        const auto* at = reinterpret_cast<const __m256i*>(table);
        const __m256i lane_index = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4,
                                                    5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        __m256i same = _mm256_set1_epi8(-1);  // bytes where the low half is still ASCII as itself
        unsigned latin1_slices = 0;  // bit k: the high half's slice k is latin-1's
        __m256i previous[3][2] = {};
        for (unsigned j = 0; j < 16; ++j) {
            // Entries 16j..16j+15: a and b hold one byte of eight entries in each qword.
            const __m256i a = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(_mm256_loadu_si256(at + 2 * j), by_byte), by_qword);
            const __m256i b = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(_mm256_loadu_si256(at + 2 * j + 1), by_byte), by_qword);
            const __m256i first_third = _mm256_unpacklo_epi64(a, b), second_length = _mm256_unpackhi_epi64(a, b);
            const __m256i length = _mm256_permute2x128_si256(second_length, second_length, 0x11);
            __m256i plane[3] = {_mm256_permute2x128_si256(first_third, first_third, 0x00),
                                _mm256_permute2x128_si256(second_length, second_length, 0x00),
                                _mm256_permute2x128_si256(first_third, first_third, 0x11)};
            plane[0] = _mm256_or_si256(plane[0], _mm256_cmpeq_epi8(length, _mm256_setzero_si256()));
            const unsigned half = j / 8, k = j % 8;
            if (half == 0) {
                const __m256i counting = _mm256_add_epi8(lane_index, _mm256_set1_epi8(static_cast<char>(16 * k)));
                same = _mm256_and_si256(same, _mm256_cmpeq_epi8(plane[0], counting));
                same = _mm256_and_si256(same, _mm256_cmpeq_epi8(_mm256_or_si256(plane[1], plane[2]), _mm256_setzero_si256()));
            } else {
                // Latin-1's x: C2 or (from 0xC0) C3, then x with bit 6 clear.
                const __m256i second =
                    _mm256_add_epi8(lane_index, _mm256_set1_epi8(static_cast<char>(0x80 + 16 * (k % 4))));
                const __m256i latin1 = _mm256_and_si256(
                    _mm256_cmpeq_epi8(plane[0], _mm256_set1_epi8(static_cast<char>(k < 4 ? 0xc2 : 0xc3))),
                    _mm256_and_si256(_mm256_cmpeq_epi8(plane[1], second),
                                     _mm256_cmpeq_epi8(plane[2], _mm256_setzero_si256())));
                if (_mm256_movemask_epi8(latin1) == -1) latin1_slices |= 1u << k;
            }
            for (unsigned p = 0; p < 3; ++p) {
                byte[p][half].slice[k] = _mm256_xor_si256(plane[p], previous[p][half]);
                previous[p][half] = plane[p];
            }
        }
        ascii_identity = _mm256_movemask_epi8(same) == -1;
        // The run of latin-1 slices that ends with the last.
        latin1_from = 8 - static_cast<unsigned>(__builtin_clz(~(latin1_slices << 24)));
    }
};

// 24 lookups a block (48 where the low half is not ASCII), against the 4
// gathers (_mm256_i32gather_epi32) of entries this kernel had before: on
// Zen 2, whose gathers are slow, decoding the cp1252 corpus in 64 KiB chunks
// went from 0.74 to 1.7 GB/s, and reading it whole from 526 to 870 MB/s.
// The loop is bound by how many instructions it issues (llvm-mca), hence
// the packs' indexes taken a byte at a time below.
//
// With a latin-1 tail from slice Slices (cp1252's is from 0xA0, Slices 2),
// only the first Slices slices are looked up and the tail is computed:
// 6 lookups a block instead of 24.  The cp1252 corpus decoded in 5 KiB
// calls went from 1.64 to 2.48 GB/s, reading it whole from 0.158 to 0.130 s
// (Zen 2).
template <bool AsciiIdentity, unsigned Slices = 8>
__attribute__((target("avx2"))) Progress charmap_blocks(const unsigned char* s, size_t n, const Planes& planes,
                                                        char* out, size_t capacity) noexcept {
    static_assert(AsciiIdentity || Slices == 8, "a latin-1 tail is taken only with ASCII as itself");
    const __m256i zero = _mm256_setzero_si256();
    size_t i = 0, w = 0;
    while (i + 32 <= n && capacity - w >= 128) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        if (AsciiIdentity && _mm256_movemask_epi8(v) == 0) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + w), v);
            w += 32;
            i += 32;
            continue;
        }
        __m256i index[8];
        slice_indexes<Slices>(_mm256_xor_si256(v, _mm256_set1_epi8(-128)), index);
        __m256i b[3];
#pragma GCC unroll 3
        for (unsigned p = 0; p < 3; ++p) b[p] = planes.byte[p][1].template lookup<Slices>(index);
        if constexpr (Slices < 8) {
            // Past the slices looked up, latin-1: C2 or (from 0xC0) C3, then
            // the byte with its bit 6 clear.  Signed, those bytes are
            // -128 + 16 Slices and up, and 0xC0 and up are -64 and up.
            const __m256i looked_up = _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(-128 + 16 * Slices)), v);
            const __m256i lead = _mm256_sub_epi8(_mm256_set1_epi8(static_cast<char>(0xc2)),
                                                 _mm256_cmpgt_epi8(v, _mm256_set1_epi8(-65)));
            b[0] = _mm256_blendv_epi8(lead, b[0], looked_up);
            b[1] = _mm256_blendv_epi8(_mm256_and_si256(v, _mm256_set1_epi8(static_cast<char>(0xbf))), b[1], looked_up);
            b[2] = _mm256_and_si256(b[2], looked_up);
        }
        // The top bit of v picks the high half's entry.
        if constexpr (AsciiIdentity) {
            b[0] = _mm256_blendv_epi8(v, b[0], v);
            b[1] = _mm256_blendv_epi8(zero, b[1], v);
            b[2] = _mm256_blendv_epi8(zero, b[2], v);
        } else {
            slice_indexes(v, index);
#pragma GCC unroll 3
            for (unsigned p = 0; p < 3; ++p) b[p] = _mm256_blendv_epi8(planes.byte[p][0].lookup(index), b[p], v);
        }
        const auto undefined = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b[0], _mm256_set1_epi8(-1))));
        const auto two = ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b[1], zero)));
        const auto three = ~static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b[2], zero)));
        // Words of characters 4g..4g+3 in lane g / 4 of words[g % 4].
        const __m256i b01[2] = {_mm256_unpacklo_epi8(b[0], b[1]), _mm256_unpackhi_epi8(b[0], b[1])};
        const __m256i b2z[2] = {_mm256_unpacklo_epi8(b[2], zero), _mm256_unpackhi_epi8(b[2], zero)};
        const __m256i words[4] = {_mm256_unpacklo_epi16(b01[0], b2z[0]), _mm256_unpackhi_epi16(b01[0], b2z[0]),
                                  _mm256_unpacklo_epi16(b01[1], b2z[1]), _mm256_unpackhi_epi16(b01[1], b2z[1])};
        // kPack123's index of group g, (two's nibble g) | (three's) << 4, is
        // byte g / 2 of `even` or `odd`: a shift each instead of the dozen
        // instructions of taking the nibbles apart one group at a time.
        const uint32_t even = (two & 0x0f0f0f0f) | (three & 0x0f0f0f0f) << 4;
        const uint32_t odd = (two >> 4 & 0x0f0f0f0f) | (three & 0xf0f0f0f0);
        size_t written = 0;
#pragma GCC unroll 8
        for (unsigned g = 0; g < 8; ++g) {
            const __m128i lane = g < 4 ? _mm256_castsi256_si128(words[g]) : _mm256_extracti128_si256(words[g - 4], 1);
            written += pack(kPack123, lane, ((g % 2 ? odd : even) >> (8 * (g / 2))) & 0xff, out + w + written);
        }
        if (undefined) {
            const auto count = static_cast<unsigned>(__builtin_ctz(undefined));
            return {i + count, w + prefix_length(count, two, three)};
        }
        w += written;
        i += 32;
    }
    return {i, w};
}

__attribute__((target("avx2"))) Progress charmap_to_utf8(const unsigned char* s, size_t n,
                                                              const CharmapEntry* table, char* out,
                                                              size_t capacity) noexcept {
    if (n < 32) return {};
    const Planes planes(table);
    if (!planes.ascii_identity) return charmap_blocks<false>(s, n, planes, out, capacity);
    if (planes.latin1_from <= 2) return charmap_blocks<true, 2>(s, n, planes, out, capacity);
    if (planes.latin1_from <= 4) return charmap_blocks<true, 4>(s, n, planes, out, capacity);
    return charmap_blocks<true>(s, n, planes, out, capacity);
}

// Universal newlines as the AVX-512 kernel's, in blocks of 32 bytes with the
// byte after each, squeezed eight bytes at a time: each eight shuffled by
// kDrop8 and stored as a word where the previous one ended.  The stores never
// pass the end of the block, so they cover only bytes loaded.  No branch on
// whether a block has a "\r\n" to drop: at one a line, that branch was a coin
// toss, and taking it cost more than squeezing every block (Zen 2, CRLF
// corpus: reading its lines went from 1.18 GB/s without this kernel to 1.39
// with the branch and 1.52 without).
__attribute__((target("avx2"))) Progress translate_newlines(char* p, size_t n, unsigned& seen) noexcept {
    const __m256i cr_v = _mm256_set1_epi8('\r'), lf_v = _mm256_set1_epi8('\n');
    size_t i = 0, w = 0;
    uint32_t crlf = 0;  // the last block's: its top bit is a '\r' before the byte after it
    // The kinds met, ORed together as vectors and turned into `seen`'s bits
    // once, after the loop.  A '\n' is looked at from the byte before it:
    // the first byte alone, before the stores overwrite it; the byte after
    // the last block is the caller's, and left out.  (As masks, the kinds
    // took a dozen of the loop's 75 instructions: CRLF lines 81.8 -> 80.0
    // ms.)
    const bool first_is_lf = n >= 33 && p[0] == '\n';
    __m256i any_bare_lf = _mm256_setzero_si256(), last_bare_lf = _mm256_setzero_si256(),
            any_lone_cr = _mm256_setzero_si256();
    uint32_t any_crlf = 0;
    while (i + 33 <= n) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
        const __m256i is_cr = _mm256_cmpeq_epi8(v, cr_v);
        const __m256i lf_next = _mm256_cmpeq_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 1)), lf_v);
        const __m256i lone_cr = _mm256_andnot_si256(lf_next, is_cr);
        any_bare_lf = _mm256_or_si256(any_bare_lf, last_bare_lf);
        last_bare_lf = _mm256_andnot_si256(is_cr, lf_next);
        any_lone_cr = _mm256_or_si256(any_lone_cr, lone_cr);
        crlf = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_and_si256(is_cr, lf_next)));
        any_crlf |= crlf;
        const __m256i translated = _mm256_blendv_epi8(v, lf_v, lone_cr);
        for (unsigned half = 0; half < 2; ++half) {
            const __m128i x = half ? _mm256_extracti128_si256(translated, 1) : _mm256_castsi256_si128(translated);
            const unsigned drop = crlf >> (16 * half) & 0xffff;
            const unsigned m0 = drop & 0xff, m1 = drop >> 8;
            const __m128i order = _mm_set_epi64x(static_cast<long long>(kDrop8.shuffle[1][m1]),
                                                 static_cast<long long>(kDrop8.shuffle[0][m0]));
            const __m128i squeezed = _mm_shuffle_epi8(x, order);
            _mm_storel_epi64(reinterpret_cast<__m128i*>(p + w), squeezed);
            w += kDrop8.kept[m0];
            _mm_storel_epi64(reinterpret_cast<__m128i*>(p + w), _mm_unpackhi_epi64(squeezed, squeezed));
            w += kDrop8.kept[m1];
        }
        i += 32;
    }
    const __m256i but_last_byte = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                   -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0);
    any_bare_lf = _mm256_or_si256(any_bare_lf, _mm256_and_si256(last_bare_lf, but_last_byte));
    const bool bare_lf = first_is_lf || !_mm256_testz_si256(any_bare_lf, any_bare_lf);
    seen |= (bare_lf ? kSeenLF : 0) | (_mm256_testz_si256(any_lone_cr, any_lone_cr) ? 0 : kSeenCR) |
            (any_crlf ? kSeenCRLF : 0);
    // As the AVX-512 kernel: the '\n' of a "\r\n" across the last boundary.
    if (crlf >> 31) {
        p[w++] = '\n';
        ++i;
    }
    return {i, w};
}

__attribute__((target("avx2"))) void newline_bits(const char* s, size_t n, uint64_t* bits) noexcept {
    const __m256i lf = _mm256_set1_epi8('\n');
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        bits[i / 64] = equal_bytes(s + i, lf) | uint64_t{equal_bytes(s + i + 32, lf)} << 32;
    }
    if (i < n) {
        uint64_t last = 0;
        for (size_t k = i; k < n; ++k) last |= uint64_t{s[k] == '\n'} << (k - i);
        bits[i / 64] = last;
    }
}

}  // namespace avx2

namespace avx512 {

// GCC 12's AVX-512 intrinsics warn of their own deliberately undefined
// values (GCC bug 105593, fixed in 12.3).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// These squeeze a block's words with one compress (VBMI2): the UTF-16 and
// latin-1 ones keep a word's first byte and its other bytes that are not
// zero (continuation bytes never are, padding always is), the charmap one
// the bytes its table's lengths count.
#define PYIO_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx512vbmi2,popcnt")))

// The rest of the input, fewer bytes than a block, in the smaller blocks of
// AVX2 (there by implication), after `read` and `written` of this kernel's.
inline Progress finish(Progress rest, size_t read, size_t written) {
    return {read + rest.read, written + rest.written};
}

PYIO_AVX512 Progress latin1_to_utf8(const unsigned char* s, size_t n, char* out, size_t capacity) noexcept {
    size_t i = 0, w = 0;
    while (i + 32 <= n && capacity - w >= 64) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
        const __mmask32 high = _mm256_movepi8_mask(v);
        if (high == 0) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + w), v);
            w += 32;
        } else {
            // 80..FF: C2 or C3, then the byte with bit 6 cleared.
            const __m512i x = _mm512_cvtepu8_epi16(v);
            const __m512i two = _mm512_or_si512(_mm512_or_si512(_mm512_srli_epi16(x, 6), _mm512_set1_epi16(0xc0)),
                                                _mm512_slli_epi16(_mm512_and_si512(x, _mm512_set1_epi16(0xbf)), 8));
            const __m512i words = _mm512_mask_mov_epi16(x, high, two);
            const __mmask64 keep = _mm512_test_epi8_mask(words, words) | 0x5555555555555555ull;
            _mm512_storeu_si512(out + w, _mm512_maskz_compress_epi8(keep, words));
            w += 32 + static_cast<size_t>(__builtin_popcount(high));
        }
        i += 32;
    }
    return {i, w};
}

PYIO_AVX512 Progress utf16_to_utf8(const unsigned char* s, size_t n, bool big_endian, char* out,
                                   size_t capacity) noexcept {
    const __m512i swap = _mm512_broadcast_i32x4(_mm_setr_epi8(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
    const __m512i low6 = _mm512_set1_epi16(0x3f), cont = _mm512_set1_epi16(0x80);
    size_t i = 0, w = 0;
    while (i + 64 <= n && capacity - w >= 128) {
        __m512i v = _mm512_loadu_si512(s + i);
        if (big_endian) v = _mm512_shuffle_epi8(v, swap);
        const __mmask32 wide = _mm512_test_epi16_mask(v, _mm512_set1_epi16(static_cast<short>(0xff80)));
        if (wide == 0) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + w), _mm512_cvtepi16_epi8(v));
            w += 32;
            i += 64;
            continue;
        }
        const __mmask32 three = _mm512_test_epi16_mask(v, _mm512_set1_epi16(static_cast<short>(0xf800)));
        if (three == 0) {
            const __m512i lead = _mm512_or_si512(_mm512_srli_epi16(v, 6), _mm512_set1_epi16(0xc0));
            const __m512i last = _mm512_or_si512(_mm512_and_si512(v, low6), cont);
            const __m512i words = _mm512_mask_mov_epi16(v, wide, _mm512_or_si512(lead, _mm512_slli_epi16(last, 8)));
            const __mmask64 keep = _mm512_test_epi8_mask(words, words) | 0x5555555555555555ull;
            _mm512_storeu_si512(out + w, _mm512_maskz_compress_epi8(keep, words));
            w += 32 + static_cast<size_t>(__builtin_popcount(wide));
            i += 64;
            continue;
        }
        const __mmask32 surrogates = _mm512_cmpeq_epi16_mask(
            _mm512_and_si512(v, _mm512_set1_epi16(static_cast<short>(0xf800))),
            _mm512_set1_epi16(static_cast<short>(0xd800)));
        const unsigned count = surrogates ? static_cast<unsigned>(__builtin_ctz(surrogates)) : 32;
        // Sixteen at a time as 32-bit words, up to the surrogate.
        for (unsigned half = 0; half < 2 && 16 * half < count; ++half) {
            const __m512i u = _mm512_cvtepu16_epi32(half ? _mm512_extracti64x4_epi64(v, 1) : _mm512_castsi512_si256(v));
            const __m512i low6x = _mm512_set1_epi32(0x3f), contx = _mm512_set1_epi32(0x80);
            const __m512i last = _mm512_or_si512(_mm512_and_si512(u, low6x), contx);
            const __m512i middle = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi32(u, 6), low6x), contx);
            const __m512i as2 = _mm512_or_si512(_mm512_or_si512(_mm512_srli_epi32(u, 6), _mm512_set1_epi32(0xc0)),
                                                _mm512_slli_epi32(last, 8));
            const __m512i as3 =
                _mm512_or_si512(_mm512_or_si512(_mm512_srli_epi32(u, 12), _mm512_set1_epi32(0xe0)),
                                _mm512_or_si512(_mm512_slli_epi32(middle, 8), _mm512_slli_epi32(last, 16)));
            __m512i words = _mm512_mask_mov_epi32(u, static_cast<__mmask16>(wide >> (16 * half)), as2);
            words = _mm512_mask_mov_epi32(words, static_cast<__mmask16>(three >> (16 * half)), as3);
            __mmask64 keep = _mm512_test_epi8_mask(words, words) | 0x1111111111111111ull;
            if (count < 16 * half + 16) keep &= (1ull << (4 * (count - 16 * half))) - 1;
            _mm512_storeu_si512(out + w, _mm512_maskz_compress_epi8(keep, words));
            w += static_cast<size_t>(__builtin_popcountll(keep));
        }
        i += 2 * count;
        if (count < 32) return {i, w};
    }
    return finish(avx2::utf16_to_utf8(s + i, n - i, big_endian, out + w, capacity - w), i, w);
}

// One byte of every entry of a 256-entry table, looked up for 64 bytes at once.
struct Plane {
    __m512i quarter[4];  // entries 64q..64q+63
    PYIO_AVX512 __m512i lookup(__m512i x, __mmask64 high) const {
        return _mm512_mask_blend_epi8(high, _mm512_permutex2var_epi8(quarter[0], x, quarter[1]),
                                      _mm512_permutex2var_epi8(quarter[2], x, quarter[3]));
    }
    // Where the low half of the table is ASCII as itself, only the high half
    // is looked up: the first byte's plane leaves an ASCII byte as it is, the
    // others make it zero.
    PYIO_AVX512 __m512i lookup_high_first(__m512i x, __mmask64 high) const {
        return _mm512_mask2_permutex2var_epi8(quarter[2], x, high, quarter[3]);
    }
    PYIO_AVX512 __m512i lookup_high_other(__m512i x, __mmask64 high) const {
        return _mm512_maskz_permutex2var_epi8(high, quarter[2], x, quarter[3]);
    }
};

// Byte p of table entries 64q..64q+63.
PYIO_AVX512 __m512i plane_quarter(const CharmapEntry* table, unsigned p, unsigned q) {
    alignas(64) unsigned char pick[64] = {};
    for (unsigned j = 0; j < 32; ++j) pick[j] = static_cast<unsigned char>(4 * j + p);
    const __m512i every4 = _mm512_load_si512(pick);
    const auto* at = reinterpret_cast<const unsigned char*>(table) + 256 * q;
    const __m512i lo = _mm512_permutex2var_epi8(_mm512_loadu_si512(at), every4, _mm512_loadu_si512(at + 64));
    const __m512i hi = _mm512_permutex2var_epi8(_mm512_loadu_si512(at + 128), every4, _mm512_loadu_si512(at + 192));
    return _mm512_inserti64x4(lo, _mm512_castsi512_si256(hi), 1);
}

// The table as three planes, one for each byte of the UTF-8: every fourth
// byte, starting at p, of the 128-byte halves of each quarter.  No plane of
// lengths: a character's bytes after the first are never zero, so its UTF-8
// is the non-zero bytes of its entry (and always the first, for U+0000).  An
// undefined byte's first byte is made 0xFF, which starts no UTF-8.
struct Planes {
    static constexpr char kUndefinedLead = -1;
    Plane byte[3];
    bool ascii_identity;  // entries 0..127 are 0..127

    PYIO_AVX512 explicit Planes(const CharmapEntry* table) {
        const __m512i undefined_lead = _mm512_set1_epi8(kUndefinedLead);
        for (unsigned q = 0; q < 4; ++q) {
            for (unsigned p = 0; p < 3; ++p) byte[p].quarter[q] = plane_quarter(table, p, q);
            const __m512i length = plane_quarter(table, 3, q);
            byte[0].quarter[q] =
                _mm512_mask_mov_epi8(byte[0].quarter[q], _mm512_testn_epi8_mask(length, length), undefined_lead);
        }
        alignas(64) unsigned char counting[64];
        for (unsigned j = 0; j < 64; ++j) counting[j] = static_cast<unsigned char>(j);
        const __m512i first64 = _mm512_load_si512(counting);
        const __m512i next64 = _mm512_add_epi8(first64, _mm512_set1_epi8(64));
        ascii_identity = _mm512_cmpneq_epi8_mask(byte[0].quarter[0], first64) == 0 &&
                         _mm512_cmpneq_epi8_mask(byte[0].quarter[1], next64) == 0;
        for (unsigned p = 1; p < 3; ++p)
            ascii_identity = ascii_identity && _mm512_test_epi8_mask(byte[p].quarter[0], byte[p].quarter[0]) == 0 &&
                             _mm512_test_epi8_mask(byte[p].quarter[1], byte[p].quarter[1]) == 0;
    }
};

// The order of a block's 64 bytes that makes the four unpacks below leave
// bytes 16k..16k+15 in words of their result k, in order.
alignas(64) constexpr unsigned char kUnpackOrder[64] = {
    0,  1,  2,  3,  16, 17, 18, 19, 32, 33, 34, 35, 48, 49, 50, 51,  // lane 0 of result k: bytes 16k..16k+3
    4,  5,  6,  7,  20, 21, 22, 23, 36, 37, 38, 39, 52, 53, 54, 55,  // lane 1: 16k+4..16k+7
    8,  9,  10, 11, 24, 25, 26, 27, 40, 41, 42, 43, 56, 57, 58, 59,  // and so on
    12, 13, 14, 15, 28, 29, 30, 31, 44, 45, 46, 47, 60, 61, 62, 63};

// The loop is bound by the shuffle port.  Measured on 16 KiB of the cp1252
// corpus: a plane of lengths, looked up and compared per 16 characters, and
// the low half looked up like the high one, ran at 5.4 GB/s; without the
// lengths 6.0; with only the high half looked up, 6.8 (medians of five).
// Its share of reading the cp1252 corpus whole fell from 25 % to 18 % (perf),
// where the page faults of the result's memory take about 40 %.
template <bool AsciiIdentity>
PYIO_AVX512 Progress charmap_blocks(const unsigned char* s, size_t n, const CharmapEntry* table, const Planes& planes,
                                    char* out, size_t capacity) noexcept {
    const __m512i order = _mm512_load_si512(kUnpackOrder);
    const __m512i zero = _mm512_setzero_si512();
    const __m512i undefined_lead = _mm512_set1_epi8(Planes::kUndefinedLead);
    size_t i = 0, w = 0;
    while (i + 64 <= n && capacity - w >= 256) {
        const __m512i x = _mm512_permutexvar_epi8(order, _mm512_loadu_si512(s + i));
        const __mmask64 high = _mm512_movepi8_mask(x);
        __m512i b0, b1, b2;
        if constexpr (AsciiIdentity) {
            b0 = planes.byte[0].lookup_high_first(x, high);
            b1 = planes.byte[1].lookup_high_other(x, high);
            b2 = planes.byte[2].lookup_high_other(x, high);
        } else {
            b0 = planes.byte[0].lookup(x, high);
            b1 = planes.byte[1].lookup(x, high);
            b2 = planes.byte[2].lookup(x, high);
        }
        size_t count = 64;
        if (_mm512_cmpeq_epi8_mask(b0, undefined_lead)) {
            count = 0;
            while (table[s[i + count]].length != 0) ++count;
        }
        const __m512i b01[2] = {_mm512_unpacklo_epi8(b0, b1), _mm512_unpackhi_epi8(b0, b1)};
        const __m512i b2z[2] = {_mm512_unpacklo_epi8(b2, zero), _mm512_unpackhi_epi8(b2, zero)};
        for (unsigned k = 0; k < 4 && 16 * k < count; ++k) {
            const __m512i words = k % 2 ? _mm512_unpackhi_epi16(b01[k / 2], b2z[k / 2])
                                        : _mm512_unpacklo_epi16(b01[k / 2], b2z[k / 2]);
            __mmask64 keep = _mm512_test_epi8_mask(words, words) | 0x1111111111111111ull;
            if (count < 16 * k + 16) keep &= (1ull << (4 * (count - 16 * k))) - 1;
            _mm512_storeu_si512(out + w, _mm512_maskz_compress_epi8(keep, words));
            w += static_cast<size_t>(__builtin_popcountll(keep));
        }
        i += count;
        if (count < 64) break;
    }
    return {i, w};
}

PYIO_AVX512 Progress charmap_to_utf8(const unsigned char* s, size_t n, const CharmapEntry* table, char* out,
                                     size_t capacity) noexcept {
    if (n < 64) return avx2::charmap_to_utf8(s, n, table, out, capacity);
    const Planes planes(table);
    const Progress p = planes.ascii_identity ? charmap_blocks<true>(s, n, table, planes, out, capacity)
                                             : charmap_blocks<false>(s, n, table, planes, out, capacity);
    // The rest, or nothing if an undefined byte stopped the blocks.
    return finish(avx2::charmap_to_utf8(s + p.read, n - p.read, table, out + p.written, capacity - p.written),
                  p.read, p.written);
}

// Universal newlines in blocks of 64 bytes, each with the byte after it: a
// '\r' before a '\n' is dropped (the '\n' stays), any other '\r' becomes
// '\n'; the block is squeezed with one compress and stored whole at the
// write position, which is never ahead of the read one, so the store only
// covers bytes already loaded.
PYIO_AVX512 Progress translate_newlines(char* p, size_t n, unsigned& seen) noexcept {
    const __m512i cr_v = _mm512_set1_epi8('\r'), lf_v = _mm512_set1_epi8('\n');
    size_t i = 0, w = 0;
    uint64_t crlf = 0;  // the previous block's: its top bit is a '\r' before this block's first byte
    while (i + 65 <= n) {
        const __m512i v = _mm512_loadu_si512(p + i);
        const uint64_t cr = _mm512_cmpeq_epi8_mask(v, cr_v);
        const uint64_t lf = _mm512_cmpeq_epi8_mask(v, lf_v);
        const uint64_t bare_lf = lf & ~((cr << 1) | crlf >> 63);
        crlf = cr & _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(p + i + 1), lf_v);
        const uint64_t lone_cr = cr & ~crlf;
        seen |= (bare_lf ? kSeenLF : 0) | (lone_cr ? kSeenCR : 0) | (crlf ? kSeenCRLF : 0);
        const __m512i translated = _mm512_mask_blend_epi8(lone_cr, v, lf_v);
        _mm512_storeu_si512(p + w, _mm512_maskz_compress_epi8(~crlf, translated));
        w += 64 - static_cast<size_t>(__builtin_popcountll(crlf));
        i += 64;
    }
    // A '\r\n' across the last boundary: its '\r' is gone; pass the '\n' too,
    // which the caller would otherwise take for a bare one.
    if (crlf >> 63) {
        p[w++] = '\n';
        ++i;
    }
    return {i, w};
}

PYIO_AVX512 void newline_bits(const char* s, size_t n, uint64_t* bits) noexcept {
    const __m512i lf = _mm512_set1_epi8('\n');
    size_t i = 0;
    for (; i + 64 <= n; i += 64) bits[i / 64] = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512(s + i), lf);
    if (i < n) bits[i / 64] = _mm512_cmpeq_epi8_mask(_mm512_maskz_loadu_epi8(~uint64_t{0} >> (64 - (n - i)), s + i), lf);
}

#undef PYIO_AVX512
#pragma GCC diagnostic pop

}  // namespace avx512
#endif

Progress latin1_to_utf8(const unsigned char* s, size_t n, char* out, size_t capacity) noexcept {
#ifdef PYIO_TRANSCODE_AVX2
    if (has_avx512()) return avx512::latin1_to_utf8(s, n, out, capacity);
    if (has_avx2()) return avx2::latin1_to_utf8(s, n, out, capacity);
#endif
    (void)s, (void)n, (void)out, (void)capacity;
    return {};
}

Progress utf16_to_utf8(const unsigned char* s, size_t n, bool big_endian, char* out, size_t capacity) noexcept {
#ifdef PYIO_TRANSCODE_AVX2
    if (has_avx512()) return avx512::utf16_to_utf8(s, n, big_endian, out, capacity);
    if (has_avx2()) return avx2::utf16_to_utf8(s, n, big_endian, out, capacity);
#endif
    (void)s, (void)n, (void)big_endian, (void)out, (void)capacity;
    return {};
}

Progress charmap_to_utf8(const unsigned char* s, size_t n, const CharmapEntry* table, char* out,
                         size_t capacity) noexcept {
#ifdef PYIO_TRANSCODE_AVX2
    if (has_avx512()) return avx512::charmap_to_utf8(s, n, table, out, capacity);
    if (has_avx2()) return avx2::charmap_to_utf8(s, n, table, out, capacity);
#endif
    (void)s, (void)n, (void)table, (void)out, (void)capacity;
    return {};
}

Progress translate_newlines(char* p, size_t n, unsigned& seen) noexcept {
#ifdef PYIO_TRANSCODE_AVX2
    if (has_avx512()) return avx512::translate_newlines(p, n, seen);
    if (has_avx2()) return avx2::translate_newlines(p, n, seen);
#endif
    (void)p, (void)n, (void)seen;
    return {};
}

void newline_bits(const char* s, size_t n, uint64_t* bits) noexcept {
#ifdef PYIO_TRANSCODE_AVX2
    if (has_avx512()) return avx512::newline_bits(s, n, bits);
    if (has_avx2()) return avx2::newline_bits(s, n, bits);
#endif
    std::memset(bits, 0, (n + 63) / 64 * sizeof(uint64_t));
    for (const char* p = s; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(s + n - p))));) {
        const size_t k = static_cast<size_t>(p - s);
        bits[k / 64] |= uint64_t{1} << (k % 64);
        ++p;
    }
}

}  // namespace pyio::transcode
