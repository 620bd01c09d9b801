// BytesIO through the C API.  The expected values are what CPython's
// io.BytesIO does for the same calls.

#include <pyio/pyio.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "helpers.h"

using pyio_test::Owned;
using pyio_test::read_str;
using pyio_test::readline_str;
using pyio_test::Stream;
using pyio_test::write_str;

namespace {

Stream bytesio(const std::string& initial = "") {
    return Stream(pyio_bytesio_new(initial.data(), static_cast<int64_t>(initial.size())));
}

// getvalue() as a std::string; "<error>" if it fails.
std::string value(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_getvalue(s, &out);
    Owned owned(out);
    if (n < 0) return "<error>";
    return std::string(out, static_cast<size_t>(n));
}

// readlines(hint) as strings; a single "<error>" entry if it fails.
std::vector<std::string> readlines(pyio_stream* s, int64_t hint) {
    pyio_slice* lines = nullptr;
    int64_t n = pyio_readlines(s, hint, &lines);
    Owned owned(reinterpret_cast<char*>(lines));
    if (n < 0) return {"<error>"};
    std::vector<std::string> result;
    for (int64_t i = 0; i < n; ++i)
        result.emplace_back(lines[i].data, static_cast<size_t>(lines[i].size));
    return result;
}

using Lines = std::vector<std::string>;

// AddressSanitizer's operator new aborts the process on an impossible
// allocation instead of throwing std::bad_alloc (allocator_may_return_null
// does not change that for the throwing new), so MemoryError cannot be
// observed in a sanitizer build.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

}  // namespace

// ---- construction ----

TEST(BytesIO, StartsWithInitialBytesAtPositionZero) {
    Stream s = bytesio("hello");
    ASSERT_TRUE(s);
    EXPECT_EQ(pyio_tell(s.get()), 0);
    EXPECT_EQ(value(s.get()), "hello");
}

TEST(BytesIO, InitialBytesAreCopied) {
    std::string initial = "hello";
    Stream s = bytesio(initial);
    initial[0] = 'J';
    EXPECT_EQ(value(s.get()), "hello");
}

TEST(BytesIO, InitialBytesMayContainNul) {
    Stream s = bytesio(std::string("a\0b", 3));
    EXPECT_EQ(value(s.get()), std::string("a\0b", 3));
}

TEST(BytesIO, NullInitialWithSizeZeroIsEmpty) {
    Stream s(pyio_bytesio_new(nullptr, 0));
    ASSERT_TRUE(s);
    EXPECT_EQ(value(s.get()), "");
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, NullInitialWithPositiveSizeIsTypeError) {
    Stream s(pyio_bytesio_new(nullptr, 3));
    EXPECT_FALSE(s);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(BytesIO, NegativeInitialSizeIsValueError) {
    Stream s(pyio_bytesio_new("abc", -1));
    EXPECT_FALSE(s);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
}

// ---- read, read1 ----

TEST(BytesIO, ReadReturnsAtMostSizeBytesAndAdvances) {
    Stream s = bytesio("abcdef");
    EXPECT_EQ(read_str(s.get(), 2), "ab");
    EXPECT_EQ(pyio_tell(s.get()), 2);
    EXPECT_EQ(read_str(s.get(), 3), "cde");
    EXPECT_EQ(pyio_tell(s.get()), 5);
}

TEST(BytesIO, ReadMoreThanAvailableReturnsTheRest) {
    Stream s = bytesio("abc");
    EXPECT_EQ(read_str(s.get(), 100), "abc");
    EXPECT_EQ(pyio_tell(s.get()), 3);
}

TEST(BytesIO, ReadNegativeReadsToEnd) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(read_str(s.get(), -1), "cdef");
    EXPECT_EQ(pyio_tell(s.get()), 6);
}

TEST(BytesIO, ReadNoneReadsToEnd) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_SET), 1);
    EXPECT_EQ(read_str(s.get(), PYIO_NONE), "bcdef");
}

