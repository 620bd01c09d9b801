// StringIO through the C API: io.StringIO's behaviour, checked value for value
// against what python3's io.StringIO returns for the same calls.
#include <cstring>
#include <string>
#include <vector>

#include "helpers.h"

using namespace pyio_test;

namespace {

Stream make(const std::string& initial = "", const char* newline = "\n") {
    return Stream(pyio_stringio_new(initial.data(), static_cast<int64_t>(initial.size()), newline));
}

std::string getvalue(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_getvalue(s, &out);
    Owned owned(out);
    if (n < 0) return "<error>";
    return std::string(out, static_cast<size_t>(n));
}

std::string next_str(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_next(s, &out);
    Owned owned(out);
    if (n < 0) return "<error>";
    return std::string(out, static_cast<size_t>(n));
}

std::vector<std::string> readlines(pyio_stream* s, int64_t hint = -1) {
    pyio_slice* lines = nullptr;
    int64_t n = pyio_readlines(s, hint, &lines);
    Owned owned(reinterpret_cast<char*>(lines));
    std::vector<std::string> v;
    for (int64_t i = 0; i < n; ++i) v.emplace_back(lines[i].data, static_cast<size_t>(lines[i].size));
    return v;
}

}  // namespace

TEST(StringIO, StartsAtZeroWithTheInitialValue) {
    Stream s = make("hello");
    EXPECT_EQ(pyio_tell(s.get()), 0);
    EXPECT_EQ(read_str(s.get()), "hello");
    EXPECT_EQ(pyio_tell(s.get()), 5);
    EXPECT_EQ(getvalue(s.get()), "hello");
}

TEST(StringIO, NullInitialWithZeroSizeIsEmpty) {
    Stream s(pyio_stringio_new(nullptr, 0, "\n"));
    ASSERT_TRUE(s);
    EXPECT_EQ(getvalue(s.get()), "");
}

TEST(StringIO, IsATextStreamNamedStringIO) {
    Stream s = make();
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_STRINGIO), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_TEXTIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_TEXTIOWRAPPER), 0);
    EXPECT_STREQ(pyio_class_name(s.get()), "StringIO");
    EXPECT_EQ(pyio_readable(s.get()), 1);
    EXPECT_EQ(pyio_writable(s.get()), 1);
    EXPECT_EQ(pyio_seekable(s.get()), 1);
    EXPECT_EQ(pyio_isatty(s.get()), 0);
}

TEST(StringIO, PositionsCountCodePointsNotBytes) {
    Stream s = make("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z");  // a é € 😀 z
    EXPECT_EQ(read_str(s.get(), 2), "a\xc3\xa9");
    EXPECT_EQ(pyio_tell(s.get()), 2);
    EXPECT_EQ(read_str(s.get(), 2), "\xe2\x82\xac\xf0\x9f\x98\x80");
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(pyio_seek(s.get(), 1, 0), 1);
    EXPECT_EQ(read_str(s.get(), 1), "\xc3\xa9");
}

TEST(StringIO, WriteReturnsCharactersAndOverwritesInPlace) {
    Stream s = make("abcdef");
    EXPECT_EQ(pyio_seek(s.get(), 2, 0), 2);
    EXPECT_EQ(write_str(s.get(), "\xe2\x82\xac\xe2\x82\xac"), 2);  // two euros
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(getvalue(s.get()), "ab\xe2\x82\xac\xe2\x82\xac" "ef");
}

TEST(StringIO, WritePastTheEndPadsWithNul) {
    // Python: StringIO('abc'); seek(10); write('z') -> 'abc' + '\0' * 7 + 'z'
    Stream s = make("abc");
    EXPECT_EQ(pyio_seek(s.get(), 10, 0), 10);
    EXPECT_EQ(read_str(s.get()), "");
    EXPECT_EQ(readline_str(s.get()), "");
    EXPECT_EQ(write_str(s.get(), "z"), 1);
    EXPECT_EQ(getvalue(s.get()), std::string("abc\0\0\0\0\0\0\0z", 11));
}

TEST(StringIO, WriteAtAnImpossiblePositionIsOverflowError) {
    Stream s = make("abc");
    EXPECT_EQ(pyio_seek(s.get(), INT64_C(1) << 62, 0), INT64_C(1) << 62);
    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "new buffer size too large");
    EXPECT_EQ(getvalue(s.get()), "abc");
}

