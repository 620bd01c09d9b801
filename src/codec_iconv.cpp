// The codecs that go through the iconv API (codecs.h).
//
// Single-byte charsets become a 256-entry table, derived from iconv once per
// codec, so decoding and encoding never call iconv.  Every other charset is
// converted by iconv in large pieces, with CPython's behaviour layered on top:
// the byte ranges and reasons of its decoding errors, its tables where glibc's
// differ (codec_iconv.h), and for the ISO-2022 family its interpretation of
// escape sequences.  Python's stateless multibyte codecs (shift_jis, gbk,
// big5, euc_kr ...) decode most text through a table of their one- and
// two-byte sequences, derived once per codec from that iconv decoder itself,
// which takes over wherever the table does not know the sequence: errors,
// pending bytes and the rare forms stay its business (MultibyteTable).  The
// ISO-2022 decoder reads the escape sequences itself and hands iconv only
// runs of one character set, so the shift state at every character boundary
// is known here and fits in DecoderState::flags.
//
// Each decoder and encoder owns its iconv_t; codec objects only hold immutable
// tables, which decoders and encoders share through a shared_ptr.
//
// Where this cannot be Python:
// - ISO-2022 sets that Python's codec accepts and the iconv charset cannot
//   decode (iso2022_jp_ext's JIS X 0212 with katakana: no glibc charset has
//   both) are decoding errors.  Python's iso2022_jp_3/2004 encoders are left
//   to iconv: glibc stays in JIS X 0213 plane 1 where Python returns to JIS X
//   0208, and pairs base letters with combining marks otherwise.
// - Stateful charsets other than ISO-2022 and IBM's SO/SI EBCDIC ones (glibc's
//   UTF-7, say) keep their state inside iconv: getstate() knows the initial
//   state only, setstate() refuses any other (ValueError), and a decode() that
//   fails cannot put iconv's state back.  Charsets whose decoders keep state
//   their encoders do not show (glibc's UTF-16 and UTF-32 noting the BOM) are
//   taken as stateless.
// - Where iconv substitutes a character it cannot encode instead of failing
//   (glibc's IBM930 family writes '?'), the error handler is not called.
// - The corrections are glibc 2.36's differences from CPython 3.11; each names
//   both sides, so an iconv that agrees with Python never meets them, but one
//   that differs otherwise than glibc is not corrected.

#include "codec_iconv.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <cstring>
#include <exception>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "codecs.h"
#include "error.h"
#include "transcode_simd.h"
#include "utf8.h"

namespace pyio {
namespace {

using iconv_data::kNone;
using iconv_data::kWhole;

constexpr const char* kIllegal = "illegal multibyte sequence";
constexpr const char* kIncomplete = "incomplete multibyte sequence";

// The bytes a decoder holds after a decode() that raised, as Python's CJK
// decoders (_multibytecodec) leave them: they take their held bytes out
// before decoding, so an illegal sequence leaves none -- but when the error
// is a sequence left incomplete at the end of a final decode, whatever its
// handler raised (strict's UnicodeDecodeError, or the TypeError of a handler
// that cannot decode), they put back the bytes held before the call (not
// the call's own).
std::string pending_after_failure(bool failed_incomplete, const std::string& held) {
    return failed_incomplete ? held : std::string();
}

// handle_decode_error for the sequence cut by the end of a final decode's
// input; `failed` records that it raised, for pending_after_failure.
size_t handle_incomplete(ErrorHandler errors, std::string_view encoding, std::string_view data, size_t pos,
                         std::string& out, bool& failed) {
    try {
        return handle_decode_error(errors, encoding, data, pos, data.size(), kIncomplete, out);
    } catch (...) {
        failed = true;
        throw;
    }
}
constexpr const char* kUndefined = "character maps to <undefined>";

constexpr unsigned char ESC = 0x1b, SO = 0x0e, SI = 0x0f, LF = 0x0a;

// Input is converted at most this many bytes per iconv() call: large enough
// that the per-call cost vanishes, small enough that finding the bytes behind
// a character to correct (re-converting from the slice's start) stays cheap.
constexpr size_t kSlice = 64 * 1024;
// What iconv converts between two runs of a decoding table (MultibyteTable),
// at least: the sequence the table does not know, and perhaps a few more.
constexpr size_t kBriefSlice = 16;
// setstate() accepts at most this many pending bytes (CPython's multibyte
// decoders keep at most 8).
constexpr size_t kMaxPending = 16;
// What CPython's multibyte decoders hold between calls at most.
constexpr size_t kMaxDecPending = 8;

// The pending bytes followed by the new input, copied only when there is
// something pending.
std::string_view joined(const std::string& pending, std::string_view input, std::string& buffer) {
    if (pending.empty()) return input;
    buffer.reserve(pending.size() + input.size());
    buffer.assign(pending).append(input);
    return buffer;
}

// Runs `append`, which appends to `out`; if it throws, `out` is left as it
// was: a call that fails returns nothing, as in Python.
template <class F>
void all_or_nothing(std::string& out, F&& append) {
    const size_t base = out.size();
    try {
        append();
    } catch (...) {
        out.resize(base);
        throw;
    }
}

// Makes room for `more` bytes at the end of s, keeping its growth geometric
// (a caller appending many small pieces must not pay a copy each time).
void make_room(std::string& s, size_t more) {
    const size_t need = s.size() + more;
    if (need > s.capacity()) s.reserve(std::max(need, 2 * s.capacity()));
}

// Output is produced into a buffer on the stack, which stays in the cache,
// and appended from there: writing into the string's own fresh memory costs
// it twice (zeroed by resize(), then written), which on this machine's memory
// bandwidth is what limits the table codecs.
constexpr size_t kStackOutput = 16 * 1024;

// ---------------------------------------------------------------------------
// iconv_t
// ---------------------------------------------------------------------------

struct Converted {
    size_t consumed;
    int error;  // 0, EILSEQ, EINVAL; E2BIG only from convert_bounded
};

class Iconv {
public:
    Iconv(const std::string& to, const std::string& from)
        : cd_(iconv_open(to.c_str(), from.c_str())) {}
    ~Iconv() {
        if (ok()) iconv_close(cd_);
    }
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;

    bool ok() const noexcept { return cd_ != reinterpret_cast<iconv_t>(-1); }
    void reset() noexcept { iconv(cd_, nullptr, nullptr, nullptr, nullptr); }

    // Converts as much of `in` as iconv can, appending to `out`; stops at the
    // first sequence it cannot convert or an incomplete one at the end.
    Converted convert(std::string_view in, std::string& out) {
        char* ip = const_cast<char*>(in.data());
        size_t il = in.size();
        char buffer[kStackOutput];
        for (;;) {
            char* op = buffer;
            size_t left = sizeof buffer;
            size_t r = iconv(cd_, &ip, &il, &op, &left);
            int err = r == static_cast<size_t>(-1) ? errno : 0;
            out.append(buffer, static_cast<size_t>(op - buffer));
            if (err != E2BIG) return {in.size() - il, err};
        }
    }

    // The same, writing at most `limit` bytes: stops with E2BIG before the
    // first character that would not fit.
    Converted convert_bounded(std::string_view in, std::string& out, size_t limit) {
        char* ip = const_cast<char*>(in.data());
        size_t il = in.size();
        const size_t base = out.size();
        out.resize(base + limit);
        char* op = out.data() + base;
        size_t left = limit;
        size_t r = iconv(cd_, &ip, &il, &op, &left);
        int err = r == static_cast<size_t>(-1) ? errno : 0;
        out.resize(base + limit - left);
        return {in.size() - il, err};
    }

    // Appends what returns the conversion to its initial shift state.
    void flush(std::string& out) {
        for (size_t room = 64;; room *= 2) {
            size_t base = out.size();
            out.resize(base + room);
            char* op = out.data() + base;
            size_t left = room;
            size_t r = iconv(cd_, nullptr, nullptr, &op, &left);
            out.resize(base + room - left);
            if (r != static_cast<size_t>(-1) || errno != E2BIG) return;
        }
    }

private:
    iconv_t cd_;
};

// The code point at text[i], advancing i past it.
char32_t decode_at(std::string_view text, size_t& i) {
    int32_t cp = utf8::decode(text, i);
    if (cp < 0) throw value_error("encode: text is not valid generalized UTF-8");
    return static_cast<char32_t>(cp);
}

std::string utf8_of(char32_t cp) {
    std::string s;
    utf8::append(s, cp);
    return s;
}

// Big-endian `length` bytes of `value`.
std::string bytes_of(uint32_t value, size_t length) {
    std::string s(length, '\0');
    for (size_t i = 0; i < length; ++i) s[length - 1 - i] = static_cast<char>(value >> (8 * i));
    return s;
}

// ---------------------------------------------------------------------------
// Single-byte charsets
// ---------------------------------------------------------------------------

class CharmapTable {
public:
    // nullptr unless iconv knows the charset and every byte decodes on its own
    // to one code point or to nothing it knows.
    static std::shared_ptr<const CharmapTable> build(std::string_view iconv_name,
                                                     std::string_view python_name);

    using Utf8 = transcode::CharmapEntry;  // length 0: the byte is undefined
    const Utf8& decode(unsigned char b) const noexcept { return decode_[b]; }
    const Utf8* decode_table() const noexcept { return decode_.data(); }
    bool ascii_decode_identity() const noexcept { return ascii_decode_identity_; }
    bool ascii_encode_identity() const noexcept { return ascii_encode_identity_; }
    // The byte for cp, or -1.
    int encode(char32_t cp) const noexcept {
        if (cp > 0xffff) return -1;
        int16_t page = page_index_[cp >> 8];
        return page < 0 ? -1 : pages_[static_cast<size_t>(page)][cp & 0xff];
    }

private:
    void define(unsigned char b, char32_t cp);
    void build_encoder();

