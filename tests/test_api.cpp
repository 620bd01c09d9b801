// The C API's conventions: version, the error record, handles and their
// lifetime, NULL arguments.
#include <errno.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "helpers.h"

using namespace pyio_test;

TEST(Version, RuntimeMatchesHeader) {
    EXPECT_EQ(pyio_version_number(), static_cast<unsigned>(PYIO_VERSION_NUMBER));
    EXPECT_STREQ(pyio_version_string(), PYIO_VERSION_STRING);
    std::string expected = std::to_string(PYIO_VERSION_MAJOR) + "." + std::to_string(PYIO_VERSION_MINOR) +
                           "." + std::to_string(PYIO_VERSION_PATCH);
    EXPECT_EQ(expected, PYIO_VERSION_STRING);
}

TEST(Constants, MatchCurrentCPython) {
    EXPECT_EQ(PYIO_DEFAULT_BUFFER_SIZE, 128 * 1024);
    EXPECT_EQ(PYIO_SEEK_SET, 0);
    EXPECT_EQ(PYIO_SEEK_CUR, 1);
    EXPECT_EQ(PYIO_SEEK_END, 2);
    EXPECT_LT(PYIO_WOULD_BLOCK, 0);
    EXPECT_NE(PYIO_WOULD_BLOCK, -1);
}

// ---- the error record ----

TEST(ErrorRecord, KindNamesArePythonClassNames) {
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_NONE), "None");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_OS), "OSError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_BLOCKING_IO), "BlockingIOError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_UNSUPPORTED_OPERATION), "UnsupportedOperation");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_VALUE), "ValueError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_UNICODE_DECODE), "UnicodeDecodeError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_UNICODE_ENCODE), "UnicodeEncodeError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_LOOKUP), "LookupError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_TYPE), "TypeError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_ATTRIBUTE), "AttributeError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_RUNTIME), "RuntimeError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_MEMORY), "MemoryError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_BUFFER), "BufferError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_OVERFLOW), "OverflowError");
    EXPECT_STREQ(pyio_error_kind_name(PYIO_ERR_UNICODE), "UnicodeError");
    EXPECT_STREQ(pyio_error_kind_name(-1), "Unknown");
    EXPECT_STREQ(pyio_error_kind_name(99), "Unknown");
}

TEST(ErrorRecord, ClearResetsEveryField) {
    pyio_error_set_oserror(ENOENT, "x");
    pyio_error_clear();
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE);
    EXPECT_STREQ(pyio_error_message(), "");
    EXPECT_EQ(pyio_error_errno(), 0);
    EXPECT_EQ(pyio_error_filename(), nullptr);
    EXPECT_EQ(pyio_error_characters_written(), 0);
    EXPECT_EQ(pyio_error_encoding(), nullptr);
    EXPECT_EQ(pyio_error_reason(), nullptr);
}

TEST(ErrorRecord, SetOSErrorFormatsLikePython) {
    EXPECT_EQ(pyio_error_set_oserror(ENOENT, "some/file"), -1);
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ENOENT);
    EXPECT_STREQ(pyio_error_filename(), "some/file");
    EXPECT_STREQ(pyio_error_message(), "[Errno 2] No such file or directory: 'some/file'");

    pyio_error_set_oserror(EIO, nullptr);
    EXPECT_EQ(pyio_error_filename(), nullptr);
    EXPECT_STREQ(pyio_error_message(), "[Errno 5] Input/output error");
}

