// FileIO through the public C API: each test pins down one behaviour of
// Python's io.FileIO (CPython's, where io and _pyio disagree).

#include <pyio/pyio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "helpers.h"

using namespace pyio_test;

namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

Stream open_file(const std::string& path, const char* mode) {
    return Stream(pyio_fileio_open(path.c_str(), mode, 1, nullptr, nullptr));
}

Stream wrap_fd(int fd, const char* mode, int closefd = 1) {
    return Stream(pyio_fileio_fdopen(fd, mode, closefd));
}

int64_t file_size(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

bool fd_is_cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

std::string readall_str(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_readall(s, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

// Bytes whose every position is distinguishable, so a misplaced chunk shows.
std::string pattern(size_t size) {
    std::string s(size, '\0');
    for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
    return s;
}

// Expects the last error to be OSError with errno `err`, Python's message
// for it and no file name.
void expect_os_error(int err) {
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      ("[Errno " + std::to_string(err) + "] " + std::strerror(err)).c_str());
    EXPECT_EQ(pyio_error_errno(), err);
    EXPECT_EQ(pyio_error_filename(), nullptr);
}

// ... and naming `path`.
void expect_os_error(int err, const std::string& path) {
    std::string message =
        "[Errno " + std::to_string(err) + "] " + std::strerror(err) + ": '" + path + "'";
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, message.c_str());
    EXPECT_EQ(pyio_error_errno(), err);
    ASSERT_NE(pyio_error_filename(), nullptr);
    EXPECT_STREQ(pyio_error_filename(), path.c_str());
}

constexpr const char* kBadMode =
    "Must have exactly one of create/read/write/append mode and at most one plus";

// What an opener saw, and what it should do.
struct OpenerLog {
    int calls = 0;
    int flags = -1;
    std::string path;
    int strip = 0;         // flags removed before open(2)
    int result = 0;        // returned instead of opening, when nonzero
    int record_errno = 0;  // recorded with pyio_error_set_oserror before failing
    int opened = -1;       // the descriptor it opened
};

int logging_opener(const char* path, int flags, void* arg) {
    auto* log = static_cast<OpenerLog*>(arg);
    ++log->calls;
    log->flags = flags;
    log->path = path;
    if (log->record_errno) return pyio_error_set_oserror(log->record_errno, path);
    if (log->result) return log->result;
    log->opened = ::open(path, flags & ~log->strip, 0666);
    return log->opened;
}

// A pipe whose ends are closed at the end of the test unless handed over.
struct Pipe {
    int r = -1, w = -1;
    explicit Pipe(int flags = 0) {
        int fds[2];
        if (::pipe2(fds, flags | O_CLOEXEC) == 0) {
            r = fds[0];
            w = fds[1];
        }
    }
    ~Pipe() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
    }
    int take_r() { return std::exchange(r, -1); }
    int take_w() { return std::exchange(w, -1); }
};

void set_sentinel_error() { pyio_error_set(PYIO_ERR_RUNTIME, "sentinel"); }
void expect_sentinel_error() { EXPECT_PYIO_ERROR(PYIO_ERR_RUNTIME, "sentinel"); }

}  // namespace

// ---------------------------------------------------------------------------
// Modes
// ---------------------------------------------------------------------------

TEST(FileIO, ValidModesReportPythonModeAndCapabilities) {
    struct Case {
        const char *mode, *reported;
        int readable, writable;
    };
    const Case cases[] = {
        {"r", "rb", 1, 0},    {"rb", "rb", 1, 0},   {"br", "rb", 1, 0},   {"rbb", "rb", 1, 0},
        {"w", "wb", 0, 1},    {"wb", "wb", 0, 1},   {"x", "xb", 0, 1},    {"xb", "xb", 0, 1},
        {"a", "ab", 0, 1},    {"ab", "ab", 0, 1},   {"r+", "rb+", 1, 1},  {"rb+", "rb+", 1, 1},
        {"+r", "rb+", 1, 1},  {"w+", "rb+", 1, 1},  {"wb+", "rb+", 1, 1}, {"x+", "xb+", 1, 1},
        {"a+", "ab+", 1, 1},  {"b+a", "ab+", 1, 1},
    };
    TempDir dir;
    int i = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.mode);
        std::string path = dir.file("f" + std::to_string(i++));
        if (!std::strchr(c.mode, 'x')) spit(path, "data");
        Stream f = open_file(path, c.mode);
        ASSERT_TRUE(f) << pyio_error_message();
        EXPECT_STREQ(pyio_mode(f.get()), c.reported);
        EXPECT_EQ(pyio_readable(f.get()), c.readable);
        EXPECT_EQ(pyio_writable(f.get()), c.writable);
    }
}

TEST(FileIO, UnknownModeCharacterIsInvalidMode) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    for (const char* mode : {"rt", "rU", "q", "bb r", "qrw", "r\n", "R"}) {
        SCOPED_TRACE(mode);
        EXPECT_FALSE(open_file(path, mode));
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, (std::string("invalid mode: ") + mode).c_str());
    }
}

TEST(FileIO, BadModeCombinationNeedsExactlyOneOfRwxaAndOnePlus) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    for (const char* mode : {"rw", "rr", "ww", "ra", "r+x", "r++", "r+b+", "+", "b", "bb", "",
                             "rwq"}) {
        SCOPED_TRACE(mode);
        EXPECT_FALSE(open_file(path, mode));
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kBadMode);
    }
}

TEST(FileIO, InvalidModeMessageShowsAtMost200Characters) {
    TempDir dir;
    std::string mode(300, 'q');
    EXPECT_FALSE(open_file(dir.file("f"), mode.c_str()));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, ("invalid mode: " + std::string(200, 'q')).c_str());
}