    std::array<Utf8, 256> decode_{};
    std::array<char32_t, 256> cp_{};
    bool ascii_decode_identity_ = false;
    bool ascii_encode_identity_ = false;
    std::array<int16_t, 256> page_index_{};
    std::vector<std::array<int16_t, 256>> pages_;
};

void CharmapTable::define(unsigned char b, char32_t cp) {
    cp_[b] = cp;
    // Whole, as a fix may shorten what glibc's table gave: the vector
    // decoder takes an entry's non-zero bytes for its UTF-8 (CharmapEntry).
    Utf8& e = decode_[b];
    e = Utf8{};
    char buf[4];
    e.length = static_cast<uint8_t>(utf8::encode(cp, buf));
    std::memcpy(e.bytes, buf, e.length);
}

std::shared_ptr<const CharmapTable> CharmapTable::build(std::string_view iconv_name,
                                                        std::string_view python_name) {
    Iconv cd("UTF-8", std::string(iconv_name));
    if (!cd.ok()) return nullptr;
    auto table = std::make_shared<CharmapTable>();
    for (int b = 0; b < 256; ++b) {
        cd.reset();
        const char byte = static_cast<char>(b);
        std::string out;
        Converted r = cd.convert({&byte, 1}, out);
        if (r.error == EILSEQ) continue;  // undefined
        if (r.error != 0 || r.consumed != 1) return nullptr;
        // Some converters hold a character back until they know whether a
        // combining mark follows (glibc's CP1255, CP1258); Python's codecs
        // map each byte on its own.
        cd.flush(out);
        size_t i = 0;
        int32_t cp = out.empty() ? -1 : utf8::decode(out, i);
        if (cp < 0 || cp > 0xffff || i != out.size()) return nullptr;
        table->define(static_cast<unsigned char>(b), static_cast<char32_t>(cp));
    }
    for (const auto& fix : iconv_data::kCharmapFixes) {
        if (fix.codec != python_name) continue;
        for (unsigned i = 0; i < fix.count; ++i)
            table->define(static_cast<unsigned char>(fix.byte + i), fix.cp + i);
    }
    table->build_encoder();
    return table;
}

void CharmapTable::build_encoder() {
    page_index_.fill(-1);
    ascii_decode_identity_ = true;
    for (int b = 0; b < 256; ++b) {
        if (b < 0x80 && (decode_[b].length == 0 || cp_[b] != static_cast<char32_t>(b)))
            ascii_decode_identity_ = false;
        if (decode_[b].length == 0) continue;
        char32_t cp = cp_[b];
        int16_t& page = page_index_[cp >> 8];
        if (page < 0) {
            page = static_cast<int16_t>(pages_.size());
            pages_.emplace_back().fill(-1);
        }
        // A character with several bytes encodes as the last of them, as
        // Python's codecs.charmap_build does.
        pages_[static_cast<size_t>(page)][cp & 0xff] = static_cast<int16_t>(b);
    }
    ascii_encode_identity_ = true;
    for (char32_t c = 0; c < 0x80; ++c)
        if (encode(c) != static_cast<int>(c)) ascii_encode_identity_ = false;
}

// Copies ASCII from s[i, end) to w eight bytes at a time, while both last;
// returns how many bytes it copied.
size_t copy_ascii(const unsigned char* s, size_t i, size_t end, char*& w, const char* w_end) {
    const size_t from = i;
    while (i + 8 <= end && w + 8 <= w_end) {
        uint64_t word;
        std::memcpy(&word, s + i, 8);
        if (word & 0x8080808080808080ull) break;
        std::memcpy(w, s + i, 8);
        w += 8;
        i += 8;
    }
    return i - from;
}

// Python's charmap codecs name themselves 'charmap' in their errors.
constexpr const char* kCharmap = "charmap";

class CharmapDecoder final : public Decoder {
public:
    CharmapDecoder(std::shared_ptr<const CharmapTable> table, ErrorHandler errors)
        : table_(std::move(table)), errors_(errors) {}

    void decode(std::string_view input, bool, std::string& out) override {
        all_or_nothing(out, [&] { decode_into(input, out); });
    }
    void reset() override {}
    DecoderState getstate() const override { return {}; }
    bool failed_decode_keeps_state() const noexcept override { return true; }
    void setstate(const DecoderState& state) override {
        // Python's charmap codecs keep the base IncrementalDecoder.setstate(),
        // which ignores the state: a cookie tell() gave under universal
        // newlines (its flags say a '\r' was held) still seeks after a
        // reconfigure() made the decoder this one alone.
        (void)state;
    }

private:
    void decode_into(std::string_view input, std::string& out) const {
        const CharmapTable& t = *table_;
        const auto* s = reinterpret_cast<const unsigned char*>(input.data());
        const size_t n = input.size();
        make_room(out, estimate(input));
        // Blocks whose UTF-8 fits the buffer: at most three bytes a byte,
        // written four at a time.
        constexpr size_t kBlock = (kStackOutput - 8) / 3;
        char buffer[kStackOutput];
        size_t i = 0;
        while (i < n) {
            const size_t end = std::min(n, i + kBlock);
            const transcode::Progress vector =
                transcode::charmap_to_utf8(s + i, end - i, t.decode_table(), buffer, sizeof buffer);
            i += vector.read;
            char* w = buffer + vector.written;
            while (i < end) {
                if (t.ascii_decode_identity()) {
                    i += copy_ascii(s, i, end, w, buffer + sizeof buffer);
                    if (i == end) break;
                }
                const CharmapTable::Utf8& e = t.decode(s[i]);
                if (e.length == 0) break;
                std::memcpy(w, &e, 4);
                w += e.length;
                ++i;
            }
            out.append(buffer, static_cast<size_t>(w - buffer));
            if (i < end) i = handle_decode_error(errors_, kCharmap, input, i, i + 1, kUndefined, out);
        }
    }

    // The UTF-8 size of the input, judged from its start.
    size_t estimate(std::string_view input) const {
        const size_t sample = std::min<size_t>(input.size(), 4096);
        size_t bytes = 0;
        for (size_t i = 0; i < sample; ++i)
            bytes += table_->decode(static_cast<unsigned char>(input[i])).length;
        return sample ? bytes * (input.size() / sample) + bytes + 64 : 0;
    }

    std::shared_ptr<const CharmapTable> table_;
    ErrorHandler errors_;
};

class CharmapEncoder final : public Encoder {
public:
    CharmapEncoder(std::shared_ptr<const CharmapTable> table, ErrorHandler errors)
        : table_(std::move(table)), errors_(errors) {}

    void encode(std::string_view text, bool, std::string& out) override {
        all_or_nothing(out, [&] { encode_into(text, out); });
    }
    void reset() override {}
    int64_t getstate() const override { return 0; }
    void setstate(int64_t state) override {
        if (state != 0) throw value_error("invalid state for a charmap encoder");
    }

private:
    void encode_into(std::string_view text, std::string& out) const {
        const CharmapTable& t = *table_;
        const auto* s = reinterpret_cast<const unsigned char*>(text.data());
        const size_t n = text.size();
        make_room(out, n);  // one byte a character at most, replacements aside
        char buffer[kStackOutput];
        size_t i = 0;      // byte offset in text
        size_t index = 0;  // code point index of text[i]
        while (i < n) {
            char* w = buffer;
            char* const full = buffer + sizeof buffer - 8;
            bool unencodable = false;
            while (i < n && w < full) {
                if (t.ascii_encode_identity()) {
                    const size_t copied = copy_ascii(s, i, n, w, full);
                    i += copied;
                    index += copied;
                    if (i == n || w >= full) break;
                }
                size_t next = i;
                int b = t.encode(decode_at(text, next));
                if (b < 0) {
                    unencodable = true;
                    break;
                }
                *w++ = static_cast<char>(b);
                i = next;
                ++index;
            }
            out.append(buffer, static_cast<size_t>(w - buffer));
            if (unencodable) i = replace(text, i, index, out);
        }
    }

    // Hands the run of unencodable characters at text[i] (code point `index`)
    // to the error handler at once, as Python does; returns where it ends.
    size_t replace(std::string_view text, size_t i, size_t& index, std::string& out) const {
        const CharmapTable& t = *table_;
        const size_t start = index, start_offset = i;
        while (i < text.size()) {
            size_t next = i;
            if (t.encode(decode_at(text, next)) >= 0) break;
            i = next;
            ++index;
        }
        EncodeReplacement rep =
            handle_encode_error_at(errors_, kCharmap, text, start, index, start_offset, kUndefined);
        if (rep.raw_bytes) {
            out += rep.replacement;
            return i;
        }
        for (size_t k = 0; k < rep.replacement.size();) {
            int b = t.encode(decode_at(rep.replacement, k));
            if (b < 0) throw_encode_error_at(kCharmap, text, start, index, start_offset, kUndefined);
            out.push_back(static_cast<char>(b));
        }
        return i;
    }

