// Descriptor leaks: thousands of cycles of opening, failing to open, failing
// midway through construction and closing, through every way the library
// opens or adopts a descriptor.  The count of open descriptors must come
// back exactly; memory is LeakSanitizer's to check (the ASan build).

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "helpers.h"

using namespace pyio_test;

namespace {

constexpr int kCycles = 2000;

int failing_opener(const char*, int, void*) {
    errno = EACCES;
    return -1;
}

struct Cycle {
    const char* what;
    std::function<void()> run;
};

}  // namespace

TEST(Leaks, NoDescriptorOutlivesItsStream) {
    TempDir dir;
    const std::string file = dir.file("f"), missing = dir.file("missing"), subdir = dir.file("d");
    spit(file, "line one\nline two\n");
    ASSERT_EQ(::mkdir(subdir.c_str(), 0700), 0);

    auto open_ok = [](const std::string& path, const char* mode, const char* encoding) {
        Stream s(pyio_open(path.c_str(), mode, -1, encoding, nullptr, nullptr, 1, nullptr, nullptr));
        ASSERT_NE(s, nullptr) << mode << ": " << pyio_error_message();
        char* out = nullptr;
        if (pyio_readable(s.get()) == 1) pyio_read(s.get(), 4, &out);
        pyio_free(out);
    };
    auto open_fails = [](const std::string& path, const char* mode, const char* encoding,
                         pyio_opener opener = nullptr) {
        Stream s(pyio_open(path.c_str(), mode, -1, encoding, nullptr, nullptr, 1, opener, nullptr));
        EXPECT_EQ(s, nullptr) << path << " " << mode;
    };

    const std::vector<Cycle> cycles = {
        {"open rb, r, r+b, a, w+ and close", [&] {
             for (const char* mode : {"rb", "r", "r+b", "a", "w+"}) open_ok(file, mode, nullptr);
             spit(file, "line one\nline two\n");
         }},
        {"open a missing file", [&] { open_fails(missing, "rb", nullptr); }},
        {"open a directory for writing", [&] { open_fails(subdir, "wb", nullptr); }},
        {"open x on an existing file", [&] { open_fails(file, "x", nullptr); }},
        {"open with an opener that fails", [&] { open_fails(file, "rb", nullptr, failing_opener); }},
        {"open text with an unknown encoding", [&] { open_fails(file, "r", "no-such-codec"); }},
        {"open_fd over a pipe for BufferedRandom (fails after adopting it)", [&] {
             int fds[2];
             ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
             Stream s(pyio_open_fd(fds[0], "r+b", -1, nullptr, nullptr, nullptr, 1));
             EXPECT_EQ(s, nullptr);  // not seekable: and fds[0] is closed by then
             ::close(fds[1]);
         }},
        {"fdopen with closefd, then release", [&] {
             int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
             ASSERT_GE(fd, 0);
             Stream s(pyio_fileio_fdopen(fd, "rb", 1));
             ASSERT_NE(s, nullptr);
         }},
        {"a failed fdopen leaves the descriptor to its owner", [&] {
             int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
             ASSERT_GE(fd, 0);
             Stream s(pyio_fileio_fdopen(fd, "rq", 1));
             EXPECT_EQ(s, nullptr);
             ::close(fd);
         }},
        {"SocketIO with closefd over a socketpair", [&] {
             int sv[2];
             ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
             Stream a(pyio_socketio_new(sv[0], "rwb", 1));
             Stream b(pyio_socketio_new(sv[1], "rwb", 1));
             ASSERT_NE(a, nullptr);
             ASSERT_NE(b, nullptr);
             EXPECT_EQ(pyio_write(a.get(), "x", 1), 1);
         }},
        {"TextIOWrapper that fails over a file's buffer", [&] {
             Stream raw(pyio_fileio_open(file.c_str(), "rb", 1, nullptr, nullptr));
             Stream buffered(pyio_bufferedreader_new(raw.get(), 64));
             Stream t(pyio_textiowrapper_new(buffered.get(), "no-such-codec", nullptr, nullptr, 0, 0));
             EXPECT_EQ(t, nullptr);
         }},
        {"buffered object over a closed raw stream", [&] {
             Stream raw(pyio_fileio_open(file.c_str(), "rb", 1, nullptr, nullptr));
             pyio_close(raw.get());
             Stream r(pyio_bufferedreader_new(raw.get(), 64));
             if (r) {
                 EXPECT_EQ(pyio_read(r.get(), 1, nullptr), -1);
             }
         }},
        {"detach, then release both", [&] {
             Stream t(pyio_open(file.c_str(), "r", -1, nullptr, nullptr, nullptr, 1, nullptr, nullptr));
             ASSERT_NE(t, nullptr);
             Stream b(pyio_detach(t.get()));
             ASSERT_NE(b, nullptr);
         }},
    };

    for (const Cycle& c : cycles) {
        SCOPED_TRACE(c.what);
        const int before = open_fd_count();
        for (int i = 0; i < kCycles && !HasFailure(); ++i) c.run();
        pyio_error_clear();
        EXPECT_EQ(open_fd_count(), before);
    }
}
