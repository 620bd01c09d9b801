// SocketIO through the public C API: each test pins down one behaviour of
// Python's socket.SocketIO, on a socketpair and on a loopback TCP connection,
// raw and under the buffered classes (as socket.makefile() stacks them).

#include <pyio/pyio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "helpers.h"

using namespace pyio_test;

namespace {

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) >= 0; }

void set_nonblocking(int fd) {
    ASSERT_EQ(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

// SIGPIPE at its default (terminate) for the life of the object, whatever
// the test runner inherited: a send that raised it would end the test binary.
class DefaultSigpipe {
public:
    DefaultSigpipe() { previous_ = std::signal(SIGPIPE, SIG_DFL); }
    ~DefaultSigpipe() { std::signal(SIGPIPE, previous_); }

private:
    void (*previous_)(int);
};

// A connected pair of descriptors, closed at the end unless given away.
struct Connection {
    int a = -1, b = -1;
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() {
        if (a >= 0) ::close(a);
        if (b >= 0) ::close(b);
    }
    // The stream owns the descriptor from now on (closefd): forget it here.
    int give_a() { return std::exchange(a, -1); }
    int give_b() { return std::exchange(b, -1); }
};

void make_socketpair(Connection& c) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    c.a = sv[0];
    c.b = sv[1];
}

// a: the connecting end, b: the accepted end, over 127.0.0.1.
void make_tcp(Connection& c) {
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener, 1), 0);
    ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    c.a = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(c.a, 0);
    ASSERT_EQ(::connect(c.a, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    c.b = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    ::close(listener);
    ASSERT_GE(c.b, 0);
}

Stream socket_io(int fd, const char* mode, int closefd = 0) {
    return Stream(pyio_socketio_new(fd, mode, closefd));
}

// Writes all of data through a raw or buffered stream (raw writes may be short).
void write_all(pyio_stream* s, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        int64_t n = pyio_write(s, data.data() + done, static_cast<int64_t>(data.size() - done));
        ASSERT_GT(n, 0) << pyio_error_message();
        done += static_cast<size_t>(n);
    }
}

std::string readall_str(pyio_stream* s) {
    char* out = nullptr;
    int64_t n = pyio_readall(s, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

std::string pattern(size_t size) {
    std::string s(size, '\0');
    for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 13 + i / 241) & 0xff);
    return s;
}

void expect_errno(int err) {
    EXPECT_PYIO_ERROR(PYIO_ERR_OS,
                      ("[Errno " + std::to_string(err) + "] " + std::strerror(err)).c_str());
    EXPECT_EQ(pyio_error_errno(), err);
}

constexpr const char* kClosedSocket = "I/O operation on closed socket.";
constexpr const char* kClosedFile = "I/O operation on closed file.";

}  // namespace

// ---- construction ----

TEST(SocketIO, ModesAreReportedWithBAndGiveTheCapabilities) {
    Connection c;
    make_socketpair(c);
    struct Case {
        const char* mode;
        const char* reported;
        int readable, writable;
    } cases[] = {{"r", "rb", 1, 0},  {"w", "wb", 0, 1},  {"rw", "rwb", 1, 1},
                 {"rb", "rb", 1, 0}, {"wb", "wb", 0, 1}, {"rwb", "rwb", 1, 1}};
    for (const Case& k : cases) {
        Stream s = socket_io(c.a, k.mode);
        ASSERT_TRUE(s) << k.mode << ": " << pyio_error_message();
        EXPECT_STREQ(pyio_mode(s.get()), k.reported);
        EXPECT_EQ(pyio_readable(s.get()), k.readable) << k.mode;
        EXPECT_EQ(pyio_writable(s.get()), k.writable) << k.mode;
        EXPECT_EQ(pyio_seekable(s.get()), 0);
    }
}