TEST(FileIO, BadModeIsReportedBeforeTouchingTheFile) {
    TempDir dir;
    std::string path = dir.file("missing");
    EXPECT_FALSE(open_file(path, "wq"));
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "invalid mode: wq");
    EXPECT_EQ(file_size(path), -1);
}

// ---------------------------------------------------------------------------
// Opening a path
// ---------------------------------------------------------------------------

TEST(FileIO, OpenerReceivesPythonFlagsForEachMode) {
    struct Case {
        const char* mode;
        int flags;
    };
    const Case cases[] = {
        {"r", O_RDONLY},
        {"w", O_WRONLY | O_CREAT | O_TRUNC},
        {"x", O_WRONLY | O_CREAT | O_EXCL},
        {"a", O_WRONLY | O_CREAT | O_APPEND},
        {"r+", O_RDWR},
        {"w+", O_RDWR | O_CREAT | O_TRUNC},
        {"x+", O_RDWR | O_CREAT | O_EXCL},
        {"a+", O_RDWR | O_CREAT | O_APPEND},
    };
    TempDir dir;
    int i = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.mode);
        std::string path = dir.file("f" + std::to_string(i++));
        if (c.mode[0] == 'r') spit(path, "");
        OpenerLog log;
        Stream f(pyio_fileio_open(path.c_str(), c.mode, 1, logging_opener, &log));
        ASSERT_TRUE(f) << pyio_error_message();
        EXPECT_EQ(log.calls, 1);
        EXPECT_EQ(log.path, path);
        EXPECT_EQ(log.flags, c.flags | O_CLOEXEC);
    }
}

TEST(FileIO, OpenerDescriptorIsTheStreamsDescriptor) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "from opener");
    OpenerLog log;
    Stream f(pyio_fileio_open(path.c_str(), "r", 1, logging_opener, &log));
    ASSERT_TRUE(f);
    EXPECT_GE(log.opened, 0);
    EXPECT_EQ(pyio_fileno(f.get()), log.opened);
    EXPECT_EQ(read_str(f.get()), "from opener");
    const char* name = nullptr;
    EXPECT_EQ(pyio_name(f.get(), &name, nullptr), 0);
    EXPECT_STREQ(name, path.c_str());
}

TEST(FileIO, OpenerDescriptorIsMadeNonInheritable) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "");
    OpenerLog log;
    log.strip = O_CLOEXEC;
    Stream f(pyio_fileio_open(path.c_str(), "r", 1, logging_opener, &log));
    ASSERT_TRUE(f);
    EXPECT_TRUE(fd_is_cloexec(pyio_fileno(f.get())));
}

TEST(FileIO, OpenerReturningNegativeWithoutErrorIsValueError) {
    TempDir dir;
    for (int result : {-1, -5}) {
        OpenerLog log;
        log.result = result;
        EXPECT_EQ(pyio_fileio_open(dir.file("f").c_str(), "w", 1, logging_opener, &log), nullptr);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, ("opener returned " + std::to_string(result)).c_str());
    }
}

TEST(FileIO, OpenerRecordedErrorIsReported) {
    TempDir dir;
    std::string path = dir.file("f");
    OpenerLog log;
    log.record_errno = EACCES;
    EXPECT_EQ(pyio_fileio_open(path.c_str(), "r", 1, logging_opener, &log), nullptr);
    expect_os_error(EACCES, path);
}

TEST(FileIO, OpenerIsNotCalledForBadMode) {
    TempDir dir;
    OpenerLog log;
    EXPECT_EQ(pyio_fileio_open(dir.file("f").c_str(), "rw", 1, logging_opener, &log), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kBadMode);
    EXPECT_EQ(log.calls, 0);
}

TEST(FileIO, OpenerReturningDirectoryIsRefusedAndClosed) {
    TempDir dir;
    std::string path = dir.path().string();
    int before = open_fd_count();
    OpenerLog log;
    EXPECT_EQ(pyio_fileio_open(path.c_str(), "r", 1, logging_opener, &log), nullptr);
    expect_os_error(EISDIR, path);
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FileIO, DescriptorIsCloseOnExec) {
    TempDir dir;
    for (const char* mode : {"r", "w", "a+", "x"}) {
        SCOPED_TRACE(mode);
        std::string path = dir.file(std::string("f") + mode);
        if (mode[0] == 'r') spit(path, "");
        Stream f = open_file(path, mode);
        ASSERT_TRUE(f);
        EXPECT_TRUE(fd_is_cloexec(pyio_fileno(f.get())));
    }
}

TEST(FileIO, NewFileGetsMode0666LessUmask) {
    TempDir dir;
    std::string path = dir.file("f");
    mode_t old = ::umask(022);
    Stream f = open_file(path, "w");
    ::umask(old);
    ASSERT_TRUE(f);
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(FileIO, WriteModeTruncates) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "old contents");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(file_size(path), 0);
    EXPECT_EQ(write_str(f.get(), "new"), 3);
    EXPECT_EQ(slurp(path), "new");
}

TEST(FileIO, WritePlusTruncatesAndReadsBack) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "old contents");
    Stream f = open_file(path, "w+");
    ASSERT_TRUE(f);
    EXPECT_EQ(write_str(f.get(), "new"), 3);
    EXPECT_EQ(pyio_seek(f.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(read_str(f.get()), "new");
}

TEST(FileIO, ReadPlusKeepsContentsAndOverwritesInPlace) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abcdef");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    EXPECT_EQ(write_str(f.get(), "XY"), 2);
    EXPECT_EQ(read_str(f.get()), "cdef");
    EXPECT_EQ(slurp(path), "XYcdef");
}

TEST(FileIO, ReadPlusDoesNotCreate) {
    TempDir dir;
    std::string path = dir.file("missing");
    EXPECT_FALSE(open_file(path, "r+"));
    expect_os_error(ENOENT, path);
}

