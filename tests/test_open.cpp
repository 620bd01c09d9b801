// open() through the public C API (pyio_open, pyio_open_fd): each test pins
// down one behaviour of CPython's io.open -- its argument checks and their
// order, the class it returns, the buffer size it picks -- and that a failed
// open leaks nothing.

#include <pyio/pyio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "helpers.h"

using namespace pyio_test;

namespace {

constexpr const char* kFileIOBadMode =
    "Must have exactly one of create/read/write/append mode and at most one plus";

// open(path, mode, buffering) with Python's defaults for the rest.
Stream open_path(const std::string& path, const char* mode, int64_t buffering = PYIO_NONE) {
    return Stream(pyio_open(path.c_str(), mode, buffering, nullptr, nullptr, nullptr, 1, nullptr,
                            nullptr));
}

Stream open_fd(int fd, const char* mode, int closefd, int64_t buffering = PYIO_NONE) {
    return Stream(pyio_open_fd(fd, mode, buffering, nullptr, nullptr, nullptr, closefd));
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

int64_t st_blksize(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_blksize) : -1;
}

// io.open's choice for buffering=-1 (current CPython).
int64_t default_buffer_size(const std::string& path) {
    int64_t blksize = st_blksize(path);
    if (blksize <= 1) blksize = PYIO_DEFAULT_BUFFER_SIZE;
    return std::max<int64_t>(std::min<int64_t>(blksize, 8 * 1024 * 1024), PYIO_DEFAULT_BUFFER_SIZE);
}

void expect_os_error(int err, const std::string& path) {
    std::string message =
        "[Errno " + std::to_string(err) + "] " + std::strerror(err) + ": '" + path + "'";
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, message.c_str());
    EXPECT_EQ(pyio_error_errno(), err);
    ASSERT_NE(pyio_error_filename(), nullptr);
    EXPECT_STREQ(pyio_error_filename(), path.c_str());
}

std::string pattern(size_t size) {
    std::string s(size, '\0');
    for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 31 + i / 257) & 0xff);
    return s;
}

struct Pipe {
    int r = -1, w = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) == 0) {
            r = fds[0];
            w = fds[1];
        }
    }
    ~Pipe() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
    }
};

struct OpenerCall {
    int calls = 0;
    int flags = -1;
    std::string path;
    int fail_errno = 0;  // fail with this error recorded instead of opening
    int result = 0;      // when nonzero, return it instead of opening
};

int test_opener(const char* path, int flags, void* arg) {
    auto* call = static_cast<OpenerCall*>(arg);
    ++call->calls;
    call->flags = flags;
    call->path = path;
    if (call->fail_errno) return pyio_error_set_oserror(call->fail_errno, path);
    if (call->result) return call->result;
    return ::open(path, flags, 0666);
}

// An opener that hands back a directory: FileIO refuses it after the opener
// returned, so the descriptor is open at the moment of failure.
int directory_opener(const char* path, int, void*) {
    std::string dir(path);
    return ::open(dir.substr(0, dir.rfind('/')).c_str(), O_RDONLY | O_CLOEXEC);
}

}  // namespace

// ---------------------------------------------------------------------------
// Modes: what each returns or why it is refused (the table is CPython's)
// ---------------------------------------------------------------------------