TEST(SocketIO, ModeOutsidePythonsListIsInvalidModeWithRepr) {
    Connection c;
    make_socketpair(c);
    struct Case {
        const char* mode;
        const char* message;
    } cases[] = {{"br", "invalid mode: 'br'"}, {"wr", "invalid mode: 'wr'"},
                 {"rq", "invalid mode: 'rq'"}, {"", "invalid mode: ''"},
                 {"r+", "invalid mode: 'r+'"}, {"r'", "invalid mode: \"r'\""},
                 {"rbb", "invalid mode: 'rbb'"}};
    for (const Case& k : cases) {
        EXPECT_EQ(pyio_socketio_new(c.a, k.mode, 1), nullptr) << k.mode;
        EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, k.message);
    }
    EXPECT_TRUE(fd_is_open(c.a));  // a failed construction never closes
}

TEST(SocketIO, NullModeIsTypeError) {
    Connection c;
    make_socketpair(c);
    EXPECT_EQ(pyio_socketio_new(c.a, nullptr, 1), nullptr);
    EXPECT_PYIO_KIND(PYIO_ERR_TYPE);
    EXPECT_TRUE(fd_is_open(c.a));
}

TEST(SocketIO, NegativeDescriptorIsValueError) {
    EXPECT_EQ(pyio_socketio_new(-1, "rb", 1), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, "negative file descriptor");
}

TEST(SocketIO, DescriptorThatIsNotASocketIsENOTSOCKAndStaysOpen) {
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    EXPECT_EQ(pyio_socketio_new(p[0], "rb", 1), nullptr);
    expect_errno(ENOTSOCK);
    EXPECT_TRUE(fd_is_open(p[0]));
    ::close(p[0]);
    ::close(p[1]);
}

TEST(SocketIO, ClosedDescriptorIsEBADF) {
    Connection c;
    make_socketpair(c);
    int fd = c.give_a();
    ::close(fd);
    EXPECT_EQ(pyio_socketio_new(fd, "rb", 1), nullptr);
    expect_errno(EBADF);
}

TEST(SocketIO, IsASocketIOAndARawIOBase) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rwb");
    EXPECT_STREQ(pyio_class_name(s.get()), "SocketIO");
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_SOCKETIO), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_RAWIOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_IOBASE), 1);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_FILEIO), 0);
    EXPECT_EQ(pyio_isinstance(s.get(), PYIO_CLASS_BUFFEREDIOBASE), 0);
    Stream b(pyio_bytesio_new(nullptr, 0));
    EXPECT_EQ(pyio_isinstance(b.get(), PYIO_CLASS_SOCKETIO), 0);
}

// ---- attributes and unsupported operations ----

TEST(SocketIO, NameAndFilenoAreTheDescriptorAndNameIsMinusOneOnceClosed) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rb");
    int64_t fd = -5;
    EXPECT_EQ(pyio_name(s.get(), nullptr, &fd), 1);
    EXPECT_EQ(fd, c.a);
    EXPECT_EQ(pyio_fileno(s.get()), c.a);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_name(s.get(), nullptr, &fd), 1);
    EXPECT_EQ(fd, -1);
    EXPECT_STREQ(pyio_mode(s.get()), "rb");
}

TEST(SocketIO, IsNotATtyAndHasNoClosefdAttribute) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rb");
    EXPECT_EQ(pyio_isatty(s.get()), 0);
    EXPECT_EQ(pyio_closefd(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_ATTRIBUTE, "'SocketIO' object has no attribute 'closefd'");
}