    std::shared_ptr<const CharmapTable> table_;
    ErrorHandler errors_;
};

class CharmapCodec final : public Codec {
public:
    CharmapCodec(std::string name, std::shared_ptr<const CharmapTable> table)
        : Codec(std::move(name)), table_(std::move(table)) {}
    std::unique_ptr<Decoder> decoder(ErrorHandler errors) const override {
        return std::make_unique<CharmapDecoder>(table_, errors);
    }
    std::unique_ptr<Encoder> encoder(ErrorHandler errors) const override {
        return std::make_unique<CharmapEncoder>(table_, errors);
    }
    bool single_byte() const noexcept override { return true; }

private:
    std::shared_ptr<const CharmapTable> table_;
};

// ---------------------------------------------------------------------------
// Python's view of multibyte sequences
// ---------------------------------------------------------------------------

// How many bytes CPython's decoder for the codec reads before it judges the
// sequence at s: with fewer available it reports "incomplete multibyte
// sequence" (or, decoding incrementally, waits for more); with enough, a
// sequence it cannot decode is "illegal multibyte sequence" of one byte.
// Charsets Python does not know judge every byte at once.
enum class Lead : uint8_t { Generic, ShiftJis, ShiftJis2004, Cp932, EucJp, DoubleByte, Gb18030, EucKr };

size_t python_need(Lead lead, const unsigned char* s, size_t avail) {
    const unsigned char c = s[0];
    switch (lead) {
    case Lead::Generic:
        return 1;
    case Lead::ShiftJis:
        return (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xea) ? 2 : 1;
    case Lead::ShiftJis2004:
        return (c >= 0x81 && c <= 0x9f) || (c >= 0xe0 && c <= 0xfc) ? 2 : 1;
    case Lead::Cp932:
        return c <= 0x80 || (c >= 0xa0 && c <= 0xdf) || c >= 0xfd ? 1 : 2;
    case Lead::EucJp:
        return c < 0x80 ? 1 : c == 0x8f ? 3 : 2;
    case Lead::DoubleByte:
        return c < 0x80 ? 1 : 2;
    case Lead::Gb18030:
        if (c < 0x80) return 1;
        return avail >= 2 && s[1] >= 0x30 && s[1] <= 0x39 ? 4 : 2;
    case Lead::EucKr:
        if (c < 0x80) return 1;
        return avail >= 2 && c == 0xa4 && s[1] == 0xd4 ? 8 : 2;
    }
    return 1;
}

struct PythonMultibyte {
    std::string_view codec;
    Lead lead;
};
constexpr PythonMultibyte kPythonMultibyte[] = {
    {"shift_jis", Lead::ShiftJis}, {"cp932", Lead::Cp932},     {"euc_jp", Lead::EucJp},
    {"gb2312", Lead::DoubleByte},  {"gbk", Lead::DoubleByte},  {"gb18030", Lead::Gb18030},
    {"big5", Lead::DoubleByte},    {"cp950", Lead::DoubleByte}, {"euc_kr", Lead::EucKr},
    {"cp949", Lead::DoubleByte},   {"johab", Lead::DoubleByte},  {"big5hkscs", Lead::DoubleByte},
    {"euc_jis_2004", Lead::EucJp}, {"euc_jisx0213", Lead::EucJp},
    {"shift_jis_2004", Lead::ShiftJis2004}, {"shift_jisx0213", Lead::ShiftJis2004},
};

// EUC-KR's KS X 1001:1998 Annex 3 make-up sequences: a Hangul syllable KS X
// 1001 lacks, written as the filler A4D4 and its three jamo, A4xx each.
// Python's euc_kr decodes and writes them; glibc knows none of it.
constexpr unsigned char kChoseong[19] = {0xa1, 0xa2, 0xa4, 0xa7, 0xa8, 0xa9, 0xb1,
                                         0xb2, 0xb3, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9,
                                         0xba, 0xbb, 0xbc, 0xbd, 0xbe};
constexpr unsigned char kJongseong[28] = {0xd4, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
                                          0xa7, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
                                          0xaf, 0xb0, 0xb1, 0xb2, 0xb4, 0xb5, 0xb6,
                                          0xb7, 0xb8, 0xba, 0xbb, 0xbc, 0xbd, 0xbe};

template <size_t N>
int index_in(const unsigned char (&table)[N], unsigned char b) {
    for (size_t i = 0; i < N; ++i)
        if (table[i] == b) return static_cast<int>(i);
    return -1;
}

// The syllable the eight bytes at s spell, or -1.
int32_t makeup_decode(const unsigned char* s) {
    if (s[2] != 0xa4 || s[4] != 0xa4 || s[6] != 0xa4) return -1;
    int cho = index_in(kChoseong, s[3]);
    int jung = s[5] >= 0xbf && s[5] <= 0xd3 ? s[5] - 0xbf : -1;
    int jong = index_in(kJongseong, s[7]);
    if (cho < 0 || jung < 0 || jong < 0) return -1;
    return 0xac00 + cho * 588 + jung * 28 + jong;
}

std::string makeup_encode(char32_t syllable) {
    unsigned s = syllable - 0xac00;
    const char bytes[8] = {
        '\xa4', '\xd4', '\xa4', static_cast<char>(kChoseong[s / 588]),
        '\xa4', static_cast<char>(0xbf + (s / 28) % 21), '\xa4', static_cast<char>(kJongseong[s % 28]),
    };
    return std::string(bytes, 8);
}

// ---------------------------------------------------------------------------
// Corrections: where Python's tables differ from the iconv charset's
// ---------------------------------------------------------------------------

// A set of code points with cheap first tests on the first byte, then the
// first two bytes, of their UTF-8 form, for scanning text for rare members.
class CodePointSet {
public:
    void insert(char32_t cp) {
        const std::string u = utf8_of(cp);
        const auto* b = reinterpret_cast<const unsigned char*>(u.data());
        lead_[b[0]] = true;
        if (u.size() > 1) prefix_.set(b[0] << 8 | b[1]);
        members_.push_back(cp);
    }
    void seal() {
        std::sort(members_.begin(), members_.end());
        members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
    }
    bool empty() const noexcept { return members_.empty(); }
    bool contains(char32_t cp) const noexcept {
        return std::binary_search(members_.begin(), members_.end(), cp);
    }
    // The offset of the first member in s[from, to) (both on sequence
    // boundaries of valid text), or `to`.
    size_t find(std::string_view s, size_t from, size_t to) const noexcept {
        const auto* p = reinterpret_cast<const unsigned char*>(s.data());
        for (size_t i = from; i < to; ++i) {
            if (!lead_[p[i]]) continue;
            if (p[i] < 0x80) return i;
            if (i + 1 == to || !prefix_.test(p[i] << 8 | p[i + 1])) continue;
            size_t j = i;
            int32_t cp = utf8::decode(s, j);
            if (cp >= 0 && contains(static_cast<char32_t>(cp))) return i;
        }
        return to;
    }

private:
    std::array<bool, 256> lead_{};
    std::bitset<65536> prefix_;
    std::vector<char32_t> members_;
};

uint64_t sequence_key(const unsigned char* s, size_t length) {
    uint64_t key = length;
    for (size_t i = 0; i < length; ++i) key = key << 8 | s[i];
    return key;
}

uint64_t sequence_key(uint32_t bytes, size_t length) {
    return static_cast<uint64_t>(length) << (8 * length) | bytes;
}

struct DecodeFixes {
    // Characters iconv produces that Python may decode otherwise: when one
    // appears, the bytes it came from are looked up in `replaced`, unless
    // only one sequence gives it: then `direct` says what Python decodes.
    CodePointSet flagged;
    std::unordered_map<uint64_t, char32_t> replaced;  // kNone: Python rejects them
    std::unordered_map<char32_t, char32_t> direct;
    // Sequences iconv rejects and Python decodes, by length.
    std::unordered_map<uint64_t, char32_t> supplements;
    std::array<bool, 5> supplement_lengths{};
    bool euc_kr_makeup = false;
    // Python's euc_jis_2004 reads 0x8F and two bytes JIS X 0213 lacks as JIS X 0212.
    bool jisx0212_fallback = false;
};

// What the encoder writes for a character where Python differs from iconv.
struct EncodeFixes {
    CodePointSet flagged;
    std::unordered_map<char32_t, std::string> bytes;  // empty: Python cannot encode it
    bool euc_kr_makeup = false;
    // Python's euc_jis_2004 writes what JIS X 0213 lacks from JIS X 0212.
    bool jisx0212_fallback = false;
};

// ---------------------------------------------------------------------------
// ISO-2022
// ---------------------------------------------------------------------------

// A graphic character set an escape sequence designates.
struct Charset {
    unsigned char final = 0;  // the escape sequence's final byte; 0: none
    bool dbcs = false;        // 94x94 characters, two bytes each
    bool set96 = false;       // 96 characters (glibc-only grammar)
    int width() const noexcept { return dbcs ? 2 : 1; }
};

constexpr uint8_t kNoSet = 0, kAsciiSet = 1;

struct Iso2022Config {
    bool python = false;        // CPython's iso2022 rules; else only glibc's
    bool no_shift = false;      // SO and SI are ordinary control characters
    bool use_g2 = false;        // ESC . F designates G2, ESC N shifts one character
    bool jisx0208_ext = false;  // ESC & @ ESC $ B designates JIS X 0208
    std::vector<Charset> charsets{Charset{}, Charset{'B', false, false}};
    // feed[i][r]: the escape sequence that makes iconv decode charset i from
    // register r; empty when iconv cannot.
    std::vector<std::array<std::string, 4>> feed;
    std::array<uint8_t, 4> initial{kAsciiSet, kNoSet, kNoSet, kNoSet};

