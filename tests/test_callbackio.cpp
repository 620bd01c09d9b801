// Callback raw streams (pyio_rawio_new) through the C API, driven by a fake
// raw stream over a std::string that records every call it receives.

#include <pyio/pyio.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
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

using Calls = std::vector<std::string>;

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
Step fail_with_oserror(int errnum, const char* filename = nullptr) {
    return [errnum, filename] { return int64_t{pyio_error_set_oserror(errnum, filename)}; };
}

// A raw stream over `data`, with knobs for short transfers and scripted
// results, and a log of the callbacks it received.
struct Fake {
    std::string data;
    int64_t pos = 0;
    int64_t max_read = INT64_MAX;   // most bytes one readinto transfers
    int64_t max_write = INT64_MAX;  // most bytes one write takes
    std::deque<Step> read_script;   // consumed one per readinto call, then transfer
    std::deque<Step> write_script;  // consumed one per write call, then transfer
    std::function<int()> on_flush;  // flush's result when set (else 0)
    std::function<int()> on_close;  // close's result when set (else 0)
    std::function<int()> on_closed; // the closed callback's answer when set
    bool is_closed = false;         // set by close; what closed answers

    Calls calls;  // callback names, in order
    int64_t last_size = -1;                   // size passed to readinto / write
    const void* last_buffer = nullptr;        // buffer passed to readinto
    int64_t last_offset = 0;                  // seek's arguments
    int last_whence = -1;
    int64_t last_truncate = -1;               // truncate's argument

    int count(const std::string& name) const {
        return static_cast<int>(std::count(calls.begin(), calls.end(), name));
    }
};

Fake& fake(void* context) { return *static_cast<Fake*>(context); }

std::optional<int64_t> next_step(std::deque<Step>& script) {
    if (script.empty()) return std::nullopt;
    Step step = std::move(script.front());
    script.pop_front();
    return step();
}

int64_t fake_readinto(void* context, void* buffer, int64_t size) {
    Fake& f = fake(context);
    f.calls.push_back("readinto");
    f.last_size = size;
    f.last_buffer = buffer;
    if (std::optional<int64_t> scripted = next_step(f.read_script)) return *scripted;
    int64_t avail = std::max<int64_t>(0, static_cast<int64_t>(f.data.size()) - f.pos);
    int64_t n = std::min({size, f.max_read, avail});
    if (n > 0) std::memcpy(buffer, f.data.data() + f.pos, static_cast<size_t>(n));
    f.pos += n;
    return n;
}

int64_t fake_write(void* context, const void* data, int64_t size) {
    Fake& f = fake(context);
    f.calls.push_back("write");
    f.last_size = size;
    if (std::optional<int64_t> scripted = next_step(f.write_script)) return *scripted;
    int64_t n = std::min(size, f.max_write);
    if (f.data.size() < static_cast<size_t>(f.pos + n)) f.data.resize(static_cast<size_t>(f.pos + n));
    std::memcpy(f.data.data() + f.pos, data, static_cast<size_t>(n));
    f.pos += n;
    return n;
}

int64_t fake_seek(void* context, int64_t offset, int whence) {
    Fake& f = fake(context);
    f.calls.push_back("seek");
    f.last_offset = offset;
    f.last_whence = whence;
    int64_t base = whence == PYIO_SEEK_SET ? 0
                   : whence == PYIO_SEEK_CUR ? f.pos
                   : whence == PYIO_SEEK_END ? static_cast<int64_t>(f.data.size())
                                             : -1;
    if (base < 0 || base + offset < 0) return pyio_error_set_oserror(EINVAL, nullptr);
    return f.pos = base + offset;
}

int64_t fake_tell(void* context) {
    fake(context).calls.push_back("tell");
    return fake(context).pos;
}

int64_t fake_truncate(void* context, int64_t size) {
    Fake& f = fake(context);
    f.calls.push_back("truncate");
    f.last_truncate = size;
    f.data.resize(static_cast<size_t>(size));
    return size;
}

int fake_flush(void* context) {
    Fake& f = fake(context);
    f.calls.push_back("flush");
    return f.on_flush ? f.on_flush() : 0;
}

int fake_close(void* context) {
    Fake& f = fake(context);
    f.calls.push_back("close");
    f.is_closed = true;
    return f.on_close ? f.on_close() : 0;
}

// The closed callback: the fake's own flag, or on_closed's answer.
int fake_closed(void* context) {
    Fake& f = fake(context);
    f.calls.push_back("closed");
    return f.on_closed ? f.on_closed() : f.is_closed;
}

void fake_destroy(void* context) { fake(context).calls.push_back("destroy"); }

int fake_yes(void* context) {
    fake(context).calls.push_back("predicate");
    return 1;
}
int fake_no(void* context) {
    fake(context).calls.push_back("predicate");
    return 0;
}
int fake_fileno(void* context) {
    fake(context).calls.push_back("fileno");
    return 7;
}

// The fake's core operations; tell, the predicates and fileno are left NULL
// so that the library's defaults apply.
pyio_rawio_callbacks fake_callbacks() {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.readinto = fake_readinto;
    cb.write = fake_write;
    cb.seek = fake_seek;
    cb.truncate = fake_truncate;
    cb.flush = fake_flush;
    cb.close = fake_close;
    cb.destroy = fake_destroy;
    return cb;
}