TEST(FileIO, ExclusiveModeCreatesNewFile) {
    TempDir dir;
    std::string path = dir.file("new");
    Stream f = open_file(path, "x");
    ASSERT_TRUE(f);
    EXPECT_EQ(write_str(f.get(), "made"), 4);
    EXPECT_EQ(slurp(path), "made");
}

TEST(FileIO, ExclusiveModeOnExistingFileIsFileExists) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "keep me");
    EXPECT_FALSE(open_file(path, "x"));
    expect_os_error(EEXIST, path);
    EXPECT_EQ(slurp(path), "keep me");
}

TEST(FileIO, MissingFileIsFileNotFoundNamingIt) {
    TempDir dir;
    std::string path = dir.file("missing");
    EXPECT_FALSE(open_file(path, "r"));
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      ("[Errno 2] No such file or directory: '" + path + "'").c_str());
    EXPECT_EQ(pyio_error_errno(), ENOENT);
    EXPECT_STREQ(pyio_error_filename(), path.c_str());
}

TEST(FileIO, EmptyPathIsFileNotFound) {
    EXPECT_FALSE(open_file("", "r"));
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, "[Errno 2] No such file or directory: ''");
    EXPECT_STREQ(pyio_error_filename(), "");
}

TEST(FileIO, AppendModeStartsAtEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "12345");
    Stream f = open_file(path, "a");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_tell(f.get()), 5);
}

TEST(FileIO, AppendModeWritesAtEndAfterSeek) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "12345");
    Stream f = open_file(path, "a+");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 0, PYIO_SEEK_SET), 0);
    EXPECT_EQ(read_str(f.get(), 2), "12");
    EXPECT_EQ(write_str(f.get(), "67"), 2);
    EXPECT_EQ(pyio_tell(f.get()), 7);
    EXPECT_EQ(slurp(path), "1234567");
}

TEST(FileIO, AppendModeCreatesMissingFile) {
    TempDir dir;
    std::string path = dir.file("new");
    Stream f = open_file(path, "a");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_tell(f.get()), 0);
    EXPECT_EQ(file_size(path), 0);
}

TEST(FileIO, DirectoryIsRefusedInReadModeWithoutLeak) {
    TempDir dir;
    std::string path = dir.path().string();
    int before = open_fd_count();
    EXPECT_FALSE(open_file(path, "r"));
    expect_os_error(EISDIR, path);
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FileIO, DirectoryIsRefusedInWriteModeWithoutLeak) {
    TempDir dir;
    std::string path = dir.path().string();
    int before = open_fd_count();
    EXPECT_FALSE(open_file(path, "w"));
    expect_os_error(EISDIR, path);
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FileIO, ClosefdFalseWithPathIsValueError) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "");
    EXPECT_EQ(pyio_fileio_open(path.c_str(), "r", 0, nullptr, nullptr), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "Cannot use closefd=False with file name");
}