TEST(Open, EachModeReturnsPythonsClassOrError) {
    struct Case {
        const char *mode, *result, *detail;  // class and mode, or error kind and message
    } cases[] = {
        {"rb", "BufferedReader", "rb"},
        {"br", "BufferedReader", "rb"},
        {"wb", "BufferedWriter", "wb"},
        {"bw", "BufferedWriter", "wb"},
        {"xb", "BufferedWriter", "xb"},
        {"ab", "BufferedWriter", "ab"},
        {"ba", "BufferedWriter", "ab"},
        {"r+b", "BufferedRandom", "rb+"},
        {"rb+", "BufferedRandom", "rb+"},
        {"+rb", "BufferedRandom", "rb+"},
        {"b+r", "BufferedRandom", "rb+"},
        {"w+b", "BufferedRandom", "rb+"},
        {"wb+", "BufferedRandom", "rb+"},
        {"x+b", "BufferedRandom", "xb+"},
        {"a+b", "BufferedRandom", "ab+"},
        // Text modes: a TextIOWrapper whose mode is the string as given.
        {"r", "TextIOWrapper", "r"},
        {"rt", "TextIOWrapper", "rt"},
        {"tr", "TextIOWrapper", "tr"},
        {"w", "TextIOWrapper", "w"},
        {"wt", "TextIOWrapper", "wt"},
        {"x", "TextIOWrapper", "x"},
        {"a", "TextIOWrapper", "a"},
        {"at", "TextIOWrapper", "at"},
        {"r+", "TextIOWrapper", "r+"},
        {"w+", "TextIOWrapper", "w+"},
        {"a+", "TextIOWrapper", "a+"},
        {"rt+", "TextIOWrapper", "rt+"},
        // No r/w/x/a at all is left to FileIO, whose message it is.
        {"+", "ValueError", kFileIOBadMode},
        {"b", "ValueError", kFileIOBadMode},
        {"t", "ValueError", kFileIOBadMode},
        {"", "ValueError", kFileIOBadMode},
        {"bt", "ValueError", "can't have text and binary mode at once"},
        {"tb", "ValueError", "can't have text and binary mode at once"},
        {"rbt", "ValueError", "can't have text and binary mode at once"},
        {"rw", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"rwb", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"wx", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"ax", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"ra", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"rwt", "ValueError", "must have exactly one of create/read/write/append mode"},
        {"xa+b", "ValueError", "must have exactly one of create/read/write/append mode"},
        // CPython quotes the mode with '%s', not repr(): no escaping.
        {"rq", "ValueError", "invalid mode: 'rq'"},
        {"rr", "ValueError", "invalid mode: 'rr'"},
        {"U", "ValueError", "invalid mode: 'U'"},
        {"rU", "ValueError", "invalid mode: 'rU'"},
        {"r++", "ValueError", "invalid mode: 'r++'"},
        {"rbb", "ValueError", "invalid mode: 'rbb'"},
        {"qr", "ValueError", "invalid mode: 'qr'"},
        {"q", "ValueError", "invalid mode: 'q'"},
        {"r'q", "ValueError", "invalid mode: 'r'q'"},
        {"r b", "ValueError", "invalid mode: 'r b'"},
        {"R", "ValueError", "invalid mode: 'R'"},
        {"rB", "ValueError", "invalid mode: 'rB'"},
        {"wbb", "ValueError", "invalid mode: 'wbb'"},
        {"++", "ValueError", "invalid mode: '++'"},
    };
    for (const Case& k : cases) {
        TempDir dir;
        std::string path = dir.file("f");
        if (std::strchr(k.mode, 'r')) spit(path, "data");
        Stream s = open_path(path, k.mode);
        if (s) {
            EXPECT_STREQ(pyio_class_name(s.get()), k.result) << "mode " << k.mode;
            EXPECT_STREQ(pyio_mode(s.get()), k.detail) << "mode " << k.mode;
        } else {
            EXPECT_STREQ(pyio_error_kind_name(pyio_error_kind()), k.result) << "mode " << k.mode;
            EXPECT_STREQ(pyio_error_message(), k.detail) << "mode " << k.mode;
        }
    }
}

TEST(Open, NullModeMeansRead) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream s(pyio_open(path.c_str(), nullptr, PYIO_NONE, nullptr, nullptr, nullptr, 1, nullptr,
                       nullptr));
    ASSERT_TRUE(s);
    EXPECT_STREQ(pyio_class_name(s.get()), "TextIOWrapper");
    EXPECT_STREQ(pyio_mode(s.get()), "r");
    EXPECT_EQ(read_str(s.get()), "data");
    EXPECT_FALSE(Stream(pyio_open(dir.file("missing").c_str(), nullptr, PYIO_NONE, nullptr, nullptr,
                                  nullptr, 1, nullptr, nullptr)));
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), ENOENT);
}

TEST(Open, NullFileIsTypeError) {
    EXPECT_EQ(pyio_open(nullptr, "rb", PYIO_NONE, nullptr, nullptr, nullptr, 1, nullptr, nullptr),
              nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_TYPE, "expected str, bytes or os.PathLike object, not NoneType");
}