// Every callback set: nothing is left to a default.
pyio_rawio_callbacks all_callbacks() {
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.tell = fake_tell;
    cb.readable = fake_yes;
    cb.writable = fake_yes;
    cb.seekable = fake_yes;
    cb.isatty = fake_no;
    cb.fileno = fake_fileno;
    return cb;
}

Stream open(Fake& f, const pyio_rawio_callbacks& cb = fake_callbacks(), const char* name = nullptr) {
    return Stream(pyio_rawio_new(&cb, &f, name));
}

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

}  // namespace

// ---- reading ----

TEST(CallbackRawIO, ReadMakesOneReadintoCallAndMayBeShort) {
    Fake f;
    f.data = "abcdef";
    f.max_read = 2;
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), 5), "ab");
    EXPECT_EQ(f.count("readinto"), 1);
    EXPECT_EQ(f.last_size, 5);
}

TEST(CallbackRawIO, ReadAtEofReturnsEmpty) {
    Fake f;
    Stream s = open(f);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(s.get(), 5, &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
}

TEST(CallbackRawIO, ReadNegativeCallsReadintoUntilItReturnsZero) {
    Fake f;
    f.data = "0123456789";
    f.max_read = 4;
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), -1), "0123456789");
    EXPECT_EQ(f.count("readinto"), 4);  // 4 + 4 + 2 + EOF
}

TEST(CallbackRawIO, ReadNoneReadsEverything) {
    Fake f;
    f.data = "0123456789";
    f.max_read = 3;
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), PYIO_NONE), "0123456789");
}

TEST(CallbackRawIO, ReadallCallsReadintoUntilItReturnsZero) {
    Fake f;
    f.data = "0123456789";
    f.max_read = 4;
    Stream s = open(f);
    char* out = nullptr;
    ASSERT_EQ(pyio_readall(s.get(), &out), 10);
    Owned owned(out);
    EXPECT_EQ(std::string(out, 10), "0123456789");
    EXPECT_EQ(f.count("readinto"), 4);
}

TEST(CallbackRawIO, ReadallOfAnEmptyStreamIsEmpty) {
    Fake f;
    Stream s = open(f);
    char* out = nullptr;
    EXPECT_EQ(pyio_readall(s.get(), &out), 0);
    Owned owned(out);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
}

TEST(CallbackRawIO, ReadallWhenTheFirstCallWouldBlockReturnsWouldBlock) {
    Fake f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream s = open(f);
    char* out = reinterpret_cast<char*>(&f);
    EXPECT_EQ(pyio_readall(s.get(), &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(CallbackRawIO, ReadallWhenALaterCallWouldBlockReturnsTheDataSoFar) {
    Fake f;
    f.data = "abcdef";
    f.max_read = 2;
    f.read_script = {transfer(), transfer(), would_block()};
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), -1), "abcd");
    EXPECT_EQ(f.count("readinto"), 3);
    EXPECT_EQ(read_str(s.get(), -1), "ef");
}

TEST(CallbackRawIO, ReadWouldBlockReturnsWouldBlockWithoutAnError) {
    Fake f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream s = open(f);
    pyio_error_set(PYIO_ERR_VALUE, "stale");
    char* out = reinterpret_cast<char*>(&f);
    EXPECT_EQ(pyio_read(s.get(), 2, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    // "Would block" records nothing.  The library clears the record before
    // each callback (so that it can tell a recorded failure from an
    // unrecorded one), so what is left is an empty record, not "stale".
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE);
    EXPECT_EQ(read_str(s.get(), 2), "ab");
}

TEST(CallbackRawIO, ReadintoPassesTheCallersBufferToTheCallback) {
    Fake f;
    f.data = "abcdef";
    Stream s = open(f);
    char buf[4];
    ASSERT_EQ(pyio_readinto(s.get(), buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "abcd");
    EXPECT_EQ(f.last_buffer, static_cast<void*>(buf));
    EXPECT_EQ(f.last_size, 4);
    EXPECT_EQ(f.count("readinto"), 1);
}

TEST(CallbackRawIO, ReadintoMayBeShort) {
    Fake f;
    f.data = "abcdef";
    f.max_read = 3;
    Stream s = open(f);
    char buf[5];
    EXPECT_EQ(pyio_readinto(s.get(), buf, sizeof buf), 3);
    EXPECT_EQ(std::string(buf, 3), "abc");
}

TEST(CallbackRawIO, ReadintoWouldBlockIsPassedThrough) {
    Fake f;
    f.data = "abc";
    f.read_script = {would_block()};
    Stream s = open(f);
    char buf[4];
    EXPECT_EQ(pyio_readinto(s.get(), buf, sizeof buf), PYIO_WOULD_BLOCK);
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE);
}

TEST(CallbackRawIO, ReadintoReturningMoreThanAskedIsOSError) {
    Fake f;
    f.read_script = {result(10)};
    Stream s = open(f);
    char buf[4];
    EXPECT_EQ(pyio_readinto(s.get(), buf, sizeof buf), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      "raw readinto() returned invalid length 10 (should have been between 0 and 4)");
}

TEST(CallbackRawIO, ReadintoReturningAnUnknownNegativeCountIsOSError) {
    Fake f;
    f.read_script = {result(-3)};
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      "raw readinto() returned invalid length -3 (should have been between 0 and 4)");
}

// ---- writing ----

