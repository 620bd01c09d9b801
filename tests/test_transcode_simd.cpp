// The vector kernels behind the latin-1, UTF-16 and charmap decoders
// (src/transcode_simd.h), against plain conversions: whatever the input and
// wherever the blocks fall, what a kernel reports as read must be input it may
// convert (no surrogate, no undefined byte), what it wrote must be exactly
// its UTF-8, nothing may be written past the room it was given, and on a
// machine with the instructions it must have gone as far as its contract
// says -- so a kernel that silently stops working fails here too.  Each
// function is tried: the one the decoders call, which chooses at run time,
// and the AVX2 and AVX-512 kernels it chooses between, where this machine
// runs them.  Reached through the library's symbol table, as the codec
// suites reach internals.

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "library_symbols.h"
#include "../src/transcode_simd.h"
#include <gtest/gtest.h>

namespace {

using pyio::transcode::CharmapEntry;
using pyio::transcode::kMinRoom;
using pyio::transcode::Progress;

using Latin1 = Progress(const unsigned char*, size_t, char*, size_t) noexcept;
using Utf16 = Progress(const unsigned char*, size_t, bool, char*, size_t) noexcept;
using Charmap = Progress(const unsigned char*, size_t, const CharmapEntry*, char*, size_t) noexcept;
using Newlines = Progress(char*, size_t, unsigned&) noexcept;
using NewlineBits = void(const char*, size_t, uint64_t*) noexcept;

bool has_avx2() { return __builtin_cpu_supports("avx2"); }

bool has_avx512() {
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512vbmi2");
}

// One set of kernels: pyio::transcode::<ns>::*, "" for the dispatching ones.
struct Variant {
    const char* name;
    const char* ns;  // mangled
    bool runs_here;  // whether it may be called here, and then must do its work
};

std::vector<Variant> variants() {
    return {{"dispatched", "", has_avx2()}, {"avx2", "4avx2", has_avx2()}, {"avx512", "6avx512", has_avx512()}};
}

template <class F>
F* kernel(const Variant& v, const char* function) {
    static const auto functions = pyio_test::library_functions(SHT_SYMTAB);
    auto it = functions.find(std::string("_ZN4pyio9transcode") + v.ns + function);
    return it == functions.end() ? nullptr : reinterpret_cast<F*>(it->second);
}

Latin1* latin1(const Variant& v) { return kernel<Latin1>(v, "14latin1_to_utf8EPKhmPcm"); }
Utf16* utf16(const Variant& v) { return kernel<Utf16>(v, "13utf16_to_utf8EPKhmbPcm"); }
Charmap* charmap(const Variant& v) { return kernel<Charmap>(v, "15charmap_to_utf8EPKhmPKNS0_12CharmapEntryEPcm"); }
Newlines* newlines(const Variant& v) { return kernel<Newlines>(v, "18translate_newlinesEPcmRj"); }
NewlineBits* newline_bits(const Variant& v) { return kernel<NewlineBits>(v, "12newline_bitsEPKcmPm"); }

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | cp >> 6);
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | cp >> 12);
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | cp >> 18);
        out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
        out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// Room for a kernel: `capacity` bytes, then a guard that must stay intact.
struct Output {
    static constexpr size_t kGuard = 64;
    std::string bytes;
    explicit Output(size_t capacity) : bytes(capacity + kGuard, '\xa5') {}
    char* data() { return bytes.data(); }
    bool guard_intact(size_t capacity) const {
        return bytes.find_first_not_of('\xa5', capacity) == std::string::npos;
    }
};

// Capacities around the kernels' thresholds, and plenty.
size_t pick_capacity(std::mt19937& rng, size_t plenty) {
    static const size_t small[] = {0, 1, 63, 64, 65, 127, 128, 129, kMinRoom - 1, kMinRoom};
    return rng() % 4 ? plenty : small[rng() % (sizeof small / sizeof *small)];
}

// Input at every alignment: the bytes at offset `shift` of a 64-byte aligned buffer.
struct Placed {
    std::vector<unsigned char> storage;
    const unsigned char* data;
    Placed(const std::string& s, size_t shift) : storage(s.size() + shift + 64) {
        auto base = reinterpret_cast<uintptr_t>(storage.data());
        unsigned char* p = storage.data() + ((64 - base % 64) % 64) + shift;
        std::copy(s.begin(), s.end(), p);
        data = p;
    }
};

