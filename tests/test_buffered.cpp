// The buffered layer (BufferedReader, BufferedWriter, BufferedRandom and
// BufferedRWPair) through the C API: over a scripted fake raw stream built on
// the callback raw stream, over FileIO files and over pipes.
//
// Where a test says "python3", the expected values are what CPython 3.11's
// io module returned for the same inputs.

#include <pyio/pyio.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "helpers.h"

using namespace std::string_literals;
using pyio_test::Owned;
using pyio_test::read_str;
using pyio_test::readline_str;
using pyio_test::slurp;
using pyio_test::spit;
using pyio_test::Stream;
using pyio_test::TempDir;
using pyio_test::write_str;

namespace {

// ---------------------------------------------------------------------------
// A fake raw stream: an in-memory file with a position, knobs for short
// transfers, scripted results and a log of the calls it received
// ---------------------------------------------------------------------------

// One scripted answer of readinto or write: a result to return instead of
// transferring (after recording an error, if it wants), or nullopt to
// transfer as usual.
using Step = std::function<std::optional<int64_t>()>;

Step transfer() {
    return [] { return std::nullopt; };
}
Step result(int64_t n) {
    return [n] { return n; };
}
Step would_block() { return result(PYIO_WOULD_BLOCK); }
// "Would block" with errno set, as a raw stream over a descriptor leaves it.
Step would_block_errno(int errnum) {
    return [errnum] {
        errno = errnum;
        return std::optional<int64_t>(PYIO_WOULD_BLOCK);
    };
}
Step fail_with(int errnum) {
    return [errnum] { return int64_t{pyio_error_set_oserror(errnum, nullptr)}; };
}

struct FakeRaw {
    std::string data;
    int64_t pos = 0;
    int64_t max_read = INT64_MAX;   // most bytes one readinto transfers
    int64_t max_write = INT64_MAX;  // most bytes one write takes
    std::deque<Step> read_script;   // one step per readinto call, then transfer
    std::deque<Step> write_script;  // one step per write call, then transfer
    int close_errno = 0;            // close fails with this errno (after recording it)
    std::deque<bool> seek_fails;    // one per seek call: true fails it with EIO; then seeks succeed
    bool closed_behind = false;     // what a closed callback reports besides close

    // Every call but destroy, in order: "readinto 8", "write 3", "seek -2 1",
    // "tell", "truncate 4", "flush", "close".
    std::vector<std::string> events;
    std::vector<int64_t> read_sizes, write_sizes;
    std::vector<const void*> read_buffers;
    bool destroyed = false;

    int count(const std::string& prefix) const {
        return static_cast<int>(std::count_if(events.begin(), events.end(), [&](const std::string& e) {
            return e.compare(0, prefix.size(), prefix) == 0;
        }));
    }
    // Calls that read, write or move the file (tell and flush excluded).
    int moving_calls() const {
        return count("readinto") + count("write") + count("seek") + count("truncate");
    }
};

FakeRaw& fake(void* context) { return *static_cast<FakeRaw*>(context); }

std::optional<int64_t> next_step(std::deque<Step>& script) {
    if (script.empty()) return std::nullopt;
    Step step = std::move(script.front());
    script.pop_front();
    return step();
}

int64_t fake_readinto(void* context, void* buffer, int64_t size) {
    FakeRaw& f = fake(context);
    f.events.push_back("readinto " + std::to_string(size));
    f.read_sizes.push_back(size);
    f.read_buffers.push_back(buffer);
    if (std::optional<int64_t> scripted = next_step(f.read_script)) return *scripted;
    int64_t avail = std::max<int64_t>(0, static_cast<int64_t>(f.data.size()) - f.pos);
    int64_t n = std::min({size, f.max_read, avail});
    if (n > 0) std::memcpy(buffer, f.data.data() + f.pos, static_cast<size_t>(n));
    f.pos += n;
    return n;
}

int64_t fake_write(void* context, const void* data, int64_t size) {
    FakeRaw& f = fake(context);
    f.events.push_back("write " + std::to_string(size));
    f.write_sizes.push_back(size);
    if (std::optional<int64_t> scripted = next_step(f.write_script)) return *scripted;
    int64_t n = std::min(size, f.max_write);
    if (f.data.size() < static_cast<size_t>(f.pos + n)) f.data.resize(static_cast<size_t>(f.pos + n));
    std::memcpy(f.data.data() + f.pos, data, static_cast<size_t>(n));
    f.pos += n;
    return n;
}

int64_t fake_seek(void* context, int64_t offset, int whence) {
    FakeRaw& f = fake(context);
    f.events.push_back("seek " + std::to_string(offset) + " " + std::to_string(whence));
    if (!f.seek_fails.empty()) {
        bool fail = f.seek_fails.front();
        f.seek_fails.pop_front();
        if (fail) return pyio_error_set_oserror(EIO, nullptr);
    }
    int64_t base = whence == PYIO_SEEK_SET ? 0
                   : whence == PYIO_SEEK_CUR ? f.pos
                   : whence == PYIO_SEEK_END ? static_cast<int64_t>(f.data.size())
                                             : -1;
    if (base < 0 || base + offset < 0) return pyio_error_set_oserror(EINVAL, nullptr);
    return f.pos = base + offset;
}

int64_t fake_tell(void* context) {
    fake(context).events.push_back("tell");
    return fake(context).pos;
}

int64_t fake_truncate(void* context, int64_t size) {
    FakeRaw& f = fake(context);
    f.events.push_back("truncate " + std::to_string(size));
    f.data.resize(static_cast<size_t>(size));
    return size;
}

int fake_flush(void* context) {
    fake(context).events.push_back("flush");
    return 0;
}

int fake_close(void* context) {
    FakeRaw& f = fake(context);
    f.events.push_back("close");
    return f.close_errno ? pyio_error_set_oserror(f.close_errno, nullptr) : 0;
}

void fake_destroy(void* context) { fake(context).destroyed = true; }

// Which capabilities the raw stream has (a missing one's callbacks are NULL).
struct Caps {
    bool read = true, write = true, seek = true;
};

// A raw stream over `f`; `f` must outlive it.
Stream raw_stream(FakeRaw& f, Caps caps = {}) {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    if (caps.read) cb.readinto = fake_readinto;
    if (caps.write) cb.write = fake_write;
    if (caps.seek) {
        cb.seek = fake_seek;
        cb.tell = fake_tell;
        cb.truncate = fake_truncate;
    }
    cb.flush = fake_flush;
    cb.close = fake_close;
    cb.destroy = fake_destroy;
    return Stream(pyio_rawio_new(&cb, &f, "fake"));
}

// A buffered object of each class over a fresh raw stream on `f` (the
// buffered object holds the only reference to the raw stream).
Stream reader_over(FakeRaw& f, int64_t buffer_size, Caps caps = {}) {
    Stream raw = raw_stream(f, caps);
    return Stream(pyio_bufferedreader_new(raw.get(), buffer_size));
}
Stream writer_over(FakeRaw& f, int64_t buffer_size, Caps caps = {}) {
    Stream raw = raw_stream(f, caps);
    return Stream(pyio_bufferedwriter_new(raw.get(), buffer_size));
}
Stream random_over(FakeRaw& f, int64_t buffer_size, Caps caps = {}) {
    Stream raw = raw_stream(f, caps);
    return Stream(pyio_bufferedrandom_new(raw.get(), buffer_size));
}

std::string read1_str(pyio_stream* s, int64_t size) {
    char* out = nullptr;
    int64_t n = pyio_read1(s, size, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

std::string peek_str(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_peek(s, 1, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

// readinto / readinto1 of `size` bytes: the data, or "<result>" when the
// call did not return a count >= 0.
std::string readinto_str(pyio_stream* s, int64_t size, bool one = false) {
    std::string buf(static_cast<size_t>(size), '\xee');
    int64_t n = one ? pyio_readinto1(s, buf.data(), size) : pyio_readinto(s, buf.data(), size);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return buf.substr(0, static_cast<size_t>(n));
}

std::vector<std::string> readlines(pyio_stream* s, int64_t hint) {
    pyio_slice* lines = nullptr;
    int64_t n = pyio_readlines(s, hint, &lines);
    Owned owned(reinterpret_cast<char*>(lines));
    if (n < 0) return {"<error>"};
    std::vector<std::string> result;
    for (int64_t i = 0; i < n; ++i) result.emplace_back(lines[i].data, static_cast<size_t>(lines[i].size));
    return result;
}

Stream open_file(const std::string& path, const char* mode) {
    return Stream(pyio_fileio_open(path.c_str(), mode, 1, nullptr, nullptr));
}

// A BufferedReader ("rb") or BufferedRandom ("r+b") of buffer_size over a
// FileIO of path; the FileIO comes back in raw.
Stream buffered_file(const std::string& path, const char* mode, int64_t buffer_size, Stream& raw) {
    raw = open_file(path, mode);
    return Stream(std::string(mode) == "rb" ? pyio_bufferedreader_new(raw.get(), buffer_size)
                                            : pyio_bufferedrandom_new(raw.get(), buffer_size));
}

// The two ends of a pipe as FileIO objects that own their descriptors.
struct Pipe {
    Stream read_end, write_end;
    int rfd = -1, wfd = -1;
    Pipe() {
        int fds[2];
        if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
        rfd = fds[0];
        wfd = fds[1];
        read_end.reset(pyio_fileio_fdopen(rfd, "rb", 1));
        write_end.reset(pyio_fileio_fdopen(wfd, "wb", 1));
    }
};

const std::string kAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

// ===========================================================================
// BufferedReader
// ===========================================================================

TEST(BufferedReader, ReadReturnsExactlyNEvenWhenTheRawGivesOneByteAtATime) {
    FakeRaw f;
    f.data = kAlphabet;
    f.max_read = 1;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 10), "0123456789");
    EXPECT_EQ(read_str(r.get(), 3), "abc");
}

TEST(BufferedReader, ReadIsShortOnlyAtEof) {
    FakeRaw f;
    f.data = "abcdef";
    f.max_read = 2;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 100), "abcdef");
    EXPECT_EQ(read_str(r.get(), 100), "");
}

TEST(BufferedReader, ReadOfASizeNoBytesObjectCanHaveIsOverflowError) {
    // CPython sizes the result first: PyBytes_FromStringAndSize refuses
    // 2**63 - 1 with OverflowError before anything is read.
    FakeRaw f;
    f.data = "abcdef";
    Stream r = reader_over(f, 4);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(r.get(), INT64_MAX, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "byte string is too large");
    EXPECT_EQ(read_str(r.get(), 2), "ab");
}

TEST(BufferedReader, ReadlineViewGivesEveryLineAsReadlineDoes) {
    // Lines inside the buffer, across its end, longer than it, cut by a
    // limit, and the last without a newline: the same bytes readline gives.
    const std::string data = "a\nbb\n" + std::string(40, 'x') + "\nshort\n" + "0123456789\ntail";
    for (int64_t limit : {-1, 3, 7}) {
        SCOPED_TRACE(limit);
        FakeRaw f1, f2;
        f1.data = f2.data = data;
        Stream views = reader_over(f1, 8), copies = reader_over(f2, 8);
        for (;;) {
            const char* view = nullptr;
            int64_t n = pyio_readline_view(views.get(), limit, &view);
            char* copy = nullptr;
            int64_t m = pyio_readline(copies.get(), limit, &copy);
            Owned owned(copy);
            ASSERT_EQ(n, m);
            if (n <= 0) break;
            ASSERT_EQ(std::string(view, static_cast<size_t>(n)), std::string(copy, static_cast<size_t>(m)));
            ASSERT_EQ(pyio_tell(views.get()), pyio_tell(copies.get()));
        }
    }
}

TEST(BufferedReader, ReadlineViewOfALineInTheBufferPointsIntoIt) {
    FakeRaw f;
    f.data = "one\ntwo\n";
    Stream r = reader_over(f, 64);
    const char* buffered = nullptr;
    ASSERT_EQ(pyio_peek_view(r.get(), &buffered), 8);
    const char* line = nullptr;
    ASSERT_EQ(pyio_readline_view(r.get(), -1, &line), 4);
    EXPECT_EQ(line, buffered);  // no copy
    ASSERT_EQ(pyio_readline_view(r.get(), -1, &line), 4);
    EXPECT_EQ(std::string(line, 4), "two\n");
    EXPECT_EQ(pyio_readline_view(r.get(), -1, &line), 0);
}

TEST(BufferedReader, ReadMinusOneReadsToEof) {
    FakeRaw f;
    f.data = kAlphabet;
    f.max_read = 5;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 2), "01");
    EXPECT_EQ(read_str(r.get(), -1), kAlphabet.substr(2));
}

TEST(BufferedReader, ReadNoneReadsToEof) {
    FakeRaw f;
    f.data = kAlphabet;
    f.max_read = 3;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), PYIO_NONE), kAlphabet);
}

TEST(BufferedReader, ReadZeroReturnsEmptyWithoutARawRead) {
    FakeRaw f;
    f.data = "abc";
    Stream r = reader_over(f, 8);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(r.get(), 0, &out), 0);
    Owned owned(out);
    EXPECT_NE(out, nullptr);
    EXPECT_EQ(f.count("readinto"), 0);
}

TEST(BufferedReader, ReadBelowMinusOneIsValueError) {
    FakeRaw f;
    f.data = "abc";
    Stream r = reader_over(f, 8);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(r.get(), -2, &out), -1);
    EXPECT_EQ(out, nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read length must be non-negative or -1");
}