// ---------------------------------------------------------------------------
// The other arguments, and the order of the checks
// ---------------------------------------------------------------------------

TEST(Open, BinaryModeRefusesEncodingErrorsAndNewlineInThatOrder) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    auto open_with = [&](const char* mode, const char* encoding, const char* errors,
                         const char* newline) {
        return Stream(pyio_open(path.c_str(), mode, PYIO_NONE, encoding, errors, newline, 1,
                                nullptr, nullptr));
    };
    EXPECT_FALSE(open_with("rb", "utf-8", "strict", ""));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "binary mode doesn't take an encoding argument");
    EXPECT_FALSE(open_with("rb", nullptr, "strict", ""));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "binary mode doesn't take an errors argument");
    EXPECT_FALSE(open_with("rb", nullptr, nullptr, ""));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "binary mode doesn't take a newline argument");
    // An empty string is a value, not None.
    EXPECT_FALSE(open_with("wb", "", nullptr, nullptr));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "binary mode doesn't take an encoding argument");
    // Checked before FileIO sees a mode without r/w/x/a.
    EXPECT_FALSE(open_with("b", "utf-8", nullptr, nullptr));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "binary mode doesn't take an encoding argument");
}

TEST(Open, TextModeAcceptsEncodingErrorsAndNewline) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream s(pyio_open(path.c_str(), "r", PYIO_NONE, "latin-1", "strict", "", 1, nullptr, nullptr));
    ASSERT_TRUE(s);
    const char* name = nullptr;
    ASSERT_EQ(pyio_text_encoding(s.get(), &name), 0);
    EXPECT_STREQ(name, "latin-1");
    ASSERT_EQ(pyio_text_errors(s.get(), &name), 0);
    EXPECT_STREQ(name, "strict");
    EXPECT_EQ(read_str(s.get()), "data");
}

TEST(Open, ModeIsCheckedBeforeTheOtherArguments) {
    TempDir dir;
    std::string path = dir.file("f");
    EXPECT_EQ(pyio_open(path.c_str(), "bt", PYIO_NONE, "utf-8", nullptr, nullptr, 1, nullptr,
                        nullptr),
              nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "can't have text and binary mode at once");
    EXPECT_EQ(pyio_open(path.c_str(), "qq", PYIO_NONE, nullptr, nullptr, nullptr, 0, nullptr,
                        nullptr),
              nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "invalid mode: 'qq'");
}

TEST(Open, InvalidArgumentsOpenNothing) {
    TempDir dir;
    std::string path = dir.file("f");
    OpenerCall call;
    const char* modes[] = {"wq", "wbt", "wa", "ww"};
    for (const char* mode : modes) {
        EXPECT_EQ(pyio_open(path.c_str(), mode, PYIO_NONE, nullptr, nullptr, nullptr, 1,
                            test_opener, &call),
                  nullptr);
        EXPECT_PYIO_KIND(PYIO_ERR_VALUE);
    }
    EXPECT_EQ(pyio_open(path.c_str(), "wb", PYIO_NONE, "utf-8", nullptr, nullptr, 1, test_opener,
                        &call),
              nullptr);
    EXPECT_EQ(pyio_open(path.c_str(), "wb", int64_t{INT_MAX} + 1, nullptr, nullptr, nullptr, 1,
                        test_opener, &call),
              nullptr);
    EXPECT_EQ(call.calls, 0);
    EXPECT_FALSE(exists(path));
}

TEST(Open, ClosefdFalseWithAPathIsFileIOsValueError) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    EXPECT_EQ(pyio_open(path.c_str(), "rb", PYIO_NONE, nullptr, nullptr, nullptr, 0, nullptr,
                        nullptr),
              nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "Cannot use closefd=False with file name");
}

TEST(Open, BufferingOutsideACIntIsOverflowError) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    for (int64_t buffering : {int64_t{INT_MAX} + 1, int64_t{INT_MIN} - 1, INT64_MAX}) {
        EXPECT_FALSE(open_path(path, "rb", buffering)) << buffering;
        EXPECT_PYIO_ERROR(PYIO_ERR_OVERFLOW, "Python int too large to convert to C int");
    }
    // Checked before the mode, as Python's argument parser does.
    EXPECT_FALSE(open_path(path, "qq", int64_t{INT_MAX} + 1));
    EXPECT_PYIO_KIND(PYIO_ERR_OVERFLOW);
}

