// SocketIO: the raw stream over a connected socket, with the semantics of
// Python's socket.SocketIO (the raw object socket.makefile() buffers) -- the
// third raw stream PEP 3116 names, beside FileIO.
//
// Python's SocketIO wraps a socket object, which owns the descriptor; here it
// wraps the descriptor itself, and `closefd` says whether closing the stream
// closes it (Python's socket closes once its last makefile() user is gone).
#pragma once

#include <string>
#include <string_view>

#include "iobase.h"

namespace pyio {

class SocketIO : public RawIOBase {
public:
    // SocketIO(sock, mode).  `mode` is one of "r", "w", "rw", "rb", "wb",
    // "rwb" (ValueError "invalid mode: 'x'" otherwise) and reads back with the
    // 'b' added, as in Python.  `fd` must be an open socket: ValueError for a
    // negative one and OSError (EBADF, ENOTSOCK) otherwise, as
    // socket.socket(fileno=fd) reports.  A failed construction leaves fd open.
    SocketIO(int fd, std::string_view mode, bool closefd);
    const char* type_name() const noexcept override { return "SocketIO"; }

    // Closes the descriptor if closefd.
    void close() override;
    // These three say "I/O operation on closed socket." when closed; the
    // other methods say "... closed file.", as Python's do.
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    int fileno() override;

    // One recv(2): 0 at orderly shutdown; nullopt when the socket would block
    // (non-blocking, or a SO_RCVTIMEO timeout, which also says EAGAIN).  An
    // empty buffer is 0 without a recv, as Python's recv_into().
    std::optional<size_t> readinto(std::span<char> buffer) override;
    // One send(2) with MSG_NOSIGNAL: a closed peer is OSError EPIPE, never
    // SIGPIPE.  nullopt when the socket would block.
    std::optional<size_t> write(std::span<const char> data) override;

    // The descriptor while open, -1 once closed (Python's name is fileno()).
    const StreamName& name() override { return name_; }
    const std::string& mode() override { return mode_; }
    bool closefd() const noexcept { return closefd_; }

private:
    // ValueError("I/O operation on closed socket.") when closed.
    void check_socket_open() const;

    int fd_;
    bool closefd_;
    bool reading_ = false, writing_ = false;
    StreamName name_;
    std::string mode_;
};

}  // namespace pyio