TEST(BytesIO, ReadZeroReturnsEmptyAndDoesNotMove) {
    Stream s = bytesio("abc");
    char* out = nullptr;
    EXPECT_EQ(pyio_read(s.get(), 0, &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, ReadAtEofReturnsEmptyNulTerminatedString) {
    Stream s = bytesio("abc");
    ASSERT_EQ(read_str(s.get()), "abc");
    char* out = nullptr;
    EXPECT_EQ(pyio_read(s.get(), 10, &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
}

TEST(BytesIO, ReadPastEndReturnsEmptyAndKeepsPosition) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 10, PYIO_SEEK_SET), 10);
    EXPECT_EQ(read_str(s.get(), 5), "");
    EXPECT_EQ(read_str(s.get(), -1), "");
    EXPECT_EQ(pyio_tell(s.get()), 10);
}

TEST(BytesIO, ReadResultIsNulTerminatedAndMayContainNul) {
    Stream s = bytesio(std::string("a\0b", 3));
    char* out = nullptr;
    ASSERT_EQ(pyio_read(s.get(), -1, &out), 3);
    Owned owned(out);
    EXPECT_EQ(std::string(out, 3), std::string("a\0b", 3));
    EXPECT_EQ(out[3], '\0');
}

TEST(BytesIO, EmptyStreamReadsEmpty) {
    Stream s(pyio_bytesio_new(nullptr, 0));
    EXPECT_EQ(read_str(s.get()), "");
    EXPECT_EQ(read_str(s.get(), 4), "");
}

TEST(BytesIO, Read1BehavesLikeRead) {
    Stream s = bytesio("abcdef");
    char* out = nullptr;
    ASSERT_EQ(pyio_read1(s.get(), 2, &out), 2);
    Owned first(out);
    EXPECT_EQ(std::string(out, 2), "ab");
    ASSERT_EQ(pyio_read1(s.get(), -1, &out), 4);
    Owned rest(out);
    EXPECT_EQ(std::string(out, 4), "cdef");
    ASSERT_EQ(pyio_read1(s.get(), PYIO_NONE, &out), 0);
    Owned eof(out);
}

// ---- readinto, readinto1 ----

TEST(BytesIO, ReadintoFillsTheBufferAndAdvances) {
    Stream s = bytesio("abcdef");
    char buf[4];
    ASSERT_EQ(pyio_readinto(s.get(), buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "abcd");
    EXPECT_EQ(pyio_tell(s.get()), 4);
}

TEST(BytesIO, ReadintoIsShortAtEndAndLeavesTheRestOfTheBuffer) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 4, PYIO_SEEK_SET), 4);
    char buf[5] = {'x', 'x', 'x', 'x', 'x'};
    ASSERT_EQ(pyio_readinto(s.get(), buf, sizeof buf), 2);
    EXPECT_EQ(std::string(buf, 5), "efxxx");
    EXPECT_EQ(pyio_readinto(s.get(), buf, sizeof buf), 0);
}

TEST(BytesIO, ReadintoOfZeroBytesReturnsZero) {
    Stream s = bytesio("abc");
    char buf[1];
    EXPECT_EQ(pyio_readinto(s.get(), buf, 0), 0);
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, Readinto1IsShortAtEnd) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_SET), 1);
    char buf[5] = {};
    ASSERT_EQ(pyio_readinto1(s.get(), buf, sizeof buf), 2);
    EXPECT_EQ(std::string(buf, 2), "bc");
    EXPECT_EQ(pyio_readinto1(s.get(), buf, sizeof buf), 0);
}

// ---- readline ----

TEST(BytesIO, ReadlineStopsAfterTheNewline) {
    Stream s = bytesio("ab\ncd\n");
    EXPECT_EQ(readline_str(s.get()), "ab\n");
    EXPECT_EQ(pyio_tell(s.get()), 3);
    EXPECT_EQ(readline_str(s.get()), "cd\n");
    EXPECT_EQ(readline_str(s.get()), "");
}

TEST(BytesIO, ReadlineWithoutTrailingNewlineReturnsTheRest) {
    Stream s = bytesio("ab\ncd");
    ASSERT_EQ(readline_str(s.get()), "ab\n");
    EXPECT_EQ(readline_str(s.get()), "cd");
    EXPECT_EQ(readline_str(s.get()), "");
}

