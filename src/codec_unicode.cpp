// The codecs with native code: utf-8, utf-8-sig, utf-16 and utf-32 (with BOM
// detection and in both byte orders), ascii, latin-1 and utf-7, each behaving
// as CPython's: the same error ranges and reasons (Objects/unicodeobject.c,
// Objects/stringlib/codecs.h), the same bytes left pending at the end of a
// chunk, and the same getstate() values as the incremental codecs of the
// encodings package.
//
// Decoders produce generalized UTF-8 (codecs.h).  Valid UTF-8 input is its own
// decoding, so the UTF-8 decoder only validates and copies whole runs; the
// others write through a Sink, a small staging buffer in front of the output
// string, so that no step pays for std::string's bookkeeping per character.
//
// Python's buffered incremental decoders decode `pending + input` as one
// object: error positions index that concatenation, and a failing call leaves
// the pending bytes as they were.  The decoders here do the same, and on an
// exception `out` is restored to its size before the call.
#include <array>
#include <cstring>
#include <utility>

#include "codecs.h"
#include "error.h"
#include "transcode_simd.h"
#include "utf8.h"
#include "utf8_validate.h"

namespace pyio {

namespace {

using u8 = unsigned char;

constexpr uint64_t kHighBits = 0x8080808080808080ull;

inline uint64_t load64(const u8* p) noexcept {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

// The offset of the first byte >= 0x80 in s[i, n), or n.
inline size_t skip_ascii(const u8* s, size_t i, size_t n) noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (i + 16 <= n) {
        uint64_t a = load64(s + i) & kHighBits;
        uint64_t b = load64(s + i + 8) & kHighBits;
        if (a | b) return a ? i + (__builtin_ctzll(a) >> 3) : i + 8 + (__builtin_ctzll(b) >> 3);
        i += 16;
    }
    if (i + 8 <= n) {
        uint64_t a = load64(s + i) & kHighBits;
        if (a) return i + (__builtin_ctzll(a) >> 3);
        i += 8;
    }
#endif
    while (i < n && s[i] < 0x80) ++i;
    return i;
}

// A staging buffer in front of the output string.  room() returns a cursor
// with at least kStep bytes free; the caller writes and hands the advanced
// cursor back with advance().  Call flush() before anything else appends to
// the string, and at the end.
class Sink {
public:
    static constexpr size_t kStep = 32;

    explicit Sink(std::string& out) noexcept : out_(out), p_(buf_) {}
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;

