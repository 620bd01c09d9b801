#include "socketio.h"

#include "fdio.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <utility>

namespace pyio {

// Invariant: fd_ is the socket from construction until close(), -1 after.

namespace {

// socket.SocketIO's own message for the capability queries; everything else
// goes through IOBase._checkClosed and says "closed file".
constexpr const char* kClosedSocket = "I/O operation on closed socket.";

}  // namespace

SocketIO::SocketIO(int fd, std::string_view mode, bool closefd) : fd_(-1), closefd_(closefd) {
    // Python checks the mode against this exact list, so "br" and "wr" are
    // invalid although they name the same thing.
    static constexpr std::string_view kModes[] = {"r", "w", "rw", "rb", "wb", "rwb"};
    if (std::find(std::begin(kModes), std::end(kModes), mode) == std::end(kModes))
        throw value_error("invalid mode: " + repr(mode));
    // What socket.socket(fileno=fd) checks before a SocketIO could exist.
    if (fd < 0) throw value_error("negative file descriptor");
    int type;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) throw os_error(errno);
    fd_ = fd;
    mode_ = std::string(mode);
    if (mode_.find('b') == std::string::npos) mode_ += 'b';
    reading_ = mode_.find('r') != std::string::npos;
    writing_ = mode_.find('w') != std::string::npos;
    name_.is_fd = true;
    name_.fd = fd;
}

void SocketIO::check_socket_open() const {
    if (closed()) throw value_error(kClosedSocket);
}

void SocketIO::close() {
    if (closed()) return;
    run_all([&] { RawIOBase::close(); },
            [&] {
                int fd = std::exchange(fd_, -1);
                name_.fd = -1;
                // Not retried on EINTR, as FileIO's close: the descriptor is gone by then.
                if (closefd_ && fd >= 0 && ::close(fd) < 0) throw os_error(errno);
            });
}

bool SocketIO::readable() {
    check_socket_open();
    return reading_;
}

bool SocketIO::writable() {
    check_socket_open();
    return writing_;
}

bool SocketIO::seekable() {
    check_socket_open();
    return false;
}

int SocketIO::fileno() {
    check_closed();
    return fd_;
}

std::optional<size_t> SocketIO::readinto(std::span<char> buffer) {
    check_closed();
    check_readable();
    // Python's recv_into() asks the socket nothing for 0 bytes: recv(2)
    // of 0 on an empty non-blocking socket would say "would block".
    if (buffer.empty()) return 0;
    return transfer(
        [&] { return ::recv(fd_, buffer.data(), transfer_size(buffer.size()), 0); });
}

std::optional<size_t> SocketIO::write(std::span<const char> data) {
    check_closed();
    check_writable();
    // MSG_NOSIGNAL: a closed peer is OSError EPIPE, not a SIGPIPE that kills the program.
    return transfer(
        [&] { return ::send(fd_, data.data(), transfer_size(data.size()), MSG_NOSIGNAL); });
}

}  // namespace pyio