size_t pick_length(std::mt19937& rng) { return rng() % 8 ? rng() % 200 : rng() % 5000; }

// Property checks of one function; `vector`: it must also have gone as far
// as its contract says.

void check_latin1(Latin1* f, bool vector) {
    std::mt19937 rng(1252);
    for (int round = 0; round < 20000; ++round) {
        const unsigned high_percent = std::vector<unsigned>{0, 3, 20, 50, 100}[rng() % 5];
        std::string s(pick_length(rng), '\0');
        for (auto& c : s) c = static_cast<char>(rng() % 100 < high_percent ? 0x80 + rng() % 128 : rng() % 128);
        const Placed in(s, rng() % 32);
        const size_t capacity = pick_capacity(rng, 2 * s.size() + rng() % 80);
        Output out(capacity);
        const Progress p = f(in.data, s.size(), out.data(), capacity);
        ASSERT_LE(p.read, s.size()) << "round " << round;
        ASSERT_EQ(p.read % 32, 0u) << "round " << round;
        ASSERT_LE(p.written, capacity) << "round " << round;
        ASSERT_TRUE(out.guard_intact(capacity)) << "wrote past its room at round " << round;
        std::string want;
        for (size_t i = 0; i < p.read; ++i) append_utf8(want, static_cast<unsigned char>(s[i]));
        ASSERT_EQ(out.bytes.substr(0, p.written), want) << "round " << round;
        if (vector) {
            ASSERT_TRUE(s.size() - p.read < 32 || capacity - p.written < kMinRoom)
                << "stopped early at round " << round << ": read " << p.read << " of " << s.size();
        }
    }
}

// UTF-16 units of every kind the decoder meets: ASCII, two- and three-byte
// characters next to the surrogate range, valid pairs and lone surrogates.
std::vector<uint16_t> random_units(std::mt19937& rng, size_t count, unsigned surrogate_percent) {
    static const uint16_t edges[] = {0x0000, 0x007f, 0x0080, 0x07ff, 0x0800, 0x0fff, 0x1000,
                                     0xd7ff, 0xe000, 0xfeff, 0xfffe, 0xffff, 0x00ff, 0x0100};
    const unsigned kind_mix = rng() % 4;  // ASCII only, up to 0x7ff, anything
    std::vector<uint16_t> units;
    while (units.size() < count) {
        if (rng() % 100 < surrogate_percent) {
            switch (rng() % 4) {
            case 0: units.push_back(static_cast<uint16_t>(0xd800 + rng() % 0x400)); break;  // lone high
            case 1: units.push_back(static_cast<uint16_t>(0xdc00 + rng() % 0x400)); break;  // lone low
            default:
                units.push_back(static_cast<uint16_t>(0xd800 + rng() % 0x400));
                units.push_back(static_cast<uint16_t>(0xdc00 + rng() % 0x400));
            }
            continue;
        }
        uint16_t u;
        switch (kind_mix == 3 ? rng() % 4 : kind_mix) {
        case 0: u = static_cast<uint16_t>(rng() % 0x80); break;
        case 1: u = static_cast<uint16_t>(rng() % 0x800); break;
        case 2: u = edges[rng() % (sizeof edges / sizeof *edges)]; break;
        default:
            do u = static_cast<uint16_t>(rng()); while (u >= 0xd800 && u <= 0xdfff);
        }
        units.push_back(u);
    }
    return units;
}