TEST(BufferedReader, ReadOfANonBlockingRawReturnsWhatIsThere) {
    FakeRaw f;
    f.data = "abcdef";
    f.max_read = 3;
    f.read_script = {transfer(), would_block()};
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 10), "abc");
    EXPECT_EQ(read_str(r.get(), 10), "def");
}

TEST(BufferedReader, ARelativeSeekAfterAReadAllThatStoppedShortAnswersThePosition) {
    // io does not advance its cached raw position over raw.readall(), and a
    // seek inside the buffer computes its answer from that cache: seed
    // 20261232 bufferedreader/4206, BufferedReader(raw, 1) over b'aa' whose
    // second read would block: read() -> b'a', peek(0) -> b'a', then
    // seek(0, 1) answers 0 in io.  libpyio answers where the stream is.
    FakeRaw f;
    f.data = "aa";
    f.max_read = 1;
    f.read_script = {transfer(), would_block()};
    Stream r = reader_over(f, 1);
    EXPECT_EQ(read_str(r.get(), -1), "a");
    const char* view = nullptr;
    ASSERT_EQ(pyio_peek_view(r.get(), &view), 1);
    EXPECT_EQ(pyio_seek(r.get(), 0, PYIO_SEEK_CUR), 1);
    EXPECT_EQ(read_str(r.get(), -1), "a");
    EXPECT_EQ(pyio_tell(r.get()), 2);
}

TEST(BufferedReader, ReadOfANonBlockingRawWithNothingReturnsWouldBlock) {
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 4);
    char* out = reinterpret_cast<char*>(&f);
    EXPECT_EQ(pyio_read(r.get(), 2, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(read_str(r.get(), 2), "ab");
}

TEST(BufferedReader, ReadMinusOneOfANonBlockingRawWithNothingReturnsWouldBlock) {
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), -1), "<-2>");
}

TEST(BufferedReader, ReadOfWholeBuffersGoesStraightToTheRawAndTheTailThroughTheBuffer) {
    // python3 with buffer size 8: read(20) asks the raw stream for 16, then 8.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 20), kAlphabet.substr(0, 20));
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{16, 8}));
}

TEST(BufferedReader, WhatReadLeavesBufferedIsWhatRead1Returns) {
    // python3, buffer size 8: read(9) reads 8 directly and buffers 8 more, so
    // read1(100) answers the 7 left without a raw read.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 9), "012345678");
    EXPECT_EQ(read1_str(r.get(), 100), "9abcdef");
    EXPECT_EQ(f.count("readinto"), 2);
}

TEST(BufferedReader, Read1MakesAtMostOneRawRead) {
    FakeRaw f;
    f.data = kAlphabet;
    f.max_read = 3;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read1_str(r.get(), 10), "012");
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(BufferedReader, Read1ReturnsBufferedDataWithoutARawRead) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 1), "0");  // buffers 8
    EXPECT_EQ(read1_str(r.get(), 3), "123");
    EXPECT_EQ(read1_str(r.get(), 100), "4567");
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(BufferedReader, Read1MinusOneReadsUpToTheBufferSize) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read1_str(r.get(), -1), "01234567");
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{8}));
}

TEST(BufferedReader, Read1WhenTheRawWouldBlockReturnsEmpty) {
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 8);
    char* out = nullptr;
    EXPECT_EQ(pyio_read1(r.get(), 5, &out), 0);  // python3: b"", not None
    Owned owned(out);
    EXPECT_NE(out, nullptr);
}

TEST(BufferedReader, Read1ZeroReturnsEmptyWithoutARawRead) {
    FakeRaw f;
    f.data = "abc";
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read1_str(r.get(), 0), "");
    EXPECT_EQ(f.count("readinto"), 0);
}

TEST(BufferedReader, ReadintoFillsTheCallersBufferUnlessEof) {
    FakeRaw f;
    f.data = kAlphabet.substr(0, 12);
    f.max_read = 1;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(readinto_str(r.get(), 10), "0123456789");
    EXPECT_EQ(readinto_str(r.get(), 10), "ab");
    EXPECT_EQ(readinto_str(r.get(), 10), "");
}

TEST(BufferedReader, ReadintoOfANonBlockingRawWithNothingReturnsWouldBlock) {
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 4);
    EXPECT_EQ(readinto_str(r.get(), 2), "<-2>");
}

TEST(BufferedReader, ReadintoLargerThanTheBufferGoesStraightIntoTheCallersMemory) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    char buf[20];
    ASSERT_EQ(pyio_readinto(r.get(), buf, sizeof buf), 20);
    EXPECT_EQ(std::string(buf, 20), kAlphabet.substr(0, 20));
    ASSERT_EQ(f.count("readinto"), 1);
    EXPECT_EQ(f.read_sizes[0], 20);
    EXPECT_EQ(f.read_buffers[0], static_cast<const void*>(buf));
}

TEST(BufferedReader, ReadLargerThanTheBufferMakesNoExtraRawRead) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 16), kAlphabet.substr(0, 16));
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{16}));
}

TEST(BufferedReader, Readinto1ReturnsBufferedDataWhenLessThanABufferIsMissing) {
    // python3, buffer size 4: after read(1), readinto1 of 5 answers the 3
    // buffered bytes and makes no raw read.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 1), "0");
    EXPECT_EQ(readinto_str(r.get(), 5, true), "123");
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{4}));
}

TEST(BufferedReader, Readinto1AddsOneRawReadWhenMoreThanABufferIsMissing) {
    // python3, buffer size 4: after read(1), readinto1 of 10 answers the 3
    // buffered bytes plus one raw read of 7 straight into the caller's memory.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 1), "0");
    EXPECT_EQ(readinto_str(r.get(), 10, true), "123456789a");
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{4, 7}));
}

TEST(BufferedReader, Readinto1MakesAtMostOneRawRead) {
    FakeRaw f;
    f.data = kAlphabet;
    f.max_read = 2;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(readinto_str(r.get(), 3, true), "01");
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(BufferedReader, Readinto1OfANonBlockingRawWithNothingReturnsWouldBlock) {
    // python3: readinto1 answers None here, unlike read1's b"".
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 4);
    EXPECT_EQ(readinto_str(r.get(), 2, true), "<-2>");
    EXPECT_EQ(readinto_str(r.get(), 2, true), "ab");
}

TEST(BufferedReader, PeekDoesNotAdvance) {
    FakeRaw f;
    f.data = "abcdef";
    Stream r = reader_over(f, 4);
    EXPECT_EQ(peek_str(r.get()), "abcd");
    EXPECT_EQ(peek_str(r.get()), "abcd");
    EXPECT_EQ(pyio_tell(r.get()), 0);
    EXPECT_EQ(read_str(r.get(), 6), "abcdef");
}

TEST(BufferedReader, PeekReturnsWhatIsBufferedWithoutARawRead) {
    FakeRaw f;
    f.data = "abcdef";
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 1), "a");
    EXPECT_EQ(peek_str(r.get()), "bcd");
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(BufferedReader, PeekReturnsAtLeastOneByteUnlessEof) {
    FakeRaw f;
    f.data = "abcde";
    f.max_read = 1;
    Stream r = reader_over(f, 4);
    EXPECT_EQ(peek_str(r.get()), "a");
    EXPECT_EQ(read_str(r.get(), 5), "abcde");
    EXPECT_EQ(peek_str(r.get()), "");
}

TEST(BufferedReader, PeekWhenTheRawWouldBlockReturnsEmpty) {
    FakeRaw f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream r = reader_over(f, 4);
    EXPECT_EQ(peek_str(r.get()), "");
    EXPECT_EQ(peek_str(r.get()), "abc");
}

TEST(BufferedReader, PeekViewPointsAtTheBufferedBytes) {
    FakeRaw f;
    f.data = "abcdef";
    Stream r = reader_over(f, 4);
    EXPECT_EQ(read_str(r.get(), 1), "a");
    const char* view = nullptr;
    ASSERT_EQ(pyio_peek_view(r.get(), &view), 3);
    ASSERT_NE(view, nullptr);
    EXPECT_EQ(std::string(view, 3), "bcd");
    EXPECT_EQ(pyio_tell(r.get()), 1);
    EXPECT_EQ(read_str(r.get(), 5), "bcdef");
}

TEST(BufferedReader, ReadlineFindsLinesAcrossBufferBoundaries) {
    const std::string text = "first line\nsecond\n\nx\na much longer third line\nno newline at the end";
    const std::vector<std::string> lines = {"first line\n", "second\n", "\n", "x\n",
                                            "a much longer third line\n", "no newline at the end"};
    for (int64_t size : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{7}, int64_t{PYIO_DEFAULT_BUFFER_SIZE}}) {
        SCOPED_TRACE("buffer size " + std::to_string(size));
        FakeRaw f;
        f.data = text;
        Stream r = reader_over(f, size);
        for (const std::string& line : lines) EXPECT_EQ(readline_str(r.get()), line);
        EXPECT_EQ(readline_str(r.get()), "");
    }
}

TEST(BufferedReader, ReadlineWithALimitStopsThereAcrossBufferBoundaries) {
    for (int64_t size : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{7}, int64_t{PYIO_DEFAULT_BUFFER_SIZE}}) {
        SCOPED_TRACE("buffer size " + std::to_string(size));
        FakeRaw f;
        f.data = "first line\nsecond\nthird";
        Stream r = reader_over(f, size);
        EXPECT_EQ(readline_str(r.get(), 3), "fir");
        EXPECT_EQ(readline_str(r.get(), 0), "");
        EXPECT_EQ(readline_str(r.get(), 100), "st line\n");
        EXPECT_EQ(readline_str(r.get(), 7), "second\n");
        EXPECT_EQ(readline_str(r.get(), 6), "third");
        EXPECT_EQ(readline_str(r.get(), 6), "");
    }
}

TEST(BufferedReader, ReadlineWithAShortReadingRawStream) {
    FakeRaw f;
    f.data = "ab\ncdefgh\nij";
    f.max_read = 2;
    Stream r = reader_over(f, 3);
    EXPECT_EQ(readline_str(r.get()), "ab\n");
    EXPECT_EQ(readline_str(r.get()), "cdefgh\n");
    EXPECT_EQ(readline_str(r.get()), "ij");
}

TEST(BufferedReader, ReadlineWhenTheRawWouldBlockReturnsWhatItHas) {
    // python3: a partial line as it is, and b"" (not None) when there is
    // nothing at all.
    FakeRaw f;
    f.data = "abc\ndef";
    f.max_read = 2;
    f.read_script = {transfer(), would_block(), would_block()};
    Stream r = reader_over(f, 8);
    EXPECT_EQ(readline_str(r.get()), "ab");
    char* out = nullptr;
    EXPECT_EQ(pyio_readline(r.get(), -1, &out), 0);
    Owned owned(out);
    EXPECT_NE(out, nullptr);
    EXPECT_EQ(readline_str(r.get()), "c\n");
}

TEST(BufferedReader, ReadlinesHintStopsOnceTheTotalExceedsIt) {
    // python3: readlines(2) and readlines(3) of "a\nbb\n..." both answer
    // [b"a\n", b"bb\n"]; hint 0 means no limit.
    for (int64_t hint : {int64_t{2}, int64_t{3}}) {
        FakeRaw f;
        f.data = "a\nbb\nccc\ndddd\n";
        Stream r = reader_over(f, 3);
        EXPECT_EQ(readlines(r.get(), hint), (std::vector<std::string>{"a\n", "bb\n"}));
        EXPECT_EQ(readlines(r.get(), 0), (std::vector<std::string>{"ccc\n", "dddd\n"}));
    }
}

TEST(BufferedReader, SeekWithinTheBufferKeepsIt) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 2), "01");
    int before = f.moving_calls();
    EXPECT_EQ(pyio_seek(r.get(), 6, PYIO_SEEK_SET), 6);
    EXPECT_EQ(pyio_seek(r.get(), -5, PYIO_SEEK_CUR), 1);
    EXPECT_EQ(pyio_seek(r.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(pyio_seek(r.get(), 5, PYIO_SEEK_SET), 5);
    EXPECT_EQ(read_str(r.get(), 3), "567");
    EXPECT_EQ(f.moving_calls(), before);
}

TEST(BufferedReader, SeekToTheEndOfTheBufferNeedsNoRawSeek) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 2), "01");
    EXPECT_EQ(pyio_seek(r.get(), 8, PYIO_SEEK_SET), 8);
    EXPECT_EQ(read_str(r.get(), 2), "89");
    EXPECT_EQ(f.count("seek"), 0);
}

TEST(BufferedReader, SeekOutsideTheBufferSeeksTheRaw) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 2), "01");
    EXPECT_EQ(pyio_seek(r.get(), 20, PYIO_SEEK_SET), 20);
    EXPECT_EQ(f.count("seek"), 1);
    EXPECT_EQ(read_str(r.get(), 3), "klm");
}

TEST(BufferedReader, SeekCurIsRelativeToTheLogicalPosition) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 2), "01");  // the raw stream is at 8
    EXPECT_EQ(pyio_seek(r.get(), 10, PYIO_SEEK_CUR), 12);
    EXPECT_EQ(read_str(r.get(), 2), "cd");
    EXPECT_EQ(pyio_seek(r.get(), 0, PYIO_SEEK_CUR), 14);
}

TEST(BufferedReader, SeekEndIsRelativeToTheEndOfTheRaw) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 2), "01");
    EXPECT_EQ(pyio_seek(r.get(), -3, PYIO_SEEK_END), 33);
    EXPECT_EQ(read_str(r.get(), -1), "xyz");
}