TEST(BytesIO, ReadlineAtEofReturnsEmptyNulTerminatedString) {
    Stream s = bytesio("");
    char* out = nullptr;
    EXPECT_EQ(pyio_readline(s.get(), -1, &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
}

TEST(BytesIO, ReadlineLimitCutsTheLine) {
    // io.BytesIO(b"abc\ndef"): readline(2) == b"ab", then b"c\n".
    Stream s = bytesio("abc\ndef");
    EXPECT_EQ(readline_str(s.get(), 2), "ab");
    EXPECT_EQ(readline_str(s.get(), 2), "c\n");
    EXPECT_EQ(readline_str(s.get(), 100), "def");
}

TEST(BytesIO, ReadlineLimitZeroReturnsEmptyAndDoesNotMove) {
    Stream s = bytesio("abc\n");
    EXPECT_EQ(readline_str(s.get(), 0), "");
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, ReadlineNegativeLimitMeansNoLimit) {
    Stream s = bytesio("abc\ndef\n");
    EXPECT_EQ(readline_str(s.get(), -5), "abc\n");
    EXPECT_EQ(readline_str(s.get(), PYIO_NONE), "def\n");
}

TEST(BytesIO, ReadlinePastEndReturnsEmpty) {
    Stream s = bytesio("abc\n");
    ASSERT_EQ(pyio_seek(s.get(), 10, PYIO_SEEK_SET), 10);
    EXPECT_EQ(readline_str(s.get()), "");
}

// ---- readlines ----

TEST(BytesIO, ReadlinesReadsEveryLine) {
    Stream s = bytesio("a\nbb\nccc");
    EXPECT_EQ(readlines(s.get(), -1), (Lines{"a\n", "bb\n", "ccc"}));
    EXPECT_EQ(pyio_tell(s.get()), 8);
}

TEST(BytesIO, ReadlinesHintZeroOrNoneMeansNoLimit) {
    Stream s = bytesio("a\nbb\nccc\n");
    EXPECT_EQ(readlines(s.get(), 0), (Lines{"a\n", "bb\n", "ccc\n"}));
    ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(readlines(s.get(), PYIO_NONE), (Lines{"a\n", "bb\n", "ccc\n"}));
}

TEST(BytesIO, ReadlinesHintOneReturnsOneLine) {
    Stream s = bytesio("a\nbb\nccc\n");
    EXPECT_EQ(readlines(s.get(), 1), (Lines{"a\n"}));
    EXPECT_EQ(pyio_tell(s.get()), 2);
}

TEST(BytesIO, ReadlinesStopsOnceTheTotalReachesTheHint) {
    // io.BytesIO(b"a\nbb\nccc\n").readlines(h): h=2 -> 1 line (2 >= 2),
    // h=3 and h=5 -> 2 lines (2 < h <= 5), h=6 -> 3 lines.
    Stream s = bytesio("a\nbb\nccc\n");
    const std::pair<int64_t, size_t> cases[] = {{2, 1}, {3, 2}, {5, 2}, {6, 3}};
    for (auto [hint, lines] : cases) {
        SCOPED_TRACE("hint " + std::to_string(hint));
        ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
        EXPECT_EQ(readlines(s.get(), hint).size(), lines);
    }
}

TEST(BytesIO, ReadlinesAtEofReturnsNoLines) {
    Stream s = bytesio("a\n");
    ASSERT_EQ(read_str(s.get()), "a\n");
    pyio_slice* lines = nullptr;
    EXPECT_EQ(pyio_readlines(s.get(), -1, &lines), 0);
    pyio_free(lines);
}

TEST(BytesIO, ReadlinesResultIsOneAllocationHoldingNulTerminatedLines) {
    Stream s = bytesio(std::string("a\n\0b\nccc", 8));
    pyio_slice* lines = nullptr;
    ASSERT_EQ(pyio_readlines(s.get(), -1, &lines), 3);
    ASSERT_NE(lines, nullptr);
    // The data lies in the same block, after the slice array.
    // (The sanitizer build's leak check confirms that one pyio_free is all.)
    const char* array_end = reinterpret_cast<const char*>(lines + 3);
    for (int i = 0; i < 3; ++i) {
        SCOPED_TRACE("line " + std::to_string(i));
        EXPECT_GE(lines[i].data, array_end);
        EXPECT_EQ(lines[i].data[lines[i].size], '\0');
    }
    EXPECT_EQ(std::string(lines[1].data, static_cast<size_t>(lines[1].size)),
              std::string("\0b\n", 3));
    EXPECT_EQ(std::string(lines[2].data, static_cast<size_t>(lines[2].size)), "ccc");
    pyio_free(lines);  // once, for everything
}

// ---- write, writelines ----

TEST(BytesIO, WriteAppendsAndReturnsTheCount) {
    Stream s = bytesio();
    EXPECT_EQ(write_str(s.get(), "abc"), 3);
    EXPECT_EQ(write_str(s.get(), "de"), 2);
    EXPECT_EQ(pyio_tell(s.get()), 5);
    EXPECT_EQ(value(s.get()), "abcde");
}

TEST(BytesIO, WriteAtPositionOverwritesInTheMiddle) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(write_str(s.get(), "XY"), 2);
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(value(s.get()), "abXYef");
}

TEST(BytesIO, WriteOverlappingTheEndExtends) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 4, PYIO_SEEK_SET), 4);
    EXPECT_EQ(write_str(s.get(), "XYZ"), 3);
    EXPECT_EQ(value(s.get()), "abcdXYZ");
}