// What it read is UTF-16 with surrogates only in valid pairs, and its
// UTF-8 is what it wrote; it stops early only before a surrogate, and with
// converts_pairs (the AVX2 kernel) only before one that does not start a
// valid pair.
void check_utf16(Utf16* f, bool vector, bool converts_pairs) {
    std::mt19937 rng(16);
    for (int round = 0; round < 30000; ++round) {
        const bool big = rng() % 2;
        const unsigned surrogate_percent = std::vector<unsigned>{0, 0, 1, 5, 30}[rng() % 5];
        const std::vector<uint16_t> units = random_units(rng, pick_length(rng) / 2, surrogate_percent);
        std::string s;
        for (uint16_t u : units) {
            s += static_cast<char>(big ? u >> 8 : u & 0xff);
            s += static_cast<char>(big ? u & 0xff : u >> 8);
        }
        if (rng() % 4 == 0) s += static_cast<char>(rng());  // an odd length
        const Placed in(s, rng() % 32);
        const size_t capacity = pick_capacity(rng, 3 * s.size() / 2 + rng() % 80);
        Output out(capacity);
        const Progress p = f(in.data, s.size(), big, out.data(), capacity);
        ASSERT_LE(p.read, s.size()) << "round " << round;
        ASSERT_EQ(p.read % 2, 0u) << "round " << round;
        ASSERT_LE(p.written, capacity) << "round " << round;
        ASSERT_TRUE(out.guard_intact(capacity)) << "wrote past its room at round " << round;
        auto high = [&](size_t k) { return k < units.size() && (units[k] & 0xfc00) == 0xd800; };
        auto low = [&](size_t k) { return k < units.size() && (units[k] & 0xfc00) == 0xdc00; };
        std::string want;
        for (size_t k = 0; k < p.read / 2; ++k) {
            if (high(k) && low(k + 1) && k + 1 < p.read / 2) {
                append_utf8(want, 0x10000 + ((units[k] - 0xd800u) << 10) + (units[k + 1] - 0xdc00u));
                ++k;
                continue;
            }
            ASSERT_FALSE(units[k] >= 0xd800 && units[k] <= 0xdfff) << "read a lone surrogate at round " << round;
            append_utf8(want, units[k]);
        }
        ASSERT_EQ(out.bytes.substr(0, p.written), want) << "round " << round << (big ? " (big-endian)" : "");
        if (vector && s.size() - p.read >= 32 && capacity - p.written >= kMinRoom) {
            const size_t next = p.read / 2;
            ASSERT_TRUE(units[next] >= 0xd800 && units[next] <= 0xdfff)
                << "stopped early at round " << round << ": read " << p.read << " of " << s.size();
            if (converts_pairs) {
                ASSERT_FALSE(high(next) && low(next + 1)) << "stopped before a valid pair at round " << round;
            }
        }
    }
}

// A table as CharmapTable builds one: each byte's UTF-8, or undefined.
std::vector<CharmapEntry> make_table(const std::vector<int32_t>& code_points) {
    std::vector<CharmapEntry> table(256);
    for (size_t b = 0; b < 256; ++b) {
        if (code_points[b] < 0) continue;
        std::string utf8;
        append_utf8(utf8, static_cast<uint32_t>(code_points[b]));
        std::copy(utf8.begin(), utf8.end(), table[b].bytes);
        table[b].length = static_cast<uint8_t>(utf8.size());
    }
    return table;
}

// ASCII as itself and a high half of one-, two- and three-byte characters
// with a few holes, as cp1252, half of those with a latin-1 tail (cp1252's
// is 0xA0..0xFF) from any 16-byte slice of the high half; or anything at all.
std::vector<int32_t> random_code_points(std::mt19937& rng) {
    std::vector<int32_t> cps(256);
    const bool like_cp1252 = rng() % 2;
    const int latin1_from = like_cp1252 && rng() % 2 ? 0x80 + 16 * static_cast<int>(rng() % 9) : 0x100;
    const unsigned holes = std::vector<unsigned>{0, 2, 10}[rng() % 3];
    for (int b = 0; b < 256; ++b) {
        if ((like_cp1252 && b < 0x80) || b >= latin1_from) {
            cps[b] = b;
        } else if (rng() % 100 < holes) {
            cps[b] = -1;
        } else {
            static const int32_t limits[] = {0x80, 0x800, 0x10000};
            cps[b] = static_cast<int32_t>(rng() % limits[rng() % 3]);
        }
    }
    return cps;
}

void check_charmap(Charmap* f, bool vector) {
    std::mt19937 rng(437);
    for (int table_round = 0; table_round < 100; ++table_round) {
        const std::vector<int32_t> cps = random_code_points(rng);
        const std::vector<CharmapEntry> table = make_table(cps);
        for (int round = 0; round < 200; ++round) {
            const unsigned high_percent = std::vector<unsigned>{0, 3, 20, 100}[rng() % 4];
            std::string s(pick_length(rng), '\0');
            for (auto& c : s) c = static_cast<char>(rng() % 100 < high_percent ? 0x80 + rng() % 128 : rng() % 128);
            const Placed in(s, rng() % 32);
            const size_t capacity = pick_capacity(rng, 3 * s.size() + rng() % 80);
            Output out(capacity);
            const Progress p = f(in.data, s.size(), table.data(), out.data(), capacity);
            ASSERT_LE(p.read, s.size()) << "table " << table_round;
            ASSERT_LE(p.written, capacity) << "table " << table_round;
            ASSERT_TRUE(out.guard_intact(capacity)) << "wrote past its room in table " << table_round;
            std::string want;
            for (size_t i = 0; i < p.read; ++i) {
                const int32_t cp = cps[static_cast<unsigned char>(s[i])];
                ASSERT_GE(cp, 0) << "read an undefined byte in table " << table_round;
                append_utf8(want, static_cast<uint32_t>(cp));
            }
            ASSERT_EQ(out.bytes.substr(0, p.written), want) << "table " << table_round << " round " << round;
            if (vector && s.size() - p.read >= 32 && capacity - p.written >= kMinRoom) {
                ASSERT_LT(cps[static_cast<unsigned char>(s[p.read])], 0)
                    << "stopped early in table " << table_round << ": read " << p.read << " of " << s.size();
            }
        }
    }
}

}  // namespace