// The file name is shown as Python's repr() of os.fsdecode(name) shows it
// (expected strings copied from python3's io.FileIO error messages).
TEST(ErrorRecord, OSErrorQuotesTheFileNameAsPythonsRepr) {
    struct Case {
        const char* name;
        const char* shown;
    } cases[] = {
        {"it's", "\"it's\""},
        {"a\"b'c", "'a\"b\\'c'"},
        {"tab\there", "'tab\\there'"},
        {"nl\n", "'nl\\n'"},
        {"back\\slash", "'back\\\\slash'"},
        {"caf\xc3\xa9", "'caf\xc3\xa9'"},
        {"bad\xff", "'bad\\udcff'"},
        {"\x7f\x01", "'\\x7f\\x01'"},
        {"zw\xe2\x80\x8b", "'zw\\u200b'"},
        {"\xc2\xa0nb", "'\\xa0nb'"},
    };
    for (const Case& c : cases) {
        pyio_error_set_oserror(ENOENT, c.name);
        EXPECT_EQ(std::string(pyio_error_message()),
                  std::string("[Errno 2] No such file or directory: ") + c.shown);
        EXPECT_STREQ(pyio_error_filename(), c.name);  // the name itself, unquoted
    }
}

TEST(ErrorRecord, SetRecordsKindAndMessage) {
    EXPECT_EQ(pyio_error_set(PYIO_ERR_VALUE, "bad value"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "bad value");
    pyio_error_set(PYIO_ERR_LOOKUP, nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "");
}

TEST(ErrorRecord, SetWithUnknownKindRecordsRuntimeError) {
    pyio_error_set(1000, "what");
    EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "what");
    pyio_error_set(PYIO_ERR_NONE, "nothing");
    EXPECT_EQ(pyio_error_kind(), PYIO_ERR_RUNTIME);
}

TEST(ErrorRecord, MatchesFollowsPythonsHierarchy) {
    pyio_error_set(PYIO_ERR_UNSUPPORTED_OPERATION, "x");
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_UNSUPPORTED_OPERATION), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_OS), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_VALUE), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_TYPE), 0);

    pyio_error_set(PYIO_ERR_BLOCKING_IO, "x");
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_OS), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_VALUE), 0);

    pyio_error_set(PYIO_ERR_UNICODE_DECODE, "x");
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_VALUE), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_UNICODE), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_UNICODE_ENCODE), 0);

    pyio_error_set(PYIO_ERR_UNICODE, "x");
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_VALUE), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_UNICODE_DECODE), 0);

    pyio_error_set(PYIO_ERR_OS, "x");
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_BLOCKING_IO), 0);
    EXPECT_EQ(pyio_error_matches(-3), 0);

    pyio_error_clear();
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_NONE), 1);
    EXPECT_EQ(pyio_error_matches(PYIO_ERR_OS), 0);
}

TEST(ErrorRecord, IsPerThread) {
    pyio_error_set(PYIO_ERR_VALUE, "main thread");
    std::thread other([] {
        EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE);
        pyio_error_set(PYIO_ERR_TYPE, "other thread");
    });
    other.join();
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "main thread");
}

TEST(ErrorRecord, SuccessDoesNotClearIt) {
    Stream b(pyio_bytesio_new("x", 1));
    ASSERT_TRUE(b);
    pyio_error_set(PYIO_ERR_LOOKUP, "kept");
    EXPECT_EQ(pyio_tell(b.get()), 0);
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "kept");
}

// ---- handles ----