TEST(FileIO, NullPathIsTypeError) {
    EXPECT_EQ(pyio_fileio_open(nullptr, "r", 1, nullptr, nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(FileIO, NullModeIsTypeError) {
    TempDir dir;
    EXPECT_EQ(pyio_fileio_open(dir.file("f").c_str(), nullptr, 1, nullptr, nullptr), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_EQ(pyio_fileio_fdopen(0, nullptr, 0), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
}

TEST(FileIO, NameIsThePath) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    const char* name = nullptr;
    int64_t fd = -7;
    EXPECT_EQ(pyio_name(f.get(), &name, &fd), 0);
    EXPECT_STREQ(name, path.c_str());
    EXPECT_EQ(fd, -7);
    EXPECT_EQ(pyio_closefd(f.get()), 1);
}

TEST(FileIO, IsAFileIOAndARawIOBase) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    EXPECT_STREQ(pyio_class_name(f.get()), "FileIO");
    EXPECT_EQ(pyio_isinstance(f.get(), PYIO_CLASS_FILEIO), 1);
    EXPECT_EQ(pyio_isinstance(f.get(), PYIO_CLASS_RAWIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(f.get(), PYIO_CLASS_IOBASE), 1);
    EXPECT_EQ(pyio_isinstance(f.get(), PYIO_CLASS_BUFFEREDIOBASE), 0);
    EXPECT_EQ(pyio_isinstance(f.get(), PYIO_CLASS_BYTESIO), 0);
}

// ---------------------------------------------------------------------------
// Wrapping a descriptor
// ---------------------------------------------------------------------------

TEST(FileIO, FdopenNegativeDescriptorIsValueError) {
    EXPECT_EQ(pyio_fileio_fdopen(-1, "r", 1), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative file descriptor");
}

TEST(FileIO, FdopenNegativeDescriptorIsReportedBeforeBadMode) {
    EXPECT_EQ(pyio_fileio_fdopen(-3, "q", 1), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative file descriptor");
}

TEST(FileIO, FdopenClosedDescriptorIsBadFileDescriptor) {
    TempDir dir;
    int fd = ::open(dir.file("f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
    EXPECT_EQ(pyio_fileio_fdopen(fd, "r", 1), nullptr);
    expect_os_error(EBADF);
}

TEST(FileIO, FdopenNameIsTheInteger) {
    Pipe p;
    Stream f = wrap_fd(p.take_r(), "r");
    ASSERT_TRUE(f);
    const char* path = "untouched";
    int64_t fd = -1;
    EXPECT_EQ(pyio_name(f.get(), &path, &fd), 1);
    EXPECT_EQ(fd, pyio_fileno(f.get()));
    EXPECT_STREQ(path, "untouched");
}

TEST(FileIO, FdopenModeIsReportedAsPythonDoes) {
    Pipe p;
    Stream r = wrap_fd(p.r, "rb", 0);
    Stream w = wrap_fd(p.w, "wb", 0);
    ASSERT_TRUE(r && w);
    EXPECT_STREQ(pyio_mode(r.get()), "rb");
    EXPECT_STREQ(pyio_mode(w.get()), "wb");
    EXPECT_EQ(pyio_readable(r.get()), 1);
    EXPECT_EQ(pyio_writable(r.get()), 0);
    EXPECT_EQ(pyio_closefd(r.get()), 0);
}

TEST(FileIO, FdopenClosefdFalseLeavesDescriptorOpen) {
    Pipe p;
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_close(f.get()), 0);
    EXPECT_TRUE(fd_is_open(p.r));
}

TEST(FileIO, FdopenClosefdTrueClosesDescriptor) {
    Pipe p;
    int fd = p.take_r();
    Stream f = wrap_fd(fd, "r", 1);
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_close(f.get()), 0);
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(FileIO, FdopenReleaseWithClosefdFalseLeavesDescriptorOpen) {
    Pipe p;
    pyio_release(pyio_fileio_fdopen(p.r, "r", 0));
    EXPECT_TRUE(fd_is_open(p.r));
}

TEST(FileIO, FdopenDirectoryIsRefusedWithoutClosingIt) {
    TempDir dir;
    int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(pyio_fileio_fdopen(fd, "r", 1), nullptr);
    // Python's filename is the integer, printed without quotes.
    std::string message = "[Errno 21] " + std::string(std::strerror(EISDIR)) + ": " +
                          std::to_string(fd);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, message.c_str());
    EXPECT_EQ(pyio_error_errno(), EISDIR);
    EXPECT_STREQ(pyio_error_filename(), std::to_string(fd).c_str());
    EXPECT_TRUE(fd_is_open(fd));
    ::close(fd);
}

TEST(FileIO, FdopenFailureNeverClosesDescriptor) {
    Pipe p;
    EXPECT_EQ(pyio_fileio_fdopen(p.r, "rw", 1), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kBadMode);
    EXPECT_TRUE(fd_is_open(p.r));
}

TEST(FileIO, FdopenLeavesInheritabilityAlone) {
    Pipe p;
    int fd = ::dup(p.r);  // dup(2) clears FD_CLOEXEC
    ASSERT_GE(fd, 0);
    ASSERT_FALSE(fd_is_cloexec(fd));
    Stream f = wrap_fd(fd, "r");
    ASSERT_TRUE(f);
    EXPECT_FALSE(fd_is_cloexec(fd));
}

TEST(FileIO, FdopenAppendSeeksToEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "12345");
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    Stream f = wrap_fd(fd, "a");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_tell(f.get()), 5);
    EXPECT_STREQ(pyio_mode(f.get()), "ab");
}

TEST(FileIO, FdopenAppendOnPipeIsAllowed) {
    Pipe p;
    Stream f = wrap_fd(p.w, "a", 0);
    ASSERT_TRUE(f) << pyio_error_message();
    EXPECT_EQ(pyio_seekable(f.get()), 0);
    EXPECT_EQ(write_str(f.get(), "x"), 1);
}

TEST(FileIO, FdopenWriteModeDoesNotTruncate) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "12345");
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    Stream f = wrap_fd(fd, "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(file_size(path), 5);
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

TEST(FileIO, ReadReturnsFewerBytesAtEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "hello");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(read_str(f.get(), 3), "hel");
    EXPECT_EQ(read_str(f.get(), 10), "lo");
    EXPECT_EQ(read_str(f.get(), 10), "");
}

TEST(FileIO, ReadZeroReturnsEmpty) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "hello");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(f.get(), 0, &out), 0);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(out[0], '\0');
    pyio_free(out);
    EXPECT_EQ(pyio_tell(f.get()), 0);
}

TEST(FileIO, ReadNegativeReadsToEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "hello world");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(read_str(f.get(), 6), "hello ");
    EXPECT_EQ(read_str(f.get(), -1), "world");
}

TEST(FileIO, ReadNoneReadsToEnd) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "hello world");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(read_str(f.get(), PYIO_NONE), "hello world");
}

TEST(FileIO, ReadResultIsNulTerminatedAndMayHoldNul) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, std::string("a\0b", 3));
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    char* out = nullptr;
    ASSERT_EQ(pyio_read(f.get(), 10, &out), 3);
    Owned owned(out);
    EXPECT_EQ(std::string(out, 3), std::string("a\0b", 3));
    EXPECT_EQ(out[3], '\0');
}

TEST(FileIO, ReadallReadsFileLargerThanDefaultBuffer) {
    TempDir dir;
    std::string path = dir.file("f");
    std::string data = pattern((1 << 20) + 17);
    spit(path, data);
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_TRUE(readall_str(f.get()) == data);
    EXPECT_EQ(readall_str(f.get()), "");
}

TEST(FileIO, ReadallStartsAtCurrentPosition) {
    TempDir dir;
    std::string path = dir.file("f");
    std::string data = pattern(300000);
    spit(path, data);
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_seek(f.get(), 1000, PYIO_SEEK_SET), 1000);
    EXPECT_TRUE(readall_str(f.get()) == data.substr(1000));
}

TEST(FileIO, ReadallPastEndIsEmpty) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "short");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_seek(f.get(), 100, PYIO_SEEK_SET), 100);
    EXPECT_EQ(readall_str(f.get()), "");
}