    char* room() {
        if (p_ > buf_ + sizeof buf_ - kStep) flush();
        return p_;
    }
    // For the vector kernels, which write whole blocks: a cursor and all the
    // free space after it, at least `want` bytes (want <= 4096).
    std::pair<char*, size_t> space(size_t want) {
        if (p_ + want > buf_ + sizeof buf_) flush();
        return {p_, static_cast<size_t>(buf_ + sizeof buf_ - p_)};
    }
    void advance(char* p) noexcept { p_ = p; }
    // Copies s[i, i + 16) and advances i if those are sixteen ASCII bytes.
    bool copy_ascii16(const u8* s, size_t& i, size_t n) {
        if (i + 16 > n || ((load64(s + i) | load64(s + i + 8)) & kHighBits)) return false;
        char* o = room();
        std::memcpy(o, s + i, 16);
        advance(o + 16);
        i += 16;
        return true;
    }
    void flush() {
        out_.append(buf_, static_cast<size_t>(p_ - buf_));
        p_ = buf_;
    }
    // The string itself, flushed: for appending large runs directly.
    std::string& out() {
        flush();
        return out_;
    }

private:
    std::string& out_;
    char* p_;
    char buf_[4096];
};

inline char* put_utf8(char* o, uint32_t cp) noexcept { return o + utf8::encode(cp, o); }

// Runs a transcode_simd.h kernel, kernel(input, size, out, capacity), over
// s[i, n) through the sink until it stops for want of input it can convert,
// not of room; returns where it stopped.
template <class Kernel>
size_t run_kernel(Sink& sink, const u8* s, size_t i, size_t n, Kernel kernel) {
    for (;;) {
        auto [o, capacity] = sink.space(transcode::kMinRoom);
        const transcode::Progress p = kernel(s + i, n - i, o, capacity);
        sink.advance(o + p.written);
        i += p.read;
        if (capacity - p.written >= transcode::kMinRoom) return i;
    }
}

// What a byte allows as the start of a UTF-8 sequence: its length (0: not a
// lead byte, 1: ASCII), the range of the second byte (narrower after E0, ED,
// F0 and F4: no overlong forms, surrogates or values above U+10FFFF), and,
// for a little-endian load of the first four bytes, the continuation bits.
struct LeadByte {
    uint8_t length, min2, max2;
    uint32_t mask, expect;
};
constexpr std::array<LeadByte, 256> make_lead_bytes() {
    std::array<LeadByte, 256> t{};
    for (int c = 0; c < 0x80; ++c) t[c] = {1, 0, 0xff, 0, 0};
    for (int c = 0xc2; c < 0xf5; ++c) {
        uint8_t length = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        uint8_t min2 = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
        uint8_t max2 = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
        uint32_t mask = length == 2 ? 0xc000u : length == 3 ? 0xc0c000u : 0xc0c0c000u;
        t[c] = {length, min2, max2, mask, mask & 0x80808080u};
    }
    return t;
}
constexpr std::array<LeadByte, 256> kLeadBytes = make_lead_bytes();

// The code point at text[i] of generalized UTF-8 text, advancing i.  The text
// layer hands the encoders valid text; anything else is a ValueError here.
inline uint32_t next_code_point(std::string_view text, size_t& i) {
    const auto* s = reinterpret_cast<const u8*>(text.data());
    u8 c = s[i];
    if (c < 0x80) {
        ++i;
        return c;
    }
    if (i + 4 <= text.size()) {
        // Generalized UTF-8: ED may start a surrogate, A0..BF after it.
        const LeadByte& lead = kLeadBytes[c];
        uint32_t w;
        std::memcpy(&w, s + i, 4);
        uint32_t c2 = s[i + 1];
        if (lead.length != 0 && c2 >= lead.min2 && c2 <= (c == 0xed ? 0xbfu : lead.max2) &&
            (w & lead.mask) == lead.expect) {
            i += lead.length;
            if (lead.length == 2) return (c & 0x1fu) << 6 | (c2 & 0x3f);
            if (lead.length == 3) return (c & 0x0fu) << 12 | (c2 & 0x3f) << 6 | (s[i - 1] & 0x3fu);
            return (c & 0x07u) << 18 | (c2 & 0x3f) << 12 | (s[i - 2] & 0x3fu) << 6 | (s[i - 1] & 0x3fu);
        }
    }
    int32_t cp = utf8::decode(text, i);
    if (cp < 0) throw value_error("text to encode is not valid UTF-8 at byte " + std::to_string(i));
    return static_cast<uint32_t>(cp);
}

inline bool is_surrogate(uint32_t cp) noexcept { return cp >= 0xd800 && cp <= 0xdfff; }

// Runs a coding step with Python's all-or-nothing result: on an exception
// `out` gets back its size before the call.  `bound` is the most the step
// appends for valid input: reserved at once, it spares the output string its
// reallocations and copies as it grows (large reservations cost address
// space, not memory, until written).
template <class F>
void all_or_nothing(std::string& out, size_t bound, F&& step) {
    size_t mark = out.size();
    out.reserve(mark + bound);
    try {
        step();
    } catch (...) {
        out.resize(mark);
        throw;
    }
}

// The bytes Python's buffered decoders see: what was pending, then the new
// input.  Only when something is pending does this copy.
class Joined {
public:
    std::string_view join(const std::string& pending, std::string_view input) {
        if (pending.empty()) return input;
        scratch_.assign(pending);
        scratch_.append(input);
        return scratch_;
    }

private:
    std::string scratch_;
};

// ================================ UTF-8 ================================

// What CPython's utf8_decode reports for the sequence at s[i] (s[i] >= 0x80).
enum class Utf8Step {
    Ok,            // a valid sequence of `len` bytes
    InvalidStart,  // range of 1
    Continuation,  // "invalid continuation byte", range of `len`
    Incomplete,    // a valid prefix cut by the end of the data
    Surrogate,     // ED A0..BF cut by the end: incomplete unless final, else a bad continuation of 1
};

inline bool cont(u8 c) noexcept { return (c & 0xc0) == 0x80; }

inline Utf8Step utf8_step(const u8* s, size_t i, size_t n, size_t& len) noexcept {
    u8 c = s[i];
    size_t avail = n - i;
    if (c < 0xc2) {
        len = 1;
        return Utf8Step::InvalidStart;
    }
    if (c < 0xe0) {
        if (avail < 2) return Utf8Step::Incomplete;
        len = cont(s[i + 1]) ? 2 : 1;
        return len == 2 ? Utf8Step::Ok : Utf8Step::Continuation;
    }
    if (c < 0xf0) {
        if (avail < 3) {
            if (avail < 2) return Utf8Step::Incomplete;
            u8 c2 = s[i + 1];
            len = 1;
            if (!cont(c2) || (c2 < 0xa0 ? c == 0xe0 : c == 0xed))
                return c == 0xed && cont(c2) ? Utf8Step::Surrogate : Utf8Step::Continuation;
            return Utf8Step::Incomplete;
        }
        u8 c2 = s[i + 1], c3 = s[i + 2];
        len = 1;
        if (!cont(c2) || (c == 0xe0 && c2 < 0xa0) || (c == 0xed && c2 >= 0xa0)) return Utf8Step::Continuation;
        len = 2;
        if (!cont(c3)) return Utf8Step::Continuation;
        len = 3;
        return Utf8Step::Ok;
    }
    if (c < 0xf5) {
        if (avail < 4) {
            if (avail < 2) return Utf8Step::Incomplete;
            u8 c2 = s[i + 1];
            len = 1;
            if (!cont(c2) || (c2 < 0x90 ? c == 0xf0 : c == 0xf4)) return Utf8Step::Continuation;
            if (avail < 3) return Utf8Step::Incomplete;
            len = 2;
            if (!cont(s[i + 2])) return Utf8Step::Continuation;
            return Utf8Step::Incomplete;
        }
        u8 c2 = s[i + 1], c3 = s[i + 2], c4 = s[i + 3];
        len = 1;
        if (!cont(c2) || (c == 0xf0 && c2 < 0x90) || (c == 0xf4 && c2 >= 0x90)) return Utf8Step::Continuation;
        len = 2;
        if (!cont(c3)) return Utf8Step::Continuation;
        len = 3;
        if (!cont(c4)) return Utf8Step::Continuation;
        len = 4;
        return Utf8Step::Ok;
    }
    len = 1;
    return Utf8Step::InvalidStart;
}


// CPython's unicode_decode_utf8: decodes data, appends to out and returns how
// much was consumed (all of it when final).
size_t decode_utf8(std::string_view data, bool final, ErrorHandler errors, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    size_t n = data.size();
    size_t i = 0, span = 0;  // data[span, i) is valid and not yet appended
    i = utf8::valid_prefix(s, n);  // most text is valid: vectors first
    for (;;) {
        // The common case: valid sequences, checked inline; anything else
        // (an error, or a sequence cut by the end) leaves the loop.
        while (i + 4 <= n) {
            // Runs of eight ASCII bytes or more go by whole words.
            uint64_t ascii = i + 8 <= n ? load64(s + i) & kHighBits : 1;
            if (!ascii) {
                i = skip_ascii(s, i + 8, n);
                continue;
            }
            // One character: its lead byte, its second byte's range and the
            // continuation bits of the others checked without branching on
            // its length; the last three bytes of the data take the slow path.
            const LeadByte& lead = kLeadBytes[s[i]];
            uint32_t w;
            std::memcpy(&w, s + i, 4);
            u8 c2 = s[i + 1];
            if (lead.length == 0 || c2 < lead.min2 || c2 > lead.max2 || (w & lead.mask) != lead.expect) break;
            i += lead.length;
        }
        if (i == n) break;
        if (s[i] < 0x80) {  // in the last three bytes
            ++i;
            continue;
        }
        size_t len = 0;
        Utf8Step step = utf8_step(s, i, n, len);
        if (step == Utf8Step::Ok) {
            i += len;
            continue;
        }
        out.append(data.data() + span, i - span);
        const char* reason;
        size_t end;
        if (step == Utf8Step::Incomplete || (step == Utf8Step::Surrogate && !final)) {
            if (!final) return i;
            reason = "unexpected end of data";
            end = n;
        } else if (step == Utf8Step::InvalidStart) {
            reason = "invalid start byte";
            end = i + 1;
        } else {
            reason = "invalid continuation byte";
            end = i + len;
        }
        i = span = handle_decode_error(errors, "utf-8", data, i, end, reason, out);
        i += utf8::valid_prefix(s + i, n - i);
    }
    out.append(data.data() + span, n - span);
    return n;
}

// The UTF-8 encoder: valid generalized UTF-8 is UTF-8 except for surrogates
// (ED A0..BF xx), which CPython reports a whole run at a time.
void encode_utf8(std::string_view text, ErrorHandler errors, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(text.data());
    size_t n = text.size();
    size_t span = 0;                   // text[span, i) is to be copied
    size_t counted = 0, position = 0;  // code point `position` starts at byte `counted`
    size_t i = 0;
    while (i < n) {
        const void* hit = std::memchr(s + i, 0xed, n - i);
        if (!hit) break;
        i = static_cast<size_t>(static_cast<const u8*>(hit) - s);
        if (i + 2 >= n || s[i + 1] < 0xa0) {
            ++i;
            continue;
        }
        // A run of surrogates.
        size_t first = i, last = i;
        while (last + 2 < n && s[last] == 0xed && s[last + 1] >= 0xa0) last += 3;
        position += utf8::count(text.substr(counted, first - counted));
        counted = last;
        size_t count = (last - first) / 3;
        out.append(text.data() + span, first - span);
        span = i = last;
        if (errors == ErrorHandler::SurrogateEscape) {
            // Escaped bytes are written until one is not; the rest is an error.
            size_t k = first;
            for (; k < last; k += 3) {
                uint32_t cp = 0xd000u | (s[k + 1] & 0x3fu) << 6 | (s[k + 2] & 0x3fu);
                if (cp < 0xdc80 || cp > 0xdcff) break;
                out += static_cast<char>(cp & 0xff);
            }
            if (k == last) {
                position += count;
                continue;
            }
            size_t skipped = (k - first) / 3;
            throw_encode_error_at("utf-8", text, position + skipped, position + count, k, "surrogates not allowed");
        }
        EncodeReplacement r =
            handle_encode_error_at(errors, "utf-8", text, position, position + count, first, "surrogates not allowed");
        out += r.replacement;  // raw surrogatepass bytes, or ASCII text
        position += count;
    }
    out.append(text.data() + span, n - span);
}

// ================================ UTF-16 and UTF-32 ================================

enum class ByteOrder : uint8_t { Little, Big };

// 0 / 1 / 2 as Python's utf-16 and utf-32 codecs report them: natural order,
// swapped, not known yet.  This machine is little-endian for Python's sake:
// the flags follow sys.byteorder.
constexpr bool kBigEndianHost = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
constexpr ByteOrder kNativeOrder = kBigEndianHost ? ByteOrder::Big : ByteOrder::Little;
constexpr ByteOrder kSwappedOrder = kBigEndianHost ? ByteOrder::Little : ByteOrder::Big;

inline uint32_t unit16(const u8* p, ByteOrder o) noexcept {
    return o == ByteOrder::Little ? (uint32_t{p[1]} << 8 | p[0]) : (uint32_t{p[0]} << 8 | p[1]);
}
inline uint32_t unit32(const u8* p, ByteOrder o) noexcept {
    return o == ByteOrder::Little ? (uint32_t{p[3]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[1]} << 8 | p[0])
                                  : (uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]);
}

// CPython's PyUnicode_DecodeUTF16Stateful from data[q] on, in a known order.
size_t decode_utf16(std::string_view data, size_t q, ByteOrder order, bool final, ErrorHandler errors,
                    std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    const size_t e = data.size();
    const char* encoding = order == ByteOrder::Little ? "utf-16-le" : "utf-16-be";
    // Four ASCII units at a time: the high byte of each is zero and the low one < 0x80.
    const uint64_t ascii_mask = order == ByteOrder::Little ? 0xff80ff80ff80ff80ull : 0x80ff80ff80ff80ffull;
    Sink sink(out);
    // Up to the next surrogate, in vector blocks; the loop below does the rest.
    auto vector_run = [&] {
        q = run_kernel(sink, s, q, e, [order](const u8* p, size_t n, char* o, size_t capacity) {
            return transcode::utf16_to_utf8(p, n, order == ByteOrder::Big, o, capacity);
        });
    };
    for (;;) {
        enum { End, Truncated, UnexpectedEnd, IllegalEncoding, IllegalSurrogate } status = End;
        vector_run();
        while (e - q >= 2) {
            char* o = sink.room();
            if (!kBigEndianHost && e - q >= 8 && !(load64(s + q) & ascii_mask)) {
                size_t lo = order == ByteOrder::Little ? 0 : 1;
                o[0] = static_cast<char>(s[q + lo]);
                o[1] = static_cast<char>(s[q + 2 + lo]);
                o[2] = static_cast<char>(s[q + 4 + lo]);
                o[3] = static_cast<char>(s[q + 6 + lo]);
                sink.advance(o + 4);
                q += 8;
                continue;
            }
            uint32_t ch = unit16(s + q, order);
            q += 2;
            if (!is_surrogate(ch)) {
                sink.advance(put_utf8(o, ch));
                continue;
            }
            if (ch >= 0xdc00) {
                status = IllegalEncoding;
                break;
            }
            if (e - q < 2) {
                status = UnexpectedEnd;
                break;
            }
            uint32_t ch2 = unit16(s + q, order);
            q += 2;
            if (ch2 < 0xdc00 || ch2 > 0xdfff) {
                status = IllegalSurrogate;
                break;
            }
            sink.advance(put_utf8(o, 0x10000 + ((ch - 0xd800) << 10) + (ch2 - 0xdc00)));
            // Not for a run of surrogate pairs, where the kernel could not start.
            if (e - q >= 2 && !is_surrogate(unit16(s + q, order))) vector_run();
        }
        if (status == End && q != e) status = Truncated;
        size_t start = 0, end = 0;
        const char* reason = "";
        switch (status) {
        case End:
            sink.flush();
            return q;
        case Truncated:
            if (!final) {
                sink.flush();
                return q;
            }
            reason = "truncated data", start = q, end = e;
            break;
        case UnexpectedEnd:
            q -= 2;
            if (!final) {
                sink.flush();
                return q;
            }
            reason = "unexpected end of data", start = q, end = e;
            break;
        case IllegalEncoding:
            reason = "illegal encoding", start = q - 2, end = q;
            break;
        case IllegalSurrogate:
            reason = "illegal UTF-16 surrogate", start = q - 4, end = q - 2;
            break;
        }
        q = handle_decode_error(errors, encoding, data, start, end, reason, sink.out());
    }
}

// CPython's PyUnicode_DecodeUTF32Stateful from data[q] on, in a known order.
size_t decode_utf32(std::string_view data, size_t q, ByteOrder order, bool final, ErrorHandler errors,
                    std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    const size_t e = data.size();
    const char* encoding = order == ByteOrder::Little ? "utf-32-le" : "utf-32-be";
    const uint64_t ascii_mask = order == ByteOrder::Little ? 0xffffff80ffffff80ull : 0x80ffffff80ffffffull;
    Sink sink(out);
    for (;;) {
        uint32_t ch = 0;
        bool bad = false;
        while (e - q >= 4) {
            char* o = sink.room();
            if (!kBigEndianHost && e - q >= 8 && !(load64(s + q) & ascii_mask)) {
                size_t lo = order == ByteOrder::Little ? 0 : 3;
                o[0] = static_cast<char>(s[q + lo]);
                o[1] = static_cast<char>(s[q + 4 + lo]);
                sink.advance(o + 2);
                q += 8;
                continue;
            }
            ch = unit32(s + q, order);
            if (ch > 0x10ffff || is_surrogate(ch)) {
                bad = true;
                break;
            }
            sink.advance(put_utf8(o, ch));
            q += 4;
        }
        size_t start = q, end = q + 4;
        const char* reason;
        if (!bad) {
            if (q == e || !final) {
                sink.flush();
                return q;
            }
            reason = "truncated data", end = e;
        } else if (is_surrogate(ch)) {
            reason = "code point in surrogate code point range(0xd800, 0xe000)";
        } else {
            reason = "code point not in range(0x110000)";
        }
        q = handle_decode_error(errors, encoding, data, start, end, reason, sink.out());
    }
}

// Encodes text as UTF-16 (Unit 2) or UTF-32 (Unit 4) in byte order Order.
// CPython reports each surrogate on its own; a replacement must be ASCII
// text, or raw bytes making whole units.
template <size_t Unit, ByteOrder Order>
void encode_wide(std::string_view text, const char* encoding, ErrorHandler errors, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(text.data());
    const size_t n = text.size();
    auto put = [](char* o, uint32_t u) {
        if constexpr (Unit == 2) {
            auto v = static_cast<uint16_t>(u);
            if constexpr (Order != kNativeOrder) v = __builtin_bswap16(v);
            std::memcpy(o, &v, 2);
        } else {
            if constexpr (Order != kNativeOrder) u = __builtin_bswap32(u);
            std::memcpy(o, &u, 4);
        }
        return o + Unit;
    };
    Sink sink(out);
    size_t i = 0, position = 0;
    while (i < n) {
        char* o = sink.room();
        if (i + 8 <= n && !(load64(s + i) & kHighBits)) {
            for (size_t k = 0; k < 8; ++k) o = put(o, s[i + k]);
            sink.advance(o);
            i += 8;
            position += 8;
            continue;
        }
        // Up to Sink::kStep / 4 characters, each at most four bytes, until a surrogate.
        bool surrogate = false;
        for (size_t k = 0; k < Sink::kStep / 4 && i < n; ++k) {
            size_t at = i;
            uint32_t cp = next_code_point(text, i);
            if (is_surrogate(cp)) {
                i = at;
                surrogate = true;
                break;
            }
            if (Unit == 2 && cp >= 0x10000) {
                o = put(o, 0xd800 + ((cp - 0x10000) >> 10));
                o = put(o, 0xdc00 + ((cp - 0x10000) & 0x3ff));
            } else {
                o = put(o, cp);
            }
            ++position;
        }
        sink.advance(o);
        if (!surrogate) continue;
        size_t at = i;
        next_code_point(text, i);
        EncodeReplacement r =
            handle_encode_error_at(errors, encoding, text, position, position + 1, at, "surrogates not allowed");
        if (r.raw_bytes) {
            if (r.replacement.size() % Unit)
                throw_encode_error_at(encoding, text, position, position + 1, at, "surrogates not allowed");
            sink.out() += r.replacement;
        } else {
            for (char c : r.replacement) {
                if (static_cast<u8>(c) >= 0x80)
                    throw_encode_error_at(encoding, text, position, position + 1, at, "surrogates not allowed");
                sink.advance(put(sink.room(), static_cast<u8>(c)));
            }
        }
        ++position;
    }
    sink.flush();
}

template <size_t Unit>
void encode_utf16_32(std::string_view text, ByteOrder order, const char* encoding, ErrorHandler errors,
                     std::string& out) {
    if (order == ByteOrder::Little)
        encode_wide<Unit, ByteOrder::Little>(text, encoding, errors, out);
    else
        encode_wide<Unit, ByteOrder::Big>(text, encoding, errors, out);
}

// ================================ ASCII and Latin-1 ================================

// CPython's ascii_decode: each byte >= 0x80 is an error of its own.
void decode_ascii(std::string_view data, ErrorHandler errors, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    size_t n = data.size(), i = 0;
    while (i < n) {
        size_t run = skip_ascii(s, i, n);
        out.append(data.data() + i, run - i);
        if (run == n) break;
        i = handle_decode_error(errors, "ascii", data, run, run + 1, "ordinal not in range(128)", out);
    }
}

void decode_latin1(std::string_view data, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    const size_t n = data.size();
    Sink sink(out);
    size_t i = run_kernel(sink, s, 0, n, transcode::latin1_to_utf8);
    while (i < n) {
        if (sink.copy_ascii16(s, i, n)) continue;
        char* o = sink.room();
        // Sixteen bytes without branching on them: one output byte or two.
        size_t end = std::min(n, i + Sink::kStep / 2);
        for (; i < end; ++i) {
            u8 b = s[i];
            o[0] = static_cast<char>(b < 0x80 ? b : 0xc0 | b >> 6);
            o[1] = static_cast<char>(0x80 | (b & 0x3f));
            o += 1 + (b >> 7);
        }
        sink.advance(o);
    }
    sink.flush();
}

// CPython's unicode_encode_ucs1 for ascii (limit 128) and latin-1 (256): an
// error covers the whole run of unencodable characters.
void encode_ucs1(std::string_view text, uint32_t limit, ErrorHandler errors, std::string& out) {
    const char* encoding = limit == 128 ? "ascii" : "latin-1";
    const char* reason = limit == 128 ? "ordinal not in range(128)" : "ordinal not in range(256)";
    const auto* s = reinterpret_cast<const u8*>(text.data());
    const size_t n = text.size();
    Sink sink(out);
    size_t i = 0;
    size_t counted = 0, position = 0;  // code point `position` starts at byte `counted`
    while (i < n) {
        if (sink.copy_ascii16(s, i, n)) continue;
        char* o = sink.room();
        // Up to sixteen characters: ASCII, or U+0080..U+00FF (C2/C3 xx) for latin-1.
        size_t end = std::min(n, i + Sink::kStep / 2);
        while (i < end) {
            u8 b = s[i];
            if (b < 0x80) {
                *o++ = static_cast<char>(b);
                ++i;
            } else if (limit == 256 && (b & 0xfe) == 0xc2 && i + 1 < n) {
                *o++ = static_cast<char>(b << 6 | (s[i + 1] & 0x3f));
                i += 2;
            } else {
                break;
            }
        }
        sink.advance(o);
        if (i >= end) continue;
        // text[i] starts a character the encoding lacks (or is not valid
        // text, which next_code_point() reports): the run of unencodable
        // characters [position, end_position) is an error.
        size_t at = i;
        position += utf8::count(text.substr(counted, at - counted));
        size_t end_position = position;
        while (i < n) {
            size_t k = i;
            if (next_code_point(text, k) < limit) break;
            i = k;
            ++end_position;
        }
        counted = i;
        if (errors == ErrorHandler::SurrogateEscape) {
            // Escaped bytes are written until one is not; the rest is an error.
            size_t k = at, p = position;
            std::string& o2 = sink.out();
            for (; p < end_position; ++p) {
                size_t next = k;
                uint32_t c = next_code_point(text, next);
                if (c < 0xdc80 || c > 0xdcff) break;
                o2 += static_cast<char>(c - 0xdc00);
                k = next;
            }
            if (p < end_position) throw_encode_error_at(encoding, text, p, end_position, k, reason);
        } else {
            EncodeReplacement r = handle_encode_error_at(errors, encoding, text, position, end_position, at, reason);
            if (!r.raw_bytes) {
                for (char c : r.replacement)
                    if (static_cast<u8>(c) >= limit)
                        throw_encode_error_at(encoding, text, position, end_position, at, reason);
            }
            sink.out() += r.replacement;
        }
        position = end_position;
    }
    sink.flush();
}

// ================================ UTF-7 ================================

inline bool is_base64(u8 c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
inline uint32_t from_base64(u8 c) noexcept {
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
                                  : 63;
}
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// RFC 2152's character classes as CPython's encoder uses them: 0 set D, 1 set
// O, 2 whitespace, 3 special (always base64-encoded).
constexpr uint8_t kUtf7Category[128] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 1, 1, 1,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3, 3,
};
inline bool encode_direct(uint32_t c) noexcept { return c < 128 && c > 0 && kUtf7Category[c] != 3; }
inline bool decode_direct(u8 c) noexcept { return c <= 127 && c != '+'; }

// CPython's PyUnicode_DecodeUTF7Stateful.  Unless final, an unterminated
// base64 run stays pending from its '+', and its output is taken back.
size_t decode_utf7(std::string_view data, bool final, ErrorHandler errors, std::string& out) {
    const auto* s = reinterpret_cast<const u8*>(data.data());
    const size_t e = data.size();
    size_t q = 0;
    bool in_shift = false;
    size_t shift_start = 0;       // the '+' of the current base64 run
    size_t shift_out_start = 0;   // out.size() when it began
    unsigned bits = 0;
    uint64_t buffer = 0;
    uint32_t surrogate = 0;
    size_t start = 0;
    const char* reason = "";
    auto fail = [&](size_t error_start) {
        q = handle_decode_error(errors, "utf7", data, error_start, q, reason, out);
    };
    for (;;) {
        while (q < e) {
            u8 ch = s[q];
            if (in_shift) {
                if (is_base64(ch)) {
                    buffer = (buffer << 6) | from_base64(ch);
                    bits += 6;
                    ++q;
                    if (bits >= 16) {
                        auto unit = static_cast<uint32_t>(buffer >> (bits - 16));
                        bits -= 16;
                        buffer &= (uint64_t{1} << bits) - 1;
                        if (surrogate) {
                            if (unit >= 0xdc00 && unit <= 0xdfff) {
                                utf8::append(out, 0x10000 + ((surrogate - 0xd800) << 10) + (unit - 0xdc00));
                                surrogate = 0;
                                continue;
                            }
                            utf8::append(out, surrogate);
                            surrogate = 0;
                        }
                        if (unit >= 0xd800 && unit <= 0xdbff)
                            surrogate = unit;
                        else
                            utf8::append(out, unit);
                    }
                    continue;
                }
                // Leaving the base64 run.
                in_shift = false;
                if (bits > 0) {
                    if (bits >= 6) {
                        ++q;
                        reason = "partial character in shift sequence";
                        fail(start);
                        continue;
                    }
                    if (buffer != 0) {
                        ++q;
                        reason = "non-zero padding bits in shift sequence";
                        fail(start);
                        continue;
                    }
                }
                if (surrogate && decode_direct(ch)) utf8::append(out, surrogate);
                surrogate = 0;
                if (ch == '-') ++q;  // '-' is absorbed; other terminators are kept
            } else if (ch == '+') {
                start = q;
                ++q;
                if (q < e && s[q] == '-') {
                    ++q;
                    out += '+';
                } else if (q < e && !is_base64(s[q])) {
                    ++q;
                    reason = "ill-formed sequence";
                    fail(start);
                } else {
                    in_shift = true;
                    surrogate = 0;
                    shift_start = start;
                    shift_out_start = out.size();
                    bits = 0;
                    buffer = 0;
                }
            } else if (decode_direct(ch)) {
                ++q;
                out += static_cast<char>(ch);
            } else {
                start = q;
                ++q;
                reason = "unexpected special character";
                fail(start);
            }
        }
        if (in_shift && final) {
            in_shift = false;
            if (surrogate || bits >= 6 || (bits > 0 && buffer != 0)) {
                reason = "unterminated shift sequence";
                q = e;
                fail(start);
                if (q < e) continue;
            }
        }
        break;
    }
    if (!final && in_shift) {
        out.resize(shift_out_start);
        return shift_start;
    }
    return q;
}

// CPython's _PyUnicode_EncodeUTF7: every call ends outside base64.
void encode_utf7(std::string_view text, std::string& out) {
    size_t n = text.size(), i = 0;
    bool in_shift = false;
    unsigned bits = 0;
    uint64_t buffer = 0;
    auto put_bits = [&](uint32_t unit) {
        bits += 16;
        buffer = (buffer << 16) | unit;
        while (bits >= 6) {
            out += kBase64[(buffer >> (bits - 6)) & 0x3f];
            bits -= 6;
        }
    };
    while (i < n) {
        uint32_t ch = next_code_point(text, i);
        if (in_shift) {
            if (encode_direct(ch)) {
                if (bits) {
                    out += kBase64[(buffer << (6 - bits)) & 0x3f];
                    buffer = 0;
                    bits = 0;
                }
                in_shift = false;
                if (is_base64(static_cast<u8>(ch)) || ch == '-') out += '-';
                out += static_cast<char>(ch);
                continue;
            }
        } else if (ch == '+') {
            out += "+-";
            continue;
        } else if (encode_direct(ch)) {
            out += static_cast<char>(ch);
            continue;
        } else {
            out += '+';
            in_shift = true;
        }
        if (ch >= 0x10000) {
            put_bits(0xd800 + ((ch - 0x10000) >> 10));
            ch = 0xdc00 + ((ch - 0x10000) & 0x3ff);
        }
        put_bits(ch);
    }
    if (bits) out += kBase64[(buffer << (6 - bits)) & 0x3f];
    if (in_shift) out += '-';
}

// ================================ The codec objects ================================

enum class Kind : uint8_t {
    Utf8,
    Utf8Sig,
    Utf16,
    Utf16Le,
    Utf16Be,
    Utf32,
    Utf32Le,
    Utf32Be,
    Ascii,
    Latin1,
    Utf7,
};

// UTF-8 as codecs.utf_8_decode and the utf-8-sig codec.
class Utf8Decoder final : public Decoder {
public:
    Utf8Decoder(ErrorHandler errors, bool sig) : errors_(errors), sig_(sig) { reset(); }

