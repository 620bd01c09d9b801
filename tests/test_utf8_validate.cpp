// utf8::valid_prefix (src/utf8_validate.h), the vector check behind the
// UTF-8 decoder, against a plain reference validator: what it passes must be
// valid, complete UTF-8 -- whatever the input, wherever the 32-byte blocks
// fall -- and on valid input it must pass all but the last block.  And
// utf8::count_blocks, the vector character count, against a plain count.
// Reached through the library's symbol table, as the codec suites reach
// internals.

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::string_literals;

#include "library_symbols.h"
#include <gtest/gtest.h>

namespace {

using ValidPrefix = size_t(const unsigned char*, size_t) noexcept;

ValidPrefix* function_named(const char* mangled) {
    static const auto functions = pyio_test::library_functions(SHT_SYMTAB);
    auto it = functions.find(mangled);
    return it == functions.end() ? nullptr : reinterpret_cast<ValidPrefix*>(it->second);
}

ValidPrefix* valid_prefix() { return function_named("_ZN4pyio4utf812valid_prefixEPKhm"); }

// The function the decoder calls, which chooses at run time, and each
// kernel it chooses between that this machine can run.
struct Variant {
    const char* name;
    ValidPrefix* f;
};

std::vector<Variant> variants() {
    std::vector<Variant> v{{"dispatched", valid_prefix()}};
    if (__builtin_cpu_supports("avx2")) v.push_back({"avx2", function_named("_ZN4pyio4utf84avx212valid_prefixEPKhm")});
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vbmi"))
        v.push_back({"avx512", function_named("_ZN4pyio4utf86avx51212valid_prefixEPKhm")});
    return v;
}

using CountBlocks = size_t(const unsigned char*, size_t, size_t*) noexcept;

CountBlocks* count_blocks() {
    static const auto functions = pyio_test::library_functions(SHT_SYMTAB);
    auto it = functions.find("_ZN4pyio4utf812count_blocksEPKhmPm");
    return it == functions.end() ? nullptr : reinterpret_cast<CountBlocks*>(it->second);
}

// The length of the longest valid, complete UTF-8 prefix (Unicode's
// definition: no surrogates, no overlong forms, at most U+10FFFF).
size_t reference(const std::string& s) {
    size_t i = 0;
    auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    while (i < s.size()) {
        unsigned char c = at(i);
        size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return i;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
        if (len > 1 && (at(i + 1) < lo || at(i + 1) > hi)) return i;
        for (size_t k = 2; k < len; ++k)
            if ((at(i + k) & 0xc0) != 0x80) return i;
        i += len;
    }
    return i;
}

std::string random_text(std::mt19937& rng, size_t chars) {
    static const char* pieces[] = {"a", "Z", " ", "\n", "\xc3\xa9", "\xd0\x96", "\xe6\x97\xa5", "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80", "\xef\xbf\xbd", "\xed\x9f\xbf", "\xee\x80\x80",
                                   "\xf4\x8f\xbf\xbf", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80"};
    std::string s;
    for (size_t i = 0; i < chars; ++i) s += pieces[rng() % (sizeof pieces / sizeof *pieces)];
    return s;
}

}  // namespace

TEST(Utf8ValidPrefix, PassesOnlyValidCompleteUtf8AndMostOfIt) {
    // Each spoiling puts bytes that break UTF-8 in some way somewhere.
    static const std::string spoilers[] = {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf",
                                           "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",
                                           "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe6\x97", "\xf0\x9f\x98",
                                           "\xe6" "a", "\xf0\x9f" "a"};
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        ASSERT_NE(v.f, nullptr) << "libpyio.so lacks the " << v.name << " valid_prefix";
        std::mt19937 rng(20261207);
        for (int round = 0; round < 20000; ++round) {
            // Mostly short texts, some across several 64-byte blocks.
            std::string s = random_text(rng, round % 4 ? rng() % 80 : rng() % 300);
            if (round % 3) {
                const std::string& bad = spoilers[rng() % (sizeof spoilers / sizeof *spoilers)];
                s.insert(rng() % (s.size() + 1), bad);
            }
            if (round % 5 == 0) s = std::string(rng() % 70, 'x') + s;  // shift the blocks
            const size_t want = reference(s);
            const size_t got = v.f(reinterpret_cast<const unsigned char*>(s.data()), s.size());
            ASSERT_LE(got, want) << "passed invalid input at round " << round;
            ASSERT_EQ(reference(s.substr(0, got)), got) << "ended inside a character at round " << round;
            // Valid input passes whole.
            if (want == s.size()) {
                ASSERT_EQ(got, s.size()) << "round " << round;
            }
        }
    }
}

