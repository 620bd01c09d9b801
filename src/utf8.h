// Generalized UTF-8: the text representation of the text layer (codecs.h).
//
// Standard UTF-8 plus the surrogate code points U+D800..U+DFFF, each encoded
// on its own as a 3-byte sequence, so that every Python str has exactly one
// encoding here and the counts Python takes in code points are counts of
// sequences.  Overlong forms and values above U+10FFFF remain invalid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "utf8_validate.h"

namespace pyio::utf8 {

inline bool is_continuation(unsigned char b) noexcept { return (b & 0xc0) == 0x80; }

// Writes cp (at most U+10FFFF, surrogates allowed) to out; returns the length.
inline size_t encode(char32_t cp, char* out) noexcept {
    if (cp < 0x80) {
        out[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<char>(0xc0 | (cp >> 6));
        out[1] = static_cast<char>(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<char>(0xe0 | (cp >> 12));
        out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out[2] = static_cast<char>(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = static_cast<char>(0xf0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out[3] = static_cast<char>(0x80 | (cp & 0x3f));
    return 4;
}

inline void append(std::string& s, char32_t cp) {
    char buf[4];
    s.append(buf, encode(cp, buf));
}

// The length of the sequence a lead byte starts; 0 for a byte that starts none.
inline size_t sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if (lead < 0xc2) return 0;  // continuation bytes and the overlong C0/C1
    if (lead < 0xe0) return 2;
    if (lead < 0xf0) return 3;
    if (lead < 0xf5) return 4;
    return 0;
}

// Decodes the sequence at s[i] and advances i past it; returns -1 (leaving i
// unchanged) when s[i] starts no valid generalized UTF-8 sequence.
inline int32_t decode(std::string_view s, size_t& i) noexcept {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char lead = b(i);
    size_t len = sequence_length(lead);
    if (len == 0 || i + len > s.size()) return -1;
    if (len == 1) {
        ++i;
        return lead;
    }
    int32_t cp = lead & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
        if (!is_continuation(b(i + k))) return -1;
        cp = (cp << 6) | (b(i + k) & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return -1;
    i += len;
    return cp;
}

// The offset of the first byte that is not part of a valid sequence, or
// nullopt if all of s is valid generalized UTF-8.
inline std::optional<size_t> find_invalid(std::string_view s) noexcept {
    // Strict UTF-8 is generalized UTF-8: the vector check passes most text.
    size_t i = valid_prefix(reinterpret_cast<const unsigned char*>(s.data()), s.size());
    while (i < s.size()) {
        // ASCII runs are the common case: eight bytes at a time.
        while (i + 8 <= s.size()) {
            uint64_t w;
            __builtin_memcpy(&w, s.data() + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= s.size()) break;
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        if (decode(s, i) < 0) return i;
    }
    return std::nullopt;
}

// The number of code points in valid generalized UTF-8: the bytes that are
// not continuation bytes (10xxxxxx), counted with a vector unit where there
// is one (count_blocks), then eight at a time -- this runs
// over every chunk the text layer decodes.
inline size_t count(std::string_view s) noexcept {
    constexpr uint64_t kHigh = 0x8080808080808080ull;
    size_t n = 0, i = 0;
    if (s.size() >= 64) n = count_blocks(reinterpret_cast<const unsigned char*>(s.data()), s.size(), &i);
    for (; i + 8 <= s.size(); i += 8) {
        uint64_t w;
        __builtin_memcpy(&w, s.data() + i, 8);
        // Bit 7 of each continuation byte: bit 7 set and bit 6 clear; the
        // multiplication sums the eight 0/1 bytes into the top one (no
        // popcount instruction is assumed: without -mpopcnt it is a call).
        uint64_t continuation = (w & ~(w << 1) & kHigh) >> 7;
        n += 8 - static_cast<size_t>((continuation * 0x0101010101010101ull) >> 56);
    }
    for (; i < s.size(); ++i) n += !is_continuation(static_cast<unsigned char>(s[i]));
    return n;
}

// The byte offset just past the first n code points of valid text (s.size()
// if it has fewer).
inline size_t offset_of(std::string_view s, size_t n) noexcept {
    size_t i = 0;
    for (; i < s.size(); ++i) {
        if (!is_continuation(static_cast<unsigned char>(s[i]))) {
            if (n == 0) return i;
            --n;
        }
    }
    return s.size();
}

}  // namespace pyio::utf8