    void decode(std::string_view input, bool final, std::string& out) override {
        std::string_view data = joined_.join(pending_, input);
        all_or_nothing(out, data.size(), [&] {
            size_t consumed;
            bool first = first_;
            if (first && data.size() < 3 && std::string_view("\xef\xbb\xbf").substr(0, data.size()) == data) {
                // Not enough to tell whether this is a BOM: wait, even when
                // final, as Python's utf-8-sig does.
                consumed = 0;
            } else if (first && data.substr(0, 3) == "\xef\xbb\xbf") {
                // Python settles the BOM question before decoding, so even a
                // decode that fails has used it up (as AFailedFirstEncode...
                // does on the encoding side); nothing else of a failure stays.
                first = first_ = false;
                // Errors index what follows the BOM, as in Python.
                consumed = 3 + decode_utf8(data.substr(3), final, errors_, out);
            } else {
                first = first_ = false;
                consumed = decode_utf8(data, final, errors_, out);
            }
            pending_.assign(data.substr(consumed));
            first_ = first;
        });
    }
    void reset() override {
        pending_.clear();
        first_ = sig_;
    }
    DecoderState getstate() const override { return {pending_, first_ ? 1u : 0u}; }
    bool failed_decode_keeps_state() const noexcept override { return !sig_; }
    void setstate(const DecoderState& state) override {
        pending_ = state.pending;
        if (sig_) first_ = state.flags != 0;
    }

private:
    ErrorHandler errors_;
    bool sig_;
    bool first_ = false;  // utf-8-sig: the BOM question is not settled
    std::string pending_;
    Joined joined_;
};

// UTF-16 and UTF-32: a fixed byte order, or (utf-16, utf-32) the order a BOM
// gives, which Python's incremental decoder requires.
template <size_t Unit>
class UtfWideDecoder final : public Decoder {
public:
    UtfWideDecoder(ErrorHandler errors, bool detect, ByteOrder order)
        : errors_(errors), detect_(detect), fixed_(order) {
        reset();
    }