TEST(BufferedReader, SeekWithAnUnsupportedWhenceIsValueError) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(pyio_seek(r.get(), 0, 5), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "whence value 5 unsupported");
    EXPECT_EQ(pyio_seek(r.get(), 0, -1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "whence value -1 unsupported");
    EXPECT_EQ(f.count("seek"), 0);
}

TEST(BufferedReader, AFailedSeekKeepsThePosition) {
    // python3 over FileIO: seek(-100, SEEK_CUR) is OSError EINVAL and the
    // stream stays where it was, read-ahead included.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 3), "012");
    EXPECT_EQ(pyio_seek(r.get(), -100, PYIO_SEEK_CUR), -1);
    EXPECT_EQ(pyio_error_errno(), EINVAL);
    EXPECT_EQ(pyio_tell(r.get()), 3);
    EXPECT_EQ(read_str(r.get(), 3), "345");
}

TEST(BufferedReader, SeekWithinTheBufferAfterAFailedSeekNeedsNoRawSeek) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 3), "012");
    EXPECT_EQ(pyio_seek(r.get(), -100, PYIO_SEEK_CUR), -1);
    EXPECT_EQ(f.count("seek"), 1);
    EXPECT_EQ(pyio_seek(r.get(), 5, PYIO_SEEK_SET), 5);
    EXPECT_EQ(f.count("seek"), 1);
    EXPECT_EQ(read_str(r.get(), 3), "567");
}

TEST(BufferedReader, TellIsTheLogicalPosition) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 3), "012");
    EXPECT_EQ(f.pos, 8);
    EXPECT_EQ(pyio_tell(r.get()), 3);
}

TEST(BufferedReader, TruncateIsUnsupported) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(pyio_truncate(r.get(), 3), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
    EXPECT_EQ(pyio_truncate(r.get(), PYIO_NONE), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
    EXPECT_EQ(f.count("truncate"), 0);
}

TEST(BufferedReader, ClosedReaderReportsPythonsMessages) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    ASSERT_EQ(pyio_close(r.get()), 0);
    EXPECT_EQ(pyio_closed(r.get()), 1);
    char* out = nullptr;
    char buf[4];
    const char* view = nullptr;
    EXPECT_EQ(pyio_read(r.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read of closed file");
    EXPECT_EQ(pyio_read(r.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read of closed file");
    EXPECT_EQ(pyio_read1(r.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read of closed file");
    EXPECT_EQ(pyio_peek(r.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "peek of closed file");
    EXPECT_EQ(pyio_peek_view(r.get(), &view), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "peek of closed file");
    EXPECT_EQ(pyio_readline(r.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "readline of closed file");
    EXPECT_EQ(pyio_readinto(r.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "readinto of closed file");
    EXPECT_EQ(pyio_readinto1(r.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "readinto of closed file");
    EXPECT_EQ(pyio_seek(r.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "seek of closed file");
    EXPECT_EQ(pyio_truncate(r.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "truncate of closed file");
    EXPECT_EQ(pyio_tell(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    pyio_slice* lines = nullptr;
    EXPECT_EQ(pyio_readlines(r.get(), 0, &lines), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(out, nullptr);
}

TEST(BufferedReader, CloseTwiceSucceedsAndClosesTheRawOnce) {
    FakeRaw f;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(pyio_close(r.get()), 0);
    EXPECT_EQ(pyio_close(r.get()), 0);
    EXPECT_EQ(f.count("close"), 1);
}

TEST(BufferedReader, DetachReturnsTheRawStream) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream raw = raw_stream(f);
    Stream r(pyio_bufferedreader_new(raw.get(), 8));
    ASSERT_NE(r, nullptr);
    Stream detached(pyio_detach(r.get()));
    EXPECT_EQ(detached.get(), raw.get());
    EXPECT_EQ(pyio_closed(raw.get()), 0);
    EXPECT_EQ(read_str(raw.get(), 3), "012");
}

TEST(BufferedReader, OverAFileIOAsksNothingOfItOnceDetached) {
    // Buffered::closed() reads a FileIO's flag through a pointer it keeps;
    // detach must drop it with the raw stream, which may then be freed (as
    // here: ASan would see the read of the freed FileIO).
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, kAlphabet);
    Stream raw;
    Stream r = buffered_file(path, "rb", 16, raw);
    EXPECT_EQ(pyio_closed(r.get()), 0);
    Stream detached(pyio_detach(r.get()));
    ASSERT_EQ(detached.get(), raw.get());
    raw.reset();
    detached.reset();
    EXPECT_EQ(pyio_closed(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "raw stream has been detached");
}

TEST(BufferedReader, EverythingAfterDetachIsValueError) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    Stream detached(pyio_detach(r.get()));
    ASSERT_NE(detached, nullptr);
    const char* kDetached = "raw stream has been detached";
    char* out = nullptr;
    const char* path = nullptr;
    EXPECT_EQ(pyio_read(r.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_read(r.get(), -2, &out), -1);  // python3: detached wins over the size
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_peek(r.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_readline(r.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_tell(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_seek(r.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_closed(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_close(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_flush(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_readable(r.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_name(r.get(), &path, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_raw(r.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_detach(r.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
    EXPECT_EQ(pyio_truncate(r.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kDetached);
}

TEST(BufferedReader, ReleasingADetachedReaderLeavesTheRawOpen) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream raw = raw_stream(f);
    Stream r(pyio_bufferedreader_new(raw.get(), 8));
    Stream detached(pyio_detach(r.get()));
    r.reset();
    EXPECT_EQ(pyio_closed(raw.get()), 0);
    EXPECT_EQ(f.count("close"), 0);
}

TEST(BufferedReader, AttributesPassThroughFromFileIO) {
    TempDir dir;
    std::string path = dir.file("data");
    spit(path, "hello");
    Stream raw = open_file(path, "rb");
    ASSERT_NE(raw, nullptr);
    Stream r(pyio_bufferedreader_new(raw.get(), PYIO_NONE));
    ASSERT_NE(r, nullptr);
    const char* name = nullptr;
    EXPECT_EQ(pyio_name(r.get(), &name, nullptr), 0);
    EXPECT_STREQ(name, path.c_str());
    EXPECT_STREQ(pyio_mode(r.get()), "rb");
    EXPECT_EQ(pyio_fileno(r.get()), pyio_fileno(raw.get()));
    EXPECT_EQ(pyio_isatty(r.get()), 0);
    EXPECT_EQ(pyio_readable(r.get()), 1);
    EXPECT_EQ(pyio_writable(r.get()), 0);
    EXPECT_EQ(pyio_seekable(r.get()), 1);
    EXPECT_EQ(pyio_closed(r.get()), 0);
    ASSERT_EQ(pyio_close(raw.get()), 0);
    EXPECT_EQ(pyio_closed(r.get()), 1);
}

TEST(BufferedReader, NameOfAnFdFileIOIsTheDescriptor) {
    Pipe p;
    Stream r(pyio_bufferedreader_new(p.read_end.get(), 16));
    int64_t fd = -1;
    EXPECT_EQ(pyio_name(r.get(), nullptr, &fd), 1);
    EXPECT_EQ(fd, p.rfd);
}

TEST(BufferedReader, BufferSizeMustBeStrictlyPositive) {
    FakeRaw f;
    Stream raw = raw_stream(f);
    for (int64_t size : {int64_t{0}, int64_t{-1}, int64_t{-100}}) {
        EXPECT_EQ(pyio_bufferedreader_new(raw.get(), size), nullptr);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "buffer size must be strictly positive");
        EXPECT_EQ(pyio_bufferedwriter_new(raw.get(), size), nullptr);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "buffer size must be strictly positive");
        EXPECT_EQ(pyio_bufferedrandom_new(raw.get(), size), nullptr);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "buffer size must be strictly positive");
    }
}

TEST(BufferedReader, BufferSizeNoneIsTheDefault) {
    FakeRaw f;
    f.data.assign(PYIO_DEFAULT_BUFFER_SIZE + 1000, 'x');
    Stream r = reader_over(f, PYIO_NONE);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(read1_str(r.get(), -1).size(), size_t{PYIO_DEFAULT_BUFFER_SIZE});
    EXPECT_EQ(f.read_sizes, (std::vector<int64_t>{PYIO_DEFAULT_BUFFER_SIZE}));
}

TEST(BufferedReader, RawMustBeReadable) {
    FakeRaw f;
    Stream raw = raw_stream(f, Caps{.read = false});
    EXPECT_EQ(pyio_bufferedreader_new(raw.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
}

TEST(BufferedReader, RawReadintoReturningMoreThanAskedIsOSError) {
    FakeRaw f;
    f.data = kAlphabet;
    f.read_script = {result(9)};
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 1), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      "raw readinto() returned invalid length 9 (should have been between 0 and 8)");
}

TEST(BufferedReader, RawReadFailureIsReported) {
    FakeRaw f;
    f.data = kAlphabet;
    f.read_script = {fail_with(EIO)};
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 1), "<-1>");
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(read_str(r.get(), 1), "0");
}

TEST(BufferedReader, BufferedBytesAreServedAfterTheRawIsClosedBehindIt) {
    // python3, BufferedReader(FileIO(path), 4) over b"abcdefgh": after read(1)
    // and raw.close(), closed is True and yet peek() -> b"bcd", read(2) ->
    // b"bc", readinto of 1 byte -> 1; only what needs the raw stream fails:
    // read(5) and readline() with "I/O operation on closed file", then, with
    // nothing left, "read of closed file".
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abcdefgh");
    Stream raw = open_file(path, "rb");
    Stream r(pyio_bufferedreader_new(raw.get(), 4));
    EXPECT_EQ(read_str(r.get(), 1), "a");
    ASSERT_EQ(pyio_close(raw.get()), 0);
    EXPECT_EQ(pyio_closed(r.get()), 1);
    EXPECT_EQ(peek_str(r.get()), "bcd");
    EXPECT_EQ(read_str(r.get(), 2), "bc");
    EXPECT_EQ(readinto_str(r.get(), 1), "d");
    EXPECT_EQ(read_str(r.get(), 1), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read of closed file");

    Stream raw2 = open_file(path, "rb");
    Stream r2(pyio_bufferedreader_new(raw2.get(), 4));
    EXPECT_EQ(read_str(r2.get(), 1), "a");
    ASSERT_EQ(pyio_close(raw2.get()), 0);
    EXPECT_EQ(read_str(r2.get(), 5), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(pyio_close(r2.get()), 0);  // nothing to do: the raw stream is closed
}

TEST(BufferedReader, CloseFlushesTheRawStreamFirst) {
    // python3, a Python raw under BufferedReader: close() calls raw.flush()
    // and then raw.close() (whose own close flushes again).
    FakeRaw f;
    f.data = "abc";
    Stream r = reader_over(f, 8);
    EXPECT_EQ(read_str(r.get(), 1), "a");
    ASSERT_EQ(pyio_close(r.get()), 0);
    std::vector<std::string> tail(f.events.end() - 3, f.events.end());
    EXPECT_EQ(tail, (std::vector<std::string>{"flush", "flush", "close"}));
}

TEST(BufferedReader, FlushIsTheRawStreamsFlush) {
    FakeRaw f;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(pyio_flush(r.get()), 0);
    EXPECT_EQ(f.count("flush"), 1);
}

// ===========================================================================
// BufferedWriter
// ===========================================================================

TEST(BufferedWriter, WriteAcceptsEverythingAndReturnsItsLength) {
    FakeRaw f;
    f.max_write = 3;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcde"), 5);
    std::string big(100, 'z');
    EXPECT_EQ(write_str(w.get(), big), 100);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcde" + big);
}

TEST(BufferedWriter, SmallWritesAreBufferedUntilFlush) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(write_str(w.get(), "def"), 3);
    EXPECT_EQ(f.count("write"), 0);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{6}));
    EXPECT_EQ(f.data, "abcdef");
}

TEST(BufferedWriter, AWriteThatFillsTheBufferExactlyStaysBuffered) {
    // python3, buffer size 8: write(8 bytes) makes no raw call; the next
    // write flushes them.
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdefgh"), 8);
    EXPECT_EQ(f.count("write"), 0);
    EXPECT_EQ(write_str(w.get(), "i"), 1);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{8}));
}

TEST(BufferedWriter, ABufferfulWrittenAfterPendingDataIsBuffered) {
    // python3, buffer size 8: write(b"abc"); write(8 bytes) writes only the
    // 3 pending bytes; a write of 9 then flushes the 8 and goes straight out.
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(write_str(w.get(), "xxxxxxxx"), 8);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{3}));
    EXPECT_EQ(write_str(w.get(), "yyyyyyyyy"), 9);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{3, 8, 9}));
    EXPECT_EQ(f.data, "abcxxxxxxxxyyyyyyyyy");
}

TEST(BufferedWriter, AWriteThatOverflowsTheBufferFlushesIt) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcde"), 5);
    EXPECT_EQ(write_str(w.get(), "fghij"), 5);
    EXPECT_EQ(f.data, "abcde");
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdefghij");
}

TEST(BufferedWriter, AWriteLargerThanTheBufferGoesStraightToTheRaw) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    std::string big = kAlphabet.substr(0, 20);
    EXPECT_EQ(write_str(w.get(), big), 20);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{20}));
    EXPECT_EQ(f.data, big);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.count("write"), 1);
}

TEST(BufferedWriter, PartialRawWritesAreRetriedOnFlush) {
    FakeRaw f;
    f.max_write = 3;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdefg"), 7);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.write_sizes, (std::vector<int64_t>{7, 4, 1}));
    EXPECT_EQ(f.data, "abcdefg");
}

TEST(BufferedWriter, PartialRawWritesOfALargeWriteAreRetried) {
    FakeRaw f;
    f.max_write = 5;
    Stream w = writer_over(f, 8);
    std::string big = kAlphabet.substr(0, 30);
    EXPECT_EQ(write_str(w.get(), big), 30);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, big);
}

TEST(BufferedWriter, WouldBlockTakesWhatFitsAndReportsIt) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcde"), 5);
    f.write_script = {would_block_errno(EAGAIN)};
    EXPECT_EQ(write_str(w.get(), "fghijk"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BLOCKING_IO, "[Errno 11] write could not complete without blocking");
    EXPECT_EQ(pyio_error_errno(), EAGAIN);
    EXPECT_EQ(pyio_error_characters_written(), 3);
    // The raw stream drains: what was accepted is written exactly once.
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdefgh");
    EXPECT_EQ(write_str(w.get(), "ijk"), 3);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdefghijk");
}

TEST(BufferedWriter, WouldBlockAfterAPartialFlushKeepsTheUnwrittenPart) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    f.max_write = 2;
    f.write_script = {transfer(), would_block()};
    EXPECT_EQ(write_str(w.get(), "ghijklmn"), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    // "ab" went out, "cdef" is still buffered, and 4 of the 8 new bytes fit.
    EXPECT_EQ(pyio_error_characters_written(), 4);
    EXPECT_EQ(f.data, "ab");
    f.max_write = INT64_MAX;
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdefghij");
}

TEST(BufferedWriter, ALargeWriteThatWouldBlockBuffersABufferfulAndReportsIt) {
    // As CPython: the direct write took 5, then a buffer's worth (8) is
    // taken into the buffer, so 13 of the 20 bytes were accepted.
    FakeRaw f;
    Stream w = writer_over(f, 8);
    f.max_write = 5;
    f.write_script = {transfer(), would_block()};
    std::string big = kAlphabet.substr(0, 20);
    EXPECT_EQ(write_str(w.get(), big), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 13);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, big.substr(0, 13));
}

TEST(BufferedWriter, WouldBlockOnAPipeMatchesPython) {
#ifdef F_GETPIPE_SZ
    // python3: a pipe with 5 bytes of room and buffer size 16: write(10 A)
    // -> 10; write(10 B) -> BlockingIOError, 6 written; write(40 C) -> 0
    // written; flush -> BlockingIOError, 0.  Once drained, flush writes the
    // 10 A and 6 B exactly once.
    Pipe p;
    int capacity = fcntl(p.wfd, F_GETPIPE_SZ);
    ASSERT_GT(capacity, 5);
    ASSERT_EQ(fcntl(p.wfd, F_SETFL, fcntl(p.wfd, F_GETFL) | O_NONBLOCK), 0);
    ASSERT_EQ(fcntl(p.rfd, F_SETFL, fcntl(p.rfd, F_GETFL) | O_NONBLOCK), 0);
    Stream w(pyio_bufferedwriter_new(p.write_end.get(), 16));
    std::string filler(static_cast<size_t>(capacity - 5), 'p');
    ASSERT_EQ(write(p.wfd, filler.data(), filler.size()), static_cast<ssize_t>(filler.size()));

    EXPECT_EQ(write_str(w.get(), std::string(10, 'A')), 10);
    EXPECT_EQ(write_str(w.get(), std::string(10, 'B')), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 6);
    EXPECT_EQ(write_str(w.get(), std::string(40, 'C')), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 0);
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 0);

    std::string drained(static_cast<size_t>(capacity), '\0');
    ASSERT_EQ(read(p.rfd, drained.data(), drained.size()), static_cast<ssize_t>(filler.size()));
    ASSERT_EQ(pyio_flush(w.get()), 0);
    char rest[64];
    ssize_t n = read(p.rfd, rest, sizeof rest);
    ASSERT_GE(n, 0);
    EXPECT_EQ(std::string(rest, static_cast<size_t>(n)), std::string(10, 'A') + std::string(6, 'B'));

    // python3: a write larger than the buffer into a full pipe -> 16 taken.
    ASSERT_EQ(write(p.wfd, filler.data(), filler.size()), static_cast<ssize_t>(filler.size()));
    EXPECT_EQ(write_str(w.get(), std::string(40, 'D')), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 16);
#else
    GTEST_SKIP() << "F_GETPIPE_SZ is Linux-only";
#endif
}

TEST(BufferedWriter, FlushThatWouldBlockIsBlockingIOError) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    f.write_script = {would_block_errno(EAGAIN)};
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BLOCKING_IO, "[Errno 11] write could not complete without blocking");
    EXPECT_EQ(pyio_error_characters_written(), 0);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abc");
}

TEST(BufferedWriter, BlockingIOErrorReportsTheErrnoTheRawStreamLeft) {
    // python3, a Python raw whose write returns None: BlockingIOError(0,
    // 'write could not complete without blocking', 0) -- errno is whatever
    // the raw call left, cleared before it; over a descriptor, EAGAIN.
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    errno = EINTR;  // stale: must not leak into the error
    f.write_script = {would_block()};
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_BLOCKING_IO, "[Errno 0] write could not complete without blocking");
    EXPECT_EQ(pyio_error_errno(), 0);
    f.write_script = {would_block()};
    EXPECT_EQ(write_str(w.get(), "defghijkl"), -1);
    EXPECT_EQ(pyio_error_errno(), 0);
    EXPECT_EQ(pyio_error_characters_written(), 5);
}

TEST(BufferedWriter, RawWriteFailureIsOSErrorAndKeepsTheData) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    f.write_script = {fail_with(ENOSPC)};
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ENOSPC);
    EXPECT_EQ(pyio_tell(w.get()), 3);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abc");
}

