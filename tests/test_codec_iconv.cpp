// The codecs that go through iconv (src/codec_iconv.cpp): single-byte
// charsets as translation tables, everything else through iconv, behaving as
// CPython 3.11's codecs do.
//
// The codecs are made by make_charmap_codec() and make_iconv_codec()
// directly.  libpyio exports only its C API, so this suite finds those two
// functions in the library's own symbol table (.symtab) and calls the code
// the library runs.  Every expected byte string, text and error below was
// obtained from python3: codecs.getincrementaldecoder(name)(errors).decode(
// data, True), and getincrementalencoder(...).encode(text) + .encode('', True).

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pyio/pyio.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "library_symbols.h"
#include "../src/codecs.h"
#include "../src/error.h"
#include "../src/utf8.h"

using namespace std::string_view_literals;
using H = pyio::ErrorHandler;

namespace {

// ---- the two factories, inside libpyio.so ----

using pyio_test::library_function;

using Factory = std::unique_ptr<pyio::Codec>(std::string, std::string_view);

Factory* factory(const char* mangled) { return library_function<Factory>(mangled); }

// The registry (codecs.cpp), which makes its iconv codecs with the factories.
const pyio::Codec& lookup_codec(std::string_view name) {
    static auto f = library_function<const pyio::Codec&(std::string_view)>(
        "_ZN4pyio12lookup_codecESt17basic_string_viewIcSt11char_traitsIcEE");
    return f(name);
}

std::unique_ptr<pyio::Codec> make_charmap_codec(std::string python, std::string_view iconv) {
    static Factory* f = factory(
        "_ZN4pyio18make_charmap_codecENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt17basic_string_"
        "viewIcS3_E");
    return f(std::move(python), iconv);
}

std::unique_ptr<pyio::Codec> make_iconv_codec(std::string python, std::string_view iconv) {
    static Factory* f = factory(
        "_ZN4pyio16make_iconv_codecENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt17basic_string_"
        "viewIcS3_E");
    return f(std::move(python), iconv);
}

// The codec as the registry makes it: a table if the charset is single-byte,
// iconv otherwise.  Made once per test program.
const pyio::Codec& codec(const std::string& python, const std::string& iconv) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<pyio::Codec>> made;
    std::lock_guard lock(mutex);
    auto& c = made[python + "/" + iconv];
    if (!c) c = make_charmap_codec(python, iconv);
    if (!c) c = make_iconv_codec(python, iconv);
    if (!c) {
        ADD_FAILURE() << "no codec " << python << " for iconv's " << iconv;
        std::abort();
    }
    return *c;
}

// ---- results ----

// What a decode or encode gave: its output, or the error it raised.
struct Result {
    enum Kind { Text, DecodeError, EncodeError, TypeError, ValueError } kind = Text;
    std::string value;  // the output, or the error's message
    int64_t start = 0, end = 0;
    bool operator==(const Result&) const = default;
};

std::string printable(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        char buf[8];
        std::snprintf(buf, sizeof buf, c >= 0x20 && c < 0x7f && c != '\\' ? "%c" : "\\x%02x", c);
        out += buf;
    }
    return out;
}

std::ostream& operator<<(std::ostream& os, const Result& r) {
    static const char* const kinds[] = {"Text", "UnicodeDecodeError", "UnicodeEncodeError", "TypeError",
                                        "ValueError"};
    os << kinds[r.kind] << "(\"" << printable(r.value) << "\"";
    if (r.kind == Result::DecodeError || r.kind == Result::EncodeError) os << ", " << r.start << ", " << r.end;
    return os << ")";
}

Result Text(std::string_view s) { return {Result::Text, std::string(s)}; }
Result DecodeError(int64_t start, int64_t end, std::string_view message) {
    return {Result::DecodeError, std::string(message), start, end};
}
Result EncodeError(int64_t start, int64_t end, std::string_view message) {
    return {Result::EncodeError, std::string(message), start, end};
}
Result TypeError(std::string_view message) { return {Result::TypeError, std::string(message)}; }

// Runs f(out) and says what came of it.
template <class F>
Result run(F&& f) {
    Result r;
    try {
        f(r.value);
    } catch (const pyio::Error& e) {
        using K = pyio::ErrorKind;
        r.kind = e.kind() == K::UnicodeDecodeError   ? Result::DecodeError
                 : e.kind() == K::UnicodeEncodeError ? Result::EncodeError
                 : e.kind() == K::TypeError          ? Result::TypeError
                                                     : Result::ValueError;
        r.value = e.what();
        r.start = e.info().start;
        r.end = e.info().end;
    }
    return r;
}

// Decodes the chunks, the last one final.
Result decode(const pyio::Codec& c, H errors, const std::vector<std::string_view>& chunks) {
    auto d = c.decoder(errors);
    return run([&](std::string& out) {
        for (size_t i = 0; i < chunks.size(); ++i) d->decode(chunks[i], i + 1 == chunks.size(), out);
    });
}

Result encode(const pyio::Codec& c, H errors, const std::vector<std::string_view>& chunks) {
    auto e = c.encoder(errors);
    return run([&](std::string& out) {
        for (size_t i = 0; i < chunks.size(); ++i) e->encode(chunks[i], i + 1 == chunks.size(), out);
    });
}

// The input cut into single bytes.
std::vector<std::string_view> bytes_of(std::string_view s) {
    std::vector<std::string_view> v;
    for (size_t i = 0; i < s.size(); ++i) v.push_back(s.substr(i, 1));
    v.emplace_back();
    return v;
}

// The text cut into single characters.
std::vector<std::string_view> characters_of(std::string_view s) {
    std::vector<std::string_view> v;
    for (size_t i = 0; i < s.size();) {
        size_t n = pyio::utf8::sequence_length(static_cast<unsigned char>(s[i]));
        v.push_back(s.substr(i, n));
        i += n;
    }
    v.emplace_back();
    return v;
}

struct Case {
    const char* codec;
    const char* iconv;
    H errors;
    std::string_view input;
    Result expected;
};

std::string describe(const Case& c) {
    static const char* const handlers[] = {"strict",           "ignore",          "replace",
                                           "backslashreplace", "surrogateescape", "surrogatepass",
                                           "xmlcharrefreplace", "namereplace"};
    return std::string(c.codec) + " errors=" + handlers[static_cast<int>(c.errors)] + " input \"" +
           printable(c.input) + "\"";
}

// ---- single-byte charsets ----

constexpr char32_t kUndef = 0;

struct HighHalf {
    const char* codec;
    const char* iconv;
    char32_t cp[128];  // bytes 0x80-0xff; kUndef: Python's table has nothing
};