TEST(Utf8ValidPrefix, ACharacterCutAtTheEndIsLeftOut) {
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        ASSERT_NE(v.f, nullptr);
        for (std::string s : {"short\xe6\x97"s, std::string(40, 'x') + "\xf0\x9f\x98", "\xc3"s,
                              std::string(63, 'x') + "\xe6\x97", std::string(64, 'x') + "\xf0\x9f\x98"}) {
            size_t got = v.f(reinterpret_cast<const unsigned char*>(s.data()), s.size());
            EXPECT_LE(got, s.find_last_of("\xc3\xe6\xf0"));
        }
    }
}

TEST(Utf8ValidPrefix, AVectorKernelRunsWhereTheMachineHasOne) {
    // Valid text of many blocks passes whole: a kernel that stopped being
    // chosen (0: "nothing checked") or stopped early fails here.
    std::mt19937 rng(5);
    const std::string s = random_text(rng, 2000);
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        ASSERT_NE(v.f, nullptr);
        if (!__builtin_cpu_supports("avx2")) continue;
        EXPECT_EQ(v.f(reinterpret_cast<const unsigned char*>(s.data()), s.size()), s.size());
    }
}

// The dispatched count and each kernel this machine can run, with how far
// each counts: all of it (AVX-512), or whole 32-byte blocks (AVX2).
struct CountVariant {
    const char* name;
    CountBlocks* f;
    bool counts_the_tail;
};

std::vector<CountVariant> count_variants() {
    static const auto functions = pyio_test::library_functions(SHT_SYMTAB);
    auto named = [&](const char* symbol) {
        auto it = functions.find(symbol);
        return it == functions.end() ? nullptr : reinterpret_cast<CountBlocks*>(it->second);
    };
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vbmi");
    std::vector<CountVariant> v{{"dispatched", count_blocks(), avx512}};
    if (__builtin_cpu_supports("avx2")) v.push_back({"avx2", named("_ZN4pyio4utf84avx212count_blocksEPKhmPm"), false});
    if (avx512) v.push_back({"avx512", named("_ZN4pyio4utf86avx51212count_blocksEPKhmPm"), true});
    return v;
}

// Any bytes at all (count_blocks does not need valid UTF-8), at every
// alignment, across the AVX2 kernel's 255-block tally limit.
TEST(Utf8CountBlocks, CountsTheBytesThatAreNotContinuations) {
    std::mt19937 rng(7);
    std::string buf(32 * 600 + 64, '\0');
    for (auto& c : buf) c = static_cast<char>(rng());
    buf.replace(100, 32 * 300, std::string(32 * 300, '\x80'));  // a long run of continuations
    for (const CountVariant& v : count_variants()) {
        SCOPED_TRACE(v.name);
        ASSERT_NE(v.f, nullptr);
        bool vector_ran = false;
        for (size_t n : {0, 1, 31, 32, 33, 63, 64, 65, 100, 127, 32 * 255, 32 * 255 + 32, 32 * 256 + 5, 32 * 600}) {
            for (size_t offset : {0, 1, 7, 31}) {
                const auto* s = reinterpret_cast<const unsigned char*>(buf.data() + offset);
                size_t done = 12345;
                size_t got = v.f(s, n, &done);
                ASSERT_LE(done, n);
                size_t want = 0;
                for (size_t i = 0; i < done; ++i) want += (s[i] & 0xc0) != 0x80;
                EXPECT_EQ(got, want) << "n=" << n << " offset=" << offset;
                if (v.counts_the_tail) {
                    EXPECT_EQ(done, n) << "n=" << n;
                } else if (__builtin_cpu_supports("avx2")) {
                    EXPECT_EQ(done, n / 32 * 32) << "n=" << n;
                } else {
                    EXPECT_EQ(done, 0u) << "n=" << n;
                }
                vector_ran = vector_ran || done > 0;
            }
        }
        if (__builtin_cpu_supports("avx2")) {
            EXPECT_TRUE(vector_ran);
        }
    }
}

TEST(Utf8ValidPrefix, ALeadEndingABlockBeforeAnAsciiBlockIsNotPassed) {
    // The kernels skip the checks of an all-ASCII block but for a lead in
    // the previous block's last three bytes: every lead (C0 and C1 are never
    // valid) at each of those places, at both block widths and before the
    // AVX-512 kernel's all-ASCII steps of four blocks.
    for (const Variant& v : variants()) {
        SCOPED_TRACE(v.name);
        ASSERT_NE(v.f, nullptr);
        for (int lead = 0xc0; lead <= 0xff; ++lead) {
            for (size_t at : {29, 30, 31, 61, 62, 63, 125, 126, 127, 253, 254, 255, 509, 510, 511}) {
                std::string s(at, 'x');
                s += static_cast<char>(lead);
                s += std::string(600, 'y');
                size_t got = v.f(reinterpret_cast<const unsigned char*>(s.data()), s.size());
                EXPECT_LE(got, at) << "lead " << lead << " at " << at;
            }
        }
    }
}