TEST(BufferedWriter, AFailureMidFlushKeepsWhatWasNotWritten) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    f.max_write = 2;
    f.write_script = {transfer(), fail_with(ENOSPC)};
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_EQ(pyio_error_errno(), ENOSPC);
    EXPECT_EQ(f.data, "ab");
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdef");
}

TEST(BufferedWriter, AWriteWhoseFlushFailsTakesNothing) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    f.write_script = {fail_with(ENOSPC)};
    EXPECT_EQ(write_str(w.get(), "ghijk"), -1);
    EXPECT_EQ(pyio_error_errno(), ENOSPC);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abcdef");
}

TEST(BufferedWriter, CloseFlushesThenClosesTheRaw) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    ASSERT_EQ(pyio_close(w.get()), 0);
    EXPECT_EQ(f.data, "abc");
    auto write_at = std::find(f.events.begin(), f.events.end(), "write 3");
    auto close_at = std::find(f.events.begin(), f.events.end(), "close");
    ASSERT_NE(close_at, f.events.end());
    EXPECT_LT(write_at, close_at);
    EXPECT_EQ(pyio_closed(w.get()), 1);
}

TEST(BufferedWriter, CloseWhoseFlushFailsStillClosesTheRawAndReportsTheFlushError) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    f.write_script = {fail_with(ENOSPC)};
    EXPECT_EQ(pyio_close(w.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ENOSPC);
    EXPECT_EQ(f.count("close"), 1);
    EXPECT_EQ(pyio_closed(w.get()), 1);
    EXPECT_EQ(pyio_close(w.get()), 0);
}