// codecs.decode(bytes([b]), codec) for every b in 0x80..0xff.
const HighHalf kHighHalves[] = {
    {"cp1252", "CP1252", {
         0x20ac, kUndef, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
         0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, kUndef, 0x017d, kUndef,
         kUndef, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
         0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, kUndef, 0x017e, 0x0178,
         0x00a0, 0x00a1, 0x00a2, 0x00a3, 0x00a4, 0x00a5, 0x00a6, 0x00a7,
         0x00a8, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af,
         0x00b0, 0x00b1, 0x00b2, 0x00b3, 0x00b4, 0x00b5, 0x00b6, 0x00b7,
         0x00b8, 0x00b9, 0x00ba, 0x00bb, 0x00bc, 0x00bd, 0x00be, 0x00bf,
         0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
         0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf,
         0x00d0, 0x00d1, 0x00d2, 0x00d3, 0x00d4, 0x00d5, 0x00d6, 0x00d7,
         0x00d8, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x00dd, 0x00de, 0x00df,
         0x00e0, 0x00e1, 0x00e2, 0x00e3, 0x00e4, 0x00e5, 0x00e6, 0x00e7,
         0x00e8, 0x00e9, 0x00ea, 0x00eb, 0x00ec, 0x00ed, 0x00ee, 0x00ef,
         0x00f0, 0x00f1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x00f6, 0x00f7,
         0x00f8, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x00fd, 0x00fe, 0x00ff,
    }},
    {"iso8859-15", "ISO-8859-15", {
         0x0080, 0x0081, 0x0082, 0x0083, 0x0084, 0x0085, 0x0086, 0x0087,
         0x0088, 0x0089, 0x008a, 0x008b, 0x008c, 0x008d, 0x008e, 0x008f,
         0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095, 0x0096, 0x0097,
         0x0098, 0x0099, 0x009a, 0x009b, 0x009c, 0x009d, 0x009e, 0x009f,
         0x00a0, 0x00a1, 0x00a2, 0x00a3, 0x20ac, 0x00a5, 0x0160, 0x00a7,
         0x0161, 0x00a9, 0x00aa, 0x00ab, 0x00ac, 0x00ad, 0x00ae, 0x00af,
         0x00b0, 0x00b1, 0x00b2, 0x00b3, 0x017d, 0x00b5, 0x00b6, 0x00b7,
         0x017e, 0x00b9, 0x00ba, 0x00bb, 0x0152, 0x0153, 0x0178, 0x00bf,
         0x00c0, 0x00c1, 0x00c2, 0x00c3, 0x00c4, 0x00c5, 0x00c6, 0x00c7,
         0x00c8, 0x00c9, 0x00ca, 0x00cb, 0x00cc, 0x00cd, 0x00ce, 0x00cf,
         0x00d0, 0x00d1, 0x00d2, 0x00d3, 0x00d4, 0x00d5, 0x00d6, 0x00d7,
         0x00d8, 0x00d9, 0x00da, 0x00db, 0x00dc, 0x00dd, 0x00de, 0x00df,
         0x00e0, 0x00e1, 0x00e2, 0x00e3, 0x00e4, 0x00e5, 0x00e6, 0x00e7,
         0x00e8, 0x00e9, 0x00ea, 0x00eb, 0x00ec, 0x00ed, 0x00ee, 0x00ef,
         0x00f0, 0x00f1, 0x00f2, 0x00f3, 0x00f4, 0x00f5, 0x00f6, 0x00f7,
         0x00f8, 0x00f9, 0x00fa, 0x00fb, 0x00fc, 0x00fd, 0x00fe, 0x00ff,
    }},
    {"cp437", "CP437", {
         0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7,
         0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
         0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9,
         0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
         0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba,
         0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
         0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
         0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
         0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f,
         0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
         0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b,
         0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
         0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4,
         0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
         0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248,
         0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
    }},
    {"koi8-r", "KOI8-R", {
         0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518, 0x251c, 0x2524,
         0x252c, 0x2534, 0x253c, 0x2580, 0x2584, 0x2588, 0x258c, 0x2590,
         0x2591, 0x2592, 0x2593, 0x2320, 0x25a0, 0x2219, 0x221a, 0x2248,
         0x2264, 0x2265, 0x00a0, 0x2321, 0x00b0, 0x00b2, 0x00b7, 0x00f7,
         0x2550, 0x2551, 0x2552, 0x0451, 0x2553, 0x2554, 0x2555, 0x2556,
         0x2557, 0x2558, 0x2559, 0x255a, 0x255b, 0x255c, 0x255d, 0x255e,
         0x255f, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565,
         0x2566, 0x2567, 0x2568, 0x2569, 0x256a, 0x256b, 0x256c, 0x00a9,
         0x044e, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
         0x0445, 0x0438, 0x0439, 0x043a, 0x043b, 0x043c, 0x043d, 0x043e,
         0x043f, 0x044f, 0x0440, 0x0441, 0x0442, 0x0443, 0x0436, 0x0432,
         0x044c, 0x044b, 0x0437, 0x0448, 0x044d, 0x0449, 0x0447, 0x044a,
         0x042e, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413,
         0x0425, 0x0418, 0x0419, 0x041a, 0x041b, 0x041c, 0x041d, 0x041e,
         0x041f, 0x042f, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
         0x042c, 0x042b, 0x0417, 0x0428, 0x042d, 0x0429, 0x0427, 0x042a,
    }},
    {"mac-roman", "MACINTOSH", {
         0x00c4, 0x00c5, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00dc, 0x00e1,
         0x00e0, 0x00e2, 0x00e4, 0x00e3, 0x00e5, 0x00e7, 0x00e9, 0x00e8,
         0x00ea, 0x00eb, 0x00ed, 0x00ec, 0x00ee, 0x00ef, 0x00f1, 0x00f3,
         0x00f2, 0x00f4, 0x00f6, 0x00f5, 0x00fa, 0x00f9, 0x00fb, 0x00fc,
         0x2020, 0x00b0, 0x00a2, 0x00a3, 0x00a7, 0x2022, 0x00b6, 0x00df,
         0x00ae, 0x00a9, 0x2122, 0x00b4, 0x00a8, 0x2260, 0x00c6, 0x00d8,
         0x221e, 0x00b1, 0x2264, 0x2265, 0x00a5, 0x00b5, 0x2202, 0x2211,
         0x220f, 0x03c0, 0x222b, 0x00aa, 0x00ba, 0x03a9, 0x00e6, 0x00f8,
         0x00bf, 0x00a1, 0x00ac, 0x221a, 0x0192, 0x2248, 0x2206, 0x00ab,
         0x00bb, 0x2026, 0x00a0, 0x00c0, 0x00c3, 0x00d5, 0x0152, 0x0153,
         0x2013, 0x2014, 0x201c, 0x201d, 0x2018, 0x2019, 0x00f7, 0x25ca,
         0x00ff, 0x0178, 0x2044, 0x20ac, 0x2039, 0x203a, 0xfb01, 0xfb02,
         0x2021, 0x00b7, 0x201a, 0x201e, 0x2030, 0x00c2, 0x00ca, 0x00c1,
         0x00cb, 0x00c8, 0x00cd, 0x00ce, 0x00cf, 0x00cc, 0x00d3, 0x00d4,
         0xf8ff, 0x00d2, 0x00da, 0x00db, 0x00d9, 0x0131, 0x02c6, 0x02dc,
         0x00af, 0x02d8, 0x02d9, 0x02da, 0x00b8, 0x02dd, 0x02db, 0x02c7,
    }},
};

TEST(CharmapTable, HighHalvesAreByteForBytePythons) {
    for (const HighHalf& t : kHighHalves) {
        const pyio::Codec& c = codec(t.codec, t.iconv);
        for (int b = 0x80; b < 0x100; ++b) {
            const char byte = static_cast<char>(b);
            Result got = decode(c, H::Strict, {{&byte, 1}});
            const char32_t want = t.cp[b - 0x80];
            if (want == kUndef) {
                EXPECT_EQ(got.kind, Result::DecodeError) << t.codec << " byte " << b;
                continue;
            }
            std::string text;
            pyio::utf8::append(text, want);
            EXPECT_EQ(got, Text(text)) << t.codec << " byte " << b;
            EXPECT_EQ(encode(c, H::Strict, {text}), Text({&byte, 1})) << t.codec << " byte " << b;
        }
    }
}

TEST(CharmapTable, AsciiIsAscii) {
    std::string ascii;
    for (int b = 0; b < 0x80; ++b) ascii += static_cast<char>(b);
    for (const HighHalf& t : kHighHalves) {
        EXPECT_EQ(decode(codec(t.codec, t.iconv), H::Strict, {ascii}), Text(ascii)) << t.codec;
        EXPECT_EQ(encode(codec(t.codec, t.iconv), H::Strict, {ascii}), Text(ascii)) << t.codec;
    }
}

const Case kCharmapDecodeCases[] = {
    {"cp1252", "CP1252", H::Strict, "a\x81" "b\x8d\x80" "c"sv, DecodeError(1, 2, "'charmap' codec can't decode byte 0x81 in position 1: character maps to <undefined>"sv)},
    {"cp1252", "CP1252", H::Replace, "a\x81" "b\x8d\x80" "c"sv, Text("a\xef\xbf\xbd" "b\xef\xbf\xbd\xe2\x82\xac" "c"sv)},
    {"cp1252", "CP1252", H::Ignore, "a\x81" "b\x8d\x80" "c"sv, Text("ab\xe2\x82\xac" "c"sv)},
    {"cp1252", "CP1252", H::BackslashReplace, "a\x81" "b\x8d\x80" "c"sv, Text("a\\x81b\\x8d\xe2\x82\xac" "c"sv)},
    {"cp1252", "CP1252", H::SurrogateEscape, "a\x81" "b\x8d\x80" "c"sv, Text("a\xed\xb2\x81" "b\xed\xb2\x8d\xe2\x82\xac" "c"sv)},
    {"koi8-r", "KOI8-R", H::Strict, "\xf0\xd2\xc9\xd7\xc5\xd4"sv, Text("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"sv)},
    {"mac-roman", "MACINTOSH", H::Strict, "\xc6\xf0\xdb"sv, Text("\xe2\x88\x86\xef\xa3\xbf\xe2\x82\xac"sv)},
    {"cp437", "CP437", H::Strict, "\xb0\xe0\x9b"sv, Text("\xe2\x96\x91\xce\xb1\xc2\xa2"sv)},
    {"iso8859-15", "ISO-8859-15", H::Strict, "\xa4\xbc\xa6"sv, Text("\xe2\x82\xac\xc5\x92\xc5\xa0"sv)},
    {"cp1252", "CP1252", H::XmlCharRefReplace, "a\x81"sv, TypeError("don't know how to handle UnicodeDecodeError in error callback"sv)},
    {"cp1252", "CP1252", H::SurrogatePass, "a\x81"sv, DecodeError(1, 2, "'charmap' codec can't decode byte 0x81 in position 1: character maps to <undefined>"sv)},
};