// Universal newlines' translation by the book, and the kinds it met.
std::string translated(std::string_view s, unsigned& seen) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            seen |= pyio::transcode::kSeenCRLF;
            ++i;
        } else if (s[i] == '\r') {
            seen |= pyio::transcode::kSeenCR;
        } else if (s[i] == '\n') {
            seen |= pyio::transcode::kSeenLF;
        } else {
            out += s[i];
            continue;
        }
        out += '\n';
    }
    return out;
}

// In place: what it wrote is the translation of what it read, which ends
// with no "\r\n" cut in two, and the input after that is untouched.
void check_newlines(Newlines* f, bool vector) {
    std::mt19937 rng(1310);
    for (int round = 0; round < 20000; ++round) {
        // Newlines from rare (ordinary text) to most of the bytes, with runs
        // of "\r\n", "\r\r\n" and "\r\n\n" at every offset.
        const unsigned percent = std::vector<unsigned>{0, 1, 3, 10, 40, 90}[rng() % 6];
        const std::string pieces[] = {"\r", "\n", "\r\n", "\r\r\n", "\r\n\n"};
        std::string s;
        const size_t length = pick_length(rng);
        while (s.size() < length)
            s += rng() % 100 < percent ? pieces[rng() % 5] : std::string(1, static_cast<char>('a' + rng() % 26));
        const size_t shift = rng() % 64;
        Placed in(s, shift);
        char* p = reinterpret_cast<char*>(const_cast<unsigned char*>(in.data));
        unsigned seen = 0;
        const Progress done = f(p, s.size(), seen);
        ASSERT_LE(done.read, s.size());
        ASSERT_LE(done.written, done.read);
        ASSERT_FALSE(done.read > 0 && done.read < s.size() && s[done.read - 1] == '\r' && s[done.read] == '\n')
            << "cut a \"\\r\\n\" in two at " << done.read;
        unsigned want_seen = 0;
        ASSERT_EQ(std::string(p, done.written), translated(std::string_view(s).substr(0, done.read), want_seen))
            << "round " << round << ", read " << done.read;
        ASSERT_EQ(seen, want_seen) << "round " << round;
        ASSERT_EQ(std::string(p + done.read, s.size() - done.read), s.substr(done.read)) << "round " << round;
        if (vector) {
            ASSERT_LE(s.size() - done.read, 64u) << "stopped early: read " << done.read << " of " << s.size();
        }
    }
}

// The map of '\n's: one bit a byte, exactly the '\n's, the bits past the
// end clear and not a word written past (n + 63) / 64.
void check_newline_bits(NewlineBits* f, bool) {
    std::mt19937 rng(1010);
    for (int round = 0; round < 20000; ++round) {
        const unsigned percent = std::vector<unsigned>{0, 2, 20, 100}[rng() % 4];
        std::string s(pick_length(rng), 'a');
        for (char& c : s)
            if (rng() % 100 < percent) c = rng() % 2 ? '\n' : static_cast<char>(rng() % 256);
        Placed in(s, rng() % 64);
        const size_t words = (s.size() + 63) / 64;
        std::vector<uint64_t> bits(words + 1, 0xa5a5a5a5a5a5a5a5ull);
        f(reinterpret_cast<const char*>(in.data), s.size(), bits.data());
        for (size_t k = 0; k < 64 * words; ++k) {
            const bool want = k < s.size() && s[k] == '\n';
            ASSERT_EQ((bits[k / 64] >> (k % 64) & 1) != 0, want) << "byte " << k << " of " << s.size();
        }
        ASSERT_EQ(bits[words], 0xa5a5a5a5a5a5a5a5ull) << "wrote past the map, length " << s.size();
    }
}