// Text arguments that cannot work are refused before the file is opened
// (CPython opens it first), so a refused open never truncates or creates a
// file.
TEST(Open, UnbufferedTextIsRefusedBeforeTheFileIsOpened) {
    TempDir dir;
    EXPECT_FALSE(open_path(dir.file("missing"), "r", 0));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "can't have unbuffered text I/O");
}

TEST(Open, RefusedTextModeLeavesTheFileUntouched) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    EXPECT_FALSE(Stream(pyio_open(path.c_str(), "w", PYIO_NONE, "no-such-codec", nullptr, nullptr, 1,
                                  nullptr, nullptr)));
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "unknown encoding: no-such-codec");
    EXPECT_FALSE(Stream(pyio_open(path.c_str(), "w", PYIO_NONE, nullptr, "no-such-handler", nullptr,
                                  1, nullptr, nullptr)));
    EXPECT_PYIO_ERROR(PYIO_ERR_LOOKUP, "unknown error handler name 'no-such-handler'");
    EXPECT_FALSE(Stream(pyio_open(path.c_str(), "w", PYIO_NONE, nullptr, nullptr, "\n\n", 1, nullptr,
                                  nullptr)));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "illegal newline value: \n\n");
    EXPECT_EQ(slurp(path), "data");
    EXPECT_FALSE(Stream(pyio_open(dir.file("new").c_str(), "x", PYIO_NONE, "no-such-codec", nullptr,
                                  nullptr, 1, nullptr, nullptr)));
    EXPECT_FALSE(std::filesystem::exists(dir.file("new")));
}

// ---------------------------------------------------------------------------
// buffering: the class and the buffer size
// ---------------------------------------------------------------------------

TEST(Open, UnbufferedBinaryReturnsTheFileIOItself) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    struct Case {
        const char *mode, *reported;
    } cases[] = {{"rb", "rb"},   {"wb", "wb"},   {"ab", "ab"},
                 {"r+b", "rb+"}, {"w+b", "rb+"}, {"a+b", "ab+"}};
    for (const Case& k : cases) {
        Stream s = open_path(path, k.mode, 0);
        ASSERT_TRUE(s) << k.mode << ": " << pyio_error_message();
        EXPECT_STREQ(pyio_class_name(s.get()), "FileIO");
        EXPECT_STREQ(pyio_mode(s.get()), k.reported);
        EXPECT_EQ(pyio_closefd(s.get()), 1);
    }
}

TEST(Open, DefaultBufferIsBlksizeAtLeastDefaultBufferSize) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    int64_t expected = default_buffer_size(path);
    EXPECT_GE(expected, 131072);
    for (int64_t buffering : {PYIO_NONE, int64_t{-1}, int64_t{-5}, int64_t{INT_MIN}}) {
        Stream s = open_path(path, "rb", buffering);
        ASSERT_TRUE(s) << pyio_error_message();
        EXPECT_EQ(pyio_buffer_size(s.get()), expected) << buffering;
    }
}

TEST(Open, LineBufferingInBinaryModeUsesTheDefaultSize) {
    TempDir dir;
    std::string path = dir.file("f");
    for (const char* mode : {"wb", "r+b"}) {
        Stream s = open_path(path, mode, 1);
        ASSERT_TRUE(s) << pyio_error_message();
        EXPECT_EQ(pyio_buffer_size(s.get()), default_buffer_size(path)) << mode;
    }
}

TEST(Open, ExplicitBufferingIsTheBufferSize) {
    TempDir dir;
    std::string path = dir.file("f");
    for (int64_t size : {int64_t{2}, int64_t{4096}, int64_t{1000000}}) {
        Stream s = open_path(path, "w+b", size);
        ASSERT_TRUE(s) << pyio_error_message();
        EXPECT_EQ(pyio_buffer_size(s.get()), size);
    }
}