TEST(BufferedWriter, CloseWhoseFlushAndCloseBothFailReportsTheCloseError) {
    // python3: raw.write raising ENOSPC and raw.close raising EIO: close()
    // raises the EIO error (the ENOSPC one is its __context__), and the
    // object is closed.
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    f.write_script = {fail_with(ENOSPC)};
    f.close_errno = EIO;
    EXPECT_EQ(pyio_close(w.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(pyio_closed(w.get()), 1);
    EXPECT_EQ(write_str(w.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "write to closed file");
}

int fake_closed(void* context) { return fake(context).count("close") > 0 || fake(context).closed_behind; }

TEST(BufferedWriter, ARawStreamClosedBehindItIsClosedForWritesAndFlush) {
    // python3, a Python raw object closed directly (raw.close()) under a
    // BufferedWriter: write() -> ValueError("write to closed file"), flush()
    // -> ValueError("flush of closed file"), close() does nothing.
    FakeRaw f;
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.write = fake_write;
    cb.close = fake_close;
    cb.closed = fake_closed;
    Stream raw(pyio_rawio_new(&cb, &f, "fake"));
    Stream w(pyio_bufferedwriter_new(raw.get(), 8));
    f.closed_behind = true;
    EXPECT_EQ(pyio_closed(w.get()), 1);
    EXPECT_EQ(write_str(w.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "write to closed file");
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "flush of closed file");
    EXPECT_EQ(pyio_close(w.get()), 0);
    EXPECT_EQ(f.count("close"), 0);
}

TEST(BufferedWriter, ClosedWriterReportsPythonsMessages) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    ASSERT_EQ(pyio_close(w.get()), 0);
    EXPECT_EQ(write_str(w.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "write to closed file");
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "flush of closed file");
    EXPECT_EQ(pyio_seek(w.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "seek of closed file");
    EXPECT_EQ(pyio_truncate(w.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "truncate of closed file");
    EXPECT_EQ(pyio_tell(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(pyio_detach(w.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "flush of closed file");
    pyio_slice line = {"a", 1};
    EXPECT_EQ(pyio_writelines(w.get(), &line, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
}

TEST(BufferedWriter, TellIsTheRawPositionPlusWhatIsPending) {
    FakeRaw f;
    f.data = kAlphabet;
    f.pos = 10;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(pyio_tell(w.get()), 10);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(pyio_tell(w.get()), 13);
    EXPECT_EQ(f.pos, 10);
}

TEST(BufferedWriter, SeekFlushesFirst) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    EXPECT_EQ(pyio_seek(w.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(f.data, "abcdef");
    auto write_at = std::find(f.events.begin(), f.events.end(), "write 6");
    auto seek_at = std::find(f.events.begin(), f.events.end(), "seek 2 0");
    ASSERT_NE(seek_at, f.events.end());
    EXPECT_LT(write_at, seek_at);
    EXPECT_EQ(write_str(w.get(), "XY"), 2);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abXYef");
}

TEST(BufferedWriter, SeekCurCountsThePendingBytes) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    EXPECT_EQ(pyio_seek(w.get(), -2, PYIO_SEEK_CUR), 4);
    EXPECT_EQ(pyio_seek(w.get(), 0, PYIO_SEEK_END), 6);
}

TEST(BufferedWriter, TruncateFlushesFirstAndReturnsTheSize) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "abcdef"), 6);
    EXPECT_EQ(pyio_truncate(w.get(), 3), 3);
    EXPECT_EQ(f.data, "abc");
    EXPECT_EQ(pyio_tell(w.get()), 6);  // truncate does not move
    EXPECT_EQ(pyio_truncate(w.get(), PYIO_NONE), 6);
    EXPECT_EQ(f.data, "abc\0\0\0"s);
}

TEST(BufferedWriter, DetachFlushes) {
    FakeRaw f;
    Stream raw = raw_stream(f);
    Stream w(pyio_bufferedwriter_new(raw.get(), 8));
    EXPECT_EQ(write_str(w.get(), "xyz"), 3);
    Stream detached(pyio_detach(w.get()));
    EXPECT_EQ(detached.get(), raw.get());
    EXPECT_EQ(f.data, "xyz");
    EXPECT_EQ(pyio_closed(raw.get()), 0);
}

TEST(BufferedWriter, DetachWhoseFlushFailsKeepsTheRawAttached) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    EXPECT_EQ(write_str(w.get(), "xyz"), 3);
    f.write_script = {would_block()};
    EXPECT_EQ(pyio_detach(w.get()), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_BLOCKING_IO);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "xyz");
}

TEST(BufferedWriter, TellAfterWritingToAnAppendModeFileIsTheEnd) {
    // python3: open(path, "ab") over 5 bytes; seek(0); write(b"abc"):
    // tell() is 3 before the flush and 8 after it (O_APPEND wrote at the end).
    TempDir dir;
    std::string path = dir.file("log");
    spit(path, "12345");
    Stream raw = open_file(path, "ab");
    Stream w(pyio_bufferedwriter_new(raw.get(), PYIO_NONE));
    EXPECT_EQ(pyio_seek(w.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(pyio_tell(w.get()), 3);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(pyio_tell(w.get()), 8);
    EXPECT_EQ(slurp(path), "12345abc");
}

TEST(BufferedWriter, RawMustBeWritable) {
    FakeRaw f;
    Stream raw = raw_stream(f, Caps{.write = false});
    EXPECT_EQ(pyio_bufferedwriter_new(raw.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
}

TEST(BufferedWriter, WritableButNotReadable) {
    TempDir dir;
    Stream raw = open_file(dir.file("f"), "w+b");
    Stream w(pyio_bufferedwriter_new(raw.get(), 8));
    EXPECT_EQ(pyio_writable(w.get()), 1);
    EXPECT_EQ(pyio_readable(w.get()), 0);  // python3: BufferedWriter has no readable()
}

TEST(BufferedWriter, WritelinesWritesEachSlice) {
    FakeRaw f;
    Stream w = writer_over(f, 4);
    pyio_slice lines[] = {{"ab\n", 3}, {"cdefgh\n", 7}, {"", 0}, {"i", 1}};
    ASSERT_EQ(pyio_writelines(w.get(), lines, 4), 0);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "ab\ncdefgh\ni");
}

// Over an exact FileIO, readinto reads the caller's part of a buffer fill
// straight into the caller's memory (one readv), leaving a hole in the
// buffer where CPython keeps a copy.  A seek back over it is still served
// without moving the raw stream, the hole read back from the file.
TEST(BufferedReader, ASeekBackOverWhatReadintoSentToTheCallerIsServedFromTheFile) {
    // python3, BufferedReader(FileIO(path), 16) over kAlphabet: readinto of
    // 10 bytes -> b"0123456789" with raw.tell() 16; seek(-7, 1) -> 3 and
    // raw.tell() still 16; read(5) -> b"34567"; seek(0) -> 0; read(16) ->
    // b"0123456789abcdef"; raw.tell() 16 throughout.
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, kAlphabet);
    Stream raw;
    Stream r = buffered_file(path, "rb", 16, raw);
    EXPECT_EQ(readinto_str(r.get(), 10), "0123456789");
    EXPECT_EQ(pyio_tell(raw.get()), 16);
    EXPECT_EQ(pyio_seek(r.get(), -7, SEEK_CUR), 3);
    EXPECT_EQ(pyio_tell(raw.get()), 16);
    EXPECT_EQ(read_str(r.get(), 5), "34567");
    EXPECT_EQ(pyio_seek(r.get(), 0, SEEK_SET), 0);
    EXPECT_EQ(read_str(r.get(), 16), "0123456789abcdef");
    EXPECT_EQ(pyio_tell(raw.get()), 16);

    // python3, the same after readinto1 of 4 bytes: raw.tell() 16; seek(1)
    // -> 1; read(3) -> b"123"; raw.tell() 16.
    Stream raw1;
    Stream r1 = buffered_file(path, "rb", 16, raw1);
    EXPECT_EQ(readinto_str(r1.get(), 4, true), "0123");
    EXPECT_EQ(pyio_seek(r1.get(), 1, SEEK_SET), 1);
    EXPECT_EQ(read_str(r1.get(), 3), "123");
    EXPECT_EQ(pyio_tell(raw1.get()), 16);
}

TEST(BufferedReader, ASeekBackOverTheReadintoHoleOfAShrunkFileReadsTheFileAsItIs) {
    // CPython still has the bytes and serves them; the library reads them
    // back, and when the file no longer has them it seeks the raw stream
    // instead: what follows is what the file holds now.
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, kAlphabet);
    Stream raw;
    Stream r = buffered_file(path, "rb", 16, raw);
    EXPECT_EQ(readinto_str(r.get(), 10), "0123456789");
    ASSERT_EQ(truncate(path.c_str(), 5), 0);
    EXPECT_EQ(pyio_seek(r.get(), 2, SEEK_SET), 2);
    EXPECT_EQ(read_str(r.get(), 16), "234");
    EXPECT_EQ(pyio_tell(raw.get()), 5);
}

// ===========================================================================
// BufferedRandom
// ===========================================================================

// One operation of a scripted sequence, and what python3's
// io.BufferedRandom(io.FileIO(path, "r+b"), buffer_size) answered: the data
// read, the count written or the position, as text.
struct ScriptedOp {
    std::string op;
    std::string expected;
};
struct Script {
    std::string initial;
    int64_t buffer_size;
    std::vector<ScriptedOp> ops;
    std::string final_file;
};

const std::vector<Script>& python_scripts() {
    static const std::vector<Script> scripts = {
        {"0123456789abcdef"s, 4,
         {{"read 3", "012"}, {"write XY", "2"}, {"tell", "5"}, {"read 2", "56"}, {"seek -4,1", "3"},
          {"read 6", "XY5678"}, {"write Z", "1"}, {"seek 0,0", "0"}, {"read 20", "012XY5678Zabcdef"},
          {"tell", "16"}},
         "012XY5678Zabcdef"s},
        {"hello\nworld\nagain\n"s, 5,
         {{"readline -1", "hello\n"}, {"write HELLO", "5"}, {"tell", "11"}, {"readline -1", "\n"},
          {"seek 2,0", "2"}, {"write __", "2"}, {"seek 0,0", "0"}, {"readline -1", "he__o\n"},
          {"readline 3", "HEL"}, {"seek 0,2", "18"}, {"write !", "1"}, {"tell", "19"}, {"seek 0,0", "0"},
          {"read -1", "he__o\nHELLO\nagain\n!"}},
         "he__o\nHELLO\nagain\n!"s},
        {"abcdefghij"s, 3,
         {{"write 12", "2"}, {"read 2", "cd"}, {"truncate ", "4"}, {"tell", "4"}, {"read 5", ""},
          {"seek 0,2", "4"}, {"tell", "4"}, {"write XYZ", "3"}, {"truncate 4", "4"}, {"tell", "7"},
          {"seek 0,0", "0"}, {"read -1", "12cd"}, {"seek 12,0", "12"}, {"write q", "1"}, {"seek 0,0", "0"},
          {"read -1", "12cd\0\0\0\0\0\0\0\0q"s}},
         "12cd\0\0\0\0\0\0\0\0q"s},
        {""s, 8,
         {{"write abcdefghijklmnop", "16"}, {"seek 3,0", "3"}, {"read 2", "de"}, {"write --", "2"},
          {"seek -3,2", "13"}, {"read 10", "nop"}, {"write tail", "4"}, {"tell", "20"}, {"truncate 10", "10"},
          {"read 5", ""}, {"tell", "20"}, {"seek 0,0", "0"}, {"read -1", "abcde--hij"}, {"truncate 0", "0"},
          {"tell", "10"}, {"write x", "1"}, {"seek 0,0", "0"}, {"read -1", "\0\0\0\0\0\0\0\0\0\0x"s}},
         "\0\0\0\0\0\0\0\0\0\0x"s},
        {"0123456789"s, 4,
         {{"read 1", "0"}, {"peek", "True"}, {"write A", "1"}, {"seek 1,1", "3"}, {"write B", "1"},
          {"read 2", "45"}, {"seek -1,1", "5"}, {"write C", "1"}, {"flush", ""}, {"seek 0,0", "0"},
          {"read 3", "0A2"}, {"write DDDDDD", "6"}, {"read 1", "9"}, {"tell", "10"}, {"seek 0,0", "0"},
          {"read -1", "0A2DDDDDD9"}},
         "0A2DDDDDD9"s},
    };
    return scripts;
}

// Runs one scripted operation ("read 3", "write XY", "seek -4,1", "tell",
// "truncate " (None), "truncate 4", "readline -1", "flush", "peek") and
// answers as the python3 script printed it.
std::string run_op(pyio_stream* s, const std::string& op) {
    std::string verb = op.substr(0, op.find(' '));
    std::string arg = op.size() > verb.size() ? op.substr(verb.size() + 1) : "";
    auto number = [](int64_t n) {
        return n < 0 ? "<error " + std::string(pyio_error_message()) + ">" : std::to_string(n);
    };
    if (verb == "read") return read_str(s, std::stoll(arg));
    if (verb == "readline") return readline_str(s, std::stoll(arg));
    if (verb == "write") return number(write_str(s, arg));
    if (verb == "tell") return number(pyio_tell(s));
    if (verb == "truncate") return number(pyio_truncate(s, arg.empty() ? PYIO_NONE : std::stoll(arg)));
    if (verb == "flush") return pyio_flush(s) == 0 ? "" : "<error>";
    if (verb == "peek") return peek_str(s).empty() ? "False" : "True";
    if (verb == "seek") {
        size_t comma = arg.find(',');
        return number(pyio_seek(s, std::stoll(arg.substr(0, comma)), std::stoi(arg.substr(comma + 1))));
    }
    return "<unknown op " + op + ">";
}

TEST(BufferedRandom, AWriteAfterReadintoAndASeekBackOverItsHoleKeepBoth) {
    // python3, BufferedRandom(FileIO(path, "r+b"), 16) over kAlphabet:
    // readinto of 10 bytes, write(b"XY") -> 2, seek(0) -> 0 with raw.tell()
    // 16, read(16) -> b"0123456789XYcdef"; after flush the file is kAlphabet
    // with "XY" at 10.
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, kAlphabet);
    Stream raw;
    Stream r = buffered_file(path, "r+b", 16, raw);
    EXPECT_EQ(readinto_str(r.get(), 10), "0123456789");
    EXPECT_EQ(write_str(r.get(), "XY"), 2);
    EXPECT_EQ(pyio_seek(r.get(), 0, SEEK_SET), 0);
    EXPECT_EQ(pyio_tell(raw.get()), 16);
    EXPECT_EQ(read_str(r.get(), 16), "0123456789XYcdef");
    ASSERT_EQ(pyio_flush(r.get()), 0);
    std::string expected = kAlphabet;
    expected.replace(10, 2, "XY");
    EXPECT_EQ(slurp(path), expected);
}

TEST(BufferedRandom, ScriptedSequencesOverFileIOMatchPython) {
    TempDir dir;
    int i = 0;
    for (const Script& script : python_scripts()) {
        SCOPED_TRACE("script " + std::to_string(i));
        std::string path = dir.file("f" + std::to_string(i++));
        spit(path, script.initial);
        Stream raw = open_file(path, "r+b");
        Stream s(pyio_bufferedrandom_new(raw.get(), script.buffer_size));
        ASSERT_NE(s, nullptr);
        for (const ScriptedOp& op : script.ops) EXPECT_EQ(run_op(s.get(), op.op), op.expected) << op.op;
        ASSERT_EQ(pyio_close(s.get()), 0);
        EXPECT_EQ(slurp(path), script.final_file);
    }
}

TEST(BufferedRandom, ScriptedSequencesOverACallbackRawMatchPython) {
    int i = 0;
    for (const Script& script : python_scripts()) {
        SCOPED_TRACE("script " + std::to_string(i++));
        FakeRaw f;
        f.data = script.initial;
        Stream s = random_over(f, script.buffer_size);
        ASSERT_NE(s, nullptr);
        for (const ScriptedOp& op : script.ops) EXPECT_EQ(run_op(s.get(), op.op), op.expected) << op.op;
        ASSERT_EQ(pyio_close(s.get()), 0);
        EXPECT_EQ(f.data, script.final_file);
    }
}

// readline finds its newlines in a map of the buffer's (Buffered::
// find_newline), made as it goes and true only while the buffer holds what
// it was made of.  Against a model of the file: lines of every length around
// the map's 64-byte words, readline and readline_view with and without
// limits, between seeks (back into the buffer and away), reads, readintos
// (which leave a hole over a FileIO), peeks, and writes that move the
// newlines under a map already made.
TEST(BufferedRandom, ReadlineFindsTheNewlinesTheBufferHoldsNowWhateverItHeldBefore) {
    TempDir dir;
    std::mt19937 rng(20261207);
    auto random_bytes = [&](size_t n, unsigned newline_percent) {
        std::string s;
        for (size_t k = 0; k < n; ++k)
            s += rng() % 100 < newline_percent ? '\n' : static_cast<char>('a' + rng() % 26);
        return s;
    };
    for (int round = 0; round < 80; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const unsigned density = std::vector<unsigned>{1, 3, 10, 40}[rng() % 4];
        std::string model = random_bytes(1 + rng() % 3000, density);
        const std::string path = dir.file("f" + std::to_string(round));
        spit(path, model);
        const int64_t buffer_size = std::vector<int64_t>{1, 7, 64, 100, 200, 1000, 8192}[rng() % 7];
        const bool writes = round % 2;
        Stream raw;
        Stream s = buffered_file(path, writes ? "r+b" : "rb", buffer_size, raw);
        ASSERT_NE(s, nullptr);
        size_t pos = 0;
        for (int step = 0; step < 400; ++step) {
            SCOPED_TRACE("step " + std::to_string(step));
            const unsigned op = rng() % 18;
            if (op < 6 || op >= 12) {
                const int64_t limit = rng() % 4 ? -1 : static_cast<int64_t>(rng() % 150);
                size_t end = pos < model.size() ? model.find('\n', pos) : std::string::npos;
                end = end == std::string::npos ? std::max(pos, model.size()) : end + 1;
                if (limit >= 0) end = std::min(end, pos + static_cast<size_t>(limit));
                const std::string want = pos < model.size() ? model.substr(pos, end - pos) : "";
                if (op % 2) {
                    const char* view = nullptr;
                    const int64_t n = pyio_readline_view(s.get(), limit, &view);
                    ASSERT_EQ(n, static_cast<int64_t>(want.size()));
                    ASSERT_EQ(std::string(view ? view : "", static_cast<size_t>(n)), want);
                } else {
                    ASSERT_EQ(readline_str(s.get(), limit), want);
                }
                pos = std::max(pos, end);
            } else if (op == 6) {
                pos = rng() % (model.size() + 1);
                ASSERT_EQ(pyio_seek(s.get(), static_cast<int64_t>(pos), PYIO_SEEK_SET), static_cast<int64_t>(pos));
            } else if (op == 7) {
                const size_t back = std::min<size_t>(pos, rng() % 100);
                pos -= back;
                ASSERT_EQ(pyio_seek(s.get(), -static_cast<int64_t>(back), PYIO_SEEK_CUR), static_cast<int64_t>(pos));
            } else if (op == 8) {
                const size_t n = rng() % 200;
                ASSERT_EQ(read_str(s.get(), static_cast<int64_t>(n)), pos < model.size() ? model.substr(pos, n) : "");
                pos = std::min(std::max(pos, model.size()), pos + n);
            } else if (op == 9) {
                const size_t n = 1 + rng() % 300;
                ASSERT_EQ(readinto_str(s.get(), static_cast<int64_t>(n)), pos < model.size() ? model.substr(pos, n) : "");
                pos = std::min(std::max(pos, model.size()), pos + n);
            } else if (op == 10) {
                const char* view = nullptr;
                const int64_t n = pyio_peek_view(s.get(), &view);
                ASSERT_GE(n, 0);
                ASSERT_EQ(std::string(view ? view : "", static_cast<size_t>(n)), model.substr(std::min(pos, model.size()), static_cast<size_t>(n)));
            } else if (writes) {
                const std::string data = random_bytes(1 + rng() % 100, std::vector<unsigned>{0, 10, 50}[rng() % 3]);
                ASSERT_EQ(write_str(s.get(), data), static_cast<int64_t>(data.size()));
                if (model.size() < pos) model.resize(pos, '\0');
                model.replace(pos, std::min(data.size(), model.size() - pos), data);
                pos += data.size();
            }
            // Not after every step: tell() forgets the map too, and runs of
            // readlines through refills of the buffer must be tried.
            if (rng() % 8 == 0) {
                ASSERT_EQ(pyio_tell(s.get()), static_cast<int64_t>(pos));
            }
        }
        ASSERT_EQ(pyio_close(s.get()), 0);
        EXPECT_EQ(slurp(path), model);
    }
}

TEST(BufferedRandom, WriteAfterReadWritesAtTheLogicalPosition) {
    FakeRaw f;
    f.data = "0123456789";
    Stream s = random_over(f, 4);
    EXPECT_EQ(read_str(s.get(), 2), "01");
    EXPECT_EQ(write_str(s.get(), "AB"), 2);
    EXPECT_EQ(pyio_tell(s.get()), 4);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(f.data, "01AB456789");
    EXPECT_EQ(read_str(s.get(), 2), "45");
}

TEST(BufferedRandom, ReadAfterWriteSeesTheWrittenData) {
    FakeRaw f;
    f.data = "0123456789";
    Stream s = random_over(f, 4);
    EXPECT_EQ(write_str(s.get(), "XYZ"), 3);
    EXPECT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_SET), 1);
    EXPECT_EQ(read_str(s.get(), 4), "YZ34");
}

TEST(BufferedRandom, ReadContinuesAfterWhatWasWritten) {
    FakeRaw f;
    f.data = "0123456789";
    Stream s = random_over(f, 4);
    EXPECT_EQ(write_str(s.get(), "XYZ"), 3);
    EXPECT_EQ(read_str(s.get(), 3), "345");
    EXPECT_EQ(f.data, "XYZ3456789");
}

TEST(BufferedRandom, TruncateFlushesAndLeavesThePositionWherePythonDoes) {
    // python3: after write(b"12") and read(2) at 4, truncate() -> 4 and tell 4;
    // with the position at 7, truncate(4) -> 4 and tell stays 7.
    FakeRaw f;
    f.data = "abcdefghij";
    Stream s = random_over(f, 3);
    EXPECT_EQ(write_str(s.get(), "12"), 2);
    EXPECT_EQ(read_str(s.get(), 2), "cd");
    EXPECT_EQ(pyio_truncate(s.get(), PYIO_NONE), 4);
    EXPECT_EQ(f.data, "12cd");
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(pyio_seek(s.get(), 7, PYIO_SEEK_SET), 7);
    EXPECT_EQ(pyio_truncate(s.get(), 4), 4);
    EXPECT_EQ(pyio_tell(s.get()), 7);
}

TEST(BufferedRandom, PeekFlushesAndShowsAFreshBuffer) {
    // python3, buffer size 4 over b"abcdef": write(b"XY"); peek() -> b"cdef"
    // with b"XY" already in the raw stream.
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 4);
    EXPECT_EQ(write_str(s.get(), "XY"), 2);
    EXPECT_EQ(peek_str(s.get()), "cdef");
    EXPECT_EQ(f.data, "XYcdef");
    EXPECT_EQ(pyio_tell(s.get()), 2);
}

TEST(BufferedRandom, PeekAfterAReadRefillsFromTheLogicalPosition) {
    // python3: BufferedRandom's peek rewinds over the read-ahead first, so it
    // shows a whole buffer where BufferedReader's shows what is left.
    FakeRaw f;
    f.data = kAlphabet;
    Stream s = random_over(f, 4);
    EXPECT_EQ(read_str(s.get(), 1), "0");
    EXPECT_EQ(peek_str(s.get()), "1234");
}

TEST(BufferedRandom, Read1AfterWriteSeesTheWrite) {
    // CPython 3.11 does not flush here and answers b"ab", what the file held
    // before the write; libpyio answers the data after what was written.
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 4);
    EXPECT_EQ(write_str(s.get(), "XY"), 2);
    EXPECT_EQ(read1_str(s.get(), 2), "cd");
    EXPECT_EQ(pyio_tell(s.get()), 4);
    EXPECT_EQ(f.data, "XYcdef");
}