TEST(Handles, NullHandleIsTypeErrorEverywhere) {
    char* out = reinterpret_cast<char*>(1);
    char buf[4];
    pyio_slice* lines = nullptr;
    const char* path = nullptr;
    void* view = nullptr;
    struct Call {
        const char* name;
        int64_t result;
    } calls[] = {
        {"close", pyio_close(nullptr)},
        {"closed", pyio_closed(nullptr)},
        {"flush", pyio_flush(nullptr)},
        {"readable", pyio_readable(nullptr)},
        {"writable", pyio_writable(nullptr)},
        {"seekable", pyio_seekable(nullptr)},
        {"isatty", pyio_isatty(nullptr)},
        {"fileno", pyio_fileno(nullptr)},
        {"seek", pyio_seek(nullptr, 0, 0)},
        {"tell", pyio_tell(nullptr)},
        {"truncate", pyio_truncate(nullptr, PYIO_NONE)},
        {"readline", pyio_readline(nullptr, -1, &out)},
        {"readlines", pyio_readlines(nullptr, 0, &lines)},
        {"writelines", pyio_writelines(nullptr, nullptr, 0)},
        {"read", pyio_read(nullptr, 1, &out)},
        {"readall", pyio_readall(nullptr, &out)},
        {"read1", pyio_read1(nullptr, 1, &out)},
        {"readinto", pyio_readinto(nullptr, buf, 1)},
        {"readinto1", pyio_readinto1(nullptr, buf, 1)},
        {"write", pyio_write(nullptr, "x", 1)},
        {"name", pyio_name(nullptr, &path, nullptr)},
        {"closefd", pyio_closefd(nullptr)},
        {"getvalue", pyio_getvalue(nullptr, &out)},
        {"getbuffer", pyio_getbuffer(nullptr, &view)},
        {"releasebuffer", pyio_releasebuffer(nullptr)},
        {"isinstance", pyio_isinstance(nullptr, PYIO_CLASS_IOBASE)},
    };
    for (const Call& c : calls) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(c.result, -1);
    }
    pyio_error_clear();
    EXPECT_EQ(pyio_mode(nullptr), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "stream handle is NULL");
    pyio_error_clear();
    EXPECT_EQ(pyio_class_name(nullptr), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "stream handle is NULL");
    pyio_error_clear();
    EXPECT_EQ(pyio_detach(nullptr), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "stream handle is NULL");
    // Out-parameters are reset even when the call fails.
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(lines, nullptr);
    EXPECT_EQ(view, nullptr);
}

TEST(Handles, RetainAndReleaseOfNullAreHarmless) {
    EXPECT_EQ(pyio_retain(nullptr), nullptr);
    pyio_release(nullptr);
    pyio_free(nullptr);
}

TEST(Handles, RetainReturnsTheSameHandle) {
    Stream b(pyio_bytesio_new(nullptr, 0));
    ASSERT_TRUE(b);
    pyio_stream* again = pyio_retain(b.get());
    EXPECT_EQ(again, b.get());
    pyio_release(again);
    EXPECT_EQ(pyio_closed(b.get()), 0);
}

TEST(Handles, CloseLeavesTheHandleUsableForQueries) {
    Stream b(pyio_bytesio_new("abc", 3));
    ASSERT_EQ(pyio_close(b.get()), 0);
    EXPECT_EQ(pyio_closed(b.get()), 1);
    EXPECT_STREQ(pyio_class_name(b.get()), "BytesIO");
    EXPECT_EQ(pyio_close(b.get()), 0);  // idempotent
}

TEST(Handles, IsInstanceRejectsUnknownClass) {
    Stream b(pyio_bytesio_new(nullptr, 0));
    EXPECT_EQ(pyio_isinstance(b.get(), 42), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "unknown class 42");
}

// A callback raw stream that counts what happens to it.
namespace {
struct Probe {
    std::atomic<int> closes{0};
    std::atomic<int> destroys{0};
};

pyio_rawio_callbacks probe_callbacks() {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.close = [](void* ctx) {
        static_cast<Probe*>(ctx)->closes++;
        return 0;
    };
    cb.destroy = [](void* ctx) { static_cast<Probe*>(ctx)->destroys++; };
    return cb;
}
}  // namespace

TEST(Handles, LastReleaseClosesAnOpenStreamThenFreesIt) {
    Probe probe;
    pyio_rawio_callbacks cb = probe_callbacks();
    pyio_stream* s = pyio_rawio_new(&cb, &probe, nullptr);
    ASSERT_NE(s, nullptr);
    pyio_retain(s);
    pyio_release(s);
    EXPECT_EQ(probe.closes, 0);
    EXPECT_EQ(probe.destroys, 0);
    pyio_release(s);
    EXPECT_EQ(probe.closes, 1);
    EXPECT_EQ(probe.destroys, 1);
}

TEST(Handles, LastReleaseDoesNotCloseTwice) {
    Probe probe;
    pyio_rawio_callbacks cb = probe_callbacks();
    pyio_stream* s = pyio_rawio_new(&cb, &probe, nullptr);
    ASSERT_EQ(pyio_close(s), 0);
    pyio_release(s);
    EXPECT_EQ(probe.closes, 1);
    EXPECT_EQ(probe.destroys, 1);
}