TEST(BytesIO, WritePastTheEndZeroFillsTheGap) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 5, PYIO_SEEK_SET), 5);
    EXPECT_EQ(write_str(s.get(), "x"), 1);
    EXPECT_EQ(value(s.get()), std::string("abc\0\0x", 6));
    EXPECT_EQ(pyio_tell(s.get()), 6);
}

TEST(BytesIO, EmptyWritePastTheEndDoesNotExtend) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 10, PYIO_SEEK_SET), 10);
    EXPECT_EQ(write_str(s.get(), ""), 0);
    EXPECT_EQ(value(s.get()), "abc");
    EXPECT_EQ(pyio_tell(s.get()), 10);
}

TEST(BytesIO, WritelinesWritesEachSliceInOrder) {
    Stream s = bytesio("0123456789");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    const pyio_slice lines[] = {{"ab", 2}, {"", 0}, {"c\n", 2}};
    EXPECT_EQ(pyio_writelines(s.get(), lines, 3), 0);
    EXPECT_EQ(value(s.get()), "01abc\n6789");
    EXPECT_EQ(pyio_tell(s.get()), 6);
}

TEST(BytesIO, WritelinesOfNothingSucceeds) {
    Stream s = bytesio("abc");
    const pyio_slice none[1] = {};
    EXPECT_EQ(pyio_writelines(s.get(), none, 0), 0);
    EXPECT_EQ(value(s.get()), "abc");
}

// ---- seek, tell ----

TEST(BytesIO, SeekSetMovesToTheOffset) {
    Stream s = bytesio("abcdef");
    EXPECT_EQ(pyio_seek(s.get(), 4, PYIO_SEEK_SET), 4);
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(read_str(s.get()), "ef");
}

TEST(BytesIO, SeekCurMovesRelativeToThePosition) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(pyio_seek(s.get(), 3, PYIO_SEEK_CUR), 5);
    EXPECT_EQ(pyio_seek(s.get(), -1, PYIO_SEEK_CUR), 4);
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_CUR), 4);
}

TEST(BytesIO, SeekEndMovesRelativeToTheEnd) {
    Stream s = bytesio("abcdef");
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_END), 6);
    EXPECT_EQ(pyio_seek(s.get(), -2, PYIO_SEEK_END), 4);
    EXPECT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_END), 8);
}

TEST(BytesIO, RelativeSeeksClampAtZero) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 3, PYIO_SEEK_SET), 3);
    EXPECT_EQ(pyio_seek(s.get(), -100, PYIO_SEEK_CUR), 0);
    EXPECT_EQ(pyio_seek(s.get(), -100, PYIO_SEEK_END), 0);
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, SeekPastTheEndThenReadIsEmpty) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_seek(s.get(), 100, PYIO_SEEK_SET), 100);
    EXPECT_EQ(read_str(s.get()), "");
    EXPECT_EQ(value(s.get()), "abc");
}

TEST(BytesIO, NegativeAbsoluteSeekIsValueError) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(pyio_seek(s.get(), -1, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative seek value -1");
    EXPECT_EQ(pyio_tell(s.get()), 2);
}

TEST(BytesIO, BadWhenceIsValueError) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_seek(s.get(), 0, 3), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "invalid whence (3, should be 0, 1 or 2)");
}

TEST(BytesIO, OverflowingRelativeSeekIsOverflowError) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(pyio_seek(s.get(), INT64_MAX, PYIO_SEEK_CUR), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "new position too large");
    EXPECT_EQ(pyio_seek(s.get(), INT64_MAX, PYIO_SEEK_END), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OVERFLOW);
    EXPECT_EQ(pyio_tell(s.get()), 2);
}

TEST(BytesIO, LargestRelativeSeekThatFitsSucceeds) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_seek(s.get(), INT64_MAX, PYIO_SEEK_CUR), INT64_MAX);
    EXPECT_EQ(pyio_tell(s.get()), INT64_MAX);
}

TEST(BytesIO, TellFollowsReadsAndWrites) {
    Stream s = bytesio("abcdef");
    EXPECT_EQ(pyio_tell(s.get()), 0);
    ASSERT_EQ(read_str(s.get(), 2), "ab");
    EXPECT_EQ(pyio_tell(s.get()), 2);
    ASSERT_EQ(write_str(s.get(), "XYZ"), 3);
    EXPECT_EQ(pyio_tell(s.get()), 5);
}