TEST(BufferedRandom, Readinto1AfterWriteSeesTheWrite) {
    // python3: readinto1 after write(b"XY") fills b"cd" and the raw stream
    // holds b"XYcdef".
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 4);
    EXPECT_EQ(write_str(s.get(), "XY"), 2);
    EXPECT_EQ(readinto_str(s.get(), 2, true), "cd");
    EXPECT_EQ(f.data, "XYcdef");
}

TEST(BufferedRandom, ReadlineZeroDoesNotFlush) {
    // python3: readline(0) answers b"" with no raw call at all.
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 8);
    EXPECT_EQ(write_str(s.get(), "AB"), 2);
    EXPECT_EQ(readline_str(s.get(), 0), "");
    EXPECT_EQ(f.count("write"), 0);
}

TEST(BufferedRandom, AnEmptyReadintoWithNothingBufferedFlushes) {
    // python3: readinto(bytearray(0)) after a write makes the raw write.
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 8);
    EXPECT_EQ(write_str(s.get(), "AB"), 2);
    char c;
    EXPECT_EQ(pyio_readinto(s.get(), &c, 0), 0);
    EXPECT_EQ(f.data, "ABcdef");
}

TEST(BufferedRandom, ReadAheadSurvivesAWrite) {
    // python3, BufferedRandom(raw, 4) over b"abcdef": read(1) -> b"a",
    // write(b"X"), read1(10) -> b"cd" (still buffered: the write went into
    // the same buffer), peek() -> b"ef", tell() -> 4; the file is b"aXcdef".
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 4);
    EXPECT_EQ(read_str(s.get(), 1), "a");
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    int reads = f.count("readinto");
    EXPECT_EQ(read1_str(s.get(), 10), "cd");
    EXPECT_EQ(f.count("readinto"), reads);
    EXPECT_EQ(peek_str(s.get()), "ef");
    EXPECT_EQ(pyio_tell(s.get()), 4);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.data, "aXcdef");
    // The same raw calls as python3's, in order (after the constructor's tell).
    std::vector<std::string> expected = {"tell",     "seek 0 1",   "readinto 4", "seek -3 1",
                                         "write 1",  "seek 2 1",   "readinto 4", "tell",
                                         "seek -2 1", "flush",     "close"};
    EXPECT_EQ(f.events, expected);
}

TEST(BufferedRandom, WritingPastTheReadAheadKeepsTheBufferedBytesBefore) {
    // python3, buffer 8 over b"0123456789": read(2), write(b"AB"), seek(-3, 1)
    // -> 1 without a raw call, read(3) -> b"1AB".
    FakeRaw f;
    f.data = "0123456789";
    Stream s = random_over(f, 8);
    EXPECT_EQ(read_str(s.get(), 2), "01");
    EXPECT_EQ(write_str(s.get(), "AB"), 2);
    int moving = f.moving_calls();
    EXPECT_EQ(pyio_seek(s.get(), -3, PYIO_SEEK_CUR), 1);
    EXPECT_EQ(read_str(s.get(), 3), "1AB");
    EXPECT_EQ(f.moving_calls(), moving);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.data, "01AB456789");
}

TEST(BufferedRandom, SeekWithinTheReadWindowAfterAFailedSeekAnswersTheNewPosition) {
    // Found by fuzz/fuzz_faults.cpp.  read(36) fills the buffer; seek(0) and
    // write(24) stay in it; seek(-1) flushes (the raw stream is left at 24,
    // inside the read window) and fails in the raw stream; write(b"ABC");
    // seek(2) moves inside the window.  python3 answers -82 there, from
    // the raw stream's position as if it were at the end of the window; the
    // position is 2 (its tell() says so).
    FakeRaw f;
    f.data = std::string(108, 'z');
    Stream s = random_over(f, 4096);
    EXPECT_EQ(read_str(s.get(), 36), std::string(36, 'z'));
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(write_str(s.get(), std::string(24, 'a')), 24);
    EXPECT_EQ(pyio_seek(s.get(), -1, PYIO_SEEK_SET), -1);
    EXPECT_EQ(pyio_error_errno(), EINVAL);
    EXPECT_EQ(pyio_tell(s.get()), 24);
    EXPECT_EQ(write_str(s.get(), "ABC"), 3);
    EXPECT_EQ(pyio_seek(s.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(pyio_tell(s.get()), 2);
    EXPECT_EQ(pyio_seek(s.get(), 3, PYIO_SEEK_CUR), 5);
    EXPECT_EQ(read_str(s.get(), 3), "aaa");
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.data, std::string(24, 'a') + "ABC" + std::string(81, 'z'));
}

TEST(BufferedRandom, ARelativeSeekAfterAFailedWriteAnswersThePosition) {
    // Seed 20261224 bufferedrandom/591.  Buffer 1 over b"a": peek(0) buffers
    // b"a"; write(b"aa"), larger than the buffer, first seeks the raw stream
    // back to 0, then fails in the raw stream.  python3's seek(0, 1) then
    // answers -1: it keeps the read window but not the raw position it was
    // counted from.  Nothing moved: the position is 0, and the byte is
    // still there to read.
    FakeRaw f;
    f.data = "a";
    f.write_script.push_back(fail_with(EIO));
    Stream s = random_over(f, 1);
    char* out = nullptr;
    ASSERT_EQ(pyio_peek(s.get(), 0, &out), 1);
    pyio_free(out);
    EXPECT_EQ(write_str(s.get(), "aa"), -1);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_CUR), 0);
    EXPECT_EQ(pyio_tell(s.get()), 0);
    EXPECT_EQ(read_str(s.get(), -1), "a");
}

TEST(BufferedRandom, AReadWhoseFlushWouldBlockTakesNothing) {
    // Found by fuzz/fuzz_faults.cpp.  Buffer 3 over b"abcdef": read(1) buffers
    // b"abc"; write(b"X") replaces b"b"; read(7) must first send b"X", and the
    // raw stream would block.  python3 has already copied b"c" and moved past
    // it when the flush fails, so b"c" never reaches the caller; here the read
    // takes nothing, and the next one starts at b"c".
    FakeRaw f;
    f.data = "abcdef";
    Stream s = random_over(f, 3);
    EXPECT_EQ(read_str(s.get(), 1), "a");
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    f.write_script = {would_block()};
    char* out = nullptr;
    EXPECT_EQ(pyio_read(s.get(), 7, &out), -1);
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_BLOCKING_IO);
    pyio_free(out);
    EXPECT_EQ(pyio_tell(s.get()), 2);
    EXPECT_EQ(read_str(s.get(), 7), "cdef");
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.data, "aXcdef");
}

TEST(BufferedRandom, AWriteWhoseFlushWouldBlockLandsAtThePositionAfterReadAhead) {
    // Found by fuzz/fuzz_faults.cpp.  Buffer 8 over b"0123456789abcdef":
    // read(1); write(b"X") stays pending at 1; read(3) moves to 5; the raw
    // stream would block, so write(b"ABCDEFGHIJ") buffers what fits.  The
    // data belongs at 5.  python3 appends it to the pending b"X" instead:
    // characters_written 7, the file b"0XABCDEFG9abcdef", tell() 12 then 9.
    FakeRaw f;
    f.data = "0123456789abcdef";
    Stream s = random_over(f, 8);
    EXPECT_EQ(read_str(s.get(), 1), "0");
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    EXPECT_EQ(read_str(s.get(), 3), "234");
    f.write_script = {would_block()};
    EXPECT_EQ(pyio_write(s.get(), "ABCDEFGHIJ", 10), -1);
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_BLOCKING_IO);
    EXPECT_EQ(pyio_error_characters_written(), 4);
    EXPECT_EQ(pyio_tell(s.get()), 9);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(pyio_tell(s.get()), 9);
    EXPECT_EQ(f.data, "0X234ABCD9abcdef");
}

TEST(BufferedRandom, AWriteWhoseFlushWouldBlockLandsAtThePositionBeforeThePendingBytes) {
    // As above, but the position moved back before the pending bytes:
    // read(4), write(b"X") at 4, seek(1), then write(b"ABCDEFGHIJ").
    FakeRaw f;
    f.data = "0123456789abcdef";
    Stream s = random_over(f, 8);
    EXPECT_EQ(read_str(s.get(), 4), "0123");
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    EXPECT_EQ(pyio_seek(s.get(), 1, PYIO_SEEK_SET), 1);
    f.write_script = {would_block()};
    EXPECT_EQ(pyio_write(s.get(), "ABCDEFGHIJ", 10), -1);
    EXPECT_EQ(pyio_error_characters_written(), 8);
    EXPECT_EQ(pyio_tell(s.get()), 9);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(f.data, "0ABCDEFGH9abcdef");
}

TEST(BufferedRandom, AFailedSeekAfterAFlushInsideTheReadWindowReadsNothingTwice) {
    // Found by fuzz/fuzz_faults.cpp.  Buffer 8 over b"0123456789": read(2),
    // write(b"A"); seek(-1) flushes (the raw stream is left at 3, inside the
    // read window) and fails.  Reading on must give b"34567" then b"89", not
    // b"34567" again from the raw stream (python3 does that).
    FakeRaw f;
    f.data = "0123456789";
    Stream s = random_over(f, 8);
    EXPECT_EQ(read_str(s.get(), 2), "01");
    EXPECT_EQ(write_str(s.get(), "A"), 1);
    EXPECT_EQ(pyio_seek(s.get(), -1, PYIO_SEEK_SET), -1);
    EXPECT_EQ(pyio_tell(s.get()), 3);
    std::string rest;
    for (std::string chunk; !(chunk = read1_str(s.get(), 10)).empty();) rest += chunk;
    EXPECT_EQ(rest, "3456789");
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.data, "01A3456789");
}

