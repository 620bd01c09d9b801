// The decoding tables of Python's stateless multibyte codecs (MultibyteTable in
// src/codec_iconv.cpp): a decoder with its table must behave exactly as the
// same decoder without it -- output, errors (kind, message, range) and
// getstate() after every call, whatever the input, the error handler and the
// way the input is cut into calls -- and the table must actually be used.
//
// The library exports only its C API, so this suite reaches the registry and
// the two test hooks through the library's symbol table, as the other codec
// suites do.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "library_symbols.h"
#include "../src/codecs.h"
#include "../src/error.h"

using namespace std::string_literals;
using H = pyio::ErrorHandler;

namespace {

using pyio_test::library_function;

const pyio::Codec& lookup_codec(std::string_view name) {
    static auto f = library_function<const pyio::Codec&(std::string_view)>(
        "_ZN4pyio12lookup_codecESt17basic_string_viewIcSt11char_traitsIcEE");
    return f(name);
}

std::unique_ptr<pyio::Codec> make_iconv_codec(std::string python, std::string_view iconv) {
    static auto f = library_function<std::unique_ptr<pyio::Codec>(std::string, std::string_view)>(
        "_ZN4pyio16make_iconv_codecENSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEESt17basic_string_"
        "viewIcS3_E");
    return f(std::move(python), iconv);
}

// The decoder the codec makes when it has no table: the reference.
std::unique_ptr<pyio::Decoder> decoder_without_table(const pyio::Codec& codec, H errors) {
    static auto f = library_function<std::unique_ptr<pyio::Decoder>(const pyio::Codec&, H)>(
        "_ZN4pyio27iconv_decoder_without_tableERKNS_5CodecENS_12ErrorHandlerE");
    return f(codec, errors);
}

uint64_t table_decoded_bytes() {
    static auto f = library_function<uint64_t() noexcept>("_ZN4pyio25iconv_table_decoded_bytesEv");
    return f();
}

const char* const kCodecs[] = {"shift_jis", "cp932",     "euc_jp",       "gb2312",       "gbk",
                               "gb18030",   "big5",      "cp950",        "euc_kr",       "cp949",
                               "johab",     "big5hkscs", "euc_jis_2004", "euc_jisx0213", "shift_jis_2004",
                               "shift_jisx0213"};

const H kHandlers[] = {H::Strict, H::Replace, H::Ignore, H::SurrogateEscape, H::BackslashReplace};

const char* handler_name(H errors) {
    switch (errors) {
    case H::Strict: return "strict";
    case H::Replace: return "replace";
    case H::Ignore: return "ignore";
    case H::SurrogateEscape: return "surrogateescape";
    case H::BackslashReplace: return "backslashreplace";
    default: return "other";
    }
}

std::string hex(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", c);
        out += buf;
    }
    return out;
}

// What one decode() call gave, and the state it left.
struct Outcome {
    std::string text;
    std::optional<pyio::ErrorInfo> error;
    pyio::DecoderState state;

    bool operator==(const Outcome& o) const {
        if (text != o.text || state != o.state || error.has_value() != o.error.has_value()) return false;
        if (!error) return true;
        return error->kind == o.error->kind && error->message == o.error->message &&
               error->start == o.error->start && error->end == o.error->end && error->reason == o.error->reason;
    }
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
    os << "text " << hex(o.text) << ", pending " << hex(o.state.pending) << " flags " << o.state.flags;
    if (o.error) os << ", error " << static_cast<int>(o.error->kind) << " \"" << o.error->message << "\"";
    return os;
}

Outcome decode_once(pyio::Decoder& d, std::string_view piece, bool final) {
    Outcome o;
    try {
        d.decode(piece, final, o.text);
    } catch (const pyio::Error& e) {
        o.error = e.info();
    }
    o.state = d.getstate();
    return o;
}

// Feeds `pieces` to both decoders (the last one final) and expects the same
// of every call.
void expect_same(const pyio::Codec& codec, H errors, const std::vector<std::string>& pieces) {
    auto fast = codec.decoder(errors);
    auto reference = decoder_without_table(codec, errors);
    for (size_t i = 0; i < pieces.size(); ++i) {
        const bool final = i + 1 == pieces.size();
        Outcome want = decode_once(*reference, pieces[i], final);
        Outcome got = decode_once(*fast, pieces[i], final);
        if (got == want) continue;
        std::string all;
        for (const auto& p : pieces) all += "[" + hex(p) + "]";
        ADD_FAILURE() << codec.name() << " errors=" << handler_name(errors) << " call " << i
                      << " of " << all << "\n  with table:    " << got << "\n  without table: " << want;
        return;
    }
}