TEST(StringIO, WriteWhoseEndPassesInt64MaxIsNewPositionTooLarge) {
    // Python: StringIO(); seek(2**63 - 2); write('ab') -> OverflowError('new position too large')
    Stream s = make("abc");
    EXPECT_EQ(pyio_seek(s.get(), INT64_MAX - 1, 0), INT64_MAX - 1);
    EXPECT_EQ(write_str(s.get(), "ab"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "new position too large");
    EXPECT_EQ(getvalue(s.get()), "abc");
}

TEST(StringIO, ReadlineHonoursTheLimitInCharacters) {
    Stream s = make("\xc3\xa9\xc3\xa9\xc3\xa9\nnext");
    EXPECT_EQ(readline_str(s.get(), 2), "\xc3\xa9\xc3\xa9");
    EXPECT_EQ(readline_str(s.get()), "\xc3\xa9\n");
    EXPECT_EQ(readline_str(s.get()), "next");
    EXPECT_EQ(readline_str(s.get()), "");
}

TEST(StringIO, DefaultNewlineKeepsCarriageReturns) {
    Stream s = make("a\r\nb\rc\n");
    EXPECT_EQ(readline_str(s.get()), "a\r\n");
    EXPECT_EQ(readline_str(s.get()), "b\rc\n");
    EXPECT_EQ(pyio_text_newlines(s.get()), 0);
}

TEST(StringIO, NewlineNoneTranslatesOnWriteAndRecordsKinds) {
    // Python: StringIO('a\r\nb\rc\n', newline=None).getvalue() == 'a\nb\nc\n'
    Stream s = make("a\r\nb\rc\n", nullptr);
    EXPECT_EQ(getvalue(s.get()), "a\nb\nc\n");
    EXPECT_EQ(pyio_text_newlines(s.get()), PYIO_NEWLINE_LF | PYIO_NEWLINE_CR | PYIO_NEWLINE_CRLF);
}

TEST(StringIO, NewlineNoneTranslatesEachWriteOnItsOwn) {
    // Each write is final: 'a\r' then '\nb' is two newlines, as in Python.
    Stream s = make("", nullptr);
    EXPECT_EQ(write_str(s.get(), "a\r"), 2);
    EXPECT_EQ(write_str(s.get(), "\nb"), 2);
    EXPECT_EQ(getvalue(s.get()), "a\n\nb");
    EXPECT_EQ(pyio_text_newlines(s.get()), PYIO_NEWLINE_LF | PYIO_NEWLINE_CR);
}

TEST(StringIO, NewlineEmptyKeepsTextAndSplitsOnEveryKind) {
    Stream s = make("a\r\nb\rc\n", "");
    EXPECT_EQ(getvalue(s.get()), "a\r\nb\rc\n");
    EXPECT_EQ(readlines(s.get()), (std::vector<std::string>{"a\r\n", "b\r", "c\n"}));
    EXPECT_EQ(pyio_text_newlines(s.get()), PYIO_NEWLINE_LF | PYIO_NEWLINE_CR | PYIO_NEWLINE_CRLF);
}

TEST(StringIO, NewlineCrLfTranslatesWrittenLineFeeds) {
    Stream s = make("a\nb", "\r\n");
    EXPECT_EQ(getvalue(s.get()), "a\r\nb");
    EXPECT_EQ(readlines(s.get()), (std::vector<std::string>{"a\r\n", "b"}));
    EXPECT_EQ(pyio_text_newlines(s.get()), 0);
}

TEST(StringIO, NewlineCrEndsLinesAtCarriageReturns) {
    Stream s = make("a\nb\nc", "\r");
    EXPECT_EQ(getvalue(s.get()), "a\rb\rc");
    EXPECT_EQ(readline_str(s.get()), "a\r");
}

TEST(StringIO, WriteCountsCharactersBeforeTranslation) {
    Stream s = make("", "\r\n");
    EXPECT_EQ(write_str(s.get(), "a\nb"), 3);
    EXPECT_EQ(pyio_tell(s.get()), 4);
}

TEST(StringIO, IllegalNewlineIsValueErrorWithRepr) {
    EXPECT_EQ(pyio_stringio_new("x", 1, "bad"), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "illegal newline value: 'bad'");
}

TEST(StringIO, InvalidUtf8IsUnicodeDecodeError) {
    EXPECT_EQ(pyio_stringio_new("a\xff", 2, "\n"), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNICODE_DECODE,
                      "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte");
    Stream s = make("abc");
    EXPECT_EQ(write_str(s.get(), "\xe2\x82"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNICODE_DECODE,
                      "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data");
    EXPECT_EQ(pyio_error_start(), 0);
    EXPECT_EQ(pyio_error_end(), 2);
    EXPECT_EQ(getvalue(s.get()), "abc");
}

TEST(StringIO, LoneSurrogatesRoundTrip) {
    // U+DC80 (surrogateescape's form of byte 0x80) is one character.
    Stream s = make("a\xed\xb2\x80z");
    EXPECT_EQ(read_str(s.get(), 2), "a\xed\xb2\x80");
    EXPECT_EQ(pyio_tell(s.get()), 2);
    EXPECT_EQ(getvalue(s.get()), "a\xed\xb2\x80z");
}

TEST(StringIO, SeekErrorsAreCPythons) {
    Stream s = make("abc");
    EXPECT_EQ(pyio_seek(s.get(), 1, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, "Can't do nonzero cur-relative seeks");
    EXPECT_EQ(pyio_seek(s.get(), -1, 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "Negative seek position -1");
    EXPECT_EQ(pyio_seek(s.get(), 0, 3), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "Invalid whence (3, should be 0, 1 or 2)");
    EXPECT_EQ(pyio_seek(s.get(), 0, 2), 3);
    EXPECT_EQ(pyio_seek(s.get(), 0, 1), 3);
}

TEST(StringIO, CookieWithExtraFieldsIsOverflowError) {
    Stream s = make("abc");
    pyio_text_cookie c{1, 2, 0, 0, 0};
    EXPECT_EQ(pyio_text_seek(s.get(), &c, 0, nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OVERFLOW);
    pyio_text_cookie plain{2, 0, 0, 0, 0}, result{};
    EXPECT_EQ(pyio_text_seek(s.get(), &plain, 0, &result), 0);
    EXPECT_EQ(result.start_pos, 2);
    pyio_text_cookie told{};
    EXPECT_EQ(pyio_text_tell(s.get(), &told), 0);
    EXPECT_EQ(told.start_pos, 2);
}

TEST(StringIO, TruncateKeepsThePosition) {
    Stream s = make("abc");
    EXPECT_EQ(pyio_seek(s.get(), 5, 0), 5);
    EXPECT_EQ(pyio_truncate(s.get(), 1), 1);
    EXPECT_EQ(pyio_tell(s.get()), 5);
    EXPECT_EQ(getvalue(s.get()), "a");
    EXPECT_EQ(pyio_truncate(s.get(), PYIO_NONE), 5);
    EXPECT_EQ(getvalue(s.get()), "a");
    EXPECT_EQ(pyio_truncate(s.get(), -1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "Negative size value -1");
}

TEST(StringIO, IterationAndReadlinesHint) {
    Stream s = make("ab\ncd\nef\n");
    EXPECT_EQ(next_str(s.get()), "ab\n");
    // The hint counts characters; reading stops once the total exceeds it.
    EXPECT_EQ(readlines(s.get(), 3), (std::vector<std::string>{"cd\n", "ef\n"}));
    EXPECT_EQ(next_str(s.get()), "");
}

TEST(StringIO, AttributesOfAStringIO) {
    Stream s = make();
    const char* name = "unset";
    EXPECT_EQ(pyio_text_encoding(s.get(), &name), 0);
    EXPECT_EQ(name, nullptr);
    EXPECT_EQ(pyio_text_errors(s.get(), &name), 0);
    EXPECT_EQ(name, nullptr);
    EXPECT_EQ(pyio_text_line_buffering(s.get()), 0);
    EXPECT_EQ(pyio_detach(s.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "detach");
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
    EXPECT_EQ(pyio_text_buffer(s.get()), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_ATTRIBUTE);
    EXPECT_EQ(pyio_text_write_through(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_ATTRIBUTE);
}

TEST(StringIO, ClosedStreamRefusesWithCPythonsMessages) {
    Stream s = make("abc");
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_closed(s.get()), 1);
    EXPECT_EQ(pyio_close(s.get()), 0);
    // StringIO's own checks have no full stop; those it inherits from IOBase do.
    EXPECT_EQ(read_str(s.get()), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file");
    EXPECT_EQ(pyio_tell(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file");
    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file");
    EXPECT_EQ(next_str(s.get()), "<error>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file");
    EXPECT_EQ(getvalue(s.get()), "<error>");
    EXPECT_EQ(pyio_readable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file");
    EXPECT_EQ(pyio_text_newlines(s.get()), -1);
    EXPECT_EQ(pyio_isatty(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    pyio_slice* lines = nullptr;
    EXPECT_EQ(pyio_readlines(s.get(), -1, &lines), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(pyio_flush(s.get()), 0);  // StringIO.flush never checks
}