    void decode(std::string_view input, bool final, std::string& out) override {
        std::string_view data = joined_.join(pending_, input);
        // A UTF-16 unit gives at most three bytes of UTF-8; a UTF-32 one four.
        all_or_nothing(out, Unit == 2 ? data.size() / 2 * 3 : data.size(), [&] {
            size_t consumed;
            bool known = known_;
            ByteOrder order = order_;
            if (known) {
                consumed = decode_from(data, 0, order, final, out);
            } else {
                // codecs.utf_16_ex_decode / utf_32_ex_decode with byteorder 0.
                size_t q = 0;
                if (data.size() >= Unit) {
                    uint32_t bom = Unit == 2 ? unit16(reinterpret_cast<const u8*>(data.data()), ByteOrder::Little)
                                             : unit32(reinterpret_cast<const u8*>(data.data()), ByteOrder::Little);
                    if (bom == 0xfeff) {
                        order = ByteOrder::Little, known = true, q = Unit;
                    } else if (bom == (Unit == 2 ? 0xfffeu : 0xfffe0000u)) {
                        order = ByteOrder::Big, known = true, q = Unit;
                    }
                }
                consumed = q == data.size() ? q : decode_from(data, q, known ? order : kNativeOrder, final, out);
                if (!known && consumed >= Unit)
                    throw unicode_error(Unit == 2 ? "UTF-16 stream does not start with BOM"
                                                : "UTF-32 stream does not start with BOM");
            }
            pending_.assign(data.substr(consumed));
            known_ = known;
            order_ = order;
        });
    }
    void reset() override {
        pending_.clear();
        known_ = !detect_;
        order_ = fixed_;
    }
    bool failed_decode_keeps_state() const noexcept override { return true; }
    DecoderState getstate() const override {
        if (!detect_) return {pending_, 0};
        return {pending_, !known_ ? 2u : order_ == kNativeOrder ? 0u : 1u};
    }
    void setstate(const DecoderState& state) override {
        pending_ = state.pending;
        if (!detect_) return;
        known_ = state.flags == 0 || state.flags == 1;
        order_ = state.flags == 0 ? kNativeOrder : kSwappedOrder;
    }

private:
    size_t decode_from(std::string_view data, size_t q, ByteOrder order, bool final, std::string& out) const {
        if constexpr (Unit == 2)
            return decode_utf16(data, q, order, final, errors_, out);
        else
            return decode_utf32(data, q, order, final, errors_, out);
    }