TEST(BufferedRandom, Read1AfterTwoFailedSeeksReadsAtTheLogicalPosition) {
    // Found by fuzz/fuzz_faults.cpp.  Buffer 64 over 100 bytes: read(15),
    // write(b"ABCDE"), read(25); write(198 bytes) flushes (the raw stream is
    // left at 20), then its seek to the position fails, and so does the seek
    // back to the window's end.  read1 first empties the window, then must
    // read on from 64, not from where the raw stream stands.
    FakeRaw f;
    for (int i = 0; i < 10; ++i) f.data += "0123456789";
    Stream s = random_over(f, 64);
    EXPECT_EQ(read_str(s.get(), 15), f.data.substr(0, 15));
    EXPECT_EQ(write_str(s.get(), "ABCDE"), 5);
    EXPECT_EQ(read_str(s.get(), 25), f.data.substr(20, 25));
    f.seek_fails = {false, true, true};  // the flush's rewind works
    EXPECT_EQ(write_str(s.get(), std::string(198, 'w')), -1);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(pyio_tell(s.get()), 45);
    EXPECT_EQ(read1_str(s.get(), 23), f.data.substr(45, 19));
    EXPECT_EQ(read1_str(s.get(), 13), f.data.substr(64, 13));
    EXPECT_EQ(pyio_tell(s.get()), 77);
}

TEST(BufferedRandom, AnEmptyWriteAfterRead1PastTheBufferRewritesNothing) {
    // Found by fuzz/fuzz_faults.cpp.  Buffer 16 over 64 bytes: read(2), then
    // write(b"") leaves an empty write window at 2 over the read window;
    // read1 empties the read window, then reads twice straight from the
    // raw stream (the second read short).  A second write(b"") then
    // stretched the stale write window from 2 to the stale position 16, and
    // the flush rewound the raw stream by 14 and wrote buffer bytes 2..16
    // over the file at 19..33.  Python 3.11's C io does the same (checked;
    // _pyio, and CPython since gh-115059, leave the file alone); libpyio
    // writes nothing.
    FakeRaw f;
    f.data = kAlphabet + kAlphabet.substr(0, 28);
    const std::string before = f.data;
    Stream s = random_over(f, 16);
    EXPECT_EQ(read_str(s.get(), 2), "01");
    EXPECT_EQ(write_str(s.get(), ""), 0);
    EXPECT_EQ(read1_str(s.get(), 14), before.substr(2, 14));
    EXPECT_EQ(read1_str(s.get(), 10), before.substr(16, 10));
    f.max_read = 7;  // a short raw read, as in the fuzz input
    EXPECT_EQ(read1_str(s.get(), 10), before.substr(26, 7));
    f.max_read = INT64_MAX;
    EXPECT_EQ(write_str(s.get(), ""), 0);
    EXPECT_EQ(pyio_tell(s.get()), 33);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(f.count("write"), 0);
    EXPECT_EQ(f.data, before);
    EXPECT_EQ(read_str(s.get(), 5), before.substr(33, 5));
}

TEST(BufferedRandom, TellPastInt64MaxIsZeroNotUndefined) {
    // python3: seek(2**63 - 5) then write(b"12345678") -> tell() is
    // -2**63 (CPython's off_t wraps around); the C API has no negative
    // positions and answers 0, with the arithmetic defined (UBSan).
    FakeRaw f;
    Stream s = random_over(f, 16);
    EXPECT_EQ(pyio_seek(s.get(), INT64_MAX - 4, PYIO_SEEK_SET), INT64_MAX - 4);
    EXPECT_EQ(write_str(s.get(), "12345678"), 8);
    EXPECT_EQ(pyio_tell(s.get()), 0);
    f.write_script = {fail_with(EFBIG)};  // the fake cannot grow that far
}

TEST(BufferedRandom, RequiresASeekableRaw) {
    Pipe p;
    Stream rw(pyio_fileio_fdopen(dup(p.rfd), "rb+", 1));
    ASSERT_NE(rw, nullptr);
    EXPECT_EQ(pyio_bufferedrandom_new(rw.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not seekable.");
    FakeRaw f;
    Stream raw = raw_stream(f, Caps{.seek = false});
    EXPECT_EQ(pyio_bufferedrandom_new(raw.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not seekable.");
}

TEST(BufferedRandom, RequiresAReadableAndWritableRaw) {
    FakeRaw f;
    Stream no_read = raw_stream(f, Caps{.read = false});
    EXPECT_EQ(pyio_bufferedrandom_new(no_read.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
    Stream no_write = raw_stream(f, Caps{.write = false});
    EXPECT_EQ(pyio_bufferedrandom_new(no_write.get(), 8), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
}

TEST(BufferedRandom, ClosedRandomReportsPythonsMessages) {
    FakeRaw f;
    Stream s = random_over(f, 8);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(read_str(s.get(), 1), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "read of closed file");
    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "write to closed file");
    EXPECT_EQ(pyio_flush(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "flush of closed file");
    EXPECT_EQ(peek_str(s.get()), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "peek of closed file");
}

// ===========================================================================
// BufferedRWPair
// ===========================================================================

TEST(BufferedRWPair, WriteAndFlushThenRead) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), 16));
    ASSERT_NE(pair, nullptr);
    EXPECT_EQ(write_str(pair.get(), "hello\nworld\n"), 12);
    ASSERT_EQ(pyio_flush(pair.get()), 0);
    EXPECT_EQ(readline_str(pair.get()), "hello\n");
    EXPECT_EQ(peek_str(pair.get()), "world\n");
    EXPECT_EQ(read1_str(pair.get(), 3), "wor");
    EXPECT_EQ(readinto_str(pair.get(), 3), "ld\n");
}

TEST(BufferedRWPair, ReaderMustBeReadableAndWriterWritable) {
    // python3's io says "File or stream is not readable." (the
    // '"reader" argument must be readable.' wording is _pyio's).
    Pipe p;
    EXPECT_EQ(pyio_bufferedrwpair_new(p.write_end.get(), p.write_end.get(), 16), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
    EXPECT_EQ(pyio_bufferedrwpair_new(p.read_end.get(), p.read_end.get(), 16), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
}

TEST(BufferedRWPair, BufferSizeMustBeStrictlyPositive) {
    Pipe p;
    EXPECT_EQ(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), 0), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "buffer size must be strictly positive");
}

TEST(BufferedRWPair, IsNotSeekable) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    EXPECT_EQ(pyio_seekable(pair.get()), 0);
    EXPECT_EQ(pyio_seek(pair.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_tell(pair.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_truncate(pair.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
}

TEST(BufferedRWPair, DetachIsUnsupported) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    EXPECT_EQ(pyio_detach(pair.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "detach");
}

TEST(BufferedRWPair, CloseClosesBoth) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    EXPECT_EQ(write_str(pair.get(), "pending"), 7);
    ASSERT_EQ(pyio_close(pair.get()), 0);
    EXPECT_EQ(pyio_closed(pair.get()), 1);
    EXPECT_EQ(pyio_closed(p.read_end.get()), 1);
    EXPECT_EQ(pyio_closed(p.write_end.get()), 1);
}

TEST(BufferedRWPair, CloseWhereBothFailReportsTheReadersError) {
    // python3: the writer's flush raising ENOSPC and the reader's raw close
    // raising EIO: close() raises the EIO error; both are closed.
    FakeRaw in, out;
    in.close_errno = EIO;
    Stream reader = raw_stream(in), writer = raw_stream(out);
    Stream pair(pyio_bufferedrwpair_new(reader.get(), writer.get(), 8));
    EXPECT_EQ(write_str(pair.get(), "x"), 1);
    out.write_script = {fail_with(ENOSPC)};
    EXPECT_EQ(pyio_close(pair.get()), -1);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(in.count("close"), 1);
    EXPECT_EQ(out.count("close"), 1);
}

TEST(BufferedRWPair, ReadlineIsIOBasesThroughPeekAndRead) {
    // python3: BufferedRWPair has no readline of its own.  Over a raw
    // stream giving b"a", then "would block", then b"a\n": b"a\n" (where
    // BufferedReader.readline stops at b"a"); over b"ab" then b"cdefgh\n",
    // readline(5) -> b"abcdefg" (each scan is bounded by the limit, not by
    // what is left of it); once closed, readline(0) -> b"" and readline()
    // -> ValueError("peek of closed file").
    FakeRaw in, out;
    in.data = "aa\n";
    in.max_read = 1;
    in.read_script = {transfer(), would_block()};
    Stream reader = raw_stream(in), writer = raw_stream(out);
    Stream pair(pyio_bufferedrwpair_new(reader.get(), writer.get(), 8));
    EXPECT_EQ(readline_str(pair.get()), "aa\n");

    FakeRaw in2, out2;
    in2.data = "abcdefgh\n";
    in2.max_read = 2;  // a short first read
    Stream reader2 = raw_stream(in2), writer2 = raw_stream(out2);
    Stream pair2(pyio_bufferedrwpair_new(reader2.get(), writer2.get(), 8));
    EXPECT_EQ(peek_str(pair2.get()), "ab");
    in2.max_read = INT64_MAX;
    EXPECT_EQ(readline_str(pair2.get(), 5), "abcdefg");

    ASSERT_EQ(pyio_close(pair2.get()), 0);
    EXPECT_EQ(readline_str(pair2.get(), 0), "");
    EXPECT_EQ(readline_str(pair2.get()), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "peek of closed file");
}

TEST(BufferedRWPair, ClosedReflectsTheWriter) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    ASSERT_EQ(pyio_close(p.read_end.get()), 0);
    EXPECT_EQ(pyio_closed(pair.get()), 0);
    ASSERT_EQ(pyio_close(p.write_end.get()), 0);
    EXPECT_EQ(pyio_closed(pair.get()), 1);
}

TEST(BufferedRWPair, HasNoNameModeOrRaw) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    const char* path = nullptr;
    EXPECT_EQ(pyio_name(pair.get(), &path, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BufferedRWPair' object has no attribute 'name'");
    EXPECT_EQ(pyio_mode(pair.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BufferedRWPair' object has no attribute 'mode'");
    EXPECT_EQ(pyio_raw(pair.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BufferedRWPair' object has no attribute 'raw'");
    EXPECT_EQ(pyio_fileno(pair.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
}

TEST(BufferedRWPair, ReadableAndWritable) {
    Pipe p;
    Stream pair(pyio_bufferedrwpair_new(p.read_end.get(), p.write_end.get(), PYIO_NONE));
    EXPECT_EQ(pyio_readable(pair.get()), 1);
    EXPECT_EQ(pyio_writable(pair.get()), 1);
    EXPECT_EQ(pyio_isatty(pair.get()), 0);
    EXPECT_EQ(pyio_isinstance(pair.get(), PYIO_CLASS_BUFFEREDRWPAIR), 1);
    EXPECT_EQ(pyio_isinstance(pair.get(), PYIO_CLASS_BUFFEREDIOBASE), 1);
    EXPECT_STREQ(pyio_class_name(pair.get()), "BufferedRWPair");
}

// ===========================================================================
// Threads
// ===========================================================================

// One record: "T<thread>:<seq>:" padded with the thread's letter to `size`
// bytes, then '\n'.
std::string record(int thread, int seq, size_t size) {
    std::string r = "T" + std::to_string(thread) + ":" + std::to_string(seq) + ":";
    r.resize(std::max(size, r.size()), static_cast<char>('a' + thread));
    return r + "\n";
}

void concurrent_writers(int64_t buffer_size) {
    constexpr int kThreads = 4, kRecords = 400;
    TempDir dir;
    std::string path = dir.file("log");
    Stream raw = open_file(path, "wb");
    Stream w(pyio_bufferedwriter_new(raw.get(), buffer_size));
    ASSERT_NE(w, nullptr);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kRecords; ++i) {
                // Sizes from a few bytes to well past a small buffer.
                std::string r = record(t, i, static_cast<size_t>((i * 37 + t * 11) % 150));
                if (write_str(w.get(), r) != static_cast<int64_t>(r.size())) ++failures;
            }
        });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    ASSERT_EQ(pyio_close(w.get()), 0);

    std::string contents = slurp(path);
    std::vector<int> next(kThreads, 0);
    size_t start = 0, total = 0;
    while (start < contents.size()) {
        size_t end = contents.find('\n', start);
        ASSERT_NE(end, std::string::npos);
        std::string line = contents.substr(start, end + 1 - start);
        int t = -1, seq = -1;
        ASSERT_EQ(std::sscanf(line.c_str(), "T%d:%d:", &t, &seq), 2) << line;
        ASSERT_TRUE(t >= 0 && t < kThreads) << line;
        EXPECT_EQ(seq, next[t]) << "thread " << t;
        EXPECT_EQ(line, record(t, seq, static_cast<size_t>((seq * 37 + t * 11) % 150)));
        next[t] = seq + 1;
        total += line.size();
        start = end + 1;
    }
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kRecords) << "thread " << t;
    EXPECT_EQ(total, contents.size());
}

TEST(BufferedThreads, ConcurrentWritersLoseNothingAndKeepEachWriteContiguousSmallBuffer) {
    concurrent_writers(64);
}

TEST(BufferedThreads, ConcurrentWritersLoseNothingAndKeepEachWriteContiguousDefaultBuffer) {
    concurrent_writers(PYIO_NONE);
}

void concurrent_readers(int64_t buffer_size) {
    // 8-byte records "%07d\n"; every read is a multiple of 8 bytes, so each
    // read is whole records and the records identify where it came from.
    constexpr int kThreads = 4, kRecords = 20000;
    TempDir dir;
    std::string path = dir.file("data");
    std::string contents;
    for (int i = 0; i < kRecords; ++i) {
        char rec[9];
        std::snprintf(rec, sizeof rec, "%07d\n", i);
        contents += rec;
    }
    spit(path, contents);
    Stream raw = open_file(path, "rb");
    Stream r(pyio_bufferedreader_new(raw.get(), buffer_size));
    ASSERT_NE(r, nullptr);
    std::vector<std::vector<std::string>> seen(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            char buf[64];
            for (int i = 0;; ++i) {
                int64_t size = 8 * (1 + (i + t) % 5);
                int64_t n = pyio_readinto(r.get(), buf, size);
                if (n <= 0) break;
                for (int64_t off = 0; off < n; off += 8) seen[t].emplace_back(buf + off, 8);
            }
        });
    }
    for (std::thread& th : threads) th.join();
    std::vector<std::string> all;
    for (auto& v : seen) all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    std::string joined;
    for (const std::string& rec : all) joined += rec;
    EXPECT_EQ(all.size(), size_t{kRecords});
    EXPECT_TRUE(joined == contents);
}

TEST(BufferedThreads, ConcurrentReadersSeeEveryByteExactlyOnceSmallBuffer) { concurrent_readers(64); }

TEST(BufferedThreads, ConcurrentReadersSeeEveryByteExactlyOnceDefaultBuffer) {
    concurrent_readers(PYIO_NONE);
}

TEST(BufferedThreads, RetainAndReleaseRaceWithUse) {
    FakeRaw f;
    f.data.assign(1 << 16, 'x');
    Stream r = reader_over(f, 64);
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        char buf[16];
        while (!stop.load()) {
            if (pyio_readinto(r.get(), buf, sizeof buf) == 0) pyio_seek(r.get(), 0, PYIO_SEEK_SET);
        }
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) pyio_release(pyio_retain(r.get()));
        });
    }
    for (std::thread& th : threads) th.join();
    stop = true;
    reader.join();
    EXPECT_FALSE(f.destroyed);
    EXPECT_EQ(pyio_closed(r.get()), 0);
    r.reset();
    EXPECT_TRUE(f.destroyed);
}

TEST(BufferedThreads, TheLastOfManyConcurrentReleasesFlushesAndCloses) {
    TempDir dir;
    std::string path = dir.file("out");
    Stream raw = open_file(path, "wb");
    pyio_stream* w = pyio_bufferedwriter_new(raw.get(), PYIO_NONE);
    ASSERT_NE(w, nullptr);
    raw.reset();
    ASSERT_EQ(write_str(w, "all of it"), 9);
    constexpr int kThreads = 8;
    for (int t = 0; t < kThreads; ++t) pyio_retain(w);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back([w] { pyio_release(w); });
    pyio_release(w);
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(slurp(path), "all of it");
}

// ===========================================================================
// Reentrancy: a raw stream calling back into the buffered object it is under
// ===========================================================================

TEST(BufferedReentrancy, ReadFromInsideTheRawReadintoIsRuntimeError) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    int64_t inner_result = 0;
    int inner_kind = PYIO_ERR_NONE;
    std::string inner_message;
    f.read_script = {[&]() -> std::optional<int64_t> {
        char* out = nullptr;
        inner_result = pyio_read(r.get(), 1, &out);
        pyio_free(out);
        inner_kind = pyio_error_kind();
        inner_message = pyio_error_message();
        return -1;  // the callback fails, leaving the inner error recorded
    }};
    EXPECT_EQ(read_str(r.get(), 1), "<-1>");
    // CPython's message names the object as its repr does.
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "reentrant call inside <BufferedReader name='fake'>");
    EXPECT_EQ(inner_result, -1);
    EXPECT_EQ(inner_kind, PYIO_ERR_RUNTIME);
    EXPECT_EQ(inner_message, "reentrant call inside <BufferedReader name='fake'>");
    // The lock was released: the object still works.
    EXPECT_EQ(read_str(r.get(), 3), "012");
}