TEST(FileIO, ReadallOfFileWhoseStatSizeIsZero) {
    // /proc files report size 0 but have contents: the size is only a hint.
    std::string expected = slurp("/proc/self/cmdline");
    ASSERT_FALSE(expected.empty());
    Stream f = open_file("/proc/self/cmdline", "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(readall_str(f.get()), expected);
}

TEST(FileIO, ReadallFromPipeGrowsPastDefaultBuffer) {
    Pipe p;
    std::string data = pattern(3 * PYIO_DEFAULT_BUFFER_SIZE + 5);
    std::thread writer([&, w = p.take_w()] {
        size_t done = 0;
        while (done < data.size()) {
            ssize_t n = ::write(w, data.data() + done, data.size() - done);
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        ::close(w);
    });
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    std::string got = readall_str(f.get());
    writer.join();
    EXPECT_TRUE(got == data) << got.size();
}

TEST(FileIO, ReadintoFillsCallersBuffer) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abcdef");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    char buf[4] = {};
    EXPECT_EQ(pyio_readinto(f.get(), buf, 4), 4);
    EXPECT_EQ(std::string(buf, 4), "abcd");
    EXPECT_EQ(pyio_readinto(f.get(), buf, 4), 2);
    EXPECT_EQ(std::string(buf, 2), "ef");
    EXPECT_EQ(pyio_readinto(f.get(), buf, 4), 0);
}

TEST(FileIO, ReadintoZeroBytesReturnsZero) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abc");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    char buf[1];
    EXPECT_EQ(pyio_readinto(f.get(), buf, 0), 0);
    EXPECT_EQ(pyio_tell(f.get()), 0);
}

TEST(FileIO, ReadOnWriteOnlyFileIsUnsupported) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    char* out = nullptr;
    char buf[4];
    EXPECT_EQ(pyio_read(f.get(), 4, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for reading");
    EXPECT_EQ(pyio_read(f.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for reading");
    EXPECT_EQ(pyio_readinto(f.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for reading");
    EXPECT_EQ(pyio_readinto(f.get(), buf, 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for reading");
    EXPECT_EQ(pyio_readline(f.get(), -1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for reading");
    EXPECT_EQ(out, nullptr);
}

TEST(FileIO, ReadallOnWriteOnlyFileIsBadFileDescriptor) {
    // CPython's readall skips the mode check and reports read(2)'s EBADF.
    TempDir dir;
    Stream f = open_file(dir.file("f"), "a");
    ASSERT_TRUE(f);
    char* out = nullptr;
    EXPECT_EQ(pyio_readall(f.get(), &out), -1);
    expect_os_error(EBADF);
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

TEST(FileIO, WriteReturnsCountWritten) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(write_str(f.get(), "hello "), 6);
    EXPECT_EQ(write_str(f.get(), "world"), 5);
    EXPECT_EQ(pyio_tell(f.get()), 11);
    EXPECT_EQ(slurp(path), "hello world");
}

TEST(FileIO, WriteNothingReturnsZero) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_write(f.get(), "", 0), 0);
    EXPECT_EQ(file_size(path), 0);
}

TEST(FileIO, WriteOnReadOnlyFileIsUnsupported) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(write_str(f.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for writing");
    pyio_slice line{"x", 1};
    EXPECT_EQ(pyio_writelines(f.get(), &line, 1), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for writing");
    EXPECT_EQ(slurp(path), "data");
}

TEST(FileIO, WritelinesWritesEveryLine) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    pyio_slice lines[] = {{"one\n", 4}, {"", 0}, {"two\n", 4}, {"three", 5}};
    EXPECT_EQ(pyio_writelines(f.get(), lines, 4), 0);
    EXPECT_EQ(slurp(path), "one\ntwo\nthree");
}

// ---------------------------------------------------------------------------
// Lines (IOBase's generic byte-by-byte readline)
// ---------------------------------------------------------------------------

TEST(FileIO, ReadlineStopsAfterNewlineLeavingTheRest) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "first\nsecond\nlast");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(readline_str(f.get()), "first\n");
    EXPECT_EQ(pyio_tell(f.get()), 6);
    EXPECT_EQ(readline_str(f.get()), "second\n");
    EXPECT_EQ(readline_str(f.get()), "last");
    EXPECT_EQ(readline_str(f.get()), "");
}

TEST(FileIO, ReadlineWithLimitStopsAtLimit) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "abcdef\nxyz");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(readline_str(f.get(), 4), "abcd");
    EXPECT_EQ(readline_str(f.get(), 10), "ef\n");
    EXPECT_EQ(readline_str(f.get(), 0), "");
    EXPECT_EQ(readline_str(f.get(), PYIO_NONE), "xyz");
}

TEST(FileIO, ReadlinesReadsEveryLine) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "a\nbb\nccc");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    pyio_slice* lines = nullptr;
    ASSERT_EQ(pyio_readlines(f.get(), PYIO_NONE, &lines), 3);
    Owned owned(reinterpret_cast<char*>(lines));
    EXPECT_EQ(std::string(lines[0].data, lines[0].size), "a\n");
    EXPECT_EQ(std::string(lines[1].data, lines[1].size), "bb\n");
    EXPECT_EQ(std::string(lines[2].data, lines[2].size), "ccc");
}

TEST(FileIO, ReadlinesStopsOnceHintIsReached) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "a\nbb\nccc\n");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    pyio_slice* lines = nullptr;
    ASSERT_EQ(pyio_readlines(f.get(), 3, &lines), 2);
    pyio_free(lines);
    EXPECT_EQ(readline_str(f.get()), "ccc\n");
}

// ---------------------------------------------------------------------------
// Seeking and telling
// ---------------------------------------------------------------------------

TEST(FileIO, SeekHonoursAllThreeWhenceValues) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "0123456789");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 3, PYIO_SEEK_SET), 3);
    EXPECT_EQ(pyio_seek(f.get(), 2, PYIO_SEEK_CUR), 5);
    EXPECT_EQ(pyio_seek(f.get(), -1, PYIO_SEEK_CUR), 4);
    EXPECT_EQ(read_str(f.get(), 1), "4");
    EXPECT_EQ(pyio_seek(f.get(), -2, PYIO_SEEK_END), 8);
    EXPECT_EQ(read_str(f.get()), "89");
    EXPECT_EQ(pyio_seek(f.get(), 5, PYIO_SEEK_END), 15);
    EXPECT_EQ(read_str(f.get()), "");
}

