// Vector kernels for the decoders whose output is longer than their input:
// latin-1, UTF-16 and the single-byte charsets (cp1252 and the like); and
// for the newlines of decoded text: universal newlines' translation, which
// shrinks it, and the map of its line ends.
//
// Hand-written, not a library, because measured speed demands it: reading a
// 128 MiB file through TextIOWrapper, the scalar loops were 30% (latin-1),
// 54% (UTF-16) and 42% (cp1252) of the time.  Decoding alone (64 KiB
// chunks) went from 1.2, 0.53 and 0.66 GB/s to 2.5, 1.2 and 1.4 with AVX2,
// and to 5.5, 1.9 and 3.3 with AVX-512 (VBMI2's byte compress; VBMI's
// 128-byte table lookup in place of AVX2's 16-byte ones for the charmaps),
// which made the whole read of those files 1.9, 2.1 and 2.5 times as fast.
// (Those are an Intel Xeon's; on Zen 2, AVX2 only, charmaps at 1.7 GB/s,
// 2.5 for those that are latin-1 from some point on, as cp1252.)
//
// Each kernel converts only the easy prefix -- characters that cannot be
// errors, and for UTF-16 no surrogates -- and says how far it got; the
// scalar decoder does the rest, so error handling, error positions and
// incremental decoding are its alone.  The instruction set is chosen at run
// time, as in utf8_validate.cpp; without AVX2 every kernel does nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyio::transcode {

// How far a kernel got: bytes of input read, bytes of UTF-8 written.
struct Progress {
    size_t read = 0;
    size_t written = 0;
};

// More than a kernel writes for one block: a kernel stops for want of room
// only with less than this left, so a caller that offers at least this much
// and finds at least this much left knows it stopped for its input.
constexpr size_t kMinRoom = 256;

// Latin-1 s[0, n) as UTF-8 into out[0, capacity), in blocks of 32 bytes: it
// stops with fewer than 32 left, or near the end of the room.
Progress latin1_to_utf8(const unsigned char* s, size_t n, char* out, size_t capacity) noexcept;

// UTF-16 s[0, n) (n counts bytes) as UTF-8 into out[0, capacity), in
// blocks of 16 units: it stops before a surrogate (D800..DFFF) -- the AVX2
// kernel only before one that does not start a valid pair, converting
// pairs as it goes -- with fewer than 16 units left (read is always even),
// or near the end of the room.
Progress utf16_to_utf8(const unsigned char* s, size_t n, bool big_endian, char* out, size_t capacity) noexcept;

// A single-byte charset's decoding table: each byte's UTF-8, one to three
// bytes in order, and their number (0: the byte is undefined) in the fourth.
// The bytes after `length` are zero: the AVX-512 kernel takes an entry's
// non-zero bytes (and always its first) for its UTF-8.
struct CharmapEntry {
    char bytes[3];
    uint8_t length;
};
static_assert(sizeof(CharmapEntry) == 4, "the vector lookup loads an entry as one 32-bit word");

// s[0, n) through table[256] as UTF-8 into out[0, capacity), in blocks of
// 32 bytes: it stops before the first undefined byte, with fewer than 32
// left, or near the end of the room.
Progress charmap_to_utf8(const unsigned char* s, size_t n, const CharmapEntry* table, char* out,
                         size_t capacity) noexcept;

// Universal newlines' translation of p[0, n) in place, as
// IncrementalNewlineDecoder with translate: "\r\n" and a lone "\r" become
// "\n".  Works in blocks of 64 bytes (AVX-512) or 32 (AVX2) while a byte
// more is left (whether a '\r' is half of a "\r\n" takes the next); `read`
// and `written` say how far it got (written <= read), and it ORs into `seen`
// the newlines it met, as Python's seennl bits.  What is left is the
// caller's, and starts with no "\r\n" cut in two.
constexpr unsigned kSeenLF = 1, kSeenCR = 2, kSeenCRLF = 4;
Progress translate_newlines(char* p, size_t n, unsigned& seen) noexcept;

// Where the '\n's of s[0, n) are: bit k % 64 of bits[k / 64] is set when
// s[k] is '\n', for the (n + 63) / 64 words of bits, the bits past n clear.
// With AVX-512 or AVX2, else memchr; the text layer finds a line's end with
// a bit search in these instead of a memchr a line.
void newline_bits(const char* s, size_t n, uint64_t* bits) noexcept;

}  // namespace pyio::transcode