TEST(Open, BufferSizeIsOnlyForBufferedStreams) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream s = open_path(path, "wb", 0);
    EXPECT_EQ(pyio_buffer_size(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'buffer_size'");
    EXPECT_EQ(pyio_buffer_size(nullptr), -1);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(Open, DefaultBufferingHoldsWritesUntilFlush) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream s = open_path(path, "wb");
    ASSERT_TRUE(s);
    std::string data = pattern(static_cast<size_t>(pyio_buffer_size(s.get()) - 1));
    ASSERT_EQ(write_str(s.get(), data), static_cast<int64_t>(data.size()));
    EXPECT_EQ(slurp(path).size(), 0u);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_TRUE(slurp(path) == data);
}

TEST(Open, UnbufferedWritesReachTheFileAtOnce) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream s = open_path(path, "wb", 0);
    ASSERT_EQ(write_str(s.get(), "now"), 3);
    EXPECT_EQ(slurp(path), "now");
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

TEST(Open, WriteThenReadBackBufferedAndUnbuffered) {
    for (int64_t buffering : {PYIO_NONE, int64_t{0}, int64_t{7}}) {
        TempDir dir;
        std::string path = dir.file("f");
        std::string data = pattern(300000);
        {
            Stream w = open_path(path, "wb", buffering);
            ASSERT_TRUE(w) << pyio_error_message();
            size_t done = 0;
            while (done < data.size()) {
                size_t chunk = std::min<size_t>(data.size() - done, 12345);
                int64_t n = pyio_write(w.get(), data.data() + done, static_cast<int64_t>(chunk));
                ASSERT_GT(n, 0) << pyio_error_message();
                done += static_cast<size_t>(n);
            }
            ASSERT_EQ(pyio_close(w.get()), 0);
        }
        EXPECT_TRUE(slurp(path) == data);
        Stream r = open_path(path, "rb", buffering);
        ASSERT_TRUE(r) << pyio_error_message();
        EXPECT_EQ(read_str(r.get(), 5), data.substr(0, 5)) << buffering;
        std::string rest = read_str(r.get(), -1);
        EXPECT_EQ(rest.size(), data.size() - 5);
        EXPECT_TRUE(rest == data.substr(5));
    }
}

TEST(Open, AppendModeAddsAtTheEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "head");
    Stream s = open_path(path, "ab");
    EXPECT_EQ(pyio_tell(s.get()), 4);
    ASSERT_EQ(write_str(s.get(), "-tail"), 5);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(slurp(path), "head-tail");
}

TEST(Open, ExclusiveModeCreatesTheFile) {
    TempDir dir;
    std::string path = dir.file("new");
    Stream s = open_path(path, "xb");
    ASSERT_TRUE(s) << pyio_error_message();
    ASSERT_EQ(write_str(s.get(), "fresh"), 5);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(slurp(path), "fresh");
}

TEST(Open, ReadPlusUpdatesInPlace) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "0123456789");
    Stream s = open_path(path, "r+b");
    EXPECT_EQ(read_str(s.get(), 3), "012");
    ASSERT_EQ(write_str(s.get(), "abc"), 3);
    EXPECT_EQ(read_str(s.get(), 2), "67");
    ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(read_str(s.get(), -1), "012abc6789");
}

TEST(Open, WritePlusTruncatesAndReadsBack) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "old contents");
    Stream s = open_path(path, "w+b");
    ASSERT_EQ(write_str(s.get(), "new"), 3);
    ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(read_str(s.get(), -1), "new");
}

TEST(Open, AppendPlusReadsAfterSeekAndWritesAtEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abc");
    Stream s = open_path(path, "a+b");
    ASSERT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(read_str(s.get(), 1), "a");
    ASSERT_EQ(write_str(s.get(), "Z"), 1);
    ASSERT_EQ(pyio_flush(s.get()), 0);
    EXPECT_EQ(slurp(path), "abcZ");
}

TEST(Open, NameIsThePath) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream s = open_path(path, "wb");
    const char* name = nullptr;
    EXPECT_EQ(pyio_name(s.get(), &name, nullptr), 0);
    EXPECT_STREQ(name, path.c_str());
}

// ---------------------------------------------------------------------------
// Files that cannot be opened
// ---------------------------------------------------------------------------

TEST(Open, MissingFileIsFileNotFoundNamingIt) {
    TempDir dir;
    std::string path = dir.file("missing");
    EXPECT_FALSE(open_path(path, "rb"));
    expect_os_error(ENOENT, path);
    EXPECT_FALSE(open_path(dir.file("no/such/dir"), "wb"));
    expect_os_error(ENOENT, dir.file("no/such/dir"));
}