    uint8_t find(unsigned char final, bool dbcs, bool set96) const {
        for (size_t i = 1; i < charsets.size(); ++i) {
            const Charset& c = charsets[i];
            if (c.final == final && c.dbcs == dbcs && (python || c.set96 == set96))
                return static_cast<uint8_t>(i);
        }
        return kNoSet;
    }
};

// The escape sequence designating `c` to register `reg`.
std::string designation(const Charset& c, int reg) {
    static constexpr char k94[] = "()*+", k96[] = "?-./";
    std::string s(1, static_cast<char>(ESC));
    if (c.dbcs) {
        s += '$';
        if (!(reg == 0 && (c.final == '@' || c.final == 'A' || c.final == 'B'))) s += k94[reg];
    } else if (c.set96) {
        if (reg == 0) return {};
        s += k96[reg];
    } else {
        s += k94[reg];
    }
    s += static_cast<char>(c.final);
    return s;
}

struct PythonIso2022 {
    std::string_view codec;
    bool no_shift, use_g2, jisx0208_ext;
    std::string_view sbcs;  // finals of its single-byte sets besides ASCII
    std::string_view dbcs;  // finals of its double-byte sets
    // The sets its encoder tries, in order (see EncodingSet); empty: encoding
    // is left to iconv (JIS X 0213, which Python pairs up specially).
    std::string_view encoder;
};
// CPython's Modules/cjkcodecs/_codecs_iso2022.c configurations.
constexpr PythonIso2022 kPythonIso2022[] = {
    {"iso2022_jp", true, false, true, "J", "B@", "8R"},
    {"iso2022_jp_1", true, false, true, "J", "BD@", "82R"},
    {"iso2022_jp_2", true, true, true, "JAF", "BDCA@", "82KGR"},
    {"iso2022_jp_2004", true, false, true, "", "QBP", ""},
    {"iso2022_jp_3", true, false, true, "", "OBP", ""},
    {"iso2022_jp_ext", true, false, true, "JI", "BD@", "82Rk"},
    {"iso2022_kr", false, false, false, "", "C", "K"},
};

const PythonIso2022* python_iso2022(std::string_view codec) {
    for (const auto& p : kPythonIso2022)
        if (p.codec == codec) return &p;
    return nullptr;
}

// What CPython's ISO-2022 encoder can write, per BMP code point: the first of
// its sets that has the character, and the character's code there.  The sets'
// tables come from iconv's stateless EUC charsets.
struct Iso2022Encoding {
    struct Set {
        unsigned char final;
        bool dbcs;
        int reg;  // G0, or G1 for iso2022_kr's KS X 1001
    };
    std::vector<Set> sets;
    std::vector<uint32_t> map;  // (set + 1) << 16 | code; 0: not encodable
};

// The code of cp in the set named by `kind` (a letter of PythonIso2022::encoder:
// 8 JIS X 0208, 2 JIS X 0212, K KS X 1001, G GB 2312, R JIS X 0201 Roman,
// k JIS X 0201 katakana), or 0.
class SetEncoder {
public:
    explicit SetEncoder(char kind)
        : kind_(kind), cd_(kind == 'K' ? "EUC-KR" : kind == 'G' ? "GB2312" : "EUC-JP", "UTF-8") {}
    bool ok() const { return cd_.ok(); }
    uint16_t code(char32_t cp) {
        switch (kind_) {
        case 'R':
            return cp == 0xa5 ? 0x5c : cp == 0x203e ? 0x7e : 0;
        case 'k':
            return cp >= 0xff61 && cp <= 0xff9f ? static_cast<uint16_t>(cp - 0xff61 + 0x21) : 0;
        }
        // Python's JIS X 0212 lacks U+FF5E and its KS X 1001 U+20A9 and
        // U+327E, which glibc's EUC tables have.
        if ((kind_ == '2' && cp == 0xff5e) || (kind_ == 'K' && (cp == 0x20a9 || cp == 0x327e))) return 0;
        std::string out;
        cd_.reset();
        if (cd_.convert(utf8_of(cp), out).error != 0) return 0;
        const auto* b = reinterpret_cast<const unsigned char*>(out.data());
        if (kind_ == '2') {
            if (out.size() != 3 || b[0] != 0x8f) return 0;
            b += 1;
        } else if (out.size() != 2) {
            return 0;
        }
        if (b[0] < 0xa1 || b[1] < 0xa1) return 0;
        return static_cast<uint16_t>((b[0] & 0x7f) << 8 | (b[1] & 0x7f));
    }

private:
    char kind_;
    Iconv cd_;
};

std::unique_ptr<Iso2022Encoding> make_iso2022_encoding(const PythonIso2022& py) {
    auto e = std::make_unique<Iso2022Encoding>();
    e->map.assign(0x10000, 0);
    for (char kind : py.encoder) {
        SetEncoder set(kind);
        if (!set.ok()) return nullptr;
        const unsigned char final = kind == '8' ? 'B' : kind == '2' ? 'D' : kind == 'K' ? 'C'
                                  : kind == 'G' ? 'A' : kind == 'R' ? 'J' : 'I';
        const bool dbcs = kind != 'R' && kind != 'k';
        e->sets.push_back({final, dbcs, py.no_shift ? 0 : 1});
        const uint32_t tag = static_cast<uint32_t>(e->sets.size()) << 16;
        for (char32_t cp = 0x80; cp < 0x10000; ++cp) {
            if (e->map[cp] || (cp >= 0xd800 && cp < 0xe000)) continue;
            if (uint16_t code = set.code(cp)) e->map[cp] = tag | code;
        }
    }
    return e;
}

// Whether iconv swallows `escape` without output, i.e. understands it.
bool understands(Iconv& cd, const std::string& escape) {
    if (escape.empty()) return false;
    cd.reset();
    std::string out;
    Converted r = cd.convert(escape, out);
    return r.error == 0 && r.consumed == escape.size() && out.empty();
}

std::unique_ptr<Iso2022Config> make_iso2022_config(const std::string& python_name,
                                                   const std::string& iconv_name) {
    auto cfg = std::make_unique<Iso2022Config>();
    Iconv probe("UTF-8", iconv_name);
    if (!probe.ok()) return nullptr;
    if (const PythonIso2022* py = python_iso2022(python_name)) {
        cfg->python = true;
        cfg->no_shift = py->no_shift;
        cfg->use_g2 = py->use_g2;
        cfg->jisx0208_ext = py->jisx0208_ext;
        for (char f : py->sbcs) cfg->charsets.push_back({static_cast<unsigned char>(f), false, false});
        for (char f : py->dbcs) cfg->charsets.push_back({static_cast<unsigned char>(f), true, false});
        cfg->initial = {kAsciiSet, kAsciiSet, kAsciiSet, kNoSet};
    } else {
        // A charset only iconv knows: the sets it understands, in any register.
        for (unsigned char f = '@'; f <= 'Z'; ++f) {
            for (int kind = 0; kind < 3; ++kind) {
                Charset c{f, kind == 2, kind == 1};
                bool any = false;
                for (int reg = 0; reg < 4 && !any; ++reg) any = understands(probe, designation(c, reg));
                if (any && cfg->charsets.size() < 32 && !(f == 'B' && kind == 0)) cfg->charsets.push_back(c);
            }
        }
    }
    cfg->feed.resize(cfg->charsets.size());
    for (size_t i = 2; i < cfg->charsets.size(); ++i) {
        for (int reg = 0; reg < 4; ++reg) {
            // Python's single-byte sets in G2 are 96-character sets.
            Charset c = cfg->charsets[i];
            if (cfg->python && reg == 2 && !c.dbcs) c.set96 = true;
            std::string esc = designation(c, reg);
            if (understands(probe, esc)) cfg->feed[i][reg] = esc;
        }
    }
    if (!cfg->python) {
        // Shifting applies when iconv accepts SO after designating G1.
        cfg->no_shift = true;
        for (size_t i = 2; i < cfg->charsets.size() && cfg->no_shift; ++i) {
            if (cfg->feed[i][1].empty()) continue;
            if (understands(probe, cfg->feed[i][1] + static_cast<char>(SO))) cfg->no_shift = false;
        }
    }
    return cfg;
}

// ---------------------------------------------------------------------------
// The profile of an iconv codec: everything derived once
// ---------------------------------------------------------------------------

enum class Statefulness {
    None,      // the decoder state is the pending bytes alone
    ShiftOut,  // SO/SI switch between single and double bytes (IBM EBCDIC DBCS)
    Opaque,    // iconv keeps state this code cannot see (UTF-7 ...)
    Iso2022,   // escape sequences interpreted here
};

struct IconvProfile {
    std::string name;  // Python's name, for errors
    std::string iconv_name;
    Statefulness state = Statefulness::None;
    Lead lead = Lead::Generic;
    DecodeFixes dfix;
    EncodeFixes efix;
    std::unique_ptr<Iso2022Config> iso;
    std::unique_ptr<Iso2022Encoding> iso_encoding;  // Python's ISO-2022 encoder, if rebuilt
};

void add_fixes(IconvProfile& p) {
    Iconv enc(p.iconv_name, "UTF-8");
    for (const auto& codec : iconv_data::kCodecFixes) {
        if (codec.codec != p.name) continue;
        for (const auto& f : codec.decode) {
            for (uint32_t i = 0; i < f.count; ++i) {
                uint64_t key = sequence_key(f.bytes + i, f.length);
                char32_t python = f.python == kNone || f.python == kWhole ? f.python : f.python + i;
                if (f.glibc == kNone) {
                    p.dfix.supplements[key] = python;
                    p.dfix.supplement_lengths[f.length] = true;
                    continue;
                }
                const char32_t theirs = f.glibc + i;
                p.dfix.flagged.insert(theirs);
                p.dfix.replaced[key] = python;
                // Replaced wherever it appears when no other sequence gives
                // it: so glibc says, and iconv encodes it back to these bytes.
                const auto& amb = codec.ambiguous;
                if (python == kNone || python == kWhole) continue;
                if (std::find(amb.begin(), amb.end(), theirs) != amb.end()) continue;
                std::string back;
                enc.reset();
                if (enc.ok() && enc.convert(utf8_of(theirs), back).error == 0 &&
                    back == bytes_of(f.bytes + i, f.length))
                    p.dfix.direct[theirs] = python;
            }
        }
        for (const auto& f : codec.encode) {
            for (uint32_t i = 0; i < f.count; ++i) {
                p.efix.flagged.insert(f.cp + i);
                p.efix.bytes[f.cp + i] = f.length ? bytes_of(f.bytes + i, f.length) : std::string();
            }
        }
    }
    if (p.name == "euc_kr") {
        // iconv decodes the make-up filler A4D4 as U+3164 on its own.
        p.dfix.flagged.insert(0x3164);
        p.dfix.replaced[sequence_key(0xa4d4, 2)] = kNone;
        p.dfix.euc_kr_makeup = true;
        p.efix.euc_kr_makeup = true;
    }
    if (p.name == "euc_jis_2004" || p.name == "euc_jisx0213") {
        p.dfix.jisx0212_fallback = true;
        p.efix.jisx0212_fallback = true;
    }
    if (p.name == "cp932") {
        // IBM's extension characters appear twice in CP932; Windows and
        // Python encode them as NEC's selection (rows ED and EE), glibc as
        // IBM's (rows FA to FC).
        Iconv dec("UTF-8", p.iconv_name), enc(p.iconv_name, "UTF-8");
        for (unsigned lead = 0xed; lead <= 0xee && dec.ok() && enc.ok(); ++lead) {
            for (unsigned trail = 0x40; trail <= 0xfc; ++trail) {
                const char seq[2] = {static_cast<char>(lead), static_cast<char>(trail)};
                std::string text, theirs;
                dec.reset();
                enc.reset();
                if (dec.convert({seq, 2}, text).error != 0 || text.empty()) continue;
                if (enc.convert(text, theirs).error != 0 || theirs.size() != 2) continue;
                if (static_cast<unsigned char>(theirs[0]) < 0xfa) continue;
                size_t i = 0;
                char32_t cp = static_cast<char32_t>(utf8::decode(text, i));
                p.efix.flagged.insert(cp);
                p.efix.bytes[cp] = std::string(seq, 2);
            }
        }
    }
    p.dfix.flagged.seal();
    p.efix.flagged.seal();
}

// Characters to try when asking whether the encoder has a shift state.
constexpr char32_t kProbeCharacters[] = {0x3042, 0xac00, 0x4e00, 0x00e9, 0x0416, 0x03b1,
                                          0x05d0, 0x0627, 0x0e01, 0x20ac, 0xff71};

std::shared_ptr<const IconvProfile> build_profile(std::string python_name,
                                                  std::string_view iconv_name) {
    auto p = std::make_shared<IconvProfile>();
    p->name = std::move(python_name);
    p->iconv_name = std::string(iconv_name);
    Iconv dec("UTF-8", p->iconv_name), enc(p->iconv_name, "UTF-8");
    if (!dec.ok() || !enc.ok()) return nullptr;

    // Stateful: the encoder emits something to return to its initial state.
    // (Some hold a character back until they know what follows it: JIS X
    // 0213 and HKSCS pair some with combining marks.  That is no state.)
    std::string reset_sequence;
    for (char32_t cp : kProbeCharacters) {
        enc.reset();
        std::string out;
        if (enc.convert(utf8_of(cp), out).error != 0 || out.empty()) continue;
        std::string tail;
        enc.flush(tail);
        if (!tail.empty()) {
            reset_sequence = tail;
            break;
        }
    }
    if (!reset_sequence.empty()) {
        if (p->iconv_name.find("2022") != std::string::npos) {
            p->state = Statefulness::Iso2022;
            p->iso = make_iso2022_config(p->name, p->iconv_name);
            if (!p->iso) return nullptr;
            const PythonIso2022* py = python_iso2022(p->name);
            if (py && !py->encoder.empty()) p->iso_encoding = make_iso2022_encoding(*py);
        } else if (reset_sequence == std::string(1, static_cast<char>(SI)) &&
                   understands(dec, std::string(1, static_cast<char>(SO)))) {
            p->state = Statefulness::ShiftOut;
        } else {
            p->state = Statefulness::Opaque;
        }
    }
    for (const auto& m : kPythonMultibyte)
        if (m.codec == p->name) p->lead = m.lead;
    if (p->state == Statefulness::None) add_fixes(*p);
    return p;
}

void open_or_throw(const Iconv& cd) {
    if (!cd.ok()) throw os_error(errno);
}

// ---------------------------------------------------------------------------
// Stateless CPython multibyte codecs: a decoding table taken from the decoder
// ---------------------------------------------------------------------------

// What IconvDecoder makes of each sequence of one or two bytes of a stateless
// multibyte codec (shift_jis, gbk, big5, euc_kr ...), asked of the decoder
// itself, one sequence at a time, so that table and decoder agree by
// construction.  A sequence is in the table when it decodes, alone and
// final, to one BMP character.  Everything else -- errors, incomplete input,
// several characters, astral ones, and every sequence whose meaning depends
// on the bytes after it (EUC-JP's 0x8F three-byte forms, GB18030's four-byte
// ones, EUC-KR's make-up sequences after A4D4) -- is left to the decoder.
//
// Why a hit may be decoded from the table wherever it starts in the input:
// these codecs are prefix codes whose sequence length the lead byte decides
// (GB18030's the second byte, which the table knows), the decoder keeps no
// state between sequences, and none of its corrections looks past the
// sequence in hand but those above.  So the decoder, reaching a hit, writes
// what the table holds and goes on after it.
class MultibyteTable {
public:
    using Utf8 = transcode::CharmapEntry;  // length 0: left to the decoder

    // The table of the codec `profile` describes; nullptr for any codec but
    // Python's stateless multibyte ones.
    static std::shared_ptr<const MultibyteTable> build(const std::shared_ptr<const IconvProfile>& profile);
    static bool applies(const IconvProfile& p) {
        return p.state == Statefulness::None && p.lead != Lead::Generic;
    }