// Each kernel that runs here, and the dispatching function anywhere (which
// does nothing without a vector unit).
template <class F, class Check>
void check_each(F* (*function)(const Variant&), Check check) {
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        F* f = function(v);
        ASSERT_NE(f, nullptr) << "libpyio.so has no " << v.name << " kernel";
        if (!v.runs_here && *v.ns) continue;
        check(f, v.runs_here);
        if (::testing::Test::HasFatalFailure()) return;
    }
}

TEST(TranscodeLatin1, WritesExactlyTheUtf8OfWhatItReads) { check_each(latin1, check_latin1); }

TEST(TranscodeUtf16, WritesExactlyTheUtf8OfWhatItReadsAndStopsOnlyAtSurrogates) {
    // The AVX2 kernel converts valid pairs (and so does the dispatching
    // function where it is the one chosen); the AVX-512 one stops at them.
    check_each(utf16, [](Utf16* f, bool vector) { check_utf16(f, vector, false); });
    if (has_avx2()) {
        check_utf16(utf16(Variant{"avx2", "4avx2", true}), true, true);
        if (!has_avx512()) check_utf16(utf16(Variant{"dispatched", "", true}), true, true);
    }
}

// A high surrogate that ends the input, followed in memory (not in the
// input) by a low one: a kernel that looked past its input would pair them.
TEST(TranscodeUtf16, AHighSurrogateEndingTheInputIsNotPairedWithWhatFollows) {
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        Utf16* f = utf16(v);
        ASSERT_NE(f, nullptr);
        if (!v.runs_here) continue;
        for (bool big : {false, true}) {
            std::string s;
            for (size_t k = 0; k < 18; ++k) {
                const uint16_t u = k < 15 ? 'a' : k == 15 ? 0xd83d : 0xde00;
                s += static_cast<char>(big ? u >> 8 : u & 0xff);
                s += static_cast<char>(big ? u & 0xff : u >> 8);
            }
            Output out(256);
            const Progress p = f(reinterpret_cast<const unsigned char*>(s.data()), 32, big, out.data(), 256);
            EXPECT_LE(p.read, 30u);
            EXPECT_EQ(out.bytes.substr(0, p.written), std::string(p.read / 2, 'a'));
        }
    }
}

TEST(TranscodeCharmap, WritesExactlyTheUtf8OfWhatItReadsAndStopsOnlyAtUndefinedBytes) {
    check_each(charmap, check_charmap);
}

// Every variant maps newlines, the dispatching one with memchr where there
// is no vector unit.
TEST(TranscodeNewlineBits, SetsExactlyTheBitsOfTheLineFeeds) { check_each(newline_bits, check_newline_bits); }

TEST(TranscodeNewlines, TranslatesInPlaceWhatItReadsAndRecordsTheKinds) { check_each(newlines, check_newlines); }

// The property tests accept a dispatching function that does nothing, as on
// a machine without AVX2; here, the vector path must have run where it can.
TEST(TranscodeDispatch, TheVectorKernelsRunOnAvx2Machines) {
    if (!has_avx2()) GTEST_SKIP() << "no AVX2: the kernels do nothing by design";
    const Variant dispatched = variants()[0];
    ASSERT_NE(latin1(dispatched), nullptr);
    ASSERT_NE(utf16(dispatched), nullptr);
    ASSERT_NE(charmap(dispatched), nullptr);
    const std::string text = "caf\xe9 na\xefve \xa9 2026, \xdf and \xff, all in latin-1, at least sixty-four bytes";
    ASSERT_GE(text.size(), 64u);
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    char out[1024];
    EXPECT_EQ(latin1(dispatched)(s, 64, out, sizeof out).read, 64u);
    const std::string utf16le("\x41\x00\xe9\x00\x16\x04\xe5\x65", 8);  // A, é, Ж, 日
    std::string units;
    for (int k = 0; k < 16; ++k) units += utf16le;
    const auto* u = reinterpret_cast<const unsigned char*>(units.data());
    EXPECT_EQ(utf16(dispatched)(u, units.size(), false, out, sizeof out).read, units.size());
    std::vector<int32_t> identity(256);
    for (int b = 0; b < 256; ++b) identity[b] = b;
    const std::vector<CharmapEntry> table = make_table(identity);
    EXPECT_EQ(charmap(dispatched)(s, 64, table.data(), out, sizeof out).read, 64u);
}
