// A fast check that a run of bytes is valid UTF-8, for the UTF-8 decoder's
// common case (decoding valid UTF-8 is copying it).
//
// Hand-written, not a library, because measured speed demands it: the
// decoder's scalar loop validates mixed-script text (Latin, Cyrillic, CJK,
// emoji) at about 300 MB/s on this project's machines, which made it 60% of
// the time of reading lines; no validator library is packaged for Debian's
// C++.  This is Keiser and Lemire's "lookup" algorithm (Validating UTF-8 in
// less than one instruction per byte, 2021), with AVX-512 (BW and VBMI) or
// AVX2 chosen at run time and no vector path elsewhere (the scalar decoder
// then does all the work).
#pragma once

#include <cstddef>
#include <cstdint>

namespace pyio::utf8 {

// The length of a prefix of s[0, n) that is valid, complete UTF-8 (strict:
// no surrogates, no overlong forms, nothing above U+10FFFF), ending on a
// character boundary.  It may stop short of the longest such prefix -- near
// an error -- but never passes invalid input, so the caller validates the
// rest itself.  0 without a vector unit.
size_t valid_prefix(const unsigned char* s, size_t n) noexcept;

// The code points of s[0, n) when it is all valid, complete UTF-8 (strict,
// as valid_prefix), checked and counted in one pass; kNotValid when it is
// not, or when this cannot tell cheaply (33 or 34 bytes; no AVX2): the
// caller then checks and counts it the long way.  For the text layer's
// write(), which takes a line at a time: valid_prefix and count_blocks,
// each with its dispatch, calls and loops sized for long input, were 60%
// of writing the mixed corpus's lines (of about 80 bytes) to /dev/null.
// (Not a std::optional: GCC 12 returns one through a store of its flag
// byte and a load of the word around it, which stalls, a sixth of this
// function's time on such lines.)
constexpr size_t kNotValid = SIZE_MAX;
size_t valid_count(const unsigned char* s, size_t n) noexcept;

// The code points of s[0, *done): its bytes that are not continuations
// (10xxxxxx), counted 64 at a time with AVX-512 (*done is n) or 32 at a
// time with AVX2 (*done is a multiple of 32); the caller counts the rest,
// all of it without a vector unit (*done is 0).  Measured: the
// portable eight-at-a-time count took 13% of reading mixed-script lines
// (it runs on every decoded chunk, for tell()'s bytes-per-character ratio).
size_t count_blocks(const unsigned char* s, size_t n, size_t* done) noexcept;

}  // namespace pyio::utf8