    // Decodes data from `pos` as long as the table knows the sequences,
    // appending to `out`.  Returns where it stopped: data.size(), a sequence
    // left to the decoder, or a lead byte that ends the data.
    size_t decode(std::string_view data, size_t pos, std::string& out) const;

private:
    std::array<Utf8, 256> single_{};
    std::array<int32_t, 256> row_{};  // of a lead byte: its offset in pairs_; else -1
    std::vector<Utf8> pairs_;
    bool ascii_identity_ = false;
};

// Bytes decoded through a MultibyteTable since the program started (tests
// check that the table is in use); added to once per decode() call, not per
// run of the table, so that threads decoding at once share this line rarely.
std::atomic<uint64_t> g_table_decoded{0};

size_t MultibyteTable::decode(std::string_view data, size_t pos, std::string& out) const {
    const auto* s = reinterpret_cast<const unsigned char*>(data.data());
    const size_t n = data.size();
    char buffer[kStackOutput];
    char* const full = buffer + sizeof buffer - 8;  // room for 8 more bytes
    bool stuck = false;
    while (pos < n && !stuck) {
        char* w = buffer;
        while (w < full && pos < n) {
            const unsigned char c = s[pos];
            if (c < 0x80 && ascii_identity_ && pos + 8 <= n) {
                uint64_t word;
                std::memcpy(&word, s + pos, 8);
                if (!(word & 0x8080808080808080ull)) {
                    std::memcpy(w, &word, 8);
                    w += 8;
                    pos += 8;
                    continue;
                }
            }
            const Utf8* e;
            size_t length;
            if (row_[c] < 0) {
                e = &single_[c];
                length = 1;
            } else if (pos + 1 < n) {
                e = &pairs_[static_cast<size_t>(row_[c]) + s[pos + 1]];
                length = 2;
            } else {
                stuck = true;
                break;
            }
            if (e->length == 0) {
                stuck = true;
                break;
            }
            std::memcpy(w, e, 4);
            w += e->length;
            pos += length;
        }
        out.append(buffer, static_cast<size_t>(w - buffer));
    }
    return pos;
}

// ---------------------------------------------------------------------------
// Decoding through iconv: stateless charsets and stateful ones without escapes
// ---------------------------------------------------------------------------

class IconvDecoder final : public Decoder {
public:
    // With a table, the sequences it knows are decoded from it, the rest
    // as without.
    IconvDecoder(std::shared_ptr<const IconvProfile> profile, ErrorHandler errors,
                 std::shared_ptr<const MultibyteTable> table = nullptr)
        : profile_(std::move(profile)), p_(*profile_), errors_(errors), table_(std::move(table)),
          cd_("UTF-8", p_.iconv_name) {
        open_or_throw(cd_);
    }

    void decode(std::string_view input, bool final, std::string& out) override {
        std::string buffer;
        std::string_view data = joined(pending_, input, buffer);
        const std::string held = pending_;
        pending_.clear();
        failed_incomplete_ = false;
        make_room(out, 2 * data.size());
        size_t from_table = 0;
        all_or_nothing(out, [&] {
            try {
                size_t pos = 0;
                while (pos < data.size()) {
                    if (table_) {
                        const size_t from = pos;
                        pos = table_->decode(data, pos, out);
                        from_table += pos - from;
                        if (pos == data.size()) break;
                        // Where the table knows little (GB18030's four-byte
                        // forms in a row), iconv takes ever larger pieces.
                        brief_ = pos - from < 64 ? std::min(kSlice, 2 * brief_) : kBriefSlice;
                    }
                    // After the table, iconv takes over for a sequence or
                    // more and hands back where it paused, between two.
                    Stop stop = convert(data, pos, out, table_ ? brief_ : 0);
                    if (stop == Stop::Done) break;
                    if (stop == Stop::Paused) continue;
                    if (!at_stop(data, pos, final, stop, out)) {
                        pending_.assign(data.substr(pos));
                        break;
                    }
                }
            } catch (...) {
                hold_after_failure(pending_after_failure(failed_incomplete_, held));
                throw;
            }
        });
        if (from_table) g_table_decoded.fetch_add(from_table, std::memory_order_relaxed);
    }

    // Not kept_flags_: CPython's stateless multibyte codecs have no reset of
    // their own, and the incremental decoder's reset() only drops what it
    // held.
    void reset() override {
        cd_.reset();
        pending_.clear();
        shifted_ = dirty_ = false;
    }
    void reset_to_new() override {
        reset();
        kept_flags_ = 0;
    }

    DecoderState getstate() const override {
        uint64_t flags = kept_flags_;
        if (p_.state == Statefulness::ShiftOut) flags = shifted_;
        if (p_.state == Statefulness::Opaque) flags = dirty_;
        return {pending_, flags};
    }

    void setstate(const DecoderState& state) override {
        bool ok = state.pending.size() <= kMaxPending;
        switch (p_.state) {
        case Statefulness::ShiftOut:
            ok = ok && state.flags <= 1;
            break;
        case Statefulness::Opaque:
            if (state.flags != 0)
                throw value_error("cannot restore the state of a '" + p_.name +
                                  "' decoder: iconv keeps it out of sight");
            break;
        default:
            break;
        }
        if (!ok) throw value_error("invalid state for a '" + p_.name + "' decoder");
        reset();
        if (p_.state == Statefulness::None) {
            kept_flags_ = state.flags;
            pending_ = state.pending;
            return;
        }
        if (state.flags) {
            std::string none;
            cd_.convert(std::string(1, static_cast<char>(SO)), none);
            shifted_ = true;
        }
        pending_ = state.pending;
    }

private:
    enum class Stop { Done, Paused, Illegal, Incomplete, Rejected };

    // After a decode() that failed (see pending_after_failure); the shift
    // state stays where the decoding stopped.
    void hold_after_failure(std::string pending) {
        if (p_.state == Statefulness::Opaque)
            pending_ = std::move(pending);
        else
            setstate(DecoderState{std::move(pending), getstate().flags});
    }

    // Converts data from pos until the end or a sequence that needs a look;
    // with `brief` bytes (not 0), pauses after them, on a sequence boundary.
    Stop convert(std::string_view data, size_t& pos, std::string& out, size_t brief = 0) {
        const bool fixes = !p_.dfix.flagged.empty();
        const size_t start = pos;
        while (pos < data.size()) {
            const size_t end = std::min(data.size(), pos + (brief ? std::min(brief, slice_) : slice_));
            const size_t o0 = out.size();
            Converted r = cd_.convert(data.substr(pos, end - pos), out);
            if (p_.state == Statefulness::ShiftOut) track_shift(data.substr(pos, r.consumed));
            if (r.consumed) dirty_ = true;
            if (fixes) {
                size_t k = first_to_locate(out, o0);
                if (k < out.size()) {
                    // Where these are frequent, convert less at a time.
                    slice_ = std::max<size_t>(64, slice_ / 4);
                    if (!locate(data, pos, o0, k, out)) return Stop::Rejected;
                    if (brief) return Stop::Paused;
                    continue;
                }
                replace_direct(out, o0);
                slice_ = std::min(kSlice, slice_ * 2);
            }
            pos += r.consumed;
            if (r.error == 0) {
                if (brief) return Stop::Paused;
                continue;
            }
            // A slice that ends inside a character is no reason to stop.
            if (r.error == EINVAL && end < data.size()) {
                if (brief && pos > start) return Stop::Paused;
                brief = 0;  // a character longer than `brief` bytes
                continue;
            }
            if (r.error == EILSEQ) pos -= skipped_over(data, pos, r.consumed);
            return r.error == EINVAL ? Stop::Incomplete : Stop::Illegal;
        }
        return Stop::Done;
    }

    // How many bytes before pos iconv took in with the sequence it rejects
    // (glibc's CP949 reports 0xA2E8 as illegal after passing it): the bytes
    // that, alone, iconv passes over and rejects likewise.  Usually none.
    size_t skipped_over(std::string_view data, size_t pos, size_t consumed) {
        if (p_.state != Statefulness::None) return 0;
        for (size_t k = 2; k <= 4 && k <= consumed; ++k) {
            std::string ignored;
            cd_.reset();
            Converted r = cd_.convert(data.substr(pos - k, k), ignored);
            if (r.error == EILSEQ && r.consumed == k && ignored.empty()) return k;
        }
        return 0;
    }

    // The first character in out[from, ...) that Python may decode otherwise
    // depending on the bytes it came from, or out.size().
    size_t first_to_locate(const std::string& out, size_t from) const {
        const DecodeFixes& f = p_.dfix;
        for (size_t k = f.flagged.find(out, from, out.size()); k < out.size();) {
            size_t next = k;
            if (!f.direct.count(static_cast<char32_t>(utf8::decode(out, next)))) return k;
            k = f.flagged.find(out, next, out.size());
        }
        return out.size();
    }

    // Puts Python's characters for those only one sequence gives in out[from, ...).
    void replace_direct(std::string& out, size_t from) const {
        const DecodeFixes& f = p_.dfix;
        const size_t first = f.flagged.find(out, from, out.size());
        if (first == out.size()) return;
        std::string tail;
        size_t copied = first;
        for (size_t k = first; k < out.size(); k = f.flagged.find(out, k, out.size())) {
            size_t at = k;
            auto it = f.direct.find(static_cast<char32_t>(utf8::decode(out, k)));
            if (it == f.direct.end()) continue;
            tail.append(out, copied, at - copied);
            utf8::append(tail, it->second);
            copied = k;
        }
        tail.append(out, copied);
        out.resize(first);
        out += tail;
    }

    // iconv turned the bytes from pos into out[o0, ...), and out[k] starts a
    // character Python may decode otherwise: redo the conversion up to it,
    // find the bytes it came from and apply Python's reading.  Returns false,
    // with pos at them, if Python rejects those bytes.
    bool locate(std::string_view data, size_t& pos, size_t o0, size_t k, std::string& out) {
        size_t length = utf8::sequence_length(static_cast<unsigned char>(out[k]));
        cd_.reset();
        out.resize(o0);
        pos += cd_.convert_bounded(data.substr(pos), out, k - o0).consumed;
        replace_direct(out, o0);
        // Exactly one character of input: the least output iconv will give.
        // (A sequence can give two code points, a base and a combining mark.)
        std::string ch;
        Converted one{0, 0};
        for (size_t limit = length; one.consumed == 0 && limit <= length + 4; ++limit) {
            ch.clear();
            one = cd_.convert_bounded(data.substr(pos), ch, limit);
        }
        if (one.consumed == 0)
            throw runtime_error("iconv gives no character for '" + p_.name + "' input it decoded");
        const auto* s = reinterpret_cast<const unsigned char*>(data.data() + pos);
        auto it = p_.dfix.replaced.find(sequence_key(s, one.consumed));
        if (it == p_.dfix.replaced.end()) {
            out += ch;
        } else if (it->second == kNone || it->second == kWhole) {
            rejected_length_ = it->second == kWhole ? one.consumed : 1;
            return false;
        } else {
            utf8::append(out, it->second);
        }
        pos += one.consumed;
        return true;
    }