// ---- truncate ----

TEST(BytesIO, TruncateShrinksAndReturnsTheSize) {
    Stream s = bytesio("abcdef");
    EXPECT_EQ(pyio_truncate(s.get(), 2), 2);
    EXPECT_EQ(value(s.get()), "ab");
}

TEST(BytesIO, TruncateLargerDoesNotExtendButReturnsTheSize) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_truncate(s.get(), 100), 100);
    EXPECT_EQ(value(s.get()), "abc");
}

TEST(BytesIO, TruncateNoneCutsAtThePosition) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 3, PYIO_SEEK_SET), 3);
    EXPECT_EQ(pyio_truncate(s.get(), PYIO_NONE), 3);
    EXPECT_EQ(value(s.get()), "abc");
}

TEST(BytesIO, TruncateLeavesThePositionUnchanged) {
    Stream s = bytesio("abcdef");
    ASSERT_EQ(pyio_seek(s.get(), 5, PYIO_SEEK_SET), 5);
    ASSERT_EQ(pyio_truncate(s.get(), 2), 2);
    EXPECT_EQ(pyio_tell(s.get()), 5);
    // A write there zero-fills from the new end.
    ASSERT_EQ(write_str(s.get(), "x"), 1);
    EXPECT_EQ(value(s.get()), std::string("ab\0\0\0x", 6));
}

TEST(BytesIO, NegativeTruncateIsValueError) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_truncate(s.get(), -5), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative size value -5");
    EXPECT_EQ(value(s.get()), "abc");
}

// ---- getvalue, getbuffer ----

TEST(BytesIO, GetvalueIsACopy) {
    Stream s = bytesio("abc");
    char* out = nullptr;
    ASSERT_EQ(pyio_getvalue(s.get(), &out), 3);
    Owned owned(out);
    EXPECT_EQ(out[3], '\0');
    out[0] = 'X';
    EXPECT_EQ(value(s.get()), "abc");
    ASSERT_EQ(write_str(s.get(), "Z"), 1);
    EXPECT_EQ(std::string(out, 3), "Xbc");
}

TEST(BytesIO, GetvalueDoesNotMoveThePosition) {
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_SET), 1);
    EXPECT_EQ(value(s.get()), "abc");
    EXPECT_EQ(pyio_tell(s.get()), 1);
}

TEST(BytesIO, GetvalueOfAnEmptyStreamIsEmpty) {
    Stream s = bytesio();
    char* out = nullptr;
    EXPECT_EQ(pyio_getvalue(s.get(), &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
}

TEST(BytesIO, GetbufferShowsTheContents) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    EXPECT_EQ(std::string(static_cast<char*>(data), 3), "abc");
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
}

TEST(BytesIO, WritesThroughTheViewAppearInGetvalue) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    static_cast<char*>(data)[1] = 'X';
    EXPECT_EQ(value(s.get()), "aXc");
    EXPECT_EQ(read_str(s.get()), "aXc");
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
}

TEST(BytesIO, WriteWhileAViewIsHeldIsBufferError) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    EXPECT_EQ(write_str(s.get(), "X"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BUFFER, "Existing exports of data: object cannot be re-sized");
    // Not even an overwrite that would not resize, as in CPython.
    const pyio_slice line = {"Y", 1};
    EXPECT_EQ(pyio_writelines(s.get(), &line, 1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BUFFER);
    EXPECT_EQ(value(s.get()), "abc");
    EXPECT_EQ(pyio_tell(s.get()), 0);
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
}

TEST(BytesIO, TruncateWhileAViewIsHeldIsBufferError) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    EXPECT_EQ(pyio_truncate(s.get(), 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BUFFER, "Existing exports of data: object cannot be re-sized");
    EXPECT_EQ(value(s.get()), "abc");
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
}

TEST(BytesIO, CloseWhileAViewIsHeldIsBufferErrorAndLeavesItOpen) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BUFFER, "Existing exports of data: object cannot be re-sized");
    EXPECT_EQ(pyio_closed(s.get()), 0);
    EXPECT_EQ(std::string(static_cast<char*>(data), 3), "abc");
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
    EXPECT_EQ(pyio_close(s.get()), 0);
}

TEST(BytesIO, ReadingAndSeekingWorkWhileAViewIsHeld) {
    Stream s = bytesio("ab\ncd");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 5);
    EXPECT_EQ(readline_str(s.get()), "ab\n");
    EXPECT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_CUR), 4);
    EXPECT_EQ(read_str(s.get()), "d");
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    char buf[2];
    EXPECT_EQ(pyio_readinto(s.get(), buf, 2), 2);
    EXPECT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(pyio_releasebuffer(s.get()), 0);
}