    ErrorHandler errors_;
    bool detect_;
    ByteOrder fixed_;
    bool known_ = true;
    ByteOrder order_ = ByteOrder::Little;
    std::string pending_;
    Joined joined_;
};

// ascii and latin-1 keep nothing between calls (Python's are not buffered).
class ByteDecoder final : public Decoder {
public:
    ByteDecoder(ErrorHandler errors, bool latin1) : errors_(errors), latin1_(latin1) {}
    void decode(std::string_view input, bool, std::string& out) override {
        all_or_nothing(out, latin1_ ? 2 * input.size() : input.size(), [&] {
            if (latin1_)
                decode_latin1(input, out);
            else
                decode_ascii(input, errors_, out);
        });
    }
    void reset() override {}
    DecoderState getstate() const override { return {}; }
    bool failed_decode_keeps_state() const noexcept override { return true; }
    void setstate(const DecoderState& state) override {
        // Python's base IncrementalDecoder.setstate() ignores the state.
        (void)state;
    }

private:
    ErrorHandler errors_;
    bool latin1_;
};

class Utf7Decoder final : public Decoder {
public:
    explicit Utf7Decoder(ErrorHandler errors) : errors_(errors) {}
    void decode(std::string_view input, bool final, std::string& out) override {
        std::string_view data = joined_.join(pending_, input);
        all_or_nothing(out, data.size(), [&] {
            size_t consumed = decode_utf7(data, final, errors_, out);
            pending_.assign(data.substr(consumed));
        });
    }
    void reset() override { pending_.clear(); }
    DecoderState getstate() const override { return {pending_, 0}; }
    void setstate(const DecoderState& state) override { pending_ = state.pending; }
    bool failed_decode_keeps_state() const noexcept override { return true; }

private:
    ErrorHandler errors_;
    std::string pending_;
    Joined joined_;
};

// Every native encoder.  The BOM codecs write their BOM with the first call
// only; getstate() is Python's: utf-16/utf-32 2 before the BOM and 0 after,
// utf-8-sig 1 before and 0 after, everything else 0.
class UnicodeEncoder final : public Encoder {
public:
    UnicodeEncoder(Kind kind, ErrorHandler errors) : kind_(kind), errors_(errors) { reset(); }