    // Deals with the sequence at pos that iconv stopped at, as Python would.
    // Returns false when it needs more input.
    bool at_stop(std::string_view data, size_t& pos, bool final, Stop stop, std::string& out) {
        const auto* s = reinterpret_cast<const unsigned char*>(data.data() + pos);
        const size_t avail = data.size() - pos;
        if (stop == Stop::Illegal) {
            for (size_t len = 1; len <= 4; ++len) {
                if (!p_.dfix.supplement_lengths[len] || len > avail) continue;
                auto it = p_.dfix.supplements.find(sequence_key(s, len));
                if (it == p_.dfix.supplements.end() || it->second == kNone) continue;
                utf8::append(out, it->second);
                pos += len;
                return true;
            }
        }
        if (stop == Stop::Illegal && p_.dfix.jisx0212_fallback && avail >= 3 && s[0] == 0x8f) {
            if (!eucjp_) eucjp_ = std::make_unique<Iconv>("UTF-8", "EUC-JP");
            std::string ch;
            eucjp_->reset();
            if (eucjp_->ok() && eucjp_->convert(data.substr(pos, 3), ch).consumed == 3) {
                out += ch;
                pos += 3;
                return true;
            }
        }
        if (p_.dfix.euc_kr_makeup && avail >= 2 && s[0] == 0xa4 && s[1] == 0xd4 && avail >= 8) {
            int32_t syllable = makeup_decode(s);
            if (syllable >= 0) {
                utf8::append(out, static_cast<char32_t>(syllable));
                pos += 8;
                return true;
            }
        }
        if (avail < python_need(p_.lead, s, avail)) {
            if (!final) return false;
            // What the handler leaves of an incomplete sequence at the end
            // (surrogateescape stops before an ASCII byte) Python's
            // incremental decoders keep, undecoded, even though final.
            pos = handle_incomplete(errors_, p_.name, data, pos, out, failed_incomplete_);
            return pos == data.size();
        }
        // iconv wants more although Python would judge: let the next input decide.
        if (stop == Stop::Incomplete && !final) return false;
        const size_t length = stop == Stop::Rejected ? rejected_length_ : 1;
        pos = handle_decode_error(errors_, p_.name, data, pos, pos + length, kIllegal, out);
        return true;
    }

    void track_shift(std::string_view consumed) {
        for (char c : consumed) {
            if (c == static_cast<char>(SO)) shifted_ = true;
            if (c == static_cast<char>(SI)) shifted_ = false;
        }
    }

    std::shared_ptr<const IconvProfile> profile_;
    const IconvProfile& p_;
    ErrorHandler errors_;
    std::shared_ptr<const MultibyteTable> table_;
    Iconv cd_;
    std::string pending_;
    bool failed_incomplete_ = false;  // this decode()'s failure is at the end (pending_after_failure)
    size_t slice_ = kSlice;
    size_t brief_ = kBriefSlice;  // what convert() takes between two runs of the table
    size_t rejected_length_ = 1;  // of the sequence locate() found Python rejects
    std::unique_ptr<Iconv> eucjp_;  // jisx0212_fallback, made when first needed
    bool shifted_ = false;  // ShiftOut: iconv is between SO and SI
    bool dirty_ = false;    // Opaque: iconv has consumed something since reset
    // None: the flags the last setstate() gave, which getstate() returns.
    // CPython's multibyte decoders keep any 64-bit state (setstate copies
    // it into their state bytes) and a stateless codec never changes it: a
    // cookie from tell() under universal newlines, whose flags say a '\r'
    // was held, still seeks after a reconfigure() left the codec's decoder
    // alone.
    uint64_t kept_flags_ = 0;
};

std::shared_ptr<const MultibyteTable> MultibyteTable::build(
    const std::shared_ptr<const IconvProfile>& profile) {
    if (!applies(*profile)) return nullptr;
    const Lead lead = profile->lead;
    // Where strict raises, surrogateescape writes a lone surrogate (or raises,
    // or keeps bytes pending), which no decoded character is; elsewhere the
    // two decode alike.  It only spares the cost of raising.
    IconvDecoder decoder(profile, ErrorHandler::SurrogateEscape);
    auto entry = [&decoder](const unsigned char* seq, size_t length) -> Utf8 {
        std::string text;
        decoder.reset();
        try {
            decoder.decode({reinterpret_cast<const char*>(seq), length}, true, text);
        } catch (const Error&) {
            return {};
        }
        if (!decoder.getstate().pending.empty() || text.empty() || text.size() > 3) return {};
        size_t i = 0;
        const int32_t cp = utf8::decode(text, i);
        if (cp < 0 || i != text.size() || (cp >= 0xd800 && cp < 0xe000)) return {};
        Utf8 e{};
        std::memcpy(e.bytes, text.data(), text.size());
        e.length = static_cast<uint8_t>(text.size());
        return e;
    };
    auto t = std::make_shared<MultibyteTable>();
    t->row_.fill(-1);
    for (unsigned b = 0; b < 256; ++b) {
        unsigned char seq[2] = {static_cast<unsigned char>(b), 0};
        const size_t need = python_need(lead, seq, 1);
        if (need == 1) {
            t->single_[b] = entry(seq, 1);
        } else if (need == 2) {
            t->row_[b] = static_cast<int32_t>(t->pairs_.size());
            for (unsigned trail = 0; trail < 256; ++trail) {
                seq[1] = static_cast<unsigned char>(trail);
                // Longer forms that start so (GB18030, EUC-KR's make-up) are the decoder's.
                t->pairs_.push_back(python_need(lead, seq, 2) == 2 ? entry(seq, 2) : Utf8{});
            }
        }
        // A lead byte of longer sequences (EUC-JP's 0x8F) is the decoder's.
    }
    t->ascii_identity_ = true;
    for (unsigned b = 0; b < 0x80; ++b)
        if (t->row_[b] >= 0 || t->single_[b].length != 1 || t->single_[b].bytes[0] != static_cast<char>(b))
            t->ascii_identity_ = false;
    return t;
}

// ---------------------------------------------------------------------------
// Decoding ISO-2022
// ---------------------------------------------------------------------------

bool is_escend(unsigned char c) { return (c >= 'A' && c <= 'Z') || c == '@'; }

// CPython's ISO-8859-7 in G2 (its ISO8859_7_DECODE); -1 where it has nothing.
int32_t python_iso8859_7(unsigned char c) {
    if (c < 0xa0) return c;
    if (c < 0xc0 && (0x288f3bc9ul >> (c - 0xa0) & 1)) return c;
    if (c >= 0xb4 && c <= 0xfe && (c >= 0xd4 || (0xbffffd77ul >> (c - 0xb4) & 1))) return 0x2d0 + c;
    if (c == 0xa1) return 0x2018;
    if (c == 0xa2) return 0x2019;
    if (c == 0xaf) return 0x2015;
    return -1;
}

class Iso2022Decoder final : public Decoder {
public:
    Iso2022Decoder(std::shared_ptr<const IconvProfile> profile, ErrorHandler errors)
        : profile_(std::move(profile)), p_(*profile_), cfg_(*p_.iso), errors_(errors),
          cd_("UTF-8", p_.iconv_name) {
        open_or_throw(cd_);
        reset_to_new();
    }

    void decode(std::string_view input, bool final, std::string& out) override {
        std::string buffer;
        std::string_view data = joined(pending_, input, buffer);
        const std::string held = pending_;
        pending_.clear();
        failed_incomplete_ = false;
        all_or_nothing(out, [&] {
            try {
                Cursor c{data, 0, final, out};
                while (c.pos < data.size()) {
                    if (!step(c)) {
                        pending_.assign(data.substr(c.pos));
                        break;
                    }
                }
                // CPython's multibyte decoders hold at most 8 bytes between
                // calls (MAXDECPENDING); an escape sequence not terminated yet
                // can leave more, and then the call fails, holding nothing.
                if (pending_.size() > kMaxDecPending) throw unicode_error("pending buffer overflow");
            } catch (...) {
                // The designations and shift made before the failure stay.
                setstate(DecoderState{pending_after_failure(failed_incomplete_, held), getstate().flags});
                throw;
            }
        });
    }

    void reset() override {
        // CPython's ISO-2022 reset (DECODER_RESET) only designates G0's
        // initial set again and undoes the shift: G1-G3 keep their sets and
        // the escape-throughout mode stays on.  TextIOWrapper resets its
        // decoder at seek(0) and after a write, so what it reads next
        // decodes as in io (an ESC that bytes after an unknown escape pass
        // through).  glibc's rules: back to the start.
        if (!cfg_.python) return reset_to_new();
        st_.g[0] = cfg_.initial[0];
        st_.shifted = false;
        pending_.clear();
        resync();
    }
    void reset_to_new() override {
        st_ = State{cfg_.initial};
        pending_.clear();
        resync();
    }

    // flags: the four registers' sets, five bits each, relative to the
    // initial ones (so the initial state is 0), then the shift and Python's
    // "escape throughout" mode.
    DecoderState getstate() const override {
        uint64_t flags = 0;
        for (int r = 0; r < 4; ++r)
            flags |= static_cast<uint64_t>((st_.g[r] - cfg_.initial[r]) & 31) << (5 * r);
        flags |= static_cast<uint64_t>(st_.shifted) << 20;
        flags |= static_cast<uint64_t>(st_.throughout) << 21;
        return {pending_, flags};
    }

    void setstate(const DecoderState& state) override {
        State st{};
        bool ok = state.pending.size() <= kMaxPending && state.flags < (1u << 22);
        for (int r = 0; r < 4 && ok; ++r) {
            unsigned g = ((state.flags >> (5 * r)) + cfg_.initial[r]) & 31;
            // A register, once designated, stays so.
            ok = g < cfg_.charsets.size() && (g != kNoSet || cfg_.initial[r] == kNoSet);
            st.g[r] = static_cast<uint8_t>(g);
        }
        st.shifted = state.flags >> 20 & 1;
        st.throughout = state.flags >> 21 & 1;
        if (ok && st.shifted) ok = !cfg_.no_shift && st.g[1] != kNoSet;
        if (ok && st.throughout) ok = cfg_.python;
        if (!ok) throw value_error("invalid state for a '" + p_.name + "' decoder");
        st_ = st;
        pending_ = state.pending;
        resync();
    }

private:
    struct State {
        std::array<uint8_t, 4> g{};  // charset index per register
        bool shifted = false;        // G1 invoked (after SO)
        bool throughout = false;     // Python: inside an escape sequence it passes through
    };

    struct Cursor {
        std::string_view data;
        size_t pos;
        bool final;
        std::string& out;
        size_t avail() const { return data.size() - pos; }
        unsigned char at(size_t i) const { return static_cast<unsigned char>(data[pos + i]); }
    };

    void resync() {
        cd_.reset();
        fed_ = {kAsciiSet, kNoSet, kNoSet, kNoSet};
        fed_shifted_ = false;
    }

    void error(Cursor& c, size_t length, const char* reason) {
        c.pos = handle_decode_error(errors_, p_.name, c.data, c.pos, c.pos + length, reason, c.out);
    }

    // The input ends inside a sequence: wait for more, or report it (and,
    // as Python's incremental decoders do, keep what the handler leaves,
    // undecoded, even though final).
    bool incomplete(Cursor& c) {
        if (!c.final) return false;
        c.pos = handle_incomplete(errors_, p_.name, c.data, c.pos, c.out, failed_incomplete_);
        return c.pos == c.data.size();
    }

    bool shifts() const { return !cfg_.no_shift; }