TEST(BytesIO, ReleasebufferReenablesWrites) {
    Stream s = bytesio("abc");
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &data), 3);
    ASSERT_EQ(write_str(s.get(), "X"), -1);
    ASSERT_EQ(pyio_releasebuffer(s.get()), 0);
    EXPECT_EQ(write_str(s.get(), "XYZW"), 4);
    EXPECT_EQ(pyio_truncate(s.get(), 2), 2);
    EXPECT_EQ(value(s.get()), "XY");
}

TEST(BytesIO, ReleasebufferWithoutAViewIsBufferError) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_releasebuffer(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BUFFER);
}

TEST(BytesIO, TwoViewsNeedTwoReleases) {
    Stream s = bytesio("abc");
    void* first = nullptr;
    void* second = nullptr;
    ASSERT_EQ(pyio_getbuffer(s.get(), &first), 3);
    ASSERT_EQ(pyio_getbuffer(s.get(), &second), 3);
    EXPECT_EQ(first, second);
    ASSERT_EQ(pyio_releasebuffer(s.get()), 0);
    EXPECT_EQ(write_str(s.get(), "X"), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BUFFER);
    ASSERT_EQ(pyio_releasebuffer(s.get()), 0);
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    EXPECT_EQ(pyio_releasebuffer(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BUFFER);
}

TEST(BytesIO, GetbufferOfANullHandleIsTypeErrorAndClearsTheOutPointer) {
    void* data = &data;
    EXPECT_EQ(pyio_getbuffer(nullptr, &data), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(data, nullptr);
}

// ---- capabilities and attributes ----

TEST(BytesIO, IsReadableWritableAndSeekable) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_readable(s.get()), 1);
    EXPECT_EQ(pyio_writable(s.get()), 1);
    EXPECT_EQ(pyio_seekable(s.get()), 1);
}

TEST(BytesIO, IsNotATty) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_isatty(s.get()), 0);
}

TEST(BytesIO, FlushSucceeds) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_flush(s.get()), 0);
}

TEST(BytesIO, FilenoIsUnsupported) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
}

TEST(BytesIO, DetachIsUnsupported) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_detach(s.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "detach");
    EXPECT_EQ(pyio_closed(s.get()), 0);
}

TEST(BytesIO, HasNoName) {
    Stream s = bytesio();
    const char* path = "untouched";
    int64_t fd = 42;
    EXPECT_EQ(pyio_name(s.get(), &path, &fd), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BytesIO' object has no attribute 'name'");
    EXPECT_STREQ(path, "untouched");
    EXPECT_EQ(fd, 42);
}

TEST(BytesIO, HasNoMode) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_mode(s.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BytesIO' object has no attribute 'mode'");
}

TEST(BytesIO, HasNoClosefd) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_closefd(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BytesIO' object has no attribute 'closefd'");
}

TEST(BytesIO, HasNoReadall) {
    // readall is RawIOBase's; BytesIO is a BufferedIOBase.
    Stream s = bytesio("abc");
    char* out = nullptr;
    EXPECT_EQ(pyio_readall(s.get(), &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BytesIO' object has no attribute 'readall'");
    EXPECT_EQ(out, nullptr);
}

TEST(BytesIO, IsABufferedIOBase) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BYTESIO), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BUFFEREDIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_IOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_RAWIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_FILEIO), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_TEXTIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_CALLBACKRAWIO), 0);
}