    void encode(std::string_view text, bool, std::string& out) override {
        all_or_nothing(out, bound(text.size()), [&] {
            switch (kind_) {
            case Kind::Utf8:
                encode_utf8(text, errors_, out);
                break;
            case Kind::Utf8Sig:
                // Python's utf-8-sig forgets the BOM before encoding: a
                // failing first call writes none, and neither does the next.
                if (bom_pending_) {
                    bom_pending_ = false;
                    out += "\xef\xbb\xbf";
                }
                encode_utf8(text, errors_, out);
                break;
            case Kind::Utf16:
            case Kind::Utf32: {
                // The first call is codecs.utf_16_encode (its errors name
                // 'utf-16'), later ones utf_16_le_encode (on this machine).
                bool utf16 = kind_ == Kind::Utf16;
                const char* name = bom_pending_ ? (utf16 ? "utf-16" : "utf-32")
                                   : kBigEndianHost ? (utf16 ? "utf-16-be" : "utf-32-be")
                                                    : (utf16 ? "utf-16-le" : "utf-32-le");
                if (bom_pending_) {
                    // U+FEFF in this machine's order.
                    if (utf16)
                        encode_utf16_32<2>("\xef\xbb\xbf", kNativeOrder, name, errors_, out);
                    else
                        encode_utf16_32<4>("\xef\xbb\xbf", kNativeOrder, name, errors_, out);
                }
                if (utf16)
                    encode_utf16_32<2>(text, kNativeOrder, name, errors_, out);
                else
                    encode_utf16_32<4>(text, kNativeOrder, name, errors_, out);
                break;
            }
            case Kind::Utf16Le:
                encode_utf16_32<2>(text, ByteOrder::Little, "utf-16-le", errors_, out);
                break;
            case Kind::Utf16Be:
                encode_utf16_32<2>(text, ByteOrder::Big, "utf-16-be", errors_, out);
                break;
            case Kind::Utf32Le:
                encode_utf16_32<4>(text, ByteOrder::Little, "utf-32-le", errors_, out);
                break;
            case Kind::Utf32Be:
                encode_utf16_32<4>(text, ByteOrder::Big, "utf-32-be", errors_, out);
                break;
            case Kind::Ascii:
                encode_ucs1(text, 128, errors_, out);
                break;
            case Kind::Latin1:
                encode_ucs1(text, 256, errors_, out);
                break;
            case Kind::Utf7:
                encode_utf7(text, out);
                break;
            }
        });
        bom_pending_ = false;
    }
    void reset() override { bom_pending_ = has_bom(); }
    int64_t getstate() const override {
        if (!bom_pending_) return 0;
        return kind_ == Kind::Utf8Sig ? 1 : 2;
    }
    void setstate(int64_t state) override { bom_pending_ = has_bom() && state != 0; }

private:
    bool has_bom() const noexcept { return kind_ == Kind::Utf8Sig || kind_ == Kind::Utf16 || kind_ == Kind::Utf32; }