TEST(BufferedReentrancy, WriteFromInsideTheRawWriteIsRuntimeError) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    int64_t inner_result = 0;
    f.write_script = {[&]() -> std::optional<int64_t> {
        inner_result = write_str(w.get(), "inner");
        return -1;
    }};
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "reentrant call inside <BufferedWriter name='fake'>");
    EXPECT_EQ(inner_result, -1);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(f.data, "abc");
}

TEST(BufferedReentrancy, TheMessageOfANamelessStreamHasNoName) {
    // python3: "reentrant call inside <_io.BufferedWriter>" for a raw stream
    // without a name (the named case is above).
    FakeRaw f;
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.write = fake_write;
    Stream nameless(pyio_rawio_new(&cb, &f, nullptr));
    Stream w(pyio_bufferedwriter_new(nameless.get(), 8));
    f.write_script = {[&]() -> std::optional<int64_t> { return pyio_flush(w.get()); }};
    EXPECT_EQ(write_str(w.get(), "abc"), 3);
    EXPECT_EQ(pyio_flush(w.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "reentrant call inside <BufferedWriter>");
}

TEST(BufferedReentrancy, AnotherThreadWaitsInsteadOfFailing) {
    // Only the thread inside the object is refused; another one blocks until
    // the object is free.
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    std::atomic<bool> other_done{false};
    std::string other;
    std::thread t;
    f.read_script = {[&]() -> std::optional<int64_t> {
        t = std::thread([&] {
            other = read_str(r.get(), 2);
            other_done = true;
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_FALSE(other_done.load());  // it is waiting for the lock
        return std::nullopt;
    }};
    EXPECT_EQ(read_str(r.get(), 2), "01");
    t.join();
    EXPECT_EQ(other, "23");
}

// ===========================================================================
// References: who keeps whom alive
// ===========================================================================

TEST(BufferedLifetime, KeepsTheRawAliveAfterTheCallerReleasesIt) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream raw = raw_stream(f);
    Stream r(pyio_bufferedreader_new(raw.get(), 8));
    raw.reset();
    EXPECT_FALSE(f.destroyed);
    EXPECT_EQ(read_str(r.get(), 3), "012");
    r.reset();
    EXPECT_TRUE(f.destroyed);
    EXPECT_EQ(f.count("close"), 1);
}

TEST(BufferedLifetime, TheLastReleaseOfAnOpenWriterFlushesAndClosesTheRaw) {
    TempDir dir;
    std::string path = dir.file("out");
    Stream raw = open_file(path, "wb");
    Stream w(pyio_bufferedwriter_new(raw.get(), PYIO_NONE));
    raw.reset();
    ASSERT_EQ(write_str(w.get(), "the data"), 8);
    EXPECT_EQ(slurp(path), "");
    w.reset();
    EXPECT_EQ(slurp(path), "the data");
}

TEST(BufferedLifetime, TheLastReleaseDiscardsAFlushErrorAndKeepsTheCallersRecord) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    ASSERT_EQ(write_str(w.get(), "abc"), 3);
    f.write_script = {fail_with(ENOSPC)};
    pyio_error_set(PYIO_ERR_LOOKUP, "mine");
    w.reset();
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "mine");
    EXPECT_EQ(f.count("close"), 1);
    EXPECT_TRUE(f.destroyed);
}

TEST(BufferedLifetime, RawReturnsTheSameHandleAsANewReference) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream raw = raw_stream(f);
    Stream r(pyio_bufferedreader_new(raw.get(), 8));
    Stream again(pyio_raw(r.get()));
    EXPECT_EQ(again.get(), raw.get());
    raw.reset();
    again.reset();  // two references dropped: the buffered object keeps its own
    EXPECT_FALSE(f.destroyed);
    EXPECT_EQ(read_str(r.get(), 2), "01");
}

TEST(BufferedLifetime, RawOfAClosedBufferedObjectIsStillTheRaw) {
    FakeRaw f;
    Stream raw = raw_stream(f);
    Stream w(pyio_bufferedwriter_new(raw.get(), 8));
    ASSERT_EQ(pyio_close(w.get()), 0);
    Stream again(pyio_raw(w.get()));
    EXPECT_EQ(again.get(), raw.get());
    EXPECT_EQ(pyio_closed(again.get()), 1);
}

// ===========================================================================
// Large files
// ===========================================================================

TEST(BufferedLargeFile, RandomBeyondFourGiB) {
    TempDir dir;
    std::string path = dir.file("sparse");
    Stream raw = open_file(path, "w+b");
    ASSERT_NE(raw, nullptr);
    Stream s(pyio_bufferedrandom_new(raw.get(), PYIO_NONE));
    const int64_t far = int64_t{5} << 30;
    ASSERT_EQ(pyio_seek(s.get(), far, PYIO_SEEK_SET), far);
    ASSERT_EQ(write_str(s.get(), "tail"), 4);
    EXPECT_EQ(pyio_tell(s.get()), far + 4);
    if (pyio_flush(s.get()) != 0) {
        if (pyio_error_errno() == EFBIG) GTEST_SKIP() << "the file system cannot hold a 5 GiB file";
        FAIL() << pyio_error_message();
    }
    ASSERT_EQ(pyio_seek(s.get(), far - 2, PYIO_SEEK_SET), far - 2);
    EXPECT_EQ(read_str(s.get(), 6), "\0\0tail"s);
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_END), far + 4);
    EXPECT_EQ(pyio_seek(s.get(), -4, PYIO_SEEK_CUR), far);
    EXPECT_EQ(read_str(s.get(), -1), "tail");
    ASSERT_EQ(pyio_close(s.get()), 0);
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_size, far + 4);
}

// ===========================================================================
// Misuse
// ===========================================================================

TEST(BufferedMisuse, NullRawIsTypeError) {
    EXPECT_EQ(pyio_bufferedreader_new(nullptr, 8), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_bufferedwriter_new(nullptr, 8), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_bufferedrandom_new(nullptr, 8), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    Pipe p;
    EXPECT_EQ(pyio_bufferedrwpair_new(nullptr, p.write_end.get(), 8), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_bufferedrwpair_new(p.read_end.get(), nullptr, 8), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_raw(nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(BufferedMisuse, PeekOnAWriterIsAttributeError) {
    FakeRaw f;
    Stream w = writer_over(f, 8);
    char* out = nullptr;
    const char* view = nullptr;
    EXPECT_EQ(pyio_peek(w.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BufferedWriter' object has no attribute 'peek'");
    EXPECT_EQ(pyio_peek_view(w.get(), &view), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BufferedWriter' object has no attribute 'peek'");
}

TEST(BufferedMisuse, ReadingAWriterIsUnsupported) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream w = writer_over(f, 8);
    char* out = nullptr;
    char buf[4];
    EXPECT_EQ(pyio_read(w.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "read");
    EXPECT_EQ(pyio_read1(w.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "read1");
    EXPECT_EQ(pyio_readinto(w.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "read");
    EXPECT_EQ(pyio_readinto1(w.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "read1");
    EXPECT_EQ(pyio_readline(w.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "read");
    EXPECT_EQ(f.count("readinto"), 0);
}

TEST(BufferedMisuse, WritingAReaderIsUnsupported) {
    FakeRaw f;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(write_str(r.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "write");
    EXPECT_EQ(pyio_writable(r.get()), 0);
    EXPECT_EQ(f.count("write"), 0);
}

TEST(BufferedMisuse, RawOfAnUnbufferedStreamIsAttributeError) {
    Stream b(pyio_bytesio_new(nullptr, 0));
    EXPECT_EQ(pyio_raw(b.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'BytesIO' object has no attribute 'raw'");
}

TEST(BufferedMisuse, NullOutputPointersAreTypeError) {
    FakeRaw f;
    f.data = kAlphabet;
    Stream r = reader_over(f, 8);
    EXPECT_EQ(pyio_read(r.get(), 1, nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_peek_view(r.get(), nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_readinto(r.get(), nullptr, 4), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(f.count("readinto"), 0);
}

TEST(BufferedMisuse, ClassQueries) {
    FakeRaw f;
    Stream r = reader_over(f, 8);
    Stream w = writer_over(f, 8);
    Stream s = random_over(f, 8);
    EXPECT_STREQ(pyio_class_name(r.get()), "BufferedReader");
    EXPECT_STREQ(pyio_class_name(w.get()), "BufferedWriter");
    EXPECT_STREQ(pyio_class_name(s.get()), "BufferedRandom");
    EXPECT_EQ(pyio_isinstance(r.get(), PYIO_CLASS_BUFFEREDIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(r.get(), PYIO_CLASS_RAWIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BUFFEREDREADER), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BUFFEREDRANDOM), 1);
}

}  // namespace

// A BytesIO (no readall) under a BufferedReader: read(-1) keeps what was
// buffered and reads the rest with read(), as io does.
TEST(BufferedReader, ReadAllOverAStreamWithoutReadallKeepsTheBufferedBytes) {
    Stream raw(pyio_bytesio_new("abcdefghij", 10));
    Stream b(pyio_bufferedreader_new(raw.get(), 4));
    ASSERT_TRUE(b);
    EXPECT_EQ(read_str(b.get(), 1), "a");
    EXPECT_EQ(read_str(b.get(), -1), "bcdefghij");
    EXPECT_EQ(read_str(b.get(), -1), "");
}