TEST(CallbackRawIO, WriteReturnsTheCallbacksCount) {
    Fake f;
    f.max_write = 3;
    Stream s = open(f);
    EXPECT_EQ(write_str(s.get(), "abcdef"), 3);
    EXPECT_EQ(f.data, "abc");
    EXPECT_EQ(f.last_size, 6);
    EXPECT_EQ(f.count("write"), 1);
}

TEST(CallbackRawIO, WriteWouldBlockIsPassedThroughWithoutAnError) {
    Fake f;
    f.write_script = {would_block()};
    Stream s = open(f);
    pyio_error_set(PYIO_ERR_VALUE, "stale");
    EXPECT_EQ(write_str(s.get(), "abc"), PYIO_WOULD_BLOCK);
    // As for reads: the record was cleared for the callback and stays empty.
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE);
    EXPECT_EQ(f.data, "");
}

TEST(CallbackRawIO, WriteReturningMoreThanAskedIsOSError) {
    Fake f;
    f.write_script = {result(10)};
    Stream s = open(f);
    EXPECT_EQ(write_str(s.get(), "abc"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      "raw write() returned invalid length 10 (should have been between 0 and 3)");
}

TEST(CallbackRawIO, WritelinesWritesEachSliceInOrder) {
    Fake f;
    Stream s = open(f);
    const pyio_slice lines[] = {{"ab\n", 3}, {"", 0}, {"cd", 2}};
    EXPECT_EQ(pyio_writelines(s.get(), lines, 3), 0);
    EXPECT_EQ(f.data, "ab\ncd");
    EXPECT_EQ(f.count("write"), 3);
}

// ---- errors from callbacks ----

TEST(CallbackRawIO, ARecordedOSErrorReachesTheCaller) {
    Fake f;
    f.read_script = {fail_with_oserror(EIO)};
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(std::string(pyio_error_message()), "[Errno 5] " + std::string(std::strerror(EIO)));
}

TEST(CallbackRawIO, ARecordedOSErrorKeepsItsErrnoMessageAndFilename) {
    Fake f;
    f.write_script = {fail_with_oserror(ECONNRESET, "peer")};
    Stream s = open(f);
    EXPECT_EQ(write_str(s.get(), "abc"), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ECONNRESET);
    EXPECT_EQ(std::string(pyio_error_message()), "[Errno " + std::to_string(ECONNRESET) + "] " +
                                                     std::strerror(ECONNRESET) + ": 'peer'");
    ASSERT_NE(pyio_error_filename(), nullptr);
    EXPECT_STREQ(pyio_error_filename(), "peer");
}

TEST(CallbackRawIO, ARecordedValueErrorReachesTheCaller) {
    Fake f;
    f.read_script = {[] { return int64_t{pyio_error_set(PYIO_ERR_VALUE, "bad")}; }};
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "bad");
}

TEST(CallbackRawIO, AFailureWithoutARecordedErrorIsOSErrorEIONamingTheCallback) {
    Fake f;
    f.read_script = {result(-1)};
    f.write_script = {result(-1)};
    Stream s = open(f);

    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_NE(std::string(pyio_error_message()).find("readinto"), std::string::npos)
        << pyio_error_message();

    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_NE(std::string(pyio_error_message()).find("write"), std::string::npos)
        << pyio_error_message();
}

TEST(CallbackRawIO, AnErrorRecordedBeforeTheCallIsNotMistakenForTheCallbacks) {
    Fake f;
    f.read_script = {result(-1)};
    Stream s = open(f);
    pyio_error_set(PYIO_ERR_VALUE, "stale");
    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
}

TEST(CallbackRawIO, AFailingSeekCallbackIsReported) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_seek(s.get(), -5, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EINVAL);
}

TEST(CallbackRawIO, AFailingCapabilityCallbackIsReported) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.readable = [](void*) { return pyio_error_set(PYIO_ERR_VALUE, "cannot tell"); };
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_readable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "cannot tell");
}