// utf8::valid_count, which checks and counts a line written through the text
// layer in one pass: the count of exactly the valid, complete UTF-8 texts,
// kNotValid (SIZE_MAX) for every other; it may decline valid text only at 33 and 34
// bytes (too short for its last block in place) or without AVX2.  Texts sit
// at the end and at the start of a page whose neighbour is inaccessible,
// among bytes that would spoil them, since the kernel reads past the text
// (never past its pages) and masks what it read.
namespace {

using ValidCount = size_t(const unsigned char*, size_t) noexcept;
constexpr size_t kNotValid = SIZE_MAX;

std::vector<std::pair<const char*, ValidCount*>> valid_count_variants() {
    static const auto functions = pyio_test::library_functions(SHT_SYMTAB);
    auto named = [&](const char* symbol) {
        auto it = functions.find(symbol);
        return it == functions.end() ? nullptr : reinterpret_cast<ValidCount*>(it->second);
    };
    std::vector<std::pair<const char*, ValidCount*>> v{{"dispatched", named("_ZN4pyio4utf811valid_countEPKhm")}};
    if (__builtin_cpu_supports("avx2")) v.push_back({"avx2", named("_ZN4pyio4utf84avx211valid_countEPKhm")});
    return v;
}

// Three pages, the first and last inaccessible.
struct GuardedPage {
    char* page;
    GuardedPage() {
        const long size = sysconf(_SC_PAGESIZE);
        void* p = mmap(nullptr, 3 * size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::runtime_error("mmap");
        page = static_cast<char*>(p) + size;
        mprotect(page - size, size, PROT_NONE);
        mprotect(page + size, size, PROT_NONE);
    }
    ~GuardedPage() {
        const long size = sysconf(_SC_PAGESIZE);
        munmap(page - size, 3 * size);
    }
};

}  // namespace

TEST(Utf8ValidCount, CountsExactlyTheValidTextsWhereverTheyLie) {
    static const std::string spoilers[] = {"\x80", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                           "\xff", "\xc3", "\xe6\x97", "\xf0\x9f\x98", "\xe6" "a"};
    const long page_size = sysconf(_SC_PAGESIZE);
    GuardedPage guarded;
    for (const auto& [name, f] : valid_count_variants()) {
        SCOPED_TRACE(name);
        ASSERT_NE(f, nullptr) << "libpyio.so lacks the " << name << " valid_count";
        std::mt19937 rng(20261208);
        size_t counted = 0;
        for (int round = 0; round < 40000; ++round) {
            std::string s = random_text(rng, round % 4 ? rng() % 40 : rng() % 120);
            if (round % 2 == 0) {
                const std::string& bad = spoilers[rng() % (sizeof spoilers / sizeof *spoilers)];
                s.insert(rng() % (s.size() + 1), bad);
            }
            if (s.size() > 200) s.resize(200);  // may cut a character: then invalid
            // At the page's start, at its end, or anywhere.
            const unsigned place = rng() % 3;
            const size_t where = place == 0 ? 0 : place == 1 ? page_size - s.size() : rng() % (page_size - s.size() + 1);
            // Around the text: continuations and leads, which would make
            // valid text invalid (or the count wrong) if the kernel kept them.
            for (size_t i = where > 32 ? where - 32 : 0; i < std::min<size_t>(page_size, where + s.size() + 32); ++i)
                guarded.page[i] = static_cast<char>(i % 2 ? 0x80 + rng() % 64 : 0xc2 + rng() % 50);
            std::copy(s.begin(), s.end(), guarded.page + where);
            const auto* text = reinterpret_cast<const unsigned char*>(guarded.page + where);
            const size_t got = f(text, s.size());
            if (reference(s) != s.size()) {
                ASSERT_EQ(got, kNotValid) << "counted invalid text at round " << round;
                continue;
            }
            size_t want = 0;
            for (char c : s) want += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
            if (got != kNotValid) {
                ASSERT_EQ(got, want) << "round " << round;
                ++counted;
            } else {
                ASSERT_TRUE(!__builtin_cpu_supports("avx2") || s.size() == 33 || s.size() == 34)
                    << "declined valid text of " << s.size() << " bytes at round " << round;
            }
        }
        if (__builtin_cpu_supports("avx2")) {
            EXPECT_GT(counted, 10000u);
        }
    }
}