TEST(Handles, FinaliserErrorsAreDiscardedAndTheRecordKept) {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.close = [](void*) { return pyio_error_set_oserror(EIO, nullptr); };
    pyio_stream* s = pyio_rawio_new(&cb, nullptr, nullptr);
    ASSERT_NE(s, nullptr);
    pyio_error_set(PYIO_ERR_LOOKUP, "before release");
    pyio_release(s);
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "before release");
}

TEST(Handles, RetainReleaseRaceFromManyThreads) {
    Probe probe;
    pyio_rawio_callbacks cb = probe_callbacks();
    pyio_stream* s = pyio_rawio_new(&cb, &probe, nullptr);
    ASSERT_NE(s, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([s] {
            for (int i = 0; i < 20000; ++i) pyio_release(pyio_retain(s));
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(probe.destroys, 0);
    EXPECT_EQ(pyio_closed(s), 0);
    pyio_release(s);
    EXPECT_EQ(probe.destroys, 1);
}

TEST(Handles, LastReleaseMayHappenOnAnotherThread) {
    Probe probe;
    pyio_rawio_callbacks cb = probe_callbacks();
    pyio_stream* s = pyio_rawio_new(&cb, &probe, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) pyio_retain(s);
    for (int t = 0; t < 4; ++t) threads.emplace_back([s] { pyio_release(s); });
    pyio_release(s);
    for (auto& t : threads) t.join();
    EXPECT_EQ(probe.closes, 1);
    EXPECT_EQ(probe.destroys, 1);
}

// ---- arguments ----

TEST(Arguments, NullOutPointerIsTypeError) {
    Stream b(pyio_bytesio_new("abc\n", 4));
    EXPECT_EQ(pyio_read(b.get(), 1, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "out is NULL");
    EXPECT_EQ(pyio_readline(b.get(), -1, nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_readlines(b.get(), 0, nullptr), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "lines is NULL");
    EXPECT_EQ(pyio_tell(b.get()), 0);  // nothing was consumed
}

TEST(Arguments, NullBufferIsTypeError) {
    Stream b(pyio_bytesio_new("abc", 3));
    EXPECT_EQ(pyio_readinto(b.get(), nullptr, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "buffer is NULL");
    EXPECT_EQ(pyio_write(b.get(), nullptr, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "data is NULL");
}

TEST(Arguments, NegativeBufferSizeIsValueError) {
    Stream b(pyio_bytesio_new("abc", 3));
    char buf[4];
    EXPECT_EQ(pyio_readinto(b.get(), buf, -1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "buffer size must not be negative");
    EXPECT_EQ(pyio_write(b.get(), buf, -5), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "data size must not be negative");
}

TEST(Arguments, WritelinesRejectsBadSlicesBeforeWriting) {
    Stream b(pyio_bytesio_new(nullptr, 0));
    pyio_slice lines[] = {{"ok", 2}, {nullptr, 3}};
    EXPECT_EQ(pyio_writelines(b.get(), lines, 2), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "line is NULL");
    EXPECT_EQ(pyio_tell(b.get()), 0);
    EXPECT_EQ(pyio_writelines(b.get(), nullptr, 1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_writelines(b.get(), lines, -1), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
}

TEST(Arguments, ReadResultsAreNulTerminatedAndOwnedByTheCaller) {
    Stream b(pyio_bytesio_new("a\0b", 3));
    char* out = nullptr;
    ASSERT_EQ(pyio_read(b.get(), -1, &out), 3);
    EXPECT_EQ(std::memcmp(out, "a\0b", 4), 0);  // the NUL after the data too
    pyio_free(out);
    ASSERT_EQ(pyio_read(b.get(), -1, &out), 0);
    ASSERT_NE(out, nullptr);  // EOF still yields a valid empty string
    EXPECT_EQ(out[0], '\0');
    pyio_free(out);
}