TEST(CallbackRawIO, ErrorSetRecordsTheKindAndMessage) {
    EXPECT_EQ(pyio_error_set(PYIO_ERR_LOOKUP, "no such thing"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "no such thing");
    EXPECT_EQ(pyio_error_set(PYIO_ERR_TYPE, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "");
}

TEST(CallbackRawIO, ErrorSetWithAnOutOfRangeKindRecordsRuntimeError) {
    EXPECT_EQ(pyio_error_set(99, "odd"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "odd");
    EXPECT_EQ(pyio_error_set(-1, "negative"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "negative");
    // PYIO_ERR_NONE is not an error one can raise either.
    EXPECT_EQ(pyio_error_set(PYIO_ERR_NONE, "none"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "none");
}

TEST(CallbackRawIO, AnOutOfRangeKindFromACallbackReachesTheCallerAsRuntimeError) {
    Fake f;
    f.read_script = {[] { return int64_t{pyio_error_set(1000, "odd")}; }};
    Stream s = open(f);
    EXPECT_EQ(read_str(s.get(), 4), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "odd");
}

// ---- missing callbacks and defaults ----

TEST(CallbackRawIO, WithoutReadintoTheStreamIsNotReadable) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.readinto = nullptr;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_readable(s.get()), 0);
    char buf[4];
    char* out = nullptr;
    const std::pair<const char*, std::function<int64_t()>> reads[] = {
        {"read", [&] { return pyio_read(s.get(), 4, &out); }},
        {"readall", [&] { return pyio_readall(s.get(), &out); }},
        {"readinto", [&] { return pyio_readinto(s.get(), buf, sizeof buf); }},
        {"readline", [&] { return pyio_readline(s.get(), -1, &out); }},
    };
    for (const auto& [name, read] : reads) {
        SCOPED_TRACE(name);
        EXPECT_EQ(read(), -1);
        EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
        EXPECT_EQ(out, nullptr);
    }
}

TEST(CallbackRawIO, WithoutWriteTheStreamIsNotWritable) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.write = nullptr;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_writable(s.get()), 0);
    EXPECT_EQ(write_str(s.get(), "abc"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
    const pyio_slice line = {"abc", 3};
    EXPECT_EQ(pyio_writelines(s.get(), &line, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
}

TEST(CallbackRawIO, WithoutSeekTheStreamIsNotSeekable) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.seek = nullptr;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_seekable(s.get()), 0);
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    // tell's default is seek(0, SEEK_CUR), so it fails the same way.
    EXPECT_EQ(pyio_tell(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
}

TEST(CallbackRawIO, SeekPassesOffsetAndWhenceThrough) {
    Fake f;
    f.data = "abcdef";
    Stream s = open(f);
    EXPECT_EQ(pyio_seek(s.get(), -2, PYIO_SEEK_END), 4);
    EXPECT_EQ(f.last_offset, -2);
    EXPECT_EQ(f.last_whence, PYIO_SEEK_END);
    EXPECT_EQ(read_str(s.get()), "ef");
}

TEST(CallbackRawIO, TellDefaultsToSeekZeroFromTheCurrentPosition) {
    Fake f;
    f.data = "abcdef";
    f.pos = 3;
    Stream s = open(f);
    EXPECT_EQ(pyio_tell(s.get()), 3);
    EXPECT_EQ(f.calls, (Calls{"seek"}));
    EXPECT_EQ(f.last_offset, 0);
    EXPECT_EQ(f.last_whence, PYIO_SEEK_CUR);
}

TEST(CallbackRawIO, TellCallbackIsUsedWhenGiven) {
    Fake f;
    f.pos = 3;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.tell = fake_tell;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_tell(s.get()), 3);
    EXPECT_EQ(f.calls, (Calls{"tell"}));
}

TEST(CallbackRawIO, WithoutTruncateTruncateIsUnsupported) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.truncate = nullptr;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_truncate(s.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
}

TEST(CallbackRawIO, TruncatePassesTheSizeThrough) {
    Fake f;
    f.data = "abcdef";
    Stream s = open(f);
    EXPECT_EQ(pyio_truncate(s.get(), 2), 2);
    EXPECT_EQ(f.last_truncate, 2);
    EXPECT_EQ(f.data, "ab");
}

TEST(CallbackRawIO, TruncateNonePassesTheCurrentPosition) {
    Fake f;
    f.data = "abcdef";
    f.pos = 4;
    Stream s = open(f);
    EXPECT_EQ(pyio_truncate(s.get(), PYIO_NONE), 4);
    EXPECT_EQ(f.last_truncate, 4);
    EXPECT_EQ(f.data, "abcd");
}

TEST(CallbackRawIO, WithoutFilenoFilenoIsUnsupported) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
}

TEST(CallbackRawIO, WithoutTheirCallbacksFilenoSeekTellTruncateAreUnsupportedEvenWhenClosed) {
    // Found by the differential test: io's IOBase.fileno, seek, tell and
    // truncate are unsupported whether or not the stream is closed.
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.seek = nullptr;
    cb.truncate = nullptr;
    Stream s = open(f, cb);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_tell(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_truncate(s.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
}

TEST(CallbackRawIO, FilenoReturnsTheCallbacksValue) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.fileno = fake_fileno;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_fileno(s.get()), 7);
}

TEST(CallbackRawIO, IsattyDefaultsToFalse) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_isatty(s.get()), 0);
}

TEST(CallbackRawIO, IsattyCallbackIsUsedWhenGiven) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.isatty = fake_yes;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_isatty(s.get()), 1);
}

TEST(CallbackRawIO, CapabilitiesDefaultToWhichOperationsAreSet) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_readable(s.get()), 1);
    EXPECT_EQ(pyio_writable(s.get()), 1);
    EXPECT_EQ(pyio_seekable(s.get()), 1);
}

TEST(CallbackRawIO, CapabilityCallbacksOverrideTheDefaults) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.readable = fake_no;  // readinto is set
    cb.seekable = fake_no;  // seek is set
    cb.write = nullptr;
    cb.writable = fake_yes;
    Stream s = open(f, cb);
    EXPECT_EQ(pyio_readable(s.get()), 0);
    EXPECT_EQ(pyio_writable(s.get()), 1);
    EXPECT_EQ(pyio_seekable(s.get()), 0);
    EXPECT_EQ(f.count("predicate"), 3);
}

// ---- lines ----

TEST(CallbackRawIO, ReadlineReadsByteByByteAndStopsAfterTheNewline) {
    Fake f;
    f.data = "ab\ncd\n";
    Stream s = open(f);
    EXPECT_EQ(readline_str(s.get()), "ab\n");
    // Nothing past the newline was consumed from the raw stream.
    EXPECT_EQ(f.pos, 3);
    EXPECT_EQ(f.count("readinto"), 3);
    EXPECT_EQ(f.last_size, 1);
}

