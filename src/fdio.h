// The one way the raw streams over descriptors (FileIO, SocketIO) make a
// data-transfer system call, so that EINTR, "would block" and the per-call
// size limit are handled identically everywhere.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <optional>

#include "error.h"
#include "iobase.h"

namespace pyio {

// How much one read/write/recv/send is asked to move: never more than Linux
// transfers in one call (kMaxRawTransfer).
inline size_t transfer_size(size_t wanted) {
    return std::min(wanted, static_cast<size_t>(kMaxRawTransfer));
}

// Runs `call` (returning ssize_t with errno set on failure), retrying EINTR.
// nullopt when a non-blocking descriptor would block; OSError otherwise.
template <class Call>
std::optional<size_t> transfer(Call&& call) {
    ssize_t n;
    do n = call();
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
        throw os_error(errno);
    }
    return static_cast<size_t>(n);
}

}  // namespace pyio