// Byte sequences of the codec that decode on their own (found by asking the
// reference decoder), with a few longer forms besides: the material valid
// text is made of.
std::vector<std::string> valid_sequences(const pyio::Codec& codec, std::mt19937& rng) {
    auto reference = decoder_without_table(codec, H::Strict);
    auto decodes = [&](const std::string& s) {
        reference->reset();
        std::string out;
        try {
            reference->decode(s, true, out);
        } catch (const pyio::Error&) {
            return false;
        }
        return reference->getstate().pending.empty();
    };
    std::vector<std::string> found;
    for (int b = 0; b < 0x80; ++b) found.push_back(std::string(1, static_cast<char>(b)));
    std::uniform_int_distribution<int> byte(0, 255), high(0x80, 0xff), digit(0x30, 0x39);
    for (int i = 0; i < 6000; ++i) {
        std::string s;
        switch (i % 4) {
        case 0:
            s = {static_cast<char>(high(rng))};
            break;
        case 1:
        case 2:
            s = {static_cast<char>(high(rng)), static_cast<char>(byte(rng))};
            break;
        default:  // EUC-JP's three bytes and GB18030's four
            s = {static_cast<char>(0x8f), static_cast<char>(high(rng)), static_cast<char>(high(rng))};
            if (i % 8 == 3)
                s = {static_cast<char>(high(rng)), static_cast<char>(digit(rng)), static_cast<char>(high(rng)),
                     static_cast<char>(digit(rng))};
        }
        if (decodes(s)) found.push_back(s);
    }
    // Sequences that read further than their first two bytes (from python3).
    for (std::string s : {"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xa2"s, "\xa4\xd4\xa4\xa4\xa4\xc8\xa4\xb0"s, "\x95\x32\x90\x31"s,
                          "\x81\x30\x81\x30"s, "\x8f\xb0\xa1"s, "\x8f\xa2\xb7"s, "\x82\xf5"s, "\x88\x62"s, "\x98\x73"s,
                          "\xa4\xd4"s, "\xa2\xe8"s, "\x80"s, "\xa0"s, "\xfd"s, "\x5c"s, "\x7e"s})
        if (decodes(s)) found.push_back(s);
    return found;
}

// Mostly valid text, with now and then a random byte or a sequence cut short.
std::string random_input(const std::vector<std::string>& valid, std::mt19937& rng, size_t items) {
    std::uniform_int_distribution<size_t> pick(0, valid.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255), percent(0, 99);
    std::string s;
    for (size_t i = 0; i < items; ++i) {
        const int p = percent(rng);
        if (p < 3) {
            s += static_cast<char>(byte(rng));
        } else if (p < 5) {
            const std::string& v = valid[pick(rng)];
            s += v.substr(0, v.size() - 1);
        } else if (p < 25) {
            s += valid[pick(rng) % 0x80];  // ASCII, in runs as text has it
            while (percent(rng) < 85) s += valid[pick(rng) % 0x80];
        } else {
            s += valid[pick(rng)];
        }
    }
    return s;
}

// The input cut at random places, at most `longest` bytes apart.
std::vector<std::string> random_pieces(const std::string& input, std::mt19937& rng, size_t longest = 12) {
    std::vector<std::string> pieces;
    std::uniform_int_distribution<size_t> length(0, longest);
    for (size_t i = 0; i < input.size();) {
        const size_t n = std::min(length(rng), input.size() - i);
        pieces.push_back(input.substr(i, n));
        i += n;
    }
    pieces.push_back(std::string());
    return pieces;
}

TEST(MultibyteTable, DecodesAsTheDecoderWithoutItOnRandomInput) {
    std::mt19937 rng(20261207);
    for (const char* name : kCodecs) {
        const pyio::Codec& codec = lookup_codec(name);
        const std::vector<std::string> valid = valid_sequences(codec, rng);
        for (int round = 0; round < 60; ++round) {
            const std::string input = random_input(valid, rng, round < 20 ? 8 : 200);
            for (H errors : kHandlers) {
                expect_same(codec, errors, {input});
                expect_same(codec, errors, random_pieces(input, rng));
                if (::testing::Test::HasFailure()) return;
            }
        }
        // Long input, so that iconv's pieces between the table's runs grow.
        for (int round = 0; round < 3; ++round) {
            const std::string input = random_input(valid, rng, 20000);
            for (H errors : kHandlers) {
                expect_same(codec, errors, {input});
                expect_same(codec, errors, random_pieces(input, rng, 3000));
                if (::testing::Test::HasFailure()) return;
            }
        }
    }
}

TEST(MultibyteTable, LongStretchesTheTableDoesNotKnowDecodeAsWithoutIt) {
    // GB18030's four-byte forms (Thai here) are left to iconv, which then
    // takes ever larger pieces, until the table knows a long stretch again.
    std::mt19937 rng(3);
    const std::string thai[] = {"\x81\x32\xce\x39", "\x81\x32\xcf\x30", "\x81\x32\xcf\x31"};
    const std::string chinese[] = {"\xd6\xd0", "\xce\xc4", "\xa8\xa6", " ", "a"};
    std::uniform_int_distribution<int> percent(0, 99), stretch(1, 3000);
    std::string input;
    for (int part = 0; part < 40; ++part) {
        const int n = stretch(rng);
        const bool known = part % 2 == 1;
        for (int i = 0; i < n; ++i) {
            input += known ? chinese[percent(rng) % 5] : thai[percent(rng) % 3];
            if (percent(rng) == 0) input += "\xff";
            if (percent(rng) == 0) input += "\x81\x32";
        }
    }
    const pyio::Codec& codec = lookup_codec("gb18030");
    for (H errors : kHandlers) {
        expect_same(codec, errors, {input});
        expect_same(codec, errors, random_pieces(input, rng, 5000));
        expect_same(codec, errors, random_pieces(input, rng, 200));
    }
}