TEST(CallbackRawIO, ReadlineWithALimitStopsAtTheLimit) {
    Fake f;
    f.data = "abcdef\n";
    Stream s = open(f);
    EXPECT_EQ(readline_str(s.get(), 2), "ab");
    EXPECT_EQ(f.pos, 2);
    EXPECT_EQ(readline_str(s.get(), 0), "");
    EXPECT_EQ(f.pos, 2);
}

TEST(CallbackRawIO, ReadlineWithoutANewlineStopsAtEof) {
    Fake f;
    f.data = "abc";
    Stream s = open(f);
    EXPECT_EQ(readline_str(s.get()), "abc");
    EXPECT_EQ(readline_str(s.get()), "");
}

TEST(CallbackRawIO, ReadlineThatWouldBlockBeforeAnyDataReturnsWouldBlock) {
    Fake f;
    f.data = "abc\n";
    f.read_script = {would_block()};
    Stream s = open(f);
    char* out = reinterpret_cast<char*>(&f);
    EXPECT_EQ(pyio_readline(s.get(), -1, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
}

TEST(CallbackRawIO, ReadlineThatWouldBlockMidLineReturnsThePartialLine) {
    Fake f;
    f.data = "abc\n";
    f.read_script = {transfer(), transfer(), would_block()};
    Stream s = open(f);
    EXPECT_EQ(readline_str(s.get()), "ab");
    EXPECT_EQ(readline_str(s.get()), "c\n");
}

TEST(CallbackRawIO, ReadlinesStopsAfterALineCutShortByWouldBlock) {
    // Found by the differential test: readlines went on after the partial
    // line and returned the two pieces of "aa\n" as two lines.  io raises
    // there; libpyio returns what it has (see pyio_readline), so it stops.
    Fake f;
    f.data = "x\naa\nb\n";
    f.read_script = {transfer(), transfer(), transfer(), would_block()};
    Stream s = open(f);
    EXPECT_EQ(readlines(s.get(), -1), (std::vector<std::string>{"x\n", "a"}));
    EXPECT_EQ(readlines(s.get(), -1), (std::vector<std::string>{"a\n", "b\n"}));
}

TEST(CallbackRawIO, ReadlinesReadsEveryLine) {
    Fake f;
    f.data = "a\nbb\nccc";
    Stream s = open(f);
    EXPECT_EQ(readlines(s.get(), -1), (std::vector<std::string>{"a\n", "bb\n", "ccc"}));
}

TEST(CallbackRawIO, ReadlinesStopsOnceTheTotalExceedsTheHint) {
    // IOBase.readlines in CPython's io (not _pyio, and not BytesIO, which
    // stops once the total reaches the hint): for b"a\nbb\nccc\n",
    // hint 1 -> 1 line, 2 and 3 -> 2 lines, 5 and 6 -> 3 lines.
    const std::pair<int64_t, size_t> cases[] = {{1, 1}, {2, 2}, {3, 2}, {5, 3}, {6, 3}};
    for (auto [hint, lines] : cases) {
        SCOPED_TRACE("hint " + std::to_string(hint));
        Fake f;
        f.data = "a\nbb\nccc\n";
        Stream s = open(f);
        EXPECT_EQ(readlines(s.get(), hint).size(), lines);
    }
}

// ---- closing ----

TEST(CallbackRawIO, CloseCallsFlushThenCloseOnce) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.calls, (Calls{"flush", "close"}));
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(CallbackRawIO, ASecondCloseCallsNothing) {
    Fake f;
    Stream s = open(f);
    ASSERT_EQ(pyio_close(s.get()), 0);
    f.calls.clear();
    EXPECT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.calls, Calls{});
}

TEST(CallbackRawIO, EveryOperationAfterCloseIsValueErrorAndCallsNothing) {
    Fake f;
    f.data = "a\nb\n";
    Stream s = open(f, all_callbacks());
    ASSERT_EQ(pyio_close(s.get()), 0);
    f.calls.clear();
    pyio_stream* c = s.get();
    char buf[4];
    char* out = nullptr;
    pyio_slice* lines = nullptr;
    const pyio_slice line = {"x", 1};
    const std::pair<const char*, std::function<int64_t()>> operations[] = {
        {"read", [&] { return pyio_read(c, 1, &out); }},
        {"read all", [&] { return pyio_read(c, -1, &out); }},
        {"readall", [&] { return pyio_readall(c, &out); }},
        {"readinto", [&] { return pyio_readinto(c, buf, sizeof buf); }},
        {"readline", [&] { return pyio_readline(c, -1, &out); }},
        {"readlines", [&] { return pyio_readlines(c, -1, &lines); }},
        {"write", [&] { return pyio_write(c, "x", 1); }},
        {"writelines", [&] { return int64_t{pyio_writelines(c, &line, 1)}; }},
        {"seek", [&] { return pyio_seek(c, 0, PYIO_SEEK_SET); }},
        {"tell", [&] { return pyio_tell(c); }},
        {"truncate", [&] { return pyio_truncate(c, PYIO_NONE); }},
        {"flush", [&] { return int64_t{pyio_flush(c)}; }},
        {"readable", [&] { return int64_t{pyio_readable(c)}; }},
        {"writable", [&] { return int64_t{pyio_writable(c)}; }},
        {"seekable", [&] { return int64_t{pyio_seekable(c)}; }},
        {"isatty", [&] { return int64_t{pyio_isatty(c)}; }},
        {"fileno", [&] { return int64_t{pyio_fileno(c)}; }},
    };
    for (const auto& [name, operation] : operations) {
        SCOPED_TRACE(name);
        pyio_error_clear();
        EXPECT_EQ(operation(), -1);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
        EXPECT_EQ(out, nullptr);
        EXPECT_EQ(lines, nullptr);
        EXPECT_EQ(f.calls, Calls{});
    }
}