    // One unit of input: an escape sequence, a shift, or a run of characters
    // of one set.  Returns false when it needs more input.
    bool step(Cursor& c) {
        const unsigned char b = c.at(0);
        if (st_.throughout) {
            utf8::append(c.out, b);
            if (is_escend(b)) st_.throughout = false;
            ++c.pos;
            return true;
        }
        if (b == ESC) return escape(c);
        if (shifts() && b == SO) {
            if (!cfg_.python && st_.g[1] == kNoSet) {
                error(c, 1, kIllegal);
                return true;
            }
            st_.shifted = true;
            ++c.pos;
            return true;
        }
        if (shifts() && b == SI) {
            st_.shifted = false;
            ++c.pos;
            return true;
        }
        // Python passes control characters through whatever the set, and a
        // newline ends the shift.
        if (cfg_.python && b < 0x20) {
            if (b == LF) st_.shifted = false;
            c.out += static_cast<char>(b);
            ++c.pos;
            return true;
        }
        const int reg = st_.shifted ? 1 : 0;
        const uint8_t set = st_.g[reg];
        if (set == kAsciiSet) return ascii_run(c);
        return run(c, reg, set);
    }

    // Whether b ends a run of characters of a set `width` bytes wide.
    // Whether b ends a run of characters of `set`.
    bool special(unsigned char b, const Charset& set) const {
        if (b == ESC) return true;
        if (shifts() && (b == SO || b == SI)) return true;
        if (!cfg_.python) return false;
        // Control characters are step()'s; a space or DEL Python reads as
        // half a pair in a double-byte set, and as no katakana (iconv passes
        // them through).
        return b < 0x20 || ((set.dbcs || set.final == 'I') && (b == 0x20 || b == 0x7f));
    }

    bool ascii_run(Cursor& c) {
        size_t n = 0;
        while (n < c.avail()) {
            const unsigned char b = c.at(n);
            if (b >= 0x80 || b == ESC) break;
            if (shifts() && (b == SO || b == SI || (cfg_.python && b == LF))) break;
            ++n;
        }
        c.out.append(c.data.substr(c.pos, n));
        c.pos += n;
        if (c.pos < c.data.size() && c.at(0) >= 0x80) error(c, 1, kIllegal);
        return true;
    }

    // Characters of `set`, invoked from register `reg`, decoded by iconv.
    bool run(Cursor& c, int reg, uint8_t set) {
        const int width = cfg_.charsets[set].width();
        size_t n = 0;
        while (n < c.avail() && !special(c.at(n), cfg_.charsets[set])) ++n;
        if (n == 0) {  // a space or DEL where Python expects another character
            if (c.avail() < static_cast<size_t>(width)) return incomplete(c);
            error(c, static_cast<size_t>(width), kIllegal);
            return true;
        }
        if (!invoke(reg, set)) {
            // iconv cannot decode this set: Python could, this codec cannot.
            if (c.avail() < static_cast<size_t>(width)) return incomplete(c);
            error(c, static_cast<size_t>(width), kIllegal);
            return true;
        }
        Converted r = cd_.convert(c.data.substr(c.pos, n), c.out);
        c.pos += r.consumed;
        if (r.error == 0) return true;
        if (c.at(0) >= 0x80 || width == 1) {
            error(c, 1, kIllegal);
            return true;
        }
        if (c.avail() < 2) return incomplete(c);
        error(c, 2, kIllegal);
        return true;
    }

    // Brings iconv to decoding `set`, preferably from register `reg`, else
    // from whichever of G0 and G1 iconv accepts it in (Python lets
    // iso2022_kr designate KS X 1001 to G0, glibc only to G1).
    bool invoke(int reg, uint8_t set) {
        int from = reg;
        if (cfg_.feed[set][from].empty()) from = 1 - reg;
        if (cfg_.feed[set][from].empty() || (from == 1 && !shifts())) return false;
        if (fed_[from] != set) {
            if (!feed(cfg_.feed[set][from])) return false;
            fed_[from] = set;
        }
        if (shifts() && fed_shifted_ != (from == 1)) {
            if (!feed(std::string(1, static_cast<char>(from == 1 ? SO : SI)))) return false;
            fed_shifted_ = from == 1;
        }
        return true;
    }

    bool feed(const std::string& sequence) {
        if (sequence.empty()) return false;
        std::string out;
        Converted r = cd_.convert(sequence, out);
        return r.error == 0 && r.consumed == sequence.size() && out.empty();
    }

    bool escape(Cursor& c) {
        if (c.avail() < 2) return incomplete(c);
        const unsigned char b = c.at(1);
        if (!cfg_.python) return generic_escape(c);
        if (b == '(' || b == ')' || b == '$' || b == '.' || b == '&') return designate(c);
        if (cfg_.use_g2 && b == 'N') return single_shift_g2(c);
        // Not an ISO-2022 escape: Python passes it through up to its final byte.
        utf8::append(c.out, ESC);
        st_.throughout = true;
        ++c.pos;
        return true;
    }

    // CPython's iso2022processesc.
    bool designate(Cursor& c) {
        size_t length = 0, i = 1;
        for (; i < 16; ++i) {
            if (i >= c.avail()) return incomplete(c);
            if (is_escend(c.at(i))) {
                length = i + 1;
                break;
            }
            if (cfg_.jisx0208_ext && i + 1 < c.avail() && c.at(i) == '&' && c.at(i + 1) == '@') i += 2;
        }
        if (length == 0) {  // unterminated
            error(c, 1, kIllegal);
            return true;
        }
        int reg = -1;
        unsigned char final = 0;
        bool dbcs = false;
        if (length == 3) {
            final = c.at(2);
            if (c.at(1) == '$') {
                dbcs = true;
                reg = 0;
            } else if (c.at(1) == '(') {
                reg = 0;
            } else if (c.at(1) == ')') {
                reg = 1;
            } else if (c.at(1) == '.' && cfg_.use_g2) {
                reg = 2;
            }
        } else if (length == 4 && c.at(1) == '$') {
            final = c.at(3);
            dbcs = true;
            reg = c.at(2) == '(' ? 0 : c.at(2) == ')' ? 1 : -1;
        } else if (length == 6 && cfg_.jisx0208_ext && c.at(3) == ESC && c.at(4) == '$' && c.at(5) == 'B') {
            final = 'B';
            dbcs = true;
            reg = 0;
        }
        uint8_t set = kNoSet;
        if (reg >= 0) set = final == 'B' && !dbcs ? kAsciiSet : cfg_.find(final, dbcs, false);
        if (set == kNoSet) {
            error(c, length, kIllegal);
            return true;
        }
        st_.g[reg] = set;
        c.pos += length;
        return true;
    }

    // CPython's iso2022processg2: ESC N and one byte from G2.
    bool single_shift_g2(Cursor& c) {
        if (c.avail() < 3) return incomplete(c);
        const unsigned char b = c.at(2);
        const Charset& g2 = cfg_.charsets[st_.g[2]];
        int32_t cp = -1;
        if (st_.g[2] == kAsciiSet) {
            cp = b < 0x80 ? b : -1;
        } else if (!g2.dbcs && g2.final == 'A') {
            cp = b < 0x80 ? b + 0x80 : -1;
        } else if (!g2.dbcs && g2.final == 'F') {
            cp = python_iso8859_7(b ^ 0x80);
        }
        if (cp < 0) {
            error(c, 3, kIllegal);
            return true;
        }
        utf8::append(c.out, static_cast<char32_t>(cp));
        c.pos += 3;
        return true;
    }

    // ISO 2022's own grammar, for charsets only iconv knows: ESC, intermediate
    // bytes 0x20-0x2F, a final byte; ESC N and ESC O shift one character.
    bool generic_escape(Cursor& c) {
        size_t i = 1;
        while (i < c.avail() && i < 16 && c.at(i) >= 0x20 && c.at(i) <= 0x2f) ++i;
        if (i >= 16) {
            error(c, 1, kIllegal);
            return true;
        }
        if (i >= c.avail()) return incomplete(c);
        const unsigned char final = c.at(i);
        if (final < 0x30 || final > 0x7e) {
            error(c, i, kIllegal);
            return true;
        }
        const size_t length = i + 1;
        const std::string_view mid = c.data.substr(c.pos + 1, i - 1);
        if (mid.empty() && (final == 'N' || final == 'O')) return single_shift(c, final == 'N' ? 2 : 3);
        static constexpr std::string_view k94[] = {"(", ")", "*", "+"}, k96[] = {"", "-", ".", "/"},
                                          kDbcs[] = {"$(", "$)", "$*", "$+"};
        int reg = -1;
        Charset cs{final, false, false};
        for (int r = 0; r < 4; ++r) {
            if (mid == k94[r]) {
                reg = r;
            } else if (r > 0 && mid == k96[r]) {
                reg = r;
                cs.set96 = true;
            } else if (mid == kDbcs[r] || (r == 0 && mid == "$")) {
                reg = r;
                cs.dbcs = true;
            }
        }
        uint8_t set = kNoSet;
        if (reg >= 0)
            set = final == 'B' && !cs.dbcs && !cs.set96 ? kAsciiSet : cfg_.find(final, cs.dbcs, cs.set96);
        if (set == kNoSet || (set != kAsciiSet && cfg_.feed[set][reg].empty())) {
            error(c, length, kIllegal);
            return true;
        }
        st_.g[reg] = set;
        c.pos += length;
        return true;
    }

    // ESC N / ESC O and one character of G2 / G3, which iconv decodes.
    bool single_shift(Cursor& c, int reg) {
        const uint8_t set = st_.g[reg];
        if (set == kNoSet || set == kAsciiSet) {
            error(c, 2, kIllegal);
            return true;
        }
        const size_t length = 2 + static_cast<size_t>(cfg_.charsets[set].width());
        if (c.avail() < length) return incomplete(c);
        if (fed_[reg] != set) {
            if (!feed(cfg_.feed[set][reg])) {
                error(c, length, kIllegal);
                return true;
            }
            fed_[reg] = set;
        }
        const size_t mark = c.out.size();
        Converted r = cd_.convert(c.data.substr(c.pos, length), c.out);
        if (r.error != 0 || r.consumed != length) {
            c.out.resize(mark);
            error(c, length, kIllegal);
            return true;
        }
        c.pos += length;
        return true;
    }

    std::shared_ptr<const IconvProfile> profile_;
    const IconvProfile& p_;
    const Iso2022Config& cfg_;
    ErrorHandler errors_;
    Iconv cd_;
    State st_;
    std::string pending_;
    bool failed_incomplete_ = false;  // this decode()'s failure is at the end (pending_after_failure)
    // What iconv itself has been told: its designations and shift.
    std::array<uint8_t, 4> fed_{};
    bool fed_shifted_ = false;
};

// ---------------------------------------------------------------------------
// Encoding through iconv
// ---------------------------------------------------------------------------

class IconvEncoder final : public Encoder {
public:
    IconvEncoder(std::shared_ptr<const IconvProfile> profile, ErrorHandler errors)
        : profile_(std::move(profile)), p_(*profile_), errors_(errors), cd_(p_.iconv_name, "UTF-8") {
        open_or_throw(cd_);
    }

    void encode(std::string_view text, bool final, std::string& out) override {
        all_or_nothing(out, [&] {
            Cursor c{text, out};
            run(c);
            if (final) cd_.flush(out);
        });
    }