TEST(FileIO, SeekPastEndThenWriteLeavesZeros) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 3, PYIO_SEEK_SET), 3);
    EXPECT_EQ(write_str(f.get(), "x"), 1);
    EXPECT_EQ(slurp(path), std::string("\0\0\0x", 4));
}

TEST(FileIO, SeekDataAndSeekHoleReachTheKernel) {
    TempDir dir;
    std::string path = dir.file("sparse");
    const int64_t second = 4 << 20;
    Stream f = open_file(path, "w+");
    ASSERT_TRUE(f);
    std::string block(4096, 'd');
    ASSERT_EQ(write_str(f.get(), block), 4096);
    ASSERT_EQ(pyio_seek(f.get(), second, PYIO_SEEK_SET), second);
    ASSERT_EQ(write_str(f.get(), block), 4096);
    const int64_t size = second + 4096;

    EXPECT_EQ(pyio_seek(f.get(), 0, SEEK_DATA), 0);
    int64_t hole = pyio_seek(f.get(), 0, SEEK_HOLE);
    EXPECT_GE(hole, 4096);
    EXPECT_LE(hole, size);
    // Filesystems without hole tracking report the end as the only hole.
    if (hole < size) {
        EXPECT_EQ(pyio_seek(f.get(), hole, SEEK_DATA), second);
    }
    EXPECT_EQ(pyio_seek(f.get(), size, SEEK_DATA), -1);
    expect_os_error(ENXIO);
}

TEST(FileIO, InvalidWhenceIsInvalidArgument) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 0, 5), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, "[Errno 22] Invalid argument");
    EXPECT_EQ(pyio_error_errno(), EINVAL);
    EXPECT_EQ(pyio_error_filename(), nullptr);
}

TEST(FileIO, SeekToNegativePositionIsInvalidArgument) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_seek(f.get(), 2, PYIO_SEEK_SET), 2);
    EXPECT_EQ(pyio_seek(f.get(), -1, PYIO_SEEK_SET), -1);
    expect_os_error(EINVAL);
    EXPECT_EQ(pyio_seek(f.get(), -3, PYIO_SEEK_CUR), -1);
    expect_os_error(EINVAL);
    EXPECT_EQ(pyio_tell(f.get()), 2);
}

TEST(FileIO, FirstLseekDecidesSeekableAsInCPython) {
    // CPython caches seekable from the first lseek of any kind, so a failed
    // seek(0, 5) on a regular file makes seekable() false from then on.
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 0, 5), -1);
    EXPECT_EQ(pyio_seekable(f.get()), 0);
}

TEST(FileIO, RegularFileIsSeekable) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seekable(f.get()), 1);
    EXPECT_EQ(pyio_seekable(f.get()), 1);
}

TEST(FileIO, TellFollowsReadsAndWrites) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w+");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_tell(f.get()), 0);
    EXPECT_EQ(write_str(f.get(), "abcdef"), 6);
    EXPECT_EQ(pyio_tell(f.get()), 6);
    EXPECT_EQ(pyio_seek(f.get(), 1, PYIO_SEEK_SET), 1);
    EXPECT_EQ(read_str(f.get(), 3), "bcd");
    EXPECT_EQ(pyio_tell(f.get()), 4);
}

// ---------------------------------------------------------------------------
// Truncating
// ---------------------------------------------------------------------------

TEST(FileIO, TruncateShrinksFile) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "0123456789");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_truncate(f.get(), 4), 4);
    EXPECT_EQ(slurp(path), "0123");
}

TEST(FileIO, TruncateExtendsWithZeros) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "ab");
    Stream f = open_file(path, "a");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_truncate(f.get(), 5), 5);
    EXPECT_EQ(slurp(path), std::string("ab\0\0\0", 5));
}

TEST(FileIO, TruncateNoneCutsAtCurrentPosition) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "0123456789");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_seek(f.get(), 6, PYIO_SEEK_SET), 6);
    EXPECT_EQ(pyio_truncate(f.get(), PYIO_NONE), 6);
    EXPECT_EQ(slurp(path), "012345");
}

TEST(FileIO, TruncateDoesNotMovePosition) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "0123456789");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_seek(f.get(), 7, PYIO_SEEK_SET), 7);
    EXPECT_EQ(pyio_truncate(f.get(), 2), 2);
    EXPECT_EQ(pyio_tell(f.get()), 7);
    EXPECT_EQ(pyio_truncate(f.get(), 20), 20);
    EXPECT_EQ(pyio_tell(f.get()), 7);
}

TEST(FileIO, TruncateToNegativeSizeIsInvalidArgument) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_truncate(f.get(), -1), -1);
    expect_os_error(EINVAL);
    EXPECT_EQ(slurp(path), "data");
}

TEST(FileIO, TruncateOnReadOnlyFileIsUnsupported) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data");
    Stream f = open_file(path, "r");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_truncate(f.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File not open for writing");
    EXPECT_EQ(slurp(path), "data");
}

// ---------------------------------------------------------------------------
// Pipes and non-blocking descriptors
// ---------------------------------------------------------------------------

TEST(FileIO, PipeIsNotSeekable) {
    Pipe p;
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seekable(f.get()), 0);
}

TEST(FileIO, SeekOnPipeIsIllegalSeek) {
    Pipe p;
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_seek(f.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_OS, "[Errno 29] Illegal seek");
    EXPECT_EQ(pyio_error_errno(), ESPIPE);
    EXPECT_EQ(pyio_tell(f.get()), -1);
    expect_os_error(ESPIPE);
}