TEST(CallbackRawIO, AFailingCloseIsReportedAndTheStreamIsClosedAnyway) {
    Fake f;
    f.on_close = [] { return pyio_error_set_oserror(EIO, nullptr); };
    Stream s = open(f);
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(pyio_closed(s.get()), 1);
    f.calls.clear();
    EXPECT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.calls, Calls{});
}

TEST(CallbackRawIO, ACloseFailingWithoutARecordedErrorIsOSErrorEIO) {
    Fake f;
    f.on_close = [] { return -1; };
    Stream s = open(f);
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_NE(std::string(pyio_error_message()).find("close"), std::string::npos)
        << pyio_error_message();
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(CallbackRawIO, AFailingFlushDuringCloseIsReportedAndCloseIsStillCalled) {
    Fake f;
    f.on_flush = [] { return pyio_error_set(PYIO_ERR_VALUE, "flush failed"); };
    Stream s = open(f);
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "flush failed");
    EXPECT_EQ(f.calls, (Calls{"flush", "close"}));
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(CallbackRawIO, WhenFlushAndCloseBothFailTheCloseErrorIsReported) {
    // As CPython's FileIO.close and the buffered classes' close: the later
    // failure is raised (the earlier is its __context__ in Python).
    Fake f;
    f.on_flush = [] { return pyio_error_set(PYIO_ERR_VALUE, "flush failed"); };
    f.on_close = [] { return pyio_error_set(PYIO_ERR_VALUE, "close failed"); };
    Stream s = open(f);
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "close failed");
    EXPECT_EQ(f.calls, (Calls{"flush", "close"}));
}

// ---- a closed callback: the stream's closed state is the callbacks' ----

pyio_rawio_callbacks with_closed() {
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.closed = fake_closed;
    return cb;
}