    // Python's reset(): back to the initial state, writing nothing.
    void reset() override { cd_.reset(); }
    int64_t getstate() const override { return 0; }
    void setstate(int64_t state) override {
        if (state != 0) throw value_error("invalid state for a '" + p_.name + "' encoder");
        reset();
    }

private:
    struct Cursor {
        std::string_view text;
        std::string& out;
        size_t pos = 0;
        size_t counted_bytes = 0;  // text[0, counted_bytes) holds `counted` code points
        size_t counted = 0;
        // Encoding an error handler's replacement: the error it replaces.
        const Cursor* replacing = nullptr;
        size_t error_index = 0, error_offset = 0;

        size_t index_of(size_t byte) {
            counted += utf8::count(text.substr(counted_bytes, byte - counted_bytes));
            counted_bytes = byte;
            return counted;
        }
    };

    // Encodes the text from pos on: iconv between the characters Python
    // encodes otherwise, those from Python's table.
    void run(Cursor& c) {
        while (c.pos < c.text.size()) {
            size_t stop = p_.efix.flagged.empty() ? c.text.size()
                                                  : p_.efix.flagged.find(c.text, c.pos, c.text.size());
            convert_until(c, stop);
            if (c.pos < c.text.size()) fixed(c);
        }
    }

    // Converts text[pos, stop) in slices that end on character boundaries.
    void convert_until(Cursor& c, size_t stop) {
        while (c.pos < stop) {
            size_t end = std::min(stop, c.pos + kSlice);
            while (end < stop && utf8::is_continuation(static_cast<unsigned char>(c.text[end]))) ++end;
            Converted r = cd_.convert(c.text.substr(c.pos, end - c.pos), c.out);
            c.pos += r.consumed;
            if (r.error != 0) unencodable(c);
        }
    }

    // The character at pos is one Python encodes otherwise than iconv.
    void fixed(Cursor& c) {
        size_t next = c.pos;
        auto it = p_.efix.bytes.find(decode_at(c.text, next));
        if (it == p_.efix.bytes.end() || it->second.empty()) {
            unencodable(c, false);
            return;
        }
        c.out += it->second;
        c.pos = next;
    }

    // The character at pos has no bytes in iconv's table (`fallbacks`: nor
    // in Python's fixes table, which has the last word otherwise).
    void unencodable(Cursor& c, bool fallbacks = true) {
        size_t next = c.pos;
        const char32_t cp = decode_at(c.text, next);
        std::string bytes;
        if (fallbacks && p_.efix.euc_kr_makeup && cp >= 0xac00 && cp <= 0xd7a3) bytes = makeup_encode(cp);
        if (fallbacks && p_.efix.jisx0212_fallback) bytes = jisx0212(c.text.substr(c.pos, next - c.pos));
        if (!bytes.empty()) {
            c.out += bytes;
            c.pos = next;
            return;
        }
        if (c.replacing) {  // a replacement that cannot be encoded either: the original error
            const size_t i = c.error_index;
            throw_encode_error_at(p_.name, c.replacing->text, i, i + 1, c.error_offset, kIllegal);
        }
        const size_t index = c.index_of(c.pos);
        EncodeReplacement rep =
            handle_encode_error_at(errors_, p_.name, c.text, index, index + 1, c.pos, kIllegal);
        if (rep.raw_bytes) {
            c.out += rep.replacement;
        } else {
            Cursor r{rep.replacement, c.out};
            r.replacing = &c;
            r.error_index = index;
            r.error_offset = c.pos;
            run(r);
        }
        c.pos = next;
    }

    // The character's JIS X 0212 code in EUC-JP, or nothing.
    std::string jisx0212(std::string_view character) {
        if (!eucjp_) eucjp_ = std::make_unique<Iconv>("EUC-JP", "UTF-8");
        std::string out;
        if (!eucjp_->ok()) return out;
        eucjp_->reset();
        if (eucjp_->convert(character, out).error != 0 || out.size() != 3 || out[0] != '\x8f') out.clear();
        return out;
    }

    std::shared_ptr<const IconvProfile> profile_;
    const IconvProfile& p_;
    ErrorHandler errors_;
    Iconv cd_;
    std::unique_ptr<Iconv> eucjp_;  // jisx0212_fallback, made when first needed
};

// CPython's ISO-2022 encoder (its ENCODER(iso2022)): ASCII from G0, any
// other character from the first of the codec's sets that has it, designated
// and shifted to as needed; final returns to ASCII.
class Iso2022Encoder final : public Encoder {
public:
    Iso2022Encoder(std::shared_ptr<const IconvProfile> profile, ErrorHandler errors)
        : profile_(std::move(profile)), p_(*profile_), e_(*p_.iso_encoding), errors_(errors) {}

    void encode(std::string_view text, bool final, std::string& out) override {
        all_or_nothing(out, [&] {
            size_t i = 0, index = 0;
            while (i < text.size()) {
                if (g_[0] == kAscii && !shifted_) {  // the common case: runs of ASCII
                    size_t j = i;
                    while (j < text.size() && static_cast<unsigned char>(text[j]) < 0x80) ++j;
                    out.append(text, i, j - i);
                    index += j - i;
                    i = j;
                    if (i == text.size()) break;
                }
                const size_t start = i;
                if (!put(decode_at(text, i), out)) unencodable(text, index, start, out);
                ++index;
            }
            if (final) flush(out);
        });
    }

    // Python's reset(): G0 back to ASCII and no shift, writing nothing.
    void reset() override {
        g_[0] = kAscii;
        shifted_ = false;
    }
    int64_t getstate() const override { return 0; }
    // Python's setstate(0) clears its state to zeros, which no set matches:
    // the next character designates its set again, even ASCII.
    void setstate(int64_t state) override {
        if (state != 0) throw value_error("invalid state for a '" + p_.name + "' encoder");
        g_ = {kUnknown, kUnknown};
        shifted_ = false;
    }

private:
    static constexpr int kUnknown = -1, kAscii = 0;  // else set index + 1

    bool put(char32_t cp, std::string& out) {
        if (cp < 0x80) {
            if (g_[0] != kAscii) {
                out += "\x1b(B";
                g_[0] = kAscii;
            }
            shift(false, out);
            out += static_cast<char>(cp);
            return true;
        }
        const uint32_t m = cp < 0x10000 ? e_.map[cp] : 0;
        if (m == 0) return false;
        const int set = static_cast<int>(m >> 16);
        const Iso2022Encoding::Set& s = e_.sets[static_cast<size_t>(set - 1)];
        if (s.reg == 0) shift(false, out);
        if (g_[s.reg] != set) {
            out += static_cast<char>(ESC);
            if (!s.dbcs) {
                out += s.reg == 0 ? '(' : ')';
            } else if (s.reg == 0 && s.final == 'B') {
                out += '$';
            } else {
                out += s.reg == 0 ? "$(" : "$)";
            }
            out += static_cast<char>(s.final);
            g_[s.reg] = set;
        }
        if (s.reg == 1) shift(true, out);
        if (s.dbcs) out += static_cast<char>(m >> 8 & 0x7f);
        out += static_cast<char>(m & 0x7f);
        return true;
    }

    void shift(bool on, std::string& out) {
        if (shifted_ == on) return;
        out += static_cast<char>(on ? SO : SI);
        shifted_ = on;
    }

    void flush(std::string& out) {
        shift(false, out);
        if (g_[0] != kAscii) {
            out += "\x1b(B";
            g_[0] = kAscii;
        }
    }

    void unencodable(std::string_view text, size_t index, size_t offset, std::string& out) {
        EncodeReplacement rep =
            handle_encode_error_at(errors_, p_.name, text, index, index + 1, offset, kIllegal);
        if (rep.raw_bytes) {
            out += rep.replacement;
            return;
        }
        for (size_t k = 0; k < rep.replacement.size();)
            if (!put(decode_at(rep.replacement, k), out))
                throw_encode_error_at(p_.name, text, index, index + 1, offset, kIllegal);
    }

    std::shared_ptr<const IconvProfile> profile_;
    const IconvProfile& p_;
    const Iso2022Encoding& e_;
    ErrorHandler errors_;
    std::array<int, 2> g_{kAscii, kAscii};  // G0, G1
    bool shifted_ = false;
};

class IconvCodec final : public Codec {
public:
    IconvCodec(std::string name, std::shared_ptr<const IconvProfile> profile)
        : Codec(std::move(name)), profile_(std::move(profile)) {}
    std::unique_ptr<Decoder> decoder(ErrorHandler errors) const override { return make_decoder(errors, table()); }
    // The decoder without a decoding table, whatever the codec.
    std::unique_ptr<Decoder> decoder_without_table(ErrorHandler errors) const {
        return make_decoder(errors, nullptr);
    }
    std::unique_ptr<Encoder> encoder(ErrorHandler errors) const override {
        if (profile_->iso_encoding) return std::make_unique<Iso2022Encoder>(profile_, errors);
        return std::make_unique<IconvEncoder>(profile_, errors);
    }

private:
    std::unique_ptr<Decoder> make_decoder(ErrorHandler errors, std::shared_ptr<const MultibyteTable> table) const {
        if (profile_->state == Statefulness::Iso2022)
            return std::make_unique<Iso2022Decoder>(profile_, errors);
        return std::make_unique<IconvDecoder>(profile_, errors, std::move(table));
    }
    // Built when the first decoder is made: most programs never decode most codecs.
    std::shared_ptr<const MultibyteTable> table() const {
        if (!MultibyteTable::applies(*profile_)) return nullptr;
        std::call_once(table_once_, [this] { table_ = MultibyteTable::build(profile_); });
        return table_;
    }

    std::shared_ptr<const IconvProfile> profile_;
    mutable std::once_flag table_once_;
    mutable std::shared_ptr<const MultibyteTable> table_;
};

}  // namespace

// For tests, which reach them through the library's symbol table: the
// decoder of an iconv codec (made by make_iconv_codec) as it decodes without
// a table, to compare with the one that has it; and how many bytes decoders
// have decoded through tables.
std::unique_ptr<Decoder> iconv_decoder_without_table(const Codec& codec, ErrorHandler errors);
uint64_t iconv_table_decoded_bytes() noexcept;

std::unique_ptr<Decoder> iconv_decoder_without_table(const Codec& codec, ErrorHandler errors) {
    const auto* iconv = dynamic_cast<const IconvCodec*>(&codec);
    if (!iconv) throw value_error("not an iconv codec: " + codec.name());
    return iconv->decoder_without_table(errors);
}

uint64_t iconv_table_decoded_bytes() noexcept { return g_table_decoded.load(std::memory_order_relaxed); }

// An empty name would be iconv's name for the locale's charset.
std::unique_ptr<Codec> make_charmap_codec(std::string python_name, std::string_view iconv_name) {
    if (iconv_name.empty()) return nullptr;
    auto table = CharmapTable::build(iconv_name, python_name);
    if (!table) return nullptr;
    return std::make_unique<CharmapCodec>(std::move(python_name), std::move(table));
}

std::unique_ptr<Codec> make_iconv_codec(std::string python_name, std::string_view iconv_name) {
    if (iconv_name.empty()) return nullptr;
    auto profile = build_profile(python_name, iconv_name);
    if (!profile) return nullptr;
    return std::make_unique<IconvCodec>(std::move(python_name), std::move(profile));
}

}  // namespace pyio