TEST(Open, DirectoryIsIsADirectoryInEveryMode) {
    TempDir dir;
    std::string path = dir.path().string();
    for (const char* mode : {"rb", "wb", "ab", "r+b"}) {
        EXPECT_FALSE(open_path(path, mode));
        expect_os_error(EISDIR, path);
    }
}

TEST(Open, ExclusiveModeOnAnExistingFileIsFileExists) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "keep");
    EXPECT_FALSE(open_path(path, "xb"));
    expect_os_error(EEXIST, path);
    EXPECT_EQ(slurp(path), "keep");
}

// ---------------------------------------------------------------------------
// Descriptors
// ---------------------------------------------------------------------------

TEST(Open, DescriptorWithClosefdFalseStaysOpen) {
    Pipe p;
    Stream w = open_fd(p.w, "wb", 0);
    ASSERT_TRUE(w) << pyio_error_message();
    EXPECT_STREQ(pyio_class_name(w.get()), "BufferedWriter");
    int64_t fd = -1;
    EXPECT_EQ(pyio_name(w.get(), nullptr, &fd), 1);
    EXPECT_EQ(fd, p.w);
    ASSERT_EQ(write_str(w.get(), "via fd"), 6);
    ASSERT_EQ(pyio_close(w.get()), 0);
    EXPECT_TRUE(fd_is_open(p.w));
    char buf[16];
    EXPECT_EQ(::read(p.r, buf, sizeof buf), 6);
}

