// Bytes: the owned byte string the layers return from read(), readline() and
// friends.
//
// It is malloc-backed (not std::string) for two reasons: the C API hands the
// memory to the caller without copying (release() + pyio_free), and growing
// it does not zero-fill, which matters when read(n) sizes a buffer for a
// system call that overwrites it anyway.
//
// Invariants: size_ <= capacity_; when data_ is not null it has room for
// capacity_ + 1 bytes, so release() can always NUL-terminate in place.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

#include "error.h"

namespace pyio {

class Bytes {
public:
    Bytes() = default;
    explicit Bytes(std::string_view s) { append(s.data(), s.size()); }
    Bytes(const Bytes&) = delete;
    Bytes& operator=(const Bytes&) = delete;
    Bytes(Bytes&& o) noexcept
        : data_(std::exchange(o.data_, nullptr)),
          size_(std::exchange(o.size_, 0)),
          capacity_(std::exchange(o.capacity_, 0)) {}
    Bytes& operator=(Bytes&& o) noexcept {
        if (this != &o) {
            std::free(data_);
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            capacity_ = std::exchange(o.capacity_, 0);
        }
        return *this;
    }
    ~Bytes() { std::free(data_); }

    char* data() noexcept { return data_; }
    const char* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    size_t capacity() const noexcept { return capacity_; }
    std::string_view view() const noexcept { return {data_ ? data_ : "", size_}; }
    char back() const noexcept { return data_[size_ - 1]; }

    // CPython's largest bytes object: PY_SSIZE_T_MAX less the object's
    // header and NUL (PyBytesObject_SIZE, 33 bytes on 64-bit builds).
    static constexpr size_t kMaxSize = static_cast<size_t>(INT64_MAX) - 33;

    // Makes room for at least n bytes in all; throws std::bad_alloc, or
    // OverflowError("byte string is too large") past kMaxSize, as
    // PyBytes_FromStringAndSize does (BufferedReader.read(2**63 - 1)).
    void reserve(size_t n) {
        if (data_ && n <= capacity_) return;
        if (n > kMaxSize) throw overflow_error("byte string is too large");
        void* p = std::realloc(data_, n + 1);
        if (!p) throw std::bad_alloc();
        data_ = static_cast<char*>(p);
        capacity_ = n;
    }
    // Sets the size; new bytes are uninitialised (the caller fills them).
    void resize_uninitialized(size_t n) {
        reserve(n);
        size_ = n;
    }
    void append(const void* p, size_t n) {
        if (n == 0) return;
        if (size_ + n > capacity_) reserve(std::max(size_ + n, capacity_ + capacity_ / 2));
        std::memcpy(data_ + size_, p, n);
        size_ += n;
    }
    void push_back(char c) { append(&c, 1); }
    // Empties it, keeping the storage for reuse.
    void clear() noexcept { size_ = 0; }
    // Gives back memory a generous reservation no longer needs.
    void shrink_to_fit() noexcept {
        if (capacity_ - size_ < 4096 || !data_) return;
        if (void* p = std::realloc(data_, size_ + 1)) {
            data_ = static_cast<char*>(p);
            capacity_ = size_;
        }
    }

    // Hands the NUL-terminated storage to the caller (to be free()d); the
    // Bytes is empty afterwards.  An empty Bytes still yields a valid "".
    char* release() {
        if (!data_) reserve(0);
        data_[size_] = '\0';
        size_ = capacity_ = 0;
        return std::exchange(data_, nullptr);
    }

private:
    // No transparent huge pages for large strings (madvise MADV_HUGEPAGE):
    // measured on a 128 MiB read-all, they made a warm process 1.6x faster
    // but a fresh one anywhere from 5x slower to 1.4x faster, as the
    // kernel compacts memory for them on the spot (defrag=madvise, Debian's
    // default) -- a gamble a library should not take for its callers.
    char* data_ = nullptr;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

}  // namespace pyio
