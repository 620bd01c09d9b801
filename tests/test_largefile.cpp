// Files past 4 GiB, through every layer: positions beyond 2**32 must survive
// seek, tell, read, write and truncate in FileIO, the buffered classes,
// open() and TextIOWrapper (whose cookies carry a 64-bit start position).
// The files are sparse: a few bytes written past a hole, so the suite costs
// no disk space and little time.  A file system without sparse files (or
// without room) skips it.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "helpers.h"

using namespace pyio_test;

namespace {

constexpr int64_t kFar = (int64_t{5} << 30) + 12345;  // 5 GiB and a bit: past 2**32
const std::string kLine = "far away\nline two\n";

// A sparse file of kFar + kLine.size() bytes: a hole, then kLine at kFar.
// Empty string (and the test skips) if the file system will not have it.
std::string sparse_file(const TempDir& dir, const char* name) {
    std::string path = dir.file(name);
    int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return "";
    bool ok = ::pwrite(fd, kLine.data(), kLine.size(), kFar) == static_cast<ssize_t>(kLine.size());
    struct stat st {};
    ok = ok && ::fstat(fd, &st) == 0 && st.st_blocks * 512 < (int64_t{1} << 30);  // really sparse
    ::close(fd);
    return ok ? path : "";
}

std::string pread_str(const std::string& path, int64_t at, size_t n) {
    std::string out(n, '\0');
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    ssize_t got = fd < 0 ? -1 : ::pread(fd, out.data(), n, at);
    if (fd >= 0) ::close(fd);
    out.resize(got > 0 ? static_cast<size_t>(got) : 0);
    return out;
}

#define SPARSE_OR_SKIP(path, dir, name)                                           \
    std::string path = sparse_file(dir, name);                                    \
    if (path.empty()) GTEST_SKIP() << "no sparse files of 5 GiB on this file system"

}  // namespace

TEST(LargeFile, FileIOSeeksTellsReadsAndWritesPast4GiB) {
    TempDir dir;
    SPARSE_OR_SKIP(path, dir, "raw");
    Stream f(pyio_fileio_open(path.c_str(), "r+b", 1, nullptr, nullptr));
    ASSERT_NE(f, nullptr) << pyio_error_message();
    EXPECT_EQ(pyio_seek(f.get(), kFar, SEEK_SET), kFar);
    EXPECT_EQ(pyio_tell(f.get()), kFar);
    EXPECT_EQ(read_str(f.get(), 8), "far away");
    EXPECT_EQ(pyio_tell(f.get()), kFar + 8);
    EXPECT_EQ(pyio_seek(f.get(), 0, SEEK_END), kFar + static_cast<int64_t>(kLine.size()));
    EXPECT_EQ(pyio_write(f.get(), "tail", 4), 4);
    EXPECT_EQ(pyio_seek(f.get(), -4, SEEK_CUR), kFar + static_cast<int64_t>(kLine.size()));
    EXPECT_EQ(read_str(f.get(), -1), "tail");
    EXPECT_EQ(pyio_truncate(f.get(), kFar + 3), kFar + 3);
    f.reset();
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_size, kFar + 3);
    EXPECT_EQ(pread_str(path, kFar, 8), "far");
}

TEST(LargeFile, BufferedRandomKeepsPositionsPast4GiB) {
    TempDir dir;
    SPARSE_OR_SKIP(path, dir, "buffered");
    Stream raw(pyio_fileio_open(path.c_str(), "r+b", 1, nullptr, nullptr));
    Stream f(pyio_bufferedrandom_new(raw.get(), 4096));
    ASSERT_NE(f, nullptr) << pyio_error_message();
    EXPECT_EQ(pyio_seek(f.get(), kFar + 4, SEEK_SET), kFar + 4);
    EXPECT_EQ(read_str(f.get(), 4), "away");
    EXPECT_EQ(pyio_tell(f.get()), kFar + 8);
    // A write in the buffered window, a seek inside it, then out of it.
    EXPECT_EQ(pyio_write(f.get(), "!", 1), 1);
    EXPECT_EQ(pyio_tell(f.get()), kFar + 9);
    EXPECT_EQ(pyio_seek(f.get(), kFar, SEEK_SET), kFar);
    EXPECT_EQ(read_str(f.get(), 10), "far away!l");
    EXPECT_EQ(pyio_seek(f.get(), 100, SEEK_SET), 100);
    EXPECT_EQ(read_str(f.get(), 2), std::string(2, '\0'));
    ASSERT_EQ(pyio_close(f.get()), 0);
    EXPECT_EQ(pread_str(path, kFar, 10), "far away!l");
}