TEST(SocketIO, SeekTellAndTruncateAreUnsupported) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rwb");
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    // IOBase.tell is seek(0, 1).
    EXPECT_EQ(pyio_tell(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
    EXPECT_EQ(pyio_truncate(s.get(), 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "truncate");
}

TEST(SocketIO, ReadOnWriteOnlyAndWriteOnReadOnlyAreUnsupported) {
    Connection c;
    make_socketpair(c);
    Stream w = socket_io(c.a, "wb");
    char buf[4];
    EXPECT_EQ(pyio_readinto(w.get(), buf, sizeof buf), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
    EXPECT_EQ(read_str(w.get(), -1), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
    Stream r = socket_io(c.a, "rb");
    EXPECT_EQ(write_str(r.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not writable.");
}

TEST(SocketIO, CapabilityQueriesSayClosedSocketOtherCallsClosedFile) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rwb");
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_EQ(pyio_close(s.get()), 0);  // idempotent
    EXPECT_EQ(pyio_closed(s.get()), 1);

    EXPECT_EQ(pyio_readable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedSocket);
    EXPECT_EQ(pyio_writable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedSocket);
    EXPECT_EQ(pyio_seekable(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedSocket);

    char buf[4];
    EXPECT_EQ(pyio_fileno(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(pyio_isatty(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(pyio_flush(s.get()), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(pyio_readinto(s.get(), buf, sizeof buf), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(read_str(s.get(), 3), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(readall_str(s.get()), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(readline_str(s.get()), "<-1>");
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    EXPECT_EQ(write_str(s.get(), "x"), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_VALUE, kClosedFile);
    // As in Python, the unsupported operations do not look at closed.
    EXPECT_EQ(pyio_seek(s.get(), 0, PYIO_SEEK_SET), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "seek");
}

// ---- closing and the descriptor ----

TEST(SocketIO, CloseWithClosefdZeroLeavesTheDescriptorOpen) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rwb", 0);
    ASSERT_EQ(pyio_close(s.get()), 0);
    s.reset();
    EXPECT_TRUE(fd_is_open(c.a));
    // ... and usable.
    ASSERT_EQ(::send(c.a, "x", 1, 0), 1);
}

TEST(SocketIO, CloseWithClosefdClosesTheDescriptor) {
    Connection c;
    make_socketpair(c);
    int fd = c.give_a();
    Stream s = socket_io(fd, "rwb", 1);
    ASSERT_EQ(pyio_close(s.get()), 0);
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(SocketIO, LastReleaseClosesTheDescriptorWithClosefd) {
    Connection c;
    make_socketpair(c);
    int fd = c.give_a();
    socket_io(fd, "rb", 1).reset();
    EXPECT_FALSE(fd_is_open(fd));
}

TEST(SocketIO, LastReleaseLeavesTheDescriptorWithoutClosefd) {
    Connection c;
    make_socketpair(c);
    socket_io(c.a, "rb", 0).reset();
    EXPECT_TRUE(fd_is_open(c.a));
}

// ---- raw reading and writing ----

TEST(SocketIO, RawRoundTripOnASocketpair) {
    Connection c;
    make_socketpair(c);
    Stream a = socket_io(c.a, "wb");
    Stream b = socket_io(c.b, "rb");
    EXPECT_EQ(write_str(a.get(), "hello"), 5);
    // A raw read makes one recv: it returns what is there, not what was asked.
    EXPECT_EQ(read_str(b.get(), 100), "hello");
}

TEST(SocketIO, ShortReadsTakeWhatFits) {
    Connection c;
    make_socketpair(c);
    Stream b = socket_io(c.b, "rb");
    ASSERT_EQ(::send(c.a, "0123456789", 10, 0), 10);
    char buf[4];
    EXPECT_EQ(pyio_readinto(b.get(), buf, 4), 4);
    EXPECT_EQ(std::string(buf, 4), "0123");
    EXPECT_EQ(pyio_readinto(b.get(), buf, 4), 4);
    EXPECT_EQ(std::string(buf, 4), "4567");
    EXPECT_EQ(pyio_readinto(b.get(), buf, 4), 2);
    EXPECT_EQ(std::string(buf, 2), "89");
}

TEST(SocketIO, OrderlyShutdownIsEOF) {
    Connection c;
    make_socketpair(c);
    Stream b = socket_io(c.b, "rb");
    ASSERT_EQ(::send(c.a, "tail", 4, 0), 4);
    ASSERT_EQ(::shutdown(c.a, SHUT_WR), 0);
    EXPECT_EQ(read_str(b.get(), 100), "tail");
    char buf[4];
    EXPECT_EQ(pyio_readinto(b.get(), buf, sizeof buf), 0);
    EXPECT_EQ(read_str(b.get(), 100), "");
    EXPECT_EQ(readall_str(b.get()), "");
}

TEST(SocketIO, ReadallReadsUntilThePeerShutsDown) {
    Connection c;
    make_tcp(c);
    Stream b = socket_io(c.b, "rb");
    std::string data = pattern(3 * 1024 * 1024 + 17);
    std::thread writer([&] {
        Stream a = socket_io(c.a, "wb");
        write_all(a.get(), data);
        ::shutdown(c.a, SHUT_WR);
    });
    std::string got = readall_str(b.get());
    writer.join();
    EXPECT_EQ(got.size(), data.size());
    EXPECT_TRUE(got == data);
}

TEST(SocketIO, RawReadlineStopsAtTheNewline) {
    Connection c;
    make_socketpair(c);
    Stream b = socket_io(c.b, "rb");
    ASSERT_EQ(::send(c.a, "one\ntwo\n", 8, 0), 8);
    EXPECT_EQ(readline_str(b.get()), "one\n");
    // Nothing past the newline was consumed.
    char buf[16];
    EXPECT_EQ(::recv(c.b, buf, sizeof buf, 0), 4);
}

TEST(SocketIO, NonBlockingReadWithNothingThereWouldBlock) {
    Connection c;
    make_socketpair(c);
    set_nonblocking(c.b);
    Stream b = socket_io(c.b, "rb");
    char* out = reinterpret_cast<char*>(1);
    EXPECT_EQ(pyio_read(b.get(), 10, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
    char buf[4];
    EXPECT_EQ(pyio_readinto(b.get(), buf, sizeof buf), PYIO_WOULD_BLOCK);
    EXPECT_EQ(pyio_readall(b.get(), &out), PYIO_WOULD_BLOCK);
    // Data that arrives later is read normally; readall returns it when the
    // socket would block again.
    ASSERT_EQ(::send(c.a, "late", 4, 0), 4);
    EXPECT_EQ(readall_str(b.get()), "late");
}

TEST(SocketIO, AnEmptyReadIsZeroWithoutAskingTheSocket) {
    // python3: socket.recv_into() of 0 bytes returns 0 without a system
    // call, so SocketIO.readinto(bytearray(0)) and read(0) on a
    // non-blocking socket with nothing there are 0 and b"", not None.
    Connection c;
    make_socketpair(c);
    set_nonblocking(c.b);
    Stream b = socket_io(c.b, "rb");
    char buf[1];
    EXPECT_EQ(pyio_readinto(b.get(), buf, 0), 0);
    char* out = nullptr;
    EXPECT_EQ(pyio_read(b.get(), 0, &out), 0);
    pyio_free(out);
    // Closed and capability checks still come first.
    Stream w = socket_io(c.b, "wb");
    EXPECT_EQ(pyio_readinto(w.get(), buf, 0), -1);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
}

TEST(SocketIO, NonBlockingWriteToAFullSocketWouldBlock) {
    Connection c;
    make_socketpair(c);
    set_nonblocking(c.a);
    Stream a = socket_io(c.a, "wb");
    std::string chunk(64 * 1024, 'z');
    int64_t total = 0, n;
    while ((n = pyio_write(a.get(), chunk.data(), static_cast<int64_t>(chunk.size()))) > 0) {
        total += n;
        ASSERT_LT(total, int64_t{1} << 30) << "the socket never filled";
    }
    EXPECT_EQ(n, PYIO_WOULD_BLOCK) << pyio_error_message();
    EXPECT_GT(total, 0);
}

TEST(SocketIO, ReceiveTimeoutWouldBlock) {
    Connection c;
    make_socketpair(c);
    timeval tv{0, 50 * 1000};
    ASSERT_EQ(::setsockopt(c.b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    Stream b = socket_io(c.b, "rb");
    auto start = std::chrono::steady_clock::now();
    char buf[4];
    EXPECT_EQ(pyio_readinto(b.get(), buf, sizeof buf), PYIO_WOULD_BLOCK);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(40));
    // The stream stays usable after a timeout.
    ASSERT_EQ(::send(c.a, "ok", 2, 0), 2);
    EXPECT_EQ(read_str(b.get(), 10), "ok");
}

TEST(SocketIO, WriteAfterThePeerClosedIsEPIPENotSIGPIPE) {
    Connection c;
    make_socketpair(c);
    Stream a = socket_io(c.a, "wb");
    DefaultSigpipe sigpipe;
    ::close(c.give_b());
    EXPECT_EQ(write_str(a.get(), "into the void"), -1);
    expect_errno(EPIPE);
    EXPECT_EQ(pyio_error_filename(), nullptr);
}

TEST(SocketIO, WriteAfterOwnShutdownOnTcpIsEPIPE) {
    Connection c;
    make_tcp(c);
    Stream a = socket_io(c.a, "wb");
    DefaultSigpipe sigpipe;
    ASSERT_EQ(::shutdown(c.a, SHUT_WR), 0);
    EXPECT_EQ(write_str(a.get(), "x"), -1);
    expect_errno(EPIPE);
}

TEST(SocketIO, RawBothWaysOverTcp) {
    Connection c;
    make_tcp(c);
    Stream a = socket_io(c.a, "rwb");
    Stream b = socket_io(c.b, "rw");
    write_all(a.get(), "ping");
    EXPECT_EQ(read_str(b.get(), 4), "ping");
    write_all(b.get(), "pong");
    EXPECT_EQ(read_str(a.get(), 4), "pong");
}

// ---- under the buffered layer ----

TEST(SocketIO, BufferedWriterAndReaderOverTcp) {
    Connection c;
    make_tcp(c);
    Stream raw_w = socket_io(c.a, "wb");
    Stream raw_r = socket_io(c.b, "rb");
    Stream w(pyio_bufferedwriter_new(raw_w.get(), PYIO_NONE));
    Stream r(pyio_bufferedreader_new(raw_r.get(), 4096));
    ASSERT_TRUE(w && r) << pyio_error_message();
    ASSERT_EQ(write_str(w.get(), "first line\nsecond"), 17);
    ASSERT_EQ(write_str(w.get(), " line\n"), 6);
    // Nothing reaches the socket before the flush.
    char probe;
    EXPECT_EQ(::recv(c.b, &probe, 1, MSG_DONTWAIT), -1);
    ASSERT_EQ(pyio_flush(w.get()), 0);
    EXPECT_EQ(readline_str(r.get()), "first line\n");
    EXPECT_EQ(readline_str(r.get()), "second line\n");
}

TEST(SocketIO, BufferedReadCollectsAcrossShortRecvsUntilEOF) {
    Connection c;
    make_socketpair(c);
    Stream raw = socket_io(c.b, "rb");
    Stream r(pyio_bufferedreader_new(raw.get(), 8));
    std::string data = pattern(100000);
    std::thread writer([&] {
        for (size_t i = 0; i < data.size(); i += 7000) {
            size_t n = std::min<size_t>(7000, data.size() - i);
            ASSERT_EQ(::send(c.a, data.data() + i, n, 0), static_cast<ssize_t>(n));
        }
        ::shutdown(c.a, SHUT_WR);
    });
    // A buffered read(n) returns n bytes unless EOF comes first.
    std::string first = read_str(r.get(), 50000);
    std::string rest = read_str(r.get(), 60000);
    writer.join();
    EXPECT_EQ(first.size(), 50000u);
    EXPECT_EQ(rest.size(), 50000u);
    EXPECT_TRUE(first + rest == data);
    EXPECT_EQ(read_str(r.get(), 10), "");
}

TEST(SocketIO, BufferedReaderOnANonBlockingSocketWouldBlock) {
    Connection c;
    make_socketpair(c);
    set_nonblocking(c.b);
    Stream raw = socket_io(c.b, "rb");
    Stream r(pyio_bufferedreader_new(raw.get(), PYIO_NONE));
    char* out = nullptr;
    EXPECT_EQ(pyio_read(r.get(), 10, &out), PYIO_WOULD_BLOCK);
    EXPECT_EQ(out, nullptr);
}

TEST(SocketIO, BufferedWriterFlushAfterThePeerClosedIsEPIPE) {
    Connection c;
    make_socketpair(c);
    Stream raw = socket_io(c.a, "wb");
    Stream w(pyio_bufferedwriter_new(raw.get(), PYIO_NONE));
    ASSERT_EQ(write_str(w.get(), "pending"), 7);
    DefaultSigpipe sigpipe;
    ::close(c.give_b());
    EXPECT_EQ(pyio_flush(w.get()), -1);
    expect_errno(EPIPE);
}

TEST(SocketIO, BufferedRWPairOverOneReadWriteSocketAsMakefileDoes) {
    Connection c;
    make_tcp(c);
    // socket.makefile('rwb') is BufferedRWPair(raw, raw) over one SocketIO.
    int fd_a = c.give_a(), fd_b = c.give_b();
    Stream raw_a = socket_io(fd_a, "rwb", 1);
    Stream raw_b = socket_io(fd_b, "rwb", 1);
    Stream a(pyio_bufferedrwpair_new(raw_a.get(), raw_a.get(), PYIO_NONE));
    Stream b(pyio_bufferedrwpair_new(raw_b.get(), raw_b.get(), PYIO_NONE));
    ASSERT_TRUE(a && b) << pyio_error_message();
    EXPECT_EQ(pyio_isinstance(a.get(), PYIO_CLASS_BUFFEREDRWPAIR), 1);

    ASSERT_EQ(write_str(a.get(), "ping\n"), 5);
    ASSERT_EQ(pyio_flush(a.get()), 0);
    EXPECT_EQ(readline_str(b.get()), "ping\n");
    ASSERT_EQ(write_str(b.get(), "pong\n"), 5);
    ASSERT_EQ(pyio_flush(b.get()), 0);
    EXPECT_EQ(readline_str(a.get()), "pong\n");

    ASSERT_EQ(pyio_close(a.get()), 0);
    EXPECT_EQ(pyio_closed(raw_a.get()), 1);
    EXPECT_FALSE(fd_is_open(fd_a));
    // The peer sees EOF once the closing side's descriptor is gone.
    EXPECT_EQ(read_str(b.get(), 10), "");
}

TEST(SocketIO, BufferedRWPairOverSeparateReaderAndWriterOnASocketpair) {
    Connection c;
    make_socketpair(c);
    Stream reader = socket_io(c.a, "r");
    Stream writer = socket_io(c.a, "w");
    Stream pair(pyio_bufferedrwpair_new(reader.get(), writer.get(), 16));
    ASSERT_TRUE(pair) << pyio_error_message();
    std::string data = pattern(1000);
    ASSERT_EQ(write_str(pair.get(), data), 1000);
    ASSERT_EQ(pyio_flush(pair.get()), 0);
    char buf[2000];
    size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::recv(c.b, buf + got, sizeof buf - got, 0);
        ASSERT_GT(n, 0);
        got += static_cast<size_t>(n);
    }
    EXPECT_EQ(std::string(buf, got), data);
    ASSERT_EQ(::send(c.b, "reply", 5, 0), 5);
    EXPECT_EQ(read_str(pair.get(), 5), "reply");
}

TEST(SocketIO, BufferedRWPairRefusesAWriteOnlyReader) {
    Connection c;
    make_socketpair(c);
    Stream w = socket_io(c.a, "wb");
    EXPECT_EQ(pyio_bufferedrwpair_new(w.get(), w.get(), PYIO_NONE), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not readable.");
}

TEST(SocketIO, BufferedRandomRefusesASocket) {
    Connection c;
    make_socketpair(c);
    Stream s = socket_io(c.a, "rwb");
    EXPECT_EQ(pyio_bufferedrandom_new(s.get(), PYIO_NONE), nullptr);
    EXPECT_PYIO_ERROR(PYIO_ERR_UNSUPPORTED_OPERATION, "File or stream is not seekable.");
}