const Case kCharmapEncodeCases[] = {
    {"cp1252", "CP1252", H::Strict, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, EncodeError(3, 5, "'charmap' codec can't encode characters in position 3-4: character maps to <undefined>"sv)},
    {"cp1252", "CP1252", H::Replace, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, Text("a\xe9\x80??b?"sv)},
    {"cp1252", "CP1252", H::Ignore, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, Text("a\xe9\x80" "b"sv)},
    {"cp1252", "CP1252", H::BackslashReplace, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, Text("a\xe9\x80\\u0101\\U0001f600b\\udc81"sv)},
    {"cp1252", "CP1252", H::XmlCharRefReplace, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, Text("a\xe9\x80&#257;&#128512;b&#56449;"sv)},
    {"cp1252", "CP1252", H::NameReplace, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, Text("a\xe9\x80\\N{LATIN SMALL LETTER A WITH MACRON}\\N{GRINNING FACE}b\\udc81"sv)},
    {"cp1252", "CP1252", H::SurrogateEscape, "a\xc3\xa9\xe2\x82\xac\xc4\x81\xf0\x9f\x98\x80" "b\xed\xb2\x81"sv, EncodeError(3, 5, "'charmap' codec can't encode characters in position 3-4: character maps to <undefined>"sv)},
    {"cp1252", "CP1252", H::SurrogateEscape, "a\xed\xb2\x81\xed\xb2\x8d\xed\xb2\x80" "c"sv, Text("a\x81\x8d\x80" "c"sv)},
    {"cp1252", "CP1252", H::Strict, "\xc4\x81\xc4\x81x\xc4\x81"sv, EncodeError(0, 2, "'charmap' codec can't encode characters in position 0-1: character maps to <undefined>"sv)},
    {"koi8-r", "KOI8-R", H::Strict, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82, \xd0\xbc\xd0\xb8\xd1\x80"sv, Text("\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2"sv)},
    {"mac-roman", "MACINTOSH", H::Strict, "\xe2\x88\x86\xef\xa3\xbf\xe2\x82\xac"sv, Text("\xc6\xf0\xdb"sv)},
    {"mac-roman", "MACINTOSH", H::Strict, "\xce\x94"sv, EncodeError(0, 1, "'charmap' codec can't encode character '\\u0394' in position 0: character maps to <undefined>"sv)},
    {"cp437", "CP437", H::Strict, "\xe2\x96\x91\xce\xb1\xc2\xa5"sv, Text("\xb0\xe0\x9d"sv)},
    {"iso8859-15", "ISO-8859-15", H::Strict, "\xe2\x82\xac\xc5\xa0\xc2\xa4"sv, EncodeError(2, 3, "'charmap' codec can't encode character '\\xa4' in position 2: character maps to <undefined>"sv)},
    {"cp1252", "CP1252", H::SurrogatePass, "a\xed\xa0\x80"sv, EncodeError(1, 2, "'charmap' codec can't encode character '\\ud800' in position 1: character maps to <undefined>"sv)},
};

TEST(CharmapCodec, DecodesAsPython) {
    for (const Case& c : kCharmapDecodeCases)
        EXPECT_EQ(decode(codec(c.codec, c.iconv), c.errors, {c.input}), c.expected) << describe(c);
}

TEST(CharmapCodec, EncodesAsPython) {
    for (const Case& c : kCharmapEncodeCases)
        EXPECT_EQ(encode(codec(c.codec, c.iconv), c.errors, {c.input}), c.expected) << describe(c);
}

TEST(CharmapCodec, ChunksChangeNothing) {
    for (const Case& c : kCharmapDecodeCases) {
        if (c.expected.kind != Result::Text) continue;
        EXPECT_EQ(decode(codec(c.codec, c.iconv), c.errors, bytes_of(c.input)), c.expected) << describe(c);
    }
    for (const Case& c : kCharmapEncodeCases) {
        if (c.expected.kind != Result::Text) continue;
        EXPECT_EQ(encode(codec(c.codec, c.iconv), c.errors, characters_of(c.input)), c.expected) << describe(c);
    }
}

TEST(CharmapCodec, TakesPythonsTableWhereGlibcDiffers) {
    // glibc's MACINTOSH has U+0394 and U+E01E at 0xc6 and 0xf0, its TIS-620
    // nothing at 0x80-0x9f, its CP875 nothing at 0xfd.
    EXPECT_EQ(decode(codec("mac-roman", "MACINTOSH"), H::Strict, {"\xc6\xf0"sv}), Text("\u2206\uf8ff"));
    EXPECT_EQ(decode(codec("tis-620", "TIS-620"), H::Strict, {"\x80\x9f"sv}), Text("\u0080\u009f"));
    EXPECT_EQ(decode(codec("cp1026", "CP1026"), H::Strict, {"\x9d\xbc"sv}), Text("\u00b8\u00af"));
    // cp875 has U+001A at seven bytes; a character with several bytes encodes
    // as the last of them, as codecs.charmap_build makes it.
    EXPECT_EQ(encode(codec("cp875", "CP875"), H::Strict, {"\x1a"sv}), Text("\xfd"));
    // Under a name Python does not know, iconv's own table.
    EXPECT_EQ(decode(codec("macintosh", "MACINTOSH"), H::Strict, {"\xc6"sv}), Text("\u0394"));
}

TEST(CharmapCodec, DecodesAVectorBlockAsItsBytesOneByOne) {
    // The codecs whose tables take Python's character where glibc's differs:
    // an entry redefined from a longer character must not keep its tail,
    // which the vector kernel, taking an entry's non-zero bytes, would copy.
    for (const char* name : {"cp1026", "cp273", "cp424", "cp856", "cp875", "mac-cyrillic", "mac-roman", "tis-620",
                             "cp1252", "koi8-r", "cp437"}) {
        const pyio::Codec& c = lookup_codec(name);
        std::string defined, want;
        for (int b = 0; b < 0x100; ++b) {
            const char byte = static_cast<char>(b);
            Result one = decode(c, H::Strict, {{&byte, 1}});
            if (one.kind != Result::Text) continue;
            defined += byte;
            want += one.value;
        }
        ASSERT_GE(defined.size(), 128u) << name;
        // Twice, and once more after an odd shift, so that every byte falls
        // at several places of a 64-byte block.
        const std::string input = defined + defined + defined.substr(7);
        const std::string expected = want + want + decode(c, H::Strict, {std::string_view(defined).substr(7)}).value;
        EXPECT_EQ(decode(c, H::Strict, {input}), Text(expected)) << name;
    }
}

TEST(CharmapCodec, MapsEachByteOnItsOwn) {
    // glibc's CP1258 and CP1255 compose a letter with the combining mark that
    // follows; Python's tables decode each byte to its own character.
    EXPECT_EQ(decode(codec("cp1258", "CP1258"), H::Strict, {"A\xcc"sv}), Text("A\u0300"));
    EXPECT_EQ(decode(codec("cp1255", "CP1255"), H::Strict, {"\xe0\xc8"sv}), Text("\u05d0\u05b8"));
    EXPECT_EQ(encode(codec("cp1258", "CP1258"), H::Strict, {"\u00c0"sv}), Text("\xc0"));
}

TEST(CharmapCodec, IsStateless) {
    const pyio::Codec& c = codec("cp1252", "CP1252");
    auto d = c.decoder(H::Strict);
    std::string out;
    d->decode("ab\x80", false, out);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    // Python's base IncrementalDecoder.setstate(), which its charmap codecs
    // keep, ignores the state: nothing is held afterwards.
    EXPECT_NO_THROW(d->setstate({"", 0}));
    EXPECT_NO_THROW(d->setstate({"x", 1}));
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    out.clear();
    d->decode("a", true, out);
    EXPECT_EQ(out, "a");
    auto e = c.encoder(H::Strict);
    EXPECT_EQ(e->getstate(), 0);
    EXPECT_EQ(run([&](std::string&) { e->setstate(1); }).kind, Result::ValueError);
}

TEST(CharmapCodec, OnlyForSingleByteCharsets) {
    EXPECT_EQ(make_charmap_codec("shift_jis", "SHIFT_JIS"), nullptr);
    EXPECT_EQ(make_charmap_codec("utf-8", "UTF-8"), nullptr);
    EXPECT_EQ(make_charmap_codec("iso2022_jp", "ISO-2022-JP"), nullptr);
    EXPECT_EQ(make_charmap_codec("utf-7", "UTF-7"), nullptr);
    EXPECT_EQ(make_charmap_codec("utf-16", "UTF-16"), nullptr);
    EXPECT_EQ(make_charmap_codec("nonesuch", "NO-SUCH-CHARSET"), nullptr);
    EXPECT_NE(make_charmap_codec("cp1252", "CP1252"), nullptr);
}

// ---- multibyte charsets through iconv ----

const Case kIconvDecodeCases[] = {
    {"shift_jis", "SHIFT_JIS", H::Strict, "\x82\xa0\x8a\xbf\x81 \x8e\x9a\\~A\xb1\xa0\x82"sv, DecodeError(4, 5, "'shift_jis' codec can't decode byte 0x81 in position 4: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Replace, "\x82\xa0\x8a\xbf\x81 \x8e\x9a\\~A\xb1\xa0\x82"sv, Text("\xe3\x81\x82\xe6\xbc\xa2\xef\xbf\xbd \xe5\xad\x97\\~A\xef\xbd\xb1\xef\xbf\xbd\xef\xbf\xbd"sv)},
    {"shift_jis", "SHIFT_JIS", H::Ignore, "\x82\xa0\x8a\xbf\x81 \x8e\x9a\\~A\xb1\xa0\x82"sv, Text("\xe3\x81\x82\xe6\xbc\xa2 \xe5\xad\x97\\~A\xef\xbd\xb1"sv)},
    {"shift_jis", "SHIFT_JIS", H::BackslashReplace, "\x82\xa0\x8a\xbf\x81 \x8e\x9a\\~A\xb1\xa0\x82"sv, Text("\xe3\x81\x82\xe6\xbc\xa2\\x81 \xe5\xad\x97\\~A\xef\xbd\xb1\\xa0\\x82"sv)},
    {"shift_jis", "SHIFT_JIS", H::SurrogateEscape, "\x82\xa0\x8a\xbf\x81 \x8e\x9a\\~A\xb1\xa0\x82"sv, Text("\xe3\x81\x82\xe6\xbc\xa2\xed\xb2\x81 \xe5\xad\x97\\~A\xef\xbd\xb1\xed\xb2\xa0\xed\xb2\x82"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\x81"sv, DecodeError(0, 1, "'shift_jis' codec can't decode byte 0x81 in position 0: incomplete multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\x81 "sv, DecodeError(0, 1, "'shift_jis' codec can't decode byte 0x81 in position 0: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "a\x81"sv, DecodeError(1, 2, "'shift_jis' codec can't decode byte 0x81 in position 1: incomplete multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\xa0"sv, DecodeError(0, 1, "'shift_jis' codec can't decode byte 0xa0 in position 0: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\xeb@"sv, DecodeError(0, 1, "'shift_jis' codec can't decode byte 0xeb in position 0: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\x82\xa0\x81\x82\xa0"sv, DecodeError(4, 5, "'shift_jis' codec can't decode byte 0xa0 in position 4: illegal multibyte sequence"sv)},
    {"cp932", "CP932", H::Strict, "\x81\x80\x80\xa0\xfd\xfe\xff"sv, Text("\xc3\xb7\xc2\x80\xef\xa3\xb0\xef\xa3\xb1\xef\xa3\xb2\xef\xa3\xb3"sv)},
    {"cp932", "CP932", H::Replace, "\x81\x80\x80\xa0\xfd\xfe\xff"sv, Text("\xc3\xb7\xc2\x80\xef\xa3\xb0\xef\xa3\xb1\xef\xa3\xb2\xef\xa3\xb3"sv)},
    {"cp932", "CP932", H::Ignore, "\x81\x80\x80\xa0\xfd\xfe\xff"sv, Text("\xc3\xb7\xc2\x80\xef\xa3\xb0\xef\xa3\xb1\xef\xa3\xb2\xef\xa3\xb3"sv)},
    {"cp932", "CP932", H::BackslashReplace, "\x81\x80\x80\xa0\xfd\xfe\xff"sv, Text("\xc3\xb7\xc2\x80\xef\xa3\xb0\xef\xa3\xb1\xef\xa3\xb2\xef\xa3\xb3"sv)},
    {"cp932", "CP932", H::SurrogateEscape, "\x81\x80\x80\xa0\xfd\xfe\xff"sv, Text("\xc3\xb7\xc2\x80\xef\xa3\xb0\xef\xa3\xb1\xef\xa3\xb2\xef\xa3\xb3"sv)},
    {"cp932", "CP932", H::Strict, "\x87@\xed@\xfa@"sv, Text("\xe2\x91\xa0\xe7\xba\x8a\xe2\x85\xb0"sv)},
    {"cp932", "CP932", H::Strict, "\x81"sv, DecodeError(0, 1, "'cp932' codec can't decode byte 0x81 in position 0: incomplete multibyte sequence"sv)},
    {"cp932", "CP932", H::Strict, "\x85@"sv, DecodeError(0, 1, "'cp932' codec can't decode byte 0x85 in position 0: illegal multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\x85\xa4\xa2\x8e\xb1\x8f\xb0\xa1"sv, DecodeError(0, 1, "'euc_jp' codec can't decode byte 0x85 in position 0: illegal multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Replace, "\x85\xa4\xa2\x8e\xb1\x8f\xb0\xa1"sv, Text("\xef\xbf\xbd\xe3\x81\x82\xef\xbd\xb1\xe4\xb8\x82"sv)},
    {"euc_jp", "EUC-JP", H::Ignore, "\x85\xa4\xa2\x8e\xb1\x8f\xb0\xa1"sv, Text("\xe3\x81\x82\xef\xbd\xb1\xe4\xb8\x82"sv)},
    {"euc_jp", "EUC-JP", H::BackslashReplace, "\x85\xa4\xa2\x8e\xb1\x8f\xb0\xa1"sv, Text("\\x85\xe3\x81\x82\xef\xbd\xb1\xe4\xb8\x82"sv)},
    {"euc_jp", "EUC-JP", H::SurrogateEscape, "\x85\xa4\xa2\x8e\xb1\x8f\xb0\xa1"sv, Text("\xed\xb2\x85\xe3\x81\x82\xef\xbd\xb1\xe4\xb8\x82"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\x80" "A"sv, DecodeError(0, 1, "'euc_jp' codec can't decode byte 0x80 in position 0: illegal multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\x8f\xb0"sv, DecodeError(0, 2, "'euc_jp' codec can't decode bytes in position 0-1: incomplete multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\xff"sv, DecodeError(0, 1, "'euc_jp' codec can't decode byte 0xff in position 0: incomplete multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\xa1\xc0\x8f\xa2\xb7"sv, Text("\xef\xbc\xbc~"sv)},
    {"gbk", "GBK", H::Strict, "\xc4\xe3\x80\xba\xc3\x81@\xff"sv, DecodeError(2, 3, "'gbk' codec can't decode byte 0x80 in position 2: illegal multibyte sequence"sv)},
    {"gbk", "GBK", H::Replace, "\xc4\xe3\x80\xba\xc3\x81@\xff"sv, Text("\xe4\xbd\xa0\xef\xbf\xbd\xe5\xa5\xbd\xe4\xb8\x82\xef\xbf\xbd"sv)},
    {"gbk", "GBK", H::Ignore, "\xc4\xe3\x80\xba\xc3\x81@\xff"sv, Text("\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x82"sv)},
    {"gbk", "GBK", H::BackslashReplace, "\xc4\xe3\x80\xba\xc3\x81@\xff"sv, Text("\xe4\xbd\xa0\\x80\xe5\xa5\xbd\xe4\xb8\x82\\xff"sv)},
    {"gbk", "GBK", H::SurrogateEscape, "\xc4\xe3\x80\xba\xc3\x81@\xff"sv, Text("\xe4\xbd\xa0\xed\xb2\x80\xe5\xa5\xbd\xe4\xb8\x82\xed\xb3\xbf"sv)},
    {"gbk", "GBK", H::Strict, "\x80"sv, DecodeError(0, 1, "'gbk' codec can't decode byte 0x80 in position 0: incomplete multibyte sequence"sv)},
    {"gbk", "GBK", H::Strict, "\x80" "A"sv, DecodeError(0, 1, "'gbk' codec can't decode byte 0x80 in position 0: illegal multibyte sequence"sv)},
    {"gbk", "GBK", H::Strict, "\x81\x7f"sv, DecodeError(0, 1, "'gbk' codec can't decode byte 0x81 in position 0: illegal multibyte sequence"sv)},
    {"gb18030", "GB18030", H::Strict, "\x80\xc4\xe3\x81" "0\x81" "0\x95" "2\x90" "1"sv, DecodeError(0, 1, "'gb18030' codec can't decode byte 0x80 in position 0: illegal multibyte sequence"sv)},
    {"gb18030", "GB18030", H::Replace, "\x80\xc4\xe3\x81" "0\x81" "0\x95" "2\x90" "1"sv, Text("\xef\xbf\xbd\xe4\xbd\xa0\xc2\x80\xf0\xa0\x82\x87"sv)},
    {"gb18030", "GB18030", H::Ignore, "\x80\xc4\xe3\x81" "0\x81" "0\x95" "2\x90" "1"sv, Text("\xe4\xbd\xa0\xc2\x80\xf0\xa0\x82\x87"sv)},
    {"gb18030", "GB18030", H::BackslashReplace, "\x80\xc4\xe3\x81" "0\x81" "0\x95" "2\x90" "1"sv, Text("\\x80\xe4\xbd\xa0\xc2\x80\xf0\xa0\x82\x87"sv)},
    {"gb18030", "GB18030", H::SurrogateEscape, "\x80\xc4\xe3\x81" "0\x81" "0\x95" "2\x90" "1"sv, Text("\xed\xb2\x80\xe4\xbd\xa0\xc2\x80\xf0\xa0\x82\x87"sv)},
    {"gb18030", "GB18030", H::Strict, "\xa6\xd9\x84" "1\x82" "6\x81" "5\xf4" "7"sv, Text("\xee\x9e\x8d\xef\xb8\x90\xe1\xb8\xbf"sv)},
    {"gb18030", "GB18030", H::Strict, "\x81" "0\x81"sv, DecodeError(0, 3, "'gb18030' codec can't decode bytes in position 0-2: incomplete multibyte sequence"sv)},
    {"gb18030", "GB18030", H::Strict, "\x81" "0 A"sv, DecodeError(0, 1, "'gb18030' codec can't decode byte 0x81 in position 0: illegal multibyte sequence"sv)},
    {"gb18030", "GB18030", H::Strict, "\x82" "5\x90" "7"sv, Text("\xe9\xbe\xb4"sv)},
    {"big5", "BIG5", H::Strict, "\xf9\xf9\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv, DecodeError(0, 1, "'big5' codec can't decode byte 0xf9 in position 0: illegal multibyte sequence"sv)},
    {"big5", "BIG5", H::Replace, "\xf9\xf9\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv, Text("\xef\xbf\xbd\xe7\xb3\xb7\xe4\xb8\xad\xe6\x9a\xb2\xe5\xa4\xae" "E"sv)},
    {"big5", "BIG5", H::Ignore, "\xf9\xf9\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv, Text("\xe7\xb3\xb7\xe4\xb8\xad\xe6\x9a\xb2\xe5\xa4\xae" "E"sv)},
    {"big5", "BIG5", H::BackslashReplace, "\xf9\xf9\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv, Text("\\xf9\xe7\xb3\xb7\xe4\xb8\xad\xe6\x9a\xb2\xe5\xa4\xae" "E"sv)},
    {"big5", "BIG5", H::SurrogateEscape, "\xf9\xf9\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv, Text("\xed\xb3\xb9\xe7\xb3\xb7\xe4\xb8\xad\xe6\x9a\xb2\xe5\xa4\xae" "E"sv)},
    {"big5", "BIG5", H::Strict, "\x80"sv, DecodeError(0, 1, "'big5' codec can't decode byte 0x80 in position 0: incomplete multibyte sequence"sv)},
    {"big5", "BIG5", H::Strict, "\xc8@"sv, DecodeError(0, 1, "'big5' codec can't decode byte 0xc8 in position 0: illegal multibyte sequence"sv)},
    {"big5", "BIG5", H::Strict, "\xa4"sv, DecodeError(0, 1, "'big5' codec can't decode byte 0xa4 in position 0: incomplete multibyte sequence"sv)},
    {"big5", "BIG5", H::Strict, "\xf9\xf9"sv, DecodeError(0, 1, "'big5' codec can't decode byte 0xf9 in position 0: illegal multibyte sequence"sv)},
    {"cp950", "CP950", H::Strict, "\x80\xa4\xa4\xc6\xa5\xf9\xf9"sv, DecodeError(0, 1, "'cp950' codec can't decode byte 0x80 in position 0: illegal multibyte sequence"sv)},
    {"cp950", "CP950", H::Replace, "\x80\xa4\xa4\xc6\xa5\xf9\xf9"sv, Text("\xef\xbf\xbd\xe4\xb8\xad\xe3\x81\x81\xe2\x95\x90"sv)},
    {"cp950", "CP950", H::Ignore, "\x80\xa4\xa4\xc6\xa5\xf9\xf9"sv, Text("\xe4\xb8\xad\xe3\x81\x81\xe2\x95\x90"sv)},
    {"cp950", "CP950", H::BackslashReplace, "\x80\xa4\xa4\xc6\xa5\xf9\xf9"sv, Text("\\x80\xe4\xb8\xad\xe3\x81\x81\xe2\x95\x90"sv)},
    {"cp950", "CP950", H::SurrogateEscape, "\x80\xa4\xa4\xc6\xa5\xf9\xf9"sv, Text("\xed\xb2\x80\xe4\xb8\xad\xe3\x81\x81\xe2\x95\x90"sv)},
    {"cp950", "CP950", H::Strict, "\x80"sv, DecodeError(0, 1, "'cp950' codec can't decode byte 0x80 in position 0: incomplete multibyte sequence"sv)},
    {"cp950", "CP950", H::Strict, "\xc8@"sv, DecodeError(0, 1, "'cp950' codec can't decode byte 0xc8 in position 0: illegal multibyte sequence"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xc7\xd1\xa2\xe8\xb1\xdb\xa4\xd4\xa4"sv, DecodeError(2, 3, "'euc_kr' codec can't decode byte 0xa2 in position 2: illegal multibyte sequence"sv)},
    {"euc_kr", "EUC-KR", H::Replace, "\xc7\xd1\xa2\xe8\xb1\xdb\xa4\xd4\xa4"sv, Text("\xed\x95\x9c\xef\xbf\xbd\xe7\xa9\xa9\xe9\x89\xa2\xe6\xb8\xa1"sv)},
    {"euc_kr", "EUC-KR", H::Ignore, "\xc7\xd1\xa2\xe8\xb1\xdb\xa4\xd4\xa4"sv, Text("\xed\x95\x9c\xe7\xa9\xa9\xe9\x89\xa2\xe6\xb8\xa1"sv)},
    {"euc_kr", "EUC-KR", H::BackslashReplace, "\xc7\xd1\xa2\xe8\xb1\xdb\xa4\xd4\xa4"sv, Text("\xed\x95\x9c\\xa2\xe7\xa9\xa9\xe9\x89\xa2\xe6\xb8\xa1"sv)},
    {"euc_kr", "EUC-KR", H::SurrogateEscape, "\xc7\xd1\xa2\xe8\xb1\xdb\xa4\xd4\xa4"sv, Text("\xed\x95\x9c\xed\xb2\xa2\xe7\xa9\xa9\xe9\x89\xa2\xe6\xb8\xa1"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa2"sv, Text("\xea\xb0\x82"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xa4\xd4\xa4\xa1"sv, DecodeError(0, 4, "'euc_kr' codec can't decode bytes in position 0-3: incomplete multibyte sequence"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xa4\xd4\xa4\xa1\xa4\xbf\xa4" "A"sv, DecodeError(0, 1, "'euc_kr' codec can't decode byte 0xa4 in position 0: illegal multibyte sequence"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\x80"sv, DecodeError(0, 1, "'euc_kr' codec can't decode byte 0x80 in position 0: incomplete multibyte sequence"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xa2\xe8"sv, DecodeError(0, 1, "'euc_kr' codec can't decode byte 0xa2 in position 0: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "a\x1b$B$\"$$\x80\x1b$(D0!\x1b(Bb\x1b$B$"sv, DecodeError(8, 9, "'iso2022_jp' codec can't decode byte 0x80 in position 8: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Replace, "a\x1b$B$\"$$\x80\x1b$(D0!\x1b(Bb\x1b$B$"sv, Text("a\xe3\x81\x82\xe3\x81\x84\xef\xbf\xbd\xef\xbf\xbd\xe4\xba\x9c" "b\xef\xbf\xbd"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Ignore, "a\x1b$B$\"$$\x80\x1b$(D0!\x1b(Bb\x1b$B$"sv, Text("a\xe3\x81\x82\xe3\x81\x84\xe4\xba\x9c" "b"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::BackslashReplace, "a\x1b$B$\"$$\x80\x1b$(D0!\x1b(Bb\x1b$B$"sv, Text("a\xe3\x81\x82\xe3\x81\x84\\x80\\x1b\\x24\\x28\\x44\xe4\xba\x9c" "b\\x24"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::SurrogateEscape, "a\x1b$B$\"$$\x80\x1b$(D0!\x1b(Bb\x1b$B$"sv, DecodeError(9, 13, "'iso2022_jp' codec can't decode bytes in position 9-12: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b(J\\~\x1b(B"sv, Text("\xc2\xa5\xe2\x80\xbe"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b$B$"sv, DecodeError(3, 4, "'iso2022_jp' codec can't decode byte 0x24 in position 3: incomplete multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b$"sv, DecodeError(0, 2, "'iso2022_jp' codec can't decode bytes in position 0-1: incomplete multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b$(D0!"sv, DecodeError(0, 4, "'iso2022_jp' codec can't decode bytes in position 0-3: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b$B\x80"sv, DecodeError(3, 4, "'iso2022_jp' codec can't decode byte 0x80 in position 3: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1b$B$\"\x0a$\"\x1b(B"sv, Text("\xe3\x81\x82\x0a\xe3\x81\x82"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\x1bNa"sv, Text("\x1bNa"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "\x1b$)Ca\x0e" "0!\xa1\x0f" "b\x0e!"sv, DecodeError(8, 9, "'iso2022_kr' codec can't decode byte 0xa1 in position 8: illegal multibyte sequence"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Replace, "\x1b$)Ca\x0e" "0!\xa1\x0f" "b\x0e!"sv, Text("a\xea\xb0\x80\xef\xbf\xbd" "b\xef\xbf\xbd"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Ignore, "\x1b$)Ca\x0e" "0!\xa1\x0f" "b\x0e!"sv, Text("a\xea\xb0\x80" "b"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::BackslashReplace, "\x1b$)Ca\x0e" "0!\xa1\x0f" "b\x0e!"sv, Text("a\xea\xb0\x80\\xa1b\\x21"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::SurrogateEscape, "\x1b$)Ca\x0e" "0!\xa1\x0f" "b\x0e!"sv, DecodeError(12, 13, "'iso2022_kr' codec can't decode byte 0x21 in position 12: incomplete multibyte sequence"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "\x1b$)C\x0e" "0!\x0a" "0!"sv, Text("\xea\xb0\x80\x0a" "0!"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "\x0e" "0!\x0f"sv, Text("0!"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "\x1b$)C\x0e" "0"sv, DecodeError(5, 6, "'iso2022_kr' codec can't decode byte 0x30 in position 5: incomplete multibyte sequence"sv)},
    // The JIS X 0213, HKSCS and Korean codecs, where glibc differs most.
    {"johab", "JOHAB", H::Strict, "\\\x88" "a\xd9\xe8"sv, DecodeError(3, 4, "'johab' codec can't decode byte 0xd9 in position 3: illegal multibyte sequence"sv)},
    {"cp949", "CP949", H::Strict, "A\xa2\xe8" "B"sv, DecodeError(1, 2, "'cp949' codec can't decode byte 0xa2 in position 1: illegal multibyte sequence"sv)},
    {"euc_jis_2004", "EUC-JISX0213", H::Strict, "\x8f\xc1\xdf\x8f\xa2\xb7\xab\xe5"sv, Text("\xe6\x96\xa6~\xcb\xa9\xcb\xa5"sv)},
    {"euc_jisx0213", "EUC-JISX0213", H::Strict, "\xae\xa1" "A"sv, DecodeError(0, 2, "'euc_jisx0213' codec can't decode bytes in position 0-1: illegal multibyte sequence"sv)},
    {"shift_jisx0213", "SHIFT_JISX0213", H::Strict, "\x87\x9f" "A\\\x81_"sv, DecodeError(0, 2, "'shift_jisx0213' codec can't decode bytes in position 0-1: illegal multibyte sequence"sv)},
    {"big5hkscs", "BIG5-HKSCS", H::Strict, "\x88" "b\x88" "f\xa4\xa4"sv, Text("\xc3\x8a\xcc\x84\xc3\x8a\xe4\xb8\xad"sv)},
    // surrogatepass is for the UTF codecs; elsewhere it is strict.
    {"shift_jis", "SHIFT_JIS", H::SurrogatePass, "a\x81 "sv, DecodeError(1, 2, "'shift_jis' codec can't decode byte 0x81 in position 1: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::SurrogatePass, "a\x1b$B\x80"sv, DecodeError(4, 5, "'iso2022_jp' codec can't decode byte 0x80 in position 4: illegal multibyte sequence"sv)},
};

const Case kIconvEncodeCases[] = {
    {"shift_jis", "SHIFT_JIS", H::Strict, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\\~\xc2\xa5\xe2\x80\xbe\xef\xbd\xb1"sv, Text("\x93\xfa\x96{\x8c\xea\\~\\~\xb1"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "\xef\xbf\xa0"sv, EncodeError(0, 1, "'shift_jis' codec can't encode character '\\uffe0' in position 0: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Strict, "a\xc3\xa9" "b"sv, EncodeError(1, 2, "'shift_jis' codec can't encode character '\\xe9' in position 1: illegal multibyte sequence"sv)},
    {"shift_jis", "SHIFT_JIS", H::Replace, "a\xc3\xa9" "b"sv, Text("a?b"sv)},
    {"shift_jis", "SHIFT_JIS", H::Ignore, "a\xc3\xa9" "b"sv, Text("ab"sv)},
    {"shift_jis", "SHIFT_JIS", H::BackslashReplace, "a\xc3\xa9" "b"sv, Text("a\\xe9b"sv)},
    {"shift_jis", "SHIFT_JIS", H::XmlCharRefReplace, "a\xc3\xa9" "b"sv, Text("a&#233;b"sv)},
    {"shift_jis", "SHIFT_JIS", H::NameReplace, "a\xc3\xa9" "b"sv, Text("a\\N{LATIN SMALL LETTER E WITH ACUTE}b"sv)},
    {"shift_jis", "SHIFT_JIS", H::SurrogateEscape, "a\xc3\xa9" "b"sv, EncodeError(1, 2, "'shift_jis' codec can't encode character '\\xe9' in position 1: illegal multibyte sequence"sv)},
    {"cp932", "CP932", H::Strict, "\xe2\x85\xb0\xe4\xb8\xa8\xef\xa3\xb0\xc2\x80"sv, Text("\xee\xef\xedL\xa0\x80"sv)},
    {"cp932", "CP932", H::Strict, "\xc2\xa5"sv, EncodeError(0, 1, "'cp932' codec can't encode character '\\xa5' in position 0: illegal multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\xe6\xbc\xa2\xe5\xad\x97\xef\xbd\xb1\xe4\xb8\x82"sv, Text("\xb4\xc1\xbb\xfa\x8e\xb1\x8f\xb0\xa1"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\xc2\x85"sv, EncodeError(0, 1, "'euc_jp' codec can't encode character '\\x85' in position 0: illegal multibyte sequence"sv)},
    {"euc_jp", "EUC-JP", H::Strict, "\xef\xbd\x9e"sv, EncodeError(0, 1, "'euc_jp' codec can't encode character '\\uff5e' in position 0: illegal multibyte sequence"sv)},
    {"gbk", "GBK", H::Strict, "\xe4\xbd\xa0\xe5\xa5\xbd"sv, Text("\xc4\xe3\xba\xc3"sv)},
    {"gbk", "GBK", H::Strict, "\xe2\x82\xac"sv, EncodeError(0, 1, "'gbk' codec can't encode character '\\u20ac' in position 0: illegal multibyte sequence"sv)},
    {"gb18030", "GB18030", H::Strict, "\xe4\xbd\xa0\xe5\xa5\xbd\xf0\xa0\x80\x80\xe1\xb8\xbf\xee\x9f\x87\xef\xb8\x90\xee\x9e\x8d"sv, Text("\xc4\xe3\xba\xc3\x95" "2\x82" "6\x81" "5\xf4" "7\xa8\xbc\x84" "1\x82" "6\xa6\xd9"sv)},
    {"big5", "BIG5", H::Strict, "\xe4\xb8\xad\xe6\x96\x87\xe3\x81\x81\xe2\x80\xa2"sv, Text("\xa4\xa4\xa4\xe5\xc6\xa5\xa1" "E"sv)},
    {"big5", "BIG5", H::Strict, "\xe2\x82\xac"sv, EncodeError(0, 1, "'big5' codec can't encode character '\\u20ac' in position 0: illegal multibyte sequence"sv)},
    {"cp950", "CP950", H::Strict, "\xe4\xb8\xad\xe6\x96\x87\xe3\x81\x81"sv, Text("\xa4\xa4\xa4\xe5\xc6\xa5"sv)},
    {"cp950", "CP950", H::Strict, "\xe2\x80\xa7"sv, Text("\xa1" "E"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xed\x95\x9c\xea\xb8\x80\xea\xb0\x82"sv, Text("\xc7\xd1\xb1\xdb\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa2"sv)},
    {"euc_kr", "EUC-KR", H::Strict, "\xe2\x82\xa9"sv, EncodeError(0, 1, "'euc_kr' codec can't encode character '\\u20a9' in position 0: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "a\xe3\x81\x82\xe3\x81\x84" "b"sv, Text("a\x1b$B$\"$$\x1b(Bb"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\xc2\xa5\xe2\x80\xbe" "a"sv, Text("\x1b(J\\~\x1b(Ba"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\xe6\xbc\xa2\x0a\xe5\xad\x97"sv, Text("\x1b$B4A\x1b(B\x0a\x1b$B;z\x1b(B"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Strict, "\xef\xbd\xb1"sv, EncodeError(0, 1, "'iso2022_jp' codec can't encode character '\\uff71' in position 0: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Replace, "\xef\xbd\xb1"sv, Text("?"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::Ignore, "\xef\xbd\xb1"sv, Text(""sv)},
    {"iso2022_jp", "ISO-2022-JP", H::BackslashReplace, "\xef\xbd\xb1"sv, Text("\\uff71"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::XmlCharRefReplace, "\xef\xbd\xb1"sv, Text("&#65393;"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::NameReplace, "\xef\xbd\xb1"sv, Text("\\N{HALFWIDTH KATAKANA LETTER A}"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::SurrogateEscape, "\xef\xbd\xb1"sv, EncodeError(0, 1, "'iso2022_jp' codec can't encode character '\\uff71' in position 0: illegal multibyte sequence"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "a"sv, Text("a"sv)},
    {"iso2022_kr", "ISO-2022-KR", H::Strict, "a\xea\xb0\x80\x0a\xea\xb0\x80" "b"sv, Text("a\x1b$)C\x0e" "0!\x0f\x0a\x0e" "0!\x0f" "b"sv)},
    // The JIS X 0213, HKSCS and Korean codecs, where glibc differs most.
    {"johab", "JOHAB", H::Strict, "\\\xea\xb0\x80"sv, Text("\\\x88" "a"sv)},
    {"shift_jis_2004", "SHIFT_JISX0213", H::Strict, "\\~\xc2\xa5"sv, Text("\x81_\x81\xb0\\"sv)},
    {"euc_jis_2004", "EUC-JISX0213", H::Strict, "\xe6\x96\xa6\xcb\xa9\xcb\xa5"sv, Text("\x8f\xc1\xdf\xab\xe5"sv)},
    {"euc_jisx0213", "EUC-JISX0213", H::Strict, "\xe9\xac\x9d"sv, Text("\x8f\xfd\xbb"sv)},
    {"big5hkscs", "BIG5-HKSCS", H::Strict, "\xc3\x8a\xcc\x84\xc3\x8a"sv, Text("\x88" "b\x88" "f"sv)},
    {"johab", "JOHAB", H::BackslashReplace, "\xc3\xa9"sv, Text("\\xe9"sv)},
    // surrogatepass is for the UTF codecs; elsewhere it is strict.
    {"shift_jis", "SHIFT_JIS", H::SurrogatePass, "a\xed\xa0\x80"sv, EncodeError(1, 2, "'shift_jis' codec can't encode character '\\ud800' in position 1: illegal multibyte sequence"sv)},
    {"iso2022_jp", "ISO-2022-JP", H::SurrogatePass, "a\xed\xa0\x80"sv, EncodeError(1, 2, "'iso2022_jp' codec can't encode character '\\ud800' in position 1: illegal multibyte sequence"sv)},
};

TEST(IconvCodec, DecodesAsPython) {
    for (const Case& c : kIconvDecodeCases)
        EXPECT_EQ(decode(codec(c.codec, c.iconv), c.errors, {c.input}), c.expected) << describe(c);
}

TEST(IconvCodec, EncodesAsPython) {
    for (const Case& c : kIconvEncodeCases)
        EXPECT_EQ(encode(codec(c.codec, c.iconv), c.errors, {c.input}), c.expected) << describe(c);
}

// Incremental decoding equals decoding at once, wherever the input is cut:
// into two at every byte, and into single bytes.
TEST(IconvCodec, EveryChunkBoundaryDecodesAsOneShot) {
    for (const Case& c : kIconvDecodeCases) {
        // An error's position counts from the start of the call that raised it.
        if (c.expected.kind != Result::Text) continue;
        const pyio::Codec& cd = codec(c.codec, c.iconv);
        const Result whole = decode(cd, c.errors, {c.input});
        for (size_t cut = 0; cut <= c.input.size(); ++cut)
            EXPECT_EQ(decode(cd, c.errors, {c.input.substr(0, cut), c.input.substr(cut)}), whole)
                << describe(c) << " cut at " << cut;
        EXPECT_EQ(decode(cd, c.errors, bytes_of(c.input)), whole) << describe(c) << " byte by byte";
    }
}

TEST(IconvCodec, EveryCharacterBoundaryEncodesAsOneShot) {
    for (const Case& c : kIconvEncodeCases) {
        if (c.expected.kind != Result::Text) continue;
        EXPECT_EQ(encode(codec(c.codec, c.iconv), c.errors, characters_of(c.input)), c.expected) << describe(c);
    }
}

TEST(IconvCodec, UnknownCharsetIsNull) {
    EXPECT_EQ(make_iconv_codec("nonesuch", "NO-SUCH-CHARSET"), nullptr);
    EXPECT_EQ(make_iconv_codec("", ""), nullptr);  // not the locale's charset, as iconv_open("") is
    EXPECT_EQ(make_charmap_codec("", ""), nullptr);
}

TEST(IconvCodec, NamesItsErrorsAfterThePythonCodec) {
    EXPECT_EQ(codec("euc_jp", "EUC-JP").name(), "euc_jp");
    EXPECT_EQ(decode(codec("euc-jp-by-another-name", "EUCJP"), H::Strict, {"\xff"sv}),
              DecodeError(0, 1, "'euc-jp-by-another-name' codec can't decode byte 0xff in position 0: "
                                "illegal multibyte sequence"));
}

TEST(IconvCodec, AFailedDecodeDropsTheHeldBytesAsPythonsCjkDecoders) {
    // Python's _multibytecodec takes its pending bytes out before decoding:
    // a decode() that raises leaves none (and gives no output).
    auto d = codec("shift_jis", "SHIFT_JIS").decoder(H::Strict);
    std::string out;
    d->decode("a\x82", false, out);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"\x82", 0}));
    EXPECT_EQ(run([&](std::string&) { d->decode("\xa0\x81 b", true, out); }).kind, Result::DecodeError);
    EXPECT_EQ(out, "a");
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    // So a lone trail byte is next: illegal, as in Python.
    EXPECT_EQ(run([&](std::string&) { d->decode("\xa0", true, out); }).kind, Result::DecodeError);
    d->decode("\x82\xa0", true, out);
    EXPECT_EQ(out, "a\u3042");
}

TEST(IconvCodec, AnIncompleteFinalDecodePutsBackWhatWasHeldBefore) {
    // _multibytecodec: a sequence cut short by the end of a final decode
    // restores the bytes held before the call -- not the call's own.
    auto d = codec("gb18030", "GB18030").decoder(H::Strict);
    std::string out;
    d->decode("\x82\x37\xcf", false, out);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(run([&](std::string&) { d->decode("", true, out); }).kind, Result::DecodeError);
        EXPECT_EQ(d->getstate(), (pyio::DecoderState{"\x82\x37\xcf", 0}));
    }
    auto fresh = codec("gb18030", "GB18030").decoder(H::Strict);
    EXPECT_EQ(run([&](std::string&) { fresh->decode("\x82\x37\xcf", true, out); }).kind, Result::DecodeError);
    EXPECT_EQ(fresh->getstate(), (pyio::DecoderState{"", 0}));
}

TEST(IconvCodec, AnEscapeSequenceHeldPastEightBytesIsAPendingBufferOverflow) {
    // d = codecs.getincrementaldecoder('iso2022_jp')('backslashreplace')
    // d.decode(b'a\x1b(\n\\udc8') == 'a'  (8 bytes held: the escape is not over)
    // d.decode(b'0'): UnicodeError('pending buffer overflow'), nothing held after
    // d.decode(b'ab') == 'ab'
    auto d = codec("iso2022_jp", "ISO-2022-JP").decoder(H::BackslashReplace);
    std::string out;
    d->decode("a\x1b(\n\\udc8", false, out);
    EXPECT_EQ(out, "a");
    EXPECT_EQ(d->getstate().pending, "\x1b(\n\\udc8");
    try {
        d->decode("0", false, out);
        ADD_FAILURE() << "no error";
    } catch (const pyio::Error& e) {
        EXPECT_EQ(e.kind(), pyio::ErrorKind::UnicodeError);
        EXPECT_STREQ(e.what(), "pending buffer overflow");
    }
    EXPECT_EQ(out, "a");
    EXPECT_EQ(d->getstate().pending, "");
    d->decode("ab", false, out);
    EXPECT_EQ(out, "aab");
    // A final decode judges the sequence instead: no overflow, and the
    // unterminated rest is the error (Python: '\\x1b\\x28\\x0a\\x5c...').
    auto e = codec("iso2022_jp", "ISO-2022-JP").decoder(H::BackslashReplace);
    std::string all;
    e->decode("\x1b(\n\\udc80", true, all);
    EXPECT_EQ(all, R"(\x1b\x28\x0a\x5c\x75\x64\x63\x38\x30)");
}

TEST(IconvCodec, AnIncompleteFinalDecodePutsBackWhatWasHeldWhateverTheHandlerRaises) {
    // xmlcharrefreplace cannot decode: TypeError instead of the
    // UnicodeDecodeError, and still the held bytes are put back (Python's
    // decoder restores them whatever the handler raised), in the iconv
    // decoders and in the ISO-2022 ones.
    for (auto [name, iconv_name, held] : {std::tuple{"gb18030", "GB18030", "\xb1"},
                                          std::tuple{"iso2022_jp", "ISO-2022-JP", "\x1b$"}}) {
        SCOPED_TRACE(name);
        auto d = codec(name, iconv_name).decoder(H::XmlCharRefReplace);
        std::string out;
        d->decode(held, false, out);
        ASSERT_EQ(d->getstate().pending, held);
        for (int i = 0; i < 2; ++i) {
            EXPECT_EQ(run([&](std::string&) { d->decode("", true, out); }).kind, Result::TypeError);
            EXPECT_EQ(d->getstate().pending, held);
        }
    }
}

TEST(IconvCodec, WhatTheHandlerLeavesOfAnIncompleteFinalSequenceStaysHeld) {
    // codecs.getincrementaldecoder('gb18030')('surrogateescape'):
    // decode(b'\x82\x37', True) is '\udc82' with b'7' still held (the
    // handler stops before the ASCII byte), and decode(b'', True) gives '7'.
    auto d = codec("gb18030", "GB18030").decoder(H::SurrogateEscape);
    std::string out;
    d->decode("\x82\x37", true, out);
    EXPECT_EQ(out, "\xed\xb2\x82");
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"\x37", 0}));
    d->decode("", true, out);
    EXPECT_EQ(out, "\xed\xb2\x82" "7");
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
}

TEST(IconvCodec, AFailedIso2022DecodeKeepsTheShiftItReached) {
    // codecs.getincrementaldecoder('iso2022_jp'): after b'\x1b$B' and a
    // failing b'\xff\xff', getstate() is (b'', <JIS X 0208 designated>) and
    // b'\x30\x21' decodes as that set's U+4E9C.
    auto d = lookup_codec("iso2022_jp").decoder(H::Strict);
    std::string out;
    d->decode("\x1b$B", false, out);
    const uint64_t designated = d->getstate().flags;
    d->decode("\x30", false, out);
    EXPECT_EQ(d->getstate().pending, "\x30");
    EXPECT_EQ(run([&](std::string&) { d->decode("\xff\xff", true, out); }).kind, Result::DecodeError);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", designated}));
    d->decode("\x30\x21", true, out);
    EXPECT_EQ(out, "\u4e9c");
}

TEST(IconvCodec, AnIso2022ResetUndoesOnlyG0AndTheShiftAsCPythons) {
    // codecs.getincrementaldecoder(name)(errors): decode(first), reset(),
    // decode(after, True).  CPython's reset designates ASCII in G0 and
    // undoes SO; G1-G3 and the mode that passes bytes after an unknown
    // escape through stay.  (A new decoder: '日', '!!', 'a' for the first,
    // third and fourth.)
    struct {
        const char* codec;
        H errors;
        std::string_view first, after, want;
    } cases[] = {
        {"iso2022_jp", H::Replace, "\x1b\x00"sv, "\x1b$BF|"sv, "\x1b$BF|"sv},
        {"iso2022_jp", H::Replace, "\x1b$BF|"sv, "F|"sv, "F|"sv},
        {"iso2022_kr", H::Strict, "\x1b$)C\x0e!!"sv, "\x0e!!\x0f"sv, "\u3000"sv},
        {"iso2022_jp_2", H::Strict, "\x1b.A\x1bNa"sv, "\x1bNa"sv, "\u00e1"sv},
        {"iso2022_jp", H::Replace, "\x1b\x00Z"sv, "\x1b$BF|"sv, "\u65e5"sv},
    };
    for (const auto& c : cases) {
        auto d = lookup_codec(c.codec).decoder(c.errors);
        std::string out;
        d->decode(c.first, false, out);
        d->reset();
        out.clear();
        d->decode(c.after, true, out);
        EXPECT_EQ(out, c.want) << c.codec << " after " << printable(c.first);
    }
}

TEST(IconvCodec, StatelessDecodersStateIsThePendingBytesAndTheFlagsLastGiven) {
    auto d = codec("gb18030", "GB18030").decoder(H::Strict);
    std::string out;
    d->decode("\xc4\xe3\x81\x30\x81", false, out);
    EXPECT_EQ(out, "\u4f60");
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"\x81\x30\x81", 0}));
    auto fresh = codec("gb18030", "GB18030").decoder(H::Strict);
    fresh->setstate(d->getstate());
    std::string rest;
    fresh->decode("\x30", true, rest);
    EXPECT_EQ(rest, "\u0080");
    // codecs.getincrementaldecoder('gb18030')(): setstate((b'', 5)), then
    // getstate() is (b'', 5) after reset() and decode(b'ab') too; any
    // unsigned 64-bit state is taken.
    fresh->setstate({"", 5});
    fresh->reset();
    rest.clear();
    fresh->decode("ab", false, rest);
    EXPECT_EQ(rest, "ab");
    EXPECT_EQ(fresh->getstate(), (pyio::DecoderState{"", 5}));
    fresh->setstate({"\x81", UINT64_MAX});
    EXPECT_EQ(fresh->getstate(), (pyio::DecoderState{"\x81", UINT64_MAX}));
    // Back to a new decoder's state (tell()'s search and its replay).
    fresh->reset_to_new();
    EXPECT_EQ(fresh->getstate(), (pyio::DecoderState{"", 0}));
}

// Text with backslashes everywhere: glibc reads SHIFT_JIS 0x5c as U+00A5,
// Python as a backslash, so each one is corrected after iconv ran.
TEST(IconvCodec, ManyCorrectionsInLargeInput) {
    std::string text;
    for (int i = 0; i < 40000; ++i) text += i % 3 ? "\\\u8868~" : "C:\\\u30d5\u30a1\u30a4\u30eb\\";
    const pyio::Codec& c = codec("shift_jis", "SHIFT_JIS");
    Result bytes = encode(c, H::Strict, {text});
    ASSERT_EQ(bytes.kind, Result::Text);
    EXPECT_EQ(decode(c, H::Strict, {bytes.value}), Text(text));
}

TEST(IconvCodec, SharedBetweenThreads) {
    const pyio::Codec& c = codec("euc_kr", "EUC-KR");
    const std::string text = "\ud55c\uae00 \uac02 text \ud14d\uc2a4\ud2b8";
    const Result bytes = encode(c, H::Strict, {text});
    std::vector<std::thread> threads;
    std::vector<int> failures(8);
    for (size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                if (encode(c, H::Strict, {text}) != bytes) ++failures[t];
                if (decode(c, H::Strict, {bytes.value}) != Text(text)) ++failures[t];
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int f : failures) EXPECT_EQ(f, 0);
}

TEST(IconvCodec, ThroughTheRegistry) {
    EXPECT_EQ(lookup_codec("sjis").name(), "shift_jis");
    EXPECT_EQ(decode(lookup_codec("sjis"), H::Strict, {"C:\\\x95\\"sv}), Text("C:\\\u8868"));
    EXPECT_EQ(decode(lookup_codec("windows-1252"), H::Strict, {"\x80"sv}), Text("\u20ac"));
    EXPECT_EQ(encode(lookup_codec("euc-kr"), H::Strict, {"\uac02"sv}), Text("\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa2"));
    EXPECT_EQ(encode(lookup_codec("ISO-2022-JP"), H::Strict, characters_of("\u3042a")), Text("\x1b$B$\"\x1b(Ba"));
}

// ---- stateful charsets ----

TEST(IconvStateful, EncoderKeepsItsShiftUntilFinal) {
    // e = codecs.getincrementalencoder('iso2022_jp')(); e.encode('\u3042');
    // e.encode('', final=True)
    auto e = codec("iso2022_jp", "ISO-2022-JP").encoder(H::Strict);
    std::string out;
    e->encode("\u3042", false, out);
    EXPECT_EQ(out, "\x1b$B$\"");
    e->encode("\u3044", false, out);
    EXPECT_EQ(out, "\x1b$B$\"$$");
    e->encode("", true, out);
    EXPECT_EQ(out, "\x1b$B$\"$$\x1b(B");
    out.clear();
    e->encode("a", true, out);
    EXPECT_EQ(out, "a");
}

TEST(IconvStateful, EncoderResetAndSetstateAsPython) {
    // reset() returns to ASCII writing nothing; setstate(0) clears Python's
    // state to zeros, so that even ASCII designates its set again.
    auto e = codec("iso2022_jp", "ISO-2022-JP").encoder(H::Strict);
    std::string out;
    e->encode("\u3042", false, out);
    e->reset();
    e->encode("a", true, out);
    EXPECT_EQ(out, "\x1b$B$\"a");
    out.clear();
    e->setstate(0);
    e->encode("a", true, out);
    EXPECT_EQ(out, "\x1b(Ba");
    EXPECT_EQ(e->getstate(), 0);
}

TEST(IconvStateful, Iso2022KrAnnouncesOnceBeforeTheFirstShift) {
    auto e = codec("iso2022_kr", "ISO-2022-KR").encoder(H::Strict);
    std::string out;
    e->encode("ab\n", true, out);
    EXPECT_EQ(out, "ab\n");
    e->encode("\uac00\n", true, out);
    e->encode("\uac00", true, out);
    EXPECT_EQ(out, "ab\n\x1b$)C\x0e" "0!\x0f\n\x0e" "0!\x0f");
}

// Decoding restarts from the state getstate() gave at any point: the state
// goes into a fresh decoder (and into one left in some other state), which
// decodes the rest.
void expect_restartable_everywhere(const char* python, const char* iconv, std::string_view input) {
    const pyio::Codec& c = codec(python, iconv);
    const Result whole = decode(c, H::Strict, {input});
    ASSERT_EQ(whole.kind, Result::Text) << python;
    for (size_t cut = 0; cut <= input.size(); ++cut) {
        auto first = c.decoder(H::Strict);
        std::string head;
        first->decode(input.substr(0, cut), false, head);
        const pyio::DecoderState state = first->getstate();
        EXPECT_LT(state.flags, 1ull << 31) << python << " cut at " << cut;
        for (bool used : {false, true}) {
            auto second = c.decoder(H::Replace);
            std::string out = head, ignored;
            if (used) second->decode(input, false, ignored);
            second->setstate(state);
            second->decode(input.substr(cut), true, out);
            EXPECT_EQ(out, whole.value) << python << " cut at " << cut << (used ? " (used decoder)" : "");
        }
    }
}

TEST(IconvStateful, Iso2022JpRestartsAtEveryBoundary) {
    expect_restartable_everywhere(
        "iso2022_jp", "ISO-2022-JP",
        "ab\x1b$B$\"$$4A;z\x1b(Bc\x1b(J\\~\x1b$@$\"\n$$\x1b(B\nd\x1b&@\x1b$B4A\x1b(B"sv);
}

TEST(IconvStateful, Iso2022Jp2RestartsAtEveryBoundary) {
    expect_restartable_everywhere("iso2022_jp_2", "ISO-2022-JP-2",
                                  "a\x1b$A0!\x1b$(C0!\x1b.A\x1bNi\x1b$(D0!\x1b(Bb\x1bNa"sv);
}

TEST(IconvStateful, Iso2022KrRestartsAtEveryBoundary) {
    expect_restartable_everywhere("iso2022_kr", "ISO-2022-KR",
                                  "\x1b$)Ca\x0e" "0!0\"\x0f" "b\x0e" "0!\n0!\x0e" "0#\x0f"sv);
}

TEST(IconvStateful, Iso2022DecoderStates) {
    const pyio::Codec& c = codec("iso2022_jp", "ISO-2022-JP");
    auto d = c.decoder(H::Strict);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    std::string out;
    d->decode("\x1b$B$\"\x1b", false, out);
    EXPECT_EQ(out, "\u3042");
    const pyio::DecoderState mid = d->getstate();
    EXPECT_EQ(mid.pending, "\x1b");
    EXPECT_NE(mid.flags, 0u);
    d->decode("(B", true, out);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    d->reset();
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    // States no decoder of this codec gives are refused.
    EXPECT_EQ(run([&](std::string&) { d->setstate({"", 1ull << 40}); }).kind, Result::ValueError);
    EXPECT_EQ(run([&](std::string&) { d->setstate({"", 31}); }).kind, Result::ValueError);
    EXPECT_EQ(run([&](std::string&) { d->setstate({std::string(100, 'a'), 0}); }).kind, Result::ValueError);
}

// A stateful charset whose state iconv keeps to itself (glibc's UTF-7): the
// state is known at the start only; any other is refused, not guessed.
TEST(IconvStateful, OpaqueStateIsKnownAtTheStartOnly) {
    auto c = make_iconv_codec("utf-7 (iconv)", "UTF-7");
    ASSERT_NE(c, nullptr);
    auto d = c->decoder(H::Strict);
    EXPECT_EQ(d->getstate(), (pyio::DecoderState{"", 0}));
    std::string out;
    d->decode("a+AGE", false, out);
    const pyio::DecoderState mid = d->getstate();
    EXPECT_NE(mid.flags, 0u);
    auto fresh = c->decoder(H::Strict);
    EXPECT_EQ(run([&](std::string&) { fresh->setstate(mid); }).kind, Result::ValueError);
    fresh->setstate({"", 0});
    out.clear();
    fresh->decode("+AGE-b", true, out);
    EXPECT_EQ(out, "ab");
}

// IBM's EBCDIC charsets with double bytes between SO and SI: the shift is the
// state, and restoring it feeds iconv an SO.
TEST(IconvStateful, ShiftOutStateRestarts) {
    auto c = make_iconv_codec("ibm930", "IBM930");
    if (!c) GTEST_SKIP() << "iconv has no IBM930";
    Result bytes = encode(*c, H::Strict, {"AB\u3042\u3044C\u3046"sv});
    ASSERT_EQ(bytes.kind, Result::Text);
    const std::string_view input = bytes.value;
    const Result whole = decode(*c, H::Strict, {input});
    EXPECT_EQ(whole, Text("AB\u3042\u3044C\u3046"));
    for (size_t cut = 0; cut <= input.size(); ++cut) {
        auto first = c->decoder(H::Strict);
        std::string out;
        first->decode(input.substr(0, cut), false, out);
        auto second = c->decoder(H::Strict);
        second->setstate(first->getstate());
        second->decode(input.substr(cut), true, out);
        EXPECT_EQ(out, whole.value) << "cut at " << cut;
    }
}

}  // namespace