TEST(LargeFile, ReaderAndWriterFromOpenPast4GiB) {
    TempDir dir;
    SPARSE_OR_SKIP(path, dir, "open");
    Stream w(pyio_open(path.c_str(), "ab", -1, nullptr, nullptr, nullptr, 1, nullptr, nullptr));
    ASSERT_NE(w, nullptr) << pyio_error_message();
    EXPECT_EQ(pyio_tell(w.get()), kFar + static_cast<int64_t>(kLine.size()));
    EXPECT_EQ(pyio_write(w.get(), "appended\n", 9), 9);
    EXPECT_EQ(pyio_tell(w.get()), kFar + static_cast<int64_t>(kLine.size()) + 9);
    ASSERT_EQ(pyio_close(w.get()), 0);

    Stream r(pyio_open(path.c_str(), "rb", -1, nullptr, nullptr, nullptr, 1, nullptr, nullptr));
    ASSERT_NE(r, nullptr) << pyio_error_message();
    EXPECT_EQ(pyio_seek(r.get(), -9, SEEK_END), kFar + static_cast<int64_t>(kLine.size()));
    char* line = nullptr;
    int64_t n = pyio_readline(r.get(), -1, &line);
    Owned owned(line);
    EXPECT_EQ(std::string(line, n > 0 ? static_cast<size_t>(n) : 0), "appended\n");
    EXPECT_EQ(pyio_tell(r.get()), kFar + static_cast<int64_t>(kLine.size()) + 9);
}

TEST(LargeFile, TextCookiesPast4GiB) {
    TempDir dir;
    SPARSE_OR_SKIP(path, dir, "text");
    // The hole decodes as NULs; start reading near the text, through cookies.
    Stream t(pyio_open(path.c_str(), "r+", -1, "utf-8", nullptr, nullptr, 1, nullptr, nullptr));
    ASSERT_NE(t, nullptr) << pyio_error_message();
    pyio_text_cookie far{kFar, 0, 0, 0, 0};
    ASSERT_EQ(pyio_text_seek(t.get(), &far, SEEK_SET, nullptr), 0) << pyio_error_message();
    char* line = nullptr;
    int64_t n = pyio_readline(t.get(), -1, &line);
    Owned owned(line);
    EXPECT_EQ(std::string(line, n > 0 ? static_cast<size_t>(n) : 0), "far away\n");
    pyio_text_cookie after{};
    ASSERT_EQ(pyio_text_tell(t.get(), &after), 0) << pyio_error_message();
    EXPECT_EQ(after.start_pos, kFar + 9);
    // A cookie in the middle of a character that needs replaying, past 4 GiB.
    EXPECT_EQ(read_str(t.get(), 3), "lin");
    pyio_text_cookie mid{};
    ASSERT_EQ(pyio_text_tell(t.get(), &mid), 0);
    EXPECT_GT(mid.start_pos, int64_t{1} << 32);
    EXPECT_EQ(read_str(t.get(), -1), "e two\n");
    ASSERT_EQ(pyio_text_seek(t.get(), &mid, SEEK_SET, nullptr), 0);
    EXPECT_EQ(read_str(t.get(), -1), "e two\n");
    // Writing at the end and reading back through a cookie.
    pyio_text_cookie zero{0, 0, 0, 0, 0};
    pyio_text_cookie end{};
    ASSERT_EQ(pyio_text_seek(t.get(), &zero, SEEK_END, &end), 0);
    EXPECT_EQ(end.start_pos, kFar + static_cast<int64_t>(kLine.size()));
    EXPECT_EQ(pyio_write(t.get(), "\xc3\xa9t\xc3\xa9\n", 6), 4);  // "été\n"
    ASSERT_EQ(pyio_text_seek(t.get(), &end, SEEK_SET, nullptr), 0);
    EXPECT_EQ(read_str(t.get(), 2), "\xc3\xa9t");
    pyio_text_cookie in_text{};
    ASSERT_EQ(pyio_text_tell(t.get(), &in_text), 0);
    EXPECT_EQ(in_text.start_pos, end.start_pos + 3);
    ASSERT_EQ(pyio_close(t.get()), 0);
    EXPECT_EQ(pread_str(path, end.start_pos, 6), "\xc3\xa9t\xc3\xa9\n");
}

TEST(LargeFile, BytesIOPositionsPast4GiBNeedNoMemoryUntilWritten) {
    // BytesIO takes positions past 2**32 (seek does not allocate); a read
    // there is empty.  Writing there would need 5 GiB, which is not tried.
    Stream b(pyio_bytesio_new("abc", 3));
    EXPECT_EQ(pyio_seek(b.get(), kFar, SEEK_SET), kFar);
    EXPECT_EQ(pyio_tell(b.get()), kFar);
    EXPECT_EQ(read_str(b.get(), 10), "");
    // truncate() at that position answers it, as io's, and never grows.
    EXPECT_EQ(pyio_truncate(b.get(), PYIO_NONE), kFar);
    char* value = nullptr;
    EXPECT_EQ(pyio_getvalue(b.get(), &value), 3);
    Owned owned(value);
}