TEST(CallbackRawIO, AClosedCallbackIsTheClosedState) {
    Fake f;
    f.data = "a\nb\n";
    Stream s = open(f, with_closed());
    EXPECT_EQ(pyio_closed(s.get()), 0);
    f.is_closed = true;  // closed behind the library's back
    EXPECT_EQ(pyio_closed(s.get()), 1);
    // The library's own methods check it, as IOBase's do...
    pyio_slice* lines = nullptr;
    f.calls.clear();
    EXPECT_EQ(pyio_readlines(s.get(), -1, &lines), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(pyio_flush(s.get()), 0);  // ...but the callbacks check for themselves
    EXPECT_EQ(read_str(s.get(), 2), "a\n");
    EXPECT_EQ(f.calls, (Calls{"closed", "flush", "readinto"}));
    f.is_closed = false;  // and open again: the callbacks decide
    EXPECT_EQ(readlines(s.get(), -1), (std::vector<std::string>{"b\n"}));
}

TEST(CallbackRawIO, WithAClosedCallbackMissingCallbacksAreIOBasesDefaults) {
    Fake f;
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.closed = fake_closed;
    Stream s = open(f, cb);
    f.is_closed = true;
    EXPECT_EQ(pyio_fileno(s.get()), -1);  // unsupported whether or not closed
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
    EXPECT_EQ(pyio_readable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    EXPECT_EQ(pyio_flush(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
}

TEST(CallbackRawIO, WithAClosedCallbackCloseCallsCloseAloneWhileOpen) {
    // The callbacks' close is the whole close (a Python object's close()
    // flushes itself): flush is not called first, so it runs once.
    Fake f;
    Stream s = open(f, with_closed());
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.calls, (Calls{"closed", "close"}));
    EXPECT_EQ(pyio_closed(s.get()), 1);
    f.calls.clear();
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.calls, Calls{"closed"});
}

TEST(CallbackRawIO, WithAClosedCallbackACloseThatLeavesItOpenCanBeRepeated) {
    Fake f;
    f.on_close = [&f] {
        f.is_closed = false;
        return pyio_error_set_oserror(EIO, nullptr);
    };
    Stream s = open(f, with_closed());
    EXPECT_EQ(pyio_close(s.get()), -1);
    EXPECT_EQ(pyio_error_errno(), EIO);
    EXPECT_EQ(pyio_closed(s.get()), 0);
    f.on_close = nullptr;
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(f.count("close"), 2);
    EXPECT_EQ(pyio_closed(s.get()), 1);
}

TEST(CallbackRawIO, AFailingClosedCallbackIsReported) {
    Fake f;
    f.on_closed = [] { return pyio_error_set(PYIO_ERR_ATTRIBUTE, "no closed"); };
    Stream s = open(f, with_closed());
    EXPECT_EQ(pyio_closed(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "no closed");
    pyio_slice* lines = nullptr;
    EXPECT_EQ(pyio_readlines(s.get(), -1, &lines), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "no closed");
    f.on_closed = nullptr;
}

TEST(CallbackRawIO, TheLastReleaseAsksTheClosedCallbackBeforeClosing) {
    Fake f;
    {
        Stream s = open(f, with_closed());
        f.is_closed = true;
    }
    EXPECT_EQ(f.calls, (Calls{"closed", "destroy"}));
    Fake g;
    { Stream s = open(g, with_closed()); }
    // The finaliser asks, then close() asks again, as Python's do.
    EXPECT_EQ(g.calls, (Calls{"closed", "closed", "close", "destroy"}));
}

TEST(CallbackRawIO, AFailingFlushIsReported) {
    Fake f;
    f.on_flush = [] { return pyio_error_set_oserror(ENOSPC, nullptr); };
    Stream s = open(f);
    EXPECT_EQ(pyio_flush(s.get()), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ENOSPC);
    EXPECT_EQ(pyio_closed(s.get()), 0);
}

// ---- lifetime ----

TEST(CallbackRawIO, DestroyIsCalledOnceAtTheLastReleaseNotAtClose) {
    Fake f;
    pyio_stream* s = open(f).release();
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(pyio_close(s), 0);
    EXPECT_EQ(f.count("destroy"), 0);
    pyio_retain(s);
    pyio_release(s);
    EXPECT_EQ(f.count("destroy"), 0);
    pyio_release(s);
    EXPECT_EQ(f.calls, (Calls{"flush", "close", "destroy"}));
}

TEST(CallbackRawIO, TheLastReleaseOfAnOpenStreamFlushesClosesThenDestroys) {
    Fake f;
    open(f).reset();
    EXPECT_EQ(f.calls, (Calls{"flush", "close", "destroy"}));
}

TEST(CallbackRawIO, TheLastReleaseDiscardsCloseErrorsAndKeepsTheCallersRecord) {
    Fake f;
    f.on_close = [] { return pyio_error_set_oserror(EIO, nullptr); };
    pyio_stream* s = open(f).release();
    pyio_error_set(PYIO_ERR_LOOKUP, "sentinel");
    pyio_release(s);
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "sentinel");
    EXPECT_EQ(f.calls, (Calls{"flush", "close", "destroy"}));
}

TEST(CallbackRawIO, ConcurrentRetainAndReleaseDestroyOnlyAtTheLastRelease) {
    std::atomic<int> destroyed{0};
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.destroy = [](void* context) { ++*static_cast<std::atomic<int>*>(context); };
    pyio_stream* s = pyio_rawio_new(&cb, &destroyed, nullptr);
    ASSERT_NE(s, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([s] {
            for (int i = 0; i < 10000; ++i) pyio_release(pyio_retain(s));
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(destroyed.load(), 0);
    EXPECT_EQ(pyio_closed(s), 0);
    pyio_release(s);
    EXPECT_EQ(destroyed.load(), 1);
}

// ---- construction ----

TEST(CallbackRawIO, NullCallbacksIsTypeError) {
    EXPECT_EQ(pyio_rawio_new(nullptr, nullptr, "x"), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(CallbackRawIO, StructSizeZeroIsValueErrorAndNoCallbackIsRead) {
    // The library may not read past struct_size, so it cannot know of the
    // destroy callback and must not call it.
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.struct_size = 0;
    EXPECT_EQ(pyio_rawio_new(&cb, &f, nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(f.calls, Calls{});
}

TEST(CallbackRawIO, StructSizeSmallerThanItsOwnFieldIsValueError) {
    Fake f;
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.struct_size = sizeof cb.struct_size - 1;
    EXPECT_EQ(pyio_rawio_new(&cb, &f, nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    EXPECT_EQ(f.calls, Calls{});
}

namespace {

// Callbacks that must never be called: they sit past a short struct_size.
int64_t trap_seek(void*, int64_t, int) {
    ADD_FAILURE() << "seek past struct_size was called";
    return -1;
}
int64_t trap_tell(void*) {
    ADD_FAILURE() << "tell past struct_size was called";
    return -1;
}
int64_t trap_truncate(void*, int64_t) {
    ADD_FAILURE() << "truncate past struct_size was called";
    return -1;
}
int trap_int(void*) {
    ADD_FAILURE() << "a callback past struct_size was called";
    return -1;
}
void trap_destroy(void*) { ADD_FAILURE() << "destroy past struct_size was called"; }

}  // namespace

TEST(CallbackRawIO, FieldsPastAShortStructSizeAreTakenAsNull) {
    Fake f;
    f.data = "abc";
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.seek = trap_seek;
    cb.tell = trap_tell;
    cb.truncate = trap_truncate;
    cb.flush = trap_int;
    cb.close = trap_int;
    cb.readable = trap_int;
    cb.writable = trap_int;
    cb.seekable = trap_int;
    cb.isatty = trap_int;
    cb.fileno = trap_int;
    cb.destroy = trap_destroy;
    cb.closed = trap_int;
    cb.struct_size = offsetof(pyio_rawio_callbacks, seek);
    Stream s(pyio_rawio_new(&cb, &f, nullptr));
    ASSERT_TRUE(s);

    EXPECT_EQ(read_str(s.get(), 2), "ab");
    EXPECT_EQ(write_str(s.get(), "X"), 1);
    EXPECT_EQ(pyio_readable(s.get()), 1);
    EXPECT_EQ(pyio_writable(s.get()), 1);
    EXPECT_EQ(pyio_seekable(s.get()), 0);
    EXPECT_EQ(pyio_isatty(s.get()), 0);
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_tell(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_truncate(s.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "fileno");
    EXPECT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(pyio_close(s.get()), 0);
    s.reset();  // no destroy either
    EXPECT_EQ(f.data, "abX");
    EXPECT_EQ(f.calls, (Calls{"readinto", "write"}));
}

TEST(CallbackRawIO, AStructEndingBeforeClosedKeepsTheClosedStateInTheLibrary) {
    // A caller built before the closed field existed.
    Fake f;
    f.data = "abc";
    pyio_rawio_callbacks cb = fake_callbacks();
    cb.closed = trap_int;
    cb.struct_size = offsetof(pyio_rawio_callbacks, closed);
    Stream s(pyio_rawio_new(&cb, &f, nullptr));
    ASSERT_TRUE(s);
    EXPECT_EQ(read_str(s.get(), 1), "a");
    EXPECT_EQ(pyio_closed(s.get()), 0);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_closed(s.get()), 1);
    s.reset();
    EXPECT_EQ(f.calls, (Calls{"readinto", "flush", "close", "destroy"}));
}

TEST(CallbackRawIO, StructSizeLargerThanTheLibraryKnowsIsAccepted) {
    // A caller built against a later version with more fields.
    struct Later {
        pyio_rawio_callbacks known;
        void* unknown;
    } later{fake_callbacks(), nullptr};
    later.known.struct_size = sizeof later;
    Fake f;
    f.data = "abc";
    Stream s(pyio_rawio_new(&later.known, &f, nullptr));
    ASSERT_TRUE(s);
    EXPECT_EQ(read_str(s.get()), "abc");
    s.reset();
    EXPECT_EQ(f.count("destroy"), 1);
}

TEST(CallbackRawIO, TheCallbacksStructIsCopied) {
    Fake f;
    f.data = "abc";
    pyio_rawio_callbacks cb = fake_callbacks();
    Stream s = open(f, cb);
    cb.readinto = [](void*, void*, int64_t) -> int64_t {
        ADD_FAILURE() << "the caller's struct was read after pyio_rawio_new";
        return -1;
    };
    EXPECT_EQ(read_str(s.get()), "abc");
}

// ---- attributes and class ----

TEST(CallbackRawIO, NameIsACopyOfTheGivenName) {
    Fake f;
    std::string name = "my-stream";
    Stream s = open(f, fake_callbacks(), name.c_str());
    name[0] = 'X';
    const char* path = nullptr;
    int64_t fd = 42;
    EXPECT_EQ(pyio_name(s.get(), &path, &fd), 0);
    EXPECT_STREQ(path, "my-stream");
    EXPECT_EQ(fd, 42);
}

TEST(CallbackRawIO, WithoutANameNameIsAttributeError) {
    Fake f;
    Stream s = open(f);
    const char* path = nullptr;
    EXPECT_EQ(pyio_name(s.get(), &path, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'name'");
    EXPECT_EQ(path, nullptr);
}

TEST(CallbackRawIO, HasNoMode) {
    Fake f;
    Stream s = open(f, fake_callbacks(), "named");
    EXPECT_EQ(pyio_mode(s.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'mode'");
}

TEST(CallbackRawIO, HasNoBufferedOrBytesIOMethods) {
    Fake f;
    f.data = "abc";
    Stream s = open(f);
    char* out = nullptr;
    char buf[4];
    void* data = nullptr;
    EXPECT_EQ(pyio_read1(s.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'read1'");
    EXPECT_EQ(pyio_readinto1(s.get(), buf, sizeof buf), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'readinto1'");
    EXPECT_EQ(pyio_detach(s.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'detach'");
    EXPECT_EQ(pyio_getvalue(s.get(), &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'getvalue'");
    EXPECT_EQ(pyio_getbuffer(s.get(), &data), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'getbuffer'");
    EXPECT_EQ(pyio_closefd(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'CallbackRawIO' object has no attribute 'closefd'");
    EXPECT_EQ(f.calls, Calls{});
}

TEST(CallbackRawIO, IsARawIOBase) {
    Fake f;
    Stream s = open(f);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_CALLBACKRAWIO), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_RAWIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_IOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BUFFEREDIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_TEXTIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_FILEIO), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BYTESIO), 0);
}

TEST(CallbackRawIO, ClassNameIsCallbackRawIO) {
    Fake f;
    Stream s = open(f);
    EXPECT_STREQ(pyio_class_name(s.get()), "CallbackRawIO");
}

// ---- callbacks that use the library ----

namespace {

// readinto forwards to another libpyio stream.
int64_t relay_readinto(void* context, void* buffer, int64_t size) {
    return pyio_readinto(static_cast<pyio_stream*>(context), buffer, size);
}

}  // namespace

TEST(CallbackRawIO, ACallbackMayReadFromAnotherStream) {
    Stream inner(pyio_bytesio_new("one\ntwo\n", 8));
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.readinto = relay_readinto;
    Stream s(pyio_rawio_new(&cb, inner.get(), nullptr));
    ASSERT_TRUE(s);
    EXPECT_EQ(readline_str(s.get()), "one\n");
    EXPECT_EQ(pyio_tell(inner.get()), 4);
    EXPECT_EQ(read_str(s.get(), -1), "two\n");
}

TEST(CallbackRawIO, AnErrorFromTheOtherStreamReachesTheCaller) {
    Stream inner(pyio_bytesio_new("abc", 3));
    ASSERT_EQ(pyio_close(inner.get()), 0);
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.readinto = relay_readinto;
    Stream s(pyio_rawio_new(&cb, inner.get(), nullptr));
    EXPECT_EQ(read_str(s.get(), 2), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
}