    // The most bytes valid text of n bytes encodes to (with a BOM): UTF-16
    // writes two bytes for one of ASCII, UTF-32 four.
    size_t bound(size_t n) const noexcept {
        switch (kind_) {
        case Kind::Utf16:
        case Kind::Utf16Le:
        case Kind::Utf16Be: return 2 * n + 2;
        case Kind::Utf32:
        case Kind::Utf32Le:
        case Kind::Utf32Be: return 4 * n + 4;
        case Kind::Utf7: return n;  // a guess: base64 runs take more
        default: return n + 3;
        }
    }

    Kind kind_;
    ErrorHandler errors_;
    bool bom_pending_ = false;
};

class UnicodeCodec final : public Codec {
public:
    UnicodeCodec(std::string name, Kind kind) : Codec(std::move(name)), kind_(kind) {}

    std::unique_ptr<Decoder> decoder(ErrorHandler errors) const override {
        switch (kind_) {
        case Kind::Utf8: return std::make_unique<Utf8Decoder>(errors, false);
        case Kind::Utf8Sig: return std::make_unique<Utf8Decoder>(errors, true);
        case Kind::Utf16: return std::make_unique<UtfWideDecoder<2>>(errors, true, kNativeOrder);
        case Kind::Utf16Le: return std::make_unique<UtfWideDecoder<2>>(errors, false, ByteOrder::Little);
        case Kind::Utf16Be: return std::make_unique<UtfWideDecoder<2>>(errors, false, ByteOrder::Big);
        case Kind::Utf32: return std::make_unique<UtfWideDecoder<4>>(errors, true, kNativeOrder);
        case Kind::Utf32Le: return std::make_unique<UtfWideDecoder<4>>(errors, false, ByteOrder::Little);
        case Kind::Utf32Be: return std::make_unique<UtfWideDecoder<4>>(errors, false, ByteOrder::Big);
        case Kind::Ascii: return std::make_unique<ByteDecoder>(errors, false);
        case Kind::Latin1: return std::make_unique<ByteDecoder>(errors, true);
        case Kind::Utf7: return std::make_unique<Utf7Decoder>(errors);
        }
        return nullptr;
    }
    std::unique_ptr<Encoder> encoder(ErrorHandler errors) const override {
        return std::make_unique<UnicodeEncoder>(kind_, errors);
    }
    bool single_byte() const noexcept override { return kind_ == Kind::Ascii || kind_ == Kind::Latin1; }

private:
    Kind kind_;
};

struct NativeModule {
    const char* module;
    const char* name;
    Kind kind;
};
constexpr NativeModule kNativeModules[] = {
    {"utf_8", "utf-8", Kind::Utf8},
    {"utf_8_sig", "utf-8-sig", Kind::Utf8Sig},
    {"utf_16", "utf-16", Kind::Utf16},
    {"utf_16_le", "utf-16-le", Kind::Utf16Le},
    {"utf_16_be", "utf-16-be", Kind::Utf16Be},
    {"utf_32", "utf-32", Kind::Utf32},
    {"utf_32_le", "utf-32-le", Kind::Utf32Le},
    {"utf_32_be", "utf-32-be", Kind::Utf32Be},
    {"ascii", "ascii", Kind::Ascii},
    {"latin_1", "iso8859-1", Kind::Latin1},
    {"iso8859_1", "iso8859-1", Kind::Latin1},
    {"utf_7", "utf-7", Kind::Utf7},
};

}  // namespace

std::unique_ptr<Codec> make_unicode_codec(std::string_view python_module) {
    for (const NativeModule& m : kNativeModules)
        if (python_module == m.module) return std::make_unique<UnicodeCodec>(m.name, m.kind);
    return nullptr;
}

}  // namespace pyio