TEST(FileIO, ReadFromPipeAtEofIsEmpty) {
    Pipe p;
    ASSERT_EQ(::write(p.w, "hi", 2), 2);
    ::close(p.take_w());
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(read_str(f.get(), 10), "hi");
    EXPECT_EQ(read_str(f.get(), 10), "");
}

TEST(FileIO, NonBlockingReadWithNoDataWouldBlock) {
    Pipe p(O_NONBLOCK);
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    set_sentinel_error();
    char dummy;
    char* out = &dummy;  // must be reset to NULL
    EXPECT_EQ(pyio_read(f.get(), 10, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    expect_sentinel_error();
}

TEST(FileIO, NonBlockingReadintoWithNoDataWouldBlock) {
    Pipe p(O_NONBLOCK);
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    set_sentinel_error();
    char buf[8];
    EXPECT_EQ(pyio_readinto(f.get(), buf, sizeof buf), PYIO_WOULD_BLOCK);
    expect_sentinel_error();
}

TEST(FileIO, NonBlockingReadallWithNoDataWouldBlock) {
    Pipe p(O_NONBLOCK);
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    set_sentinel_error();
    char* out = nullptr;
    EXPECT_EQ(pyio_readall(f.get(), &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(pyio_read(f.get(), -1, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    expect_sentinel_error();
}

TEST(FileIO, NonBlockingReadlineWithNoDataWouldBlock) {
    Pipe p(O_NONBLOCK);
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    set_sentinel_error();
    char* out = nullptr;
    EXPECT_EQ(pyio_readline(f.get(), -1, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    expect_sentinel_error();
}

TEST(FileIO, NonBlockingReadallReturnsWhatArrivedBeforeBlocking) {
    Pipe p(O_NONBLOCK);
    ASSERT_EQ(::write(p.w, "ab", 2), 2);
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(readall_str(f.get()), "ab");
}

TEST(FileIO, NonBlockingWriteToFullPipeWouldBlock) {
    Pipe p(O_NONBLOCK);
    Stream f = wrap_fd(p.w, "w", 0);
    ASSERT_TRUE(f);
    std::string chunk(65536, 'z');
    int64_t written = 0, n = 0;
    int successes = 0;
    while ((n = write_str(f.get(), chunk)) > 0) {
        written += n;
        ++successes;
        ASSERT_LT(successes, 100000) << "the pipe never filled";
    }
    EXPECT_EQ(n, PYIO_WOULD_BLOCK) << pyio_error_message();
    EXPECT_GE(successes, 1);
    EXPECT_GT(written, 0);
}

// ---------------------------------------------------------------------------
// Closing
// ---------------------------------------------------------------------------

TEST(FileIO, EveryOperationOnClosedFileIsValueError) {
    TempDir dir;
    std::string path = dir.file("f");
    spit(path, "data\n");
    Stream f = open_file(path, "r+");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_close(f.get()), 0);
    pyio_stream* s = f.get();
    char* out = nullptr;
    char buf[4];
    pyio_slice* lines = nullptr;
    pyio_slice line{"x", 1};
    auto check = [](const char* what, int64_t result) {
        SCOPED_TRACE(what);
        EXPECT_EQ(result, -1);
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "I/O operation on closed file.");
    };
    check("read", pyio_read(s, 1, &out));
    check("read(-1)", pyio_read(s, -1, &out));
    check("readinto", pyio_readinto(s, buf, 4));
    check("readinto(0)", pyio_readinto(s, buf, 0));
    check("readall", pyio_readall(s, &out));
    check("readline", pyio_readline(s, -1, &out));
    check("readlines", pyio_readlines(s, PYIO_NONE, &lines));
    check("write", write_str(s, "x"));
    check("writelines", pyio_writelines(s, &line, 1));
    check("seek", pyio_seek(s, 0, PYIO_SEEK_SET));
    check("tell", pyio_tell(s));
    check("truncate", pyio_truncate(s, 0));
    check("truncate(None)", pyio_truncate(s, PYIO_NONE));
    check("flush", pyio_flush(s));
    check("fileno", pyio_fileno(s));
    check("isatty", pyio_isatty(s));
    check("readable", pyio_readable(s));
    check("writable", pyio_writable(s));
    check("seekable", pyio_seekable(s));
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(lines, nullptr);
    EXPECT_EQ(slurp(path), "data\n");
}

TEST(FileIO, CloseTwiceSucceeds) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_close(f.get()), 0);
    EXPECT_EQ(pyio_close(f.get()), 0);
}

TEST(FileIO, ClosedReportsState) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_closed(f.get()), 0);
    ASSERT_EQ(pyio_close(f.get()), 0);
    EXPECT_EQ(pyio_closed(f.get()), 1);
}

TEST(FileIO, AttributesRemainAfterClose) {
    TempDir dir;
    std::string path = dir.file("f");
    Stream f = open_file(path, "a+");
    ASSERT_TRUE(f);
    ASSERT_EQ(pyio_close(f.get()), 0);
    const char* name = nullptr;
    EXPECT_EQ(pyio_name(f.get(), &name, nullptr), 0);
    EXPECT_STREQ(name, path.c_str());
    EXPECT_STREQ(pyio_mode(f.get()), "ab+");
    EXPECT_EQ(pyio_closefd(f.get()), 1);
}

TEST(FileIO, CloseClosesDescriptor) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    int fd = pyio_fileno(f.get());
    ASSERT_TRUE(fd_is_open(fd));
    ASSERT_EQ(pyio_close(f.get()), 0);
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(FileIO, CloseReportsFailureOfUnderlyingCloseAndStillCloses) {
    Pipe p;
    int fd = p.take_r();
    Stream f = wrap_fd(fd, "r");
    ASSERT_TRUE(f);
    ::close(fd);  // behind the stream's back
    EXPECT_EQ(pyio_close(f.get()), -1);
    expect_os_error(EBADF);
    EXPECT_EQ(pyio_closed(f.get()), 1);
    EXPECT_EQ(pyio_close(f.get()), 0);
}

TEST(FileIO, LastReleaseOfOpenFileClosesDescriptor) {
    TempDir dir;
    int before = open_fd_count();
    pyio_stream* f = pyio_fileio_open(dir.file("f").c_str(), "w", 1, nullptr, nullptr);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(open_fd_count(), before + 1);
    pyio_release(f);
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FileIO, ReleaseAfterRetainKeepsFileOpenUntilLastReference) {
    TempDir dir;
    pyio_stream* f = pyio_fileio_open(dir.file("f").c_str(), "w", 1, nullptr, nullptr);
    ASSERT_NE(f, nullptr);
    int fd = pyio_fileno(f);
    pyio_retain(f);
    pyio_release(f);
    EXPECT_TRUE(fd_is_open(fd));
    EXPECT_EQ(pyio_closed(f), 0);
    pyio_release(f);
    EXPECT_FALSE(fd_is_open(fd));
}

// ---------------------------------------------------------------------------
// Miscellany
// ---------------------------------------------------------------------------

TEST(FileIO, MethodsOfOtherClassesAreAttributeErrors) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w+");
    ASSERT_TRUE(f);
    char* out = nullptr;
    char buf[4];
    void* view = nullptr;
    EXPECT_EQ(pyio_read1(f.get(), 1, &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'read1'");
    EXPECT_EQ(pyio_readinto1(f.get(), buf, 4), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'readinto1'");
    EXPECT_EQ(pyio_getvalue(f.get(), &out), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'getvalue'");
    EXPECT_EQ(pyio_getbuffer(f.get(), &view), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'getbuffer'");
    EXPECT_EQ(pyio_detach(f.get()), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'FileIO' object has no attribute 'detach'");
}

TEST(FileIO, FilenoIsTheDescriptor) {
    Pipe p;
    Stream f = wrap_fd(p.r, "r", 0);
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_fileno(f.get()), p.r);
}

TEST(FileIO, RegularFileIsNotATty) {
    TempDir dir;
    Stream f = open_file(dir.file("f"), "w");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_isatty(f.get()), 0);
}

TEST(FileIO, PseudoTerminalIsATty) {
    int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) GTEST_SKIP() << "posix_openpt: " << std::strerror(errno);
    if (::grantpt(master) != 0 || ::unlockpt(master) != 0 || !::ptsname(master)) {
        ::close(master);
        GTEST_SKIP() << "no pseudo-terminal slave available";
    }
    int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        ::close(master);
        GTEST_SKIP() << "cannot open pty slave: " << std::strerror(errno);
    }
    Stream f = wrap_fd(slave, "r+");
    ASSERT_TRUE(f);
    EXPECT_EQ(pyio_isatty(f.get()), 1);
    f.reset();
    ::close(master);
}

TEST(FileIO, OffsetsBeyond4GiBAreExact) {
    TempDir dir;
    std::string path = dir.file("large");
    Stream f = open_file(path, "w+");
    ASSERT_TRUE(f);
    const int64_t at = 5 * kGiB + 3;
    ASSERT_EQ(pyio_seek(f.get(), at, PYIO_SEEK_SET), at);
    int64_t n = write_str(f.get(), "xyz");
    if (n < 0 && pyio_error_errno() == EFBIG) GTEST_SKIP() << "filesystem refuses 5 GiB files";
    ASSERT_EQ(n, 3) << pyio_error_message();
    EXPECT_EQ(pyio_tell(f.get()), at + 3);
    EXPECT_EQ(pyio_seek(f.get(), -3, PYIO_SEEK_CUR), at);
    EXPECT_EQ(read_str(f.get(), 10), "xyz");
    EXPECT_EQ(pyio_seek(f.get(), 0, PYIO_SEEK_END), at + 3);

    int64_t t = pyio_truncate(f.get(), 6 * kGiB);
    if (t < 0 && pyio_error_errno() == EFBIG) GTEST_SKIP() << "filesystem refuses 6 GiB files";
    EXPECT_EQ(t, 6 * kGiB) << pyio_error_message();
    EXPECT_EQ(file_size(path), 6 * kGiB);
    EXPECT_EQ(pyio_tell(f.get()), at + 3);
}

TEST(FileIO, ThousandsOfOpenCloseCyclesLeakNoDescriptor) {
    TempDir dir;
    std::string path = dir.file("f");
    std::string missing = dir.file("missing");
    std::string directory = dir.path().string();
    spit(path, "data");
    Pipe p;
    int before = open_fd_count();
    for (int i = 0; i < 2000; ++i) {
        pyio_stream* f = pyio_fileio_open(path.c_str(), "r+", 1, nullptr, nullptr);
        ASSERT_NE(f, nullptr);
        ASSERT_EQ(pyio_close(f), 0);
        pyio_release(f);
        pyio_release(pyio_fileio_open(path.c_str(), "a", 1, nullptr, nullptr));
        ASSERT_EQ(pyio_fileio_open(missing.c_str(), "r", 1, nullptr, nullptr), nullptr);
        ASSERT_EQ(pyio_fileio_open(directory.c_str(), "r", 1, nullptr, nullptr), nullptr);
        ASSERT_EQ(pyio_fileio_open(path.c_str(), "x", 1, nullptr, nullptr), nullptr);
        OpenerLog log;
        ASSERT_EQ(pyio_fileio_open(directory.c_str(), "r", 1, logging_opener, &log), nullptr);
        ASSERT_EQ(pyio_fileio_fdopen(p.r, "rw", 1), nullptr);
    }
    EXPECT_EQ(open_fd_count(), before);
    EXPECT_TRUE(fd_is_open(p.r));
}