TEST(Open, DescriptorWithClosefdIsClosedWithTheStream) {
    Pipe p;
    int fd = std::exchange(p.r, -1);
    Stream r = open_fd(fd, "rb", 1);
    ASSERT_TRUE(r) << pyio_error_message();
    ASSERT_EQ(::write(p.w, "abc", 3), 3);
    ::close(std::exchange(p.w, -1));
    EXPECT_EQ(read_str(r.get(), -1), "abc");
    ASSERT_EQ(pyio_close(r.get()), 0);
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(Open, UnbufferedDescriptorIsAFileIOWithItsClosefd) {
    Pipe p;
    Stream w = open_fd(p.w, "wb", 0, 0);
    ASSERT_TRUE(w);
    EXPECT_STREQ(pyio_class_name(w.get()), "FileIO");
    EXPECT_EQ(pyio_closefd(w.get()), 0);
}

TEST(Open, BadDescriptorsAreValueErrorAndEBADF) {
    EXPECT_FALSE(open_fd(-1, "rb", 1));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative file descriptor");
    Pipe p;
    int fd = std::exchange(p.r, -1);
    ::close(fd);
    EXPECT_FALSE(open_fd(fd, "rb", 1));
    EXPECT_PYIO_KIND(PYIO_ERR_OS);
    EXPECT_EQ(pyio_error_errno(), EBADF);
}

TEST(Open, DescriptorArgumentErrorsLeaveItOpen) {
    Pipe p;
    EXPECT_FALSE(open_fd(p.r, "rq", 1));
    EXPECT_FALSE(Stream(pyio_open_fd(p.r, "rb", PYIO_NONE, "utf-8", nullptr, nullptr, 1)));
    EXPECT_TRUE(fd_is_open(p.r));
}

TEST(Open, FailureAfterTheFileIOClosesADescriptorItOwns) {
    // BufferedRandom needs a seekable raw stream; a pipe is not.  Python
    // closes the FileIO it made, and with it the descriptor.
    Pipe p;
    int fd = std::exchange(p.r, -1);
    EXPECT_FALSE(open_fd(fd, "r+b", 1));
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not seekable.");
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(Open, FailureAfterTheFileIOLeavesADescriptorItDoesNotOwn) {
    Pipe p;
    EXPECT_FALSE(open_fd(p.r, "r+b", 0));
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not seekable.");
    EXPECT_TRUE(fd_is_open(p.r));
    EXPECT_FALSE(open_fd(p.r, "r", 0, 0));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "can't have unbuffered text I/O");
    EXPECT_TRUE(fd_is_open(p.r));
}

TEST(Open, NullModeWithADescriptorMeansRead) {
    Pipe p;
    {
        Stream s(pyio_open_fd(p.r, nullptr, PYIO_NONE, nullptr, nullptr, nullptr, 0));
        ASSERT_TRUE(s);
        EXPECT_STREQ(pyio_class_name(s.get()), "TextIOWrapper");
        EXPECT_STREQ(pyio_mode(s.get()), "r");
    }
    EXPECT_TRUE(fd_is_open(p.r));
}

// ---------------------------------------------------------------------------
// The opener
// ---------------------------------------------------------------------------

TEST(Open, OpenerGetsThePathAndFileIOsFlags) {
    TempDir dir;
    std::string path = dir.file("f");
    struct Case {
        const char* mode;
        int flags;
    } cases[] = {
        {"wb", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC},
        {"rb", O_RDONLY | O_CLOEXEC},
        {"ab", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC},
        {"r+b", O_RDWR | O_CLOEXEC},
        {"w+b", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC},
    };
    for (const Case& k : cases) {
        OpenerCall call;
        Stream s(pyio_open(path.c_str(), k.mode, PYIO_NONE, nullptr, nullptr, nullptr, 1,
                           test_opener, &call));
        ASSERT_TRUE(s) << k.mode << ": " << pyio_error_message();
        EXPECT_EQ(call.calls, 1);
        EXPECT_EQ(call.path, path);
        EXPECT_EQ(call.flags, k.flags) << k.mode;
    }
}

TEST(Open, OpenerErrorsAreReported) {
    TempDir dir;
    std::string path = dir.file("f");
    OpenerCall call;
    call.fail_errno = EACCES;
    EXPECT_EQ(pyio_open(path.c_str(), "wb", PYIO_NONE, nullptr, nullptr, nullptr, 1, test_opener,
                        &call),
              nullptr);
    expect_os_error(EACCES, path);
    OpenerCall negative;
    negative.result = -7;
    EXPECT_EQ(pyio_open(path.c_str(), "wb", PYIO_NONE, nullptr, nullptr, nullptr, 1, test_opener,
                        &negative),
              nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "opener returned -7");
}

// ---------------------------------------------------------------------------
// Nothing leaks
// ---------------------------------------------------------------------------

TEST(Open, ThousandsOfFailingOpensLeakNoDescriptor) {
    TempDir dir;
    std::string file = dir.file("f");
    spit(file, "data");
    std::string fifo = dir.file("fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Pipe p;
    int before = open_fd_count();
    for (int i = 0; i < 2000; ++i) {
        // Text arguments refused before anything is opened.
        EXPECT_FALSE(open_path(file, "r", 0));
        EXPECT_FALSE(Stream(pyio_open(file.c_str(), "r+", PYIO_NONE, "no-such-codec", nullptr,
                                      nullptr, 1, nullptr, nullptr)));
        // A text stream opened and released.
        EXPECT_TRUE(open_path(file, "r+"));
        // Refused by BufferedRandom's constructor: a FIFO cannot seek.
        EXPECT_FALSE(open_path(fifo, "r+b"));
        // Refused by FileIO after the opener returned a descriptor.
        EXPECT_FALSE(Stream(pyio_open(file.c_str(), "rb", PYIO_NONE, nullptr, nullptr, nullptr, 1,
                                      directory_opener, nullptr)));
        // A descriptor it owns, refused by BufferedRandom.
        EXPECT_FALSE(open_fd(::dup(p.r), "r+b", 1));
        // Refused before opening anything.
        EXPECT_FALSE(open_path(file, "rq"));
        EXPECT_FALSE(open_path(dir.file("missing"), "rb"));
        if (HasFailure()) break;
    }
    EXPECT_EQ(open_fd_count(), before);
}

TEST(Open, ReleasingAnOpenStreamClosesItsDescriptor) {
    TempDir dir;
    std::string path = dir.file("f");
    int before = open_fd_count();
    for (int i = 0; i < 500; ++i) {
        Stream s = open_path(path, i % 2 ? "w+b" : "wb", i % 3 ? PYIO_NONE : 0);
        ASSERT_TRUE(s) << pyio_error_message();
    }
    EXPECT_EQ(open_fd_count(), before);
}