TEST(MultibyteTable, DecodesEveryTwoByteSequenceAsTheDecoderWithoutIt) {
    // Each sequence alone, then amid ASCII, then after a lead byte that
    // takes its first byte as trail.
    for (const char* name : kCodecs) {
        const pyio::Codec& codec = lookup_codec(name);
        for (int lead = 0x80; lead < 0x100; ++lead) {
            std::string run;
            for (int trail = 0; trail < 0x100; ++trail) {
                const std::string seq = {static_cast<char>(lead), static_cast<char>(trail)};
                run += seq;
                if (trail % 7 == 0) run += "a";
            }
            expect_same(codec, H::Replace, {run});
            expect_same(codec, H::Strict, {run});
            expect_same(codec, H::SurrogateEscape, {"\x81"s + run});
            expect_same(codec, H::BackslashReplace, {run.substr(0, 101), run.substr(101, 200), run.substr(301)});
            if (::testing::Test::HasFailure()) return;
        }
    }
}

TEST(MultibyteTable, SequenceSplitAtEveryPlaceKeepsItsPendingBytes) {
    for (const char* name : kCodecs) {
        const pyio::Codec& codec = lookup_codec(name);
        std::mt19937 rng(7);
        const std::string input = random_input(valid_sequences(codec, rng), rng, 40);
        for (size_t cut = 0; cut <= input.size(); ++cut)
            for (H errors : {H::Strict, H::Replace})
                expect_same(codec, errors, {input.substr(0, cut), input.substr(cut), ""});
        if (::testing::Test::HasFailure()) return;
    }
}

TEST(MultibyteTable, IsUsedForValidText) {
    // Japanese text in Shift_JIS: every byte of it comes from the table.
    std::string sjis;
    for (int i = 0; i < 1000; ++i) sjis += "\x93\xfa\x96\x7b\x8c\xea text \x82\xa0\x83\x41\xb1 \\~\n";
    const pyio::Codec& codec = lookup_codec("shift_jis");
    const uint64_t before = table_decoded_bytes();
    std::string text;
    codec.decoder(H::Strict)->decode(sjis, true, text);
    EXPECT_EQ(table_decoded_bytes() - before, sjis.size());

    const uint64_t between = table_decoded_bytes();
    std::string reference;
    decoder_without_table(codec, H::Strict)->decode(sjis, true, reference);
    EXPECT_EQ(table_decoded_bytes(), between) << "the reference decoder must not use the table";
    EXPECT_EQ(text, reference);
    const std::string line = "\u65e5\u672c\u8a9e text \u3042\u30a2\uff71 \\~\n";
    EXPECT_EQ(text.substr(0, line.size()), line);
}

TEST(MultibyteTable, IsUsedAgainAfterAnError) {
    // An error hands a few bytes to iconv; the rest is the table's again.
    std::string sjis = "\x93\xfa\xff";
    for (int i = 0; i < 1000; ++i) sjis += "\x93\xfa\x96\x7b";
    const uint64_t before = table_decoded_bytes();
    std::string text;
    lookup_codec("shift_jis").decoder(H::Replace)->decode(sjis, true, text);
    EXPECT_GT(table_decoded_bytes() - before, sjis.size() - 32);
    EXPECT_EQ(text.substr(0, 9), "\u65e5\ufffd\u65e5");
}

TEST(MultibyteTable, IsUsedByEveryStatelessMultibyteCodec) {
    for (const char* name : kCodecs) {
        const uint64_t before = table_decoded_bytes();
        std::string text;
        lookup_codec(name).decoder(H::Strict)->decode("plain ASCII text", true, text);
        EXPECT_EQ(table_decoded_bytes() - before, 16u) << name;
    }
}

TEST(MultibyteTable, IsBuiltQuickly) {
    // Made from fresh codecs, so each table is built here.
    for (const auto& [python, iconv] : {std::pair{"shift_jis", "SHIFT_JIS"}, {"gbk", "GBK"}, {"big5", "BIG5"},
                                        {"euc_kr", "EUC-KR"}, {"cp949", "CP949"}}) {
        auto codec = make_iconv_codec(python, iconv);
        ASSERT_TRUE(codec) << python;
        const auto start = std::chrono::steady_clock::now();
        codec->decoder(H::Strict);
        const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
        RecordProperty(std::string(python) + "_table_ms", std::to_string(took.count()));
        std::printf("%s: table built in %.1f ms\n", python, took.count());
        EXPECT_LT(took.count(), 2000.0) << python;  // milliseconds normally; only a sign of a gross mistake
    }
}

}  // namespace