TEST(BytesIO, IsinstanceOfAnUnknownClassIsValueError) {
    Stream s = bytesio();
    EXPECT_EQ(pyio_isinstance(s.get(), 99), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
}

TEST(BytesIO, ClassNameIsBytesIO) {
    Stream s = bytesio();
    EXPECT_STREQ(pyio_class_name(s.get()), "BytesIO");
}

// ---- closing ----

TEST(BytesIO, ClosedReportsTheState) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_closed(s.get()), 0);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(BytesIO, ClosingTwiceSucceeds) {
    Stream s = bytesio("abc");
    EXPECT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(BytesIO, EveryOperationAfterCloseIsValueError) {
    Stream s = bytesio("a\nb\n");
    ASSERT_EQ(pyio_close(s.get()), 0);
    pyio_stream* c = s.get();
    char buf[4];
    char* out = nullptr;
    pyio_slice* lines = nullptr;
    void* data = nullptr;
    const pyio_slice line = {"x", 1};
    const std::pair<const char*, std::function<int64_t()>> operations[] = {
        {"read", [&] { return pyio_read(c, 1, &out); }},
        {"read all", [&] { return pyio_read(c, -1, &out); }},
        {"read1", [&] { return pyio_read1(c, 1, &out); }},
        {"readinto", [&] { return pyio_readinto(c, buf, sizeof buf); }},
        {"readinto1", [&] { return pyio_readinto1(c, buf, sizeof buf); }},
        {"readline", [&] { return pyio_readline(c, -1, &out); }},
        {"readlines", [&] { return pyio_readlines(c, -1, &lines); }},
        {"write", [&] { return pyio_write(c, "x", 1); }},
        {"empty write", [&] { return pyio_write(c, "", 0); }},
        {"writelines", [&] { return int64_t{pyio_writelines(c, &line, 1)}; }},
        {"empty writelines", [&] { return int64_t{pyio_writelines(c, &line, 0)}; }},
        {"seek", [&] { return pyio_seek(c, 0, PYIO_SEEK_SET); }},
        {"tell", [&] { return pyio_tell(c); }},
        {"truncate", [&] { return pyio_truncate(c, PYIO_NONE); }},
        {"flush", [&] { return int64_t{pyio_flush(c)}; }},
        {"getvalue", [&] { return pyio_getvalue(c, &out); }},
        {"getbuffer", [&] { return pyio_getbuffer(c, &data); }},
        {"readable", [&] { return int64_t{pyio_readable(c)}; }},
        {"writable", [&] { return int64_t{pyio_writable(c)}; }},
        {"seekable", [&] { return int64_t{pyio_seekable(c)}; }},
        {"isatty", [&] { return int64_t{pyio_isatty(c)}; }},
    };
    for (const auto& [name, operation] : operations) {
        SCOPED_TRACE(name);
        pyio_error_clear();
        EXPECT_EQ(operation(), -1);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
        EXPECT_EQ(out, nullptr);
        EXPECT_EQ(lines, nullptr);
        EXPECT_EQ(data, nullptr);
    }
}

TEST(BytesIO, AViewKeepsTheStreamAliveUntilItIsReleased) {
    // As a memoryview keeps its BytesIO alive.  The sanitizer build turns a
    // use after free, or a leak after the last releasebuffer, into a failure.
    pyio_stream* s = pyio_bytesio_new("abc", 3);
    void* data = nullptr;
    ASSERT_EQ(pyio_getbuffer(s, &data), 3);
    pyio_release(s);
    static_cast<char*>(data)[0] = 'X';
    EXPECT_EQ(std::string(static_cast<char*>(data), 3), "Xbc");
    EXPECT_EQ(pyio_closed(s), 0);
    EXPECT_EQ(pyio_releasebuffer(s), 0);  // drops the last reference
}

// ---- argument checking ----

TEST(BytesIO, NullOutPointersAreTypeError) {
    Stream s = bytesio("a\nb\n");
    pyio_stream* c = s.get();
    const std::pair<const char*, std::function<int64_t()>> operations[] = {
        {"read", [&] { return pyio_read(c, 1, nullptr); }},
        {"read1", [&] { return pyio_read1(c, 1, nullptr); }},
        {"readline", [&] { return pyio_readline(c, -1, nullptr); }},
        {"readlines", [&] { return pyio_readlines(c, -1, nullptr); }},
        {"getvalue", [&] { return pyio_getvalue(c, nullptr); }},
        {"getbuffer", [&] { return pyio_getbuffer(c, nullptr); }},
        {"readinto", [&] { return pyio_readinto(c, nullptr, 4); }},
        {"readinto1", [&] { return pyio_readinto1(c, nullptr, 4); }},
        {"write", [&] { return pyio_write(c, nullptr, 4); }},
        {"writelines", [&] { return int64_t{pyio_writelines(c, nullptr, 1)}; }},
    };
    for (const auto& [name, operation] : operations) {
        SCOPED_TRACE(name);
        pyio_error_clear();
        EXPECT_EQ(operation(), -1);
        EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    }
    // Nothing was consumed or exported along the way.
    EXPECT_EQ(pyio_tell(c), 0);
    EXPECT_EQ(write_str(c, "x"), 1);
}

TEST(BytesIO, NullSliceDataInWritelinesIsTypeError) {
    Stream s = bytesio();
    const pyio_slice lines[] = {{nullptr, 3}};
    EXPECT_EQ(pyio_writelines(s.get(), lines, 1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(BytesIO, NullHandleIsTypeError) {
    char* out = nullptr;
    EXPECT_EQ(pyio_read(nullptr, 1, &out), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_close(nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_class_name(nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(BytesIO, NegativeBufferSizesAreValueError) {
    Stream s = bytesio("abc");
    char buf[4];
    EXPECT_EQ(pyio_readinto(s.get(), buf, -1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(pyio_readinto1(s.get(), buf, -1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(pyio_write(s.get(), "x", -1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    const pyio_slice lines[] = {{"x", -1}};
    EXPECT_EQ(pyio_writelines(s.get(), lines, 1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(pyio_writelines(s.get(), lines, -1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(value(s.get()), "abc");
    EXPECT_EQ(pyio_tell(s.get()), 0);
}

TEST(BytesIO, WriteFarBeyondMemoryIsMemoryErrorAndTheStreamStaysUsable) {
    if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer aborts on impossible allocations";
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), int64_t{1} << 62, PYIO_SEEK_SET), int64_t{1} << 62);
    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_MEMORY);
    EXPECT_EQ(pyio_tell(s.get()), int64_t{1} << 62);
    EXPECT_EQ(value(s.get()), "abc");
    ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_END), 3);
    EXPECT_EQ(write_str(s.get(), "d"), 1);
    EXPECT_EQ(value(s.get()), "abcd");
}

TEST(BytesIO, WriteEndingPastTheLargestSizeIsOverflowError) {
    // Found by the differential test: io.BytesIO refuses an end position
    // past PY_SSIZE_T_MAX before trying to allocate.
    Stream s = bytesio("abc");
    ASSERT_EQ(pyio_seek(s.get(), INT64_MAX - 1, PYIO_SEEK_SET), INT64_MAX - 1);
    EXPECT_EQ(write_str(s.get(), "xy"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "new buffer size too large");
    const pyio_slice lines[] = {{"xy", 2}};
    EXPECT_EQ(pyio_writelines(s.get(), lines, 1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OVERFLOW);
    EXPECT_EQ(pyio_tell(s.get()), INT64_MAX - 1);
    EXPECT_EQ(value(s.get()), "abc");
}

// ---- threads ----

TEST(BytesIO, ConcurrentWritesKeepEveryRecordIntact) {
    constexpr int kThreads = 4;
    constexpr int kRecords = 10000;
    constexpr size_t kRecordSize = 8;
    Stream s = bytesio();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRecords; ++i) {
                char record[kRecordSize + 1];
                std::snprintf(record, sizeof record, "%c%07d", 'A' + t, i);
                if (pyio_write(s.get(), record, kRecordSize) != int64_t{kRecordSize}) ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);

    std::string all = value(s.get());
    ASSERT_EQ(all.size(), size_t{kThreads} * kRecords * kRecordSize);
    std::set<std::string> seen;
    for (size_t at = 0; at < all.size(); at += kRecordSize) seen.insert(all.substr(at, kRecordSize));
    EXPECT_EQ(seen.size(), size_t{kThreads} * kRecords);
    for (int t = 0; t < kThreads; ++t) {
        char first[kRecordSize + 1], last[kRecordSize + 1];
        std::snprintf(first, sizeof first, "%c%07d", 'A' + t, 0);
        std::snprintf(last, sizeof last, "%c%07d", 'A' + t, kRecords - 1);
        EXPECT_TRUE(seen.count(first)) << first;
        EXPECT_TRUE(seen.count(last)) << last;
    }
}

TEST(BytesIO, ConcurrentRetainAndReleaseKeepTheStreamAliveUntilTheLastRelease) {
    // The sanitizer build turns a premature free into a failure here.
    pyio_stream* s = pyio_bytesio_new("abc", 3);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([s] {
            for (int i = 0; i < 10000; ++i) {
                pyio_stream* again = pyio_retain(s);
                if (i % 100 == 0) {
                    char* out = nullptr;
                    pyio_getvalue(again, &out);
                    pyio_free(out);
                }
                pyio_release(again);
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(pyio_closed(s), 0);
    EXPECT_EQ(value(s), "abc");
    pyio_release(s);
}

TEST(BytesIO, RetainReturnsTheSameHandle) {
    pyio_stream* s = pyio_bytesio_new("abc", 3);
    EXPECT_EQ(pyio_retain(s), s);
    pyio_release(s);
    EXPECT_EQ(value(s), "abc");
    pyio_release(s);
    EXPECT_EQ(pyio_retain(nullptr), nullptr);
    pyio_release(nullptr);
}
