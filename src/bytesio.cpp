#include "bytesio.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

namespace pyio {

namespace {

constexpr const char* kExportsResize = "Existing exports of data: object cannot be re-sized";

using Lock = std::lock_guard<std::mutex>;

}  // namespace

BytesIO::BytesIO(std::string_view initial) : buf_(initial) {}

// Every public method takes the lock, then checks closed.  closed() itself
// reads an atomic flag and needs no lock.

bool BytesIO::closed() const { return IOBase::closed(); }

void BytesIO::close() {
    Lock lock(mu_);
    if (exports_ > 0) throw buffer_error(kExportsResize);
    mark_closed();
    // Python frees the buffer on close; getvalue() afterwards is an error.
    std::string().swap(buf_);
}

void BytesIO::flush() {
    Lock lock(mu_);
    check_closed();
}

bool BytesIO::readable() {
    Lock lock(mu_);
    check_closed();
    return true;
}

bool BytesIO::writable() {
    Lock lock(mu_);
    check_closed();
    return true;
}

bool BytesIO::seekable() {
    Lock lock(mu_);
    check_closed();
    return true;
}

bool BytesIO::isatty() {
    Lock lock(mu_);
    check_closed();
    return false;
}

int64_t BytesIO::seek(int64_t pos, int whence) {
    Lock lock(mu_);
    check_closed();
    switch (whence) {
    case 0:
        if (pos < 0) throw value_error("negative seek value " + std::to_string(pos));
        break;
    case 1:
    case 2: {
        // Relative seeks clamp at 0, as CPython's do.
        int64_t base = whence == 1 ? pos_ : static_cast<int64_t>(buf_.size());
        if (pos > 0 && base > std::numeric_limits<int64_t>::max() - pos)
            throw overflow_error("new position too large");
        pos = std::max<int64_t>(0, base + pos);
        break;
    }
    default:
        throw value_error("invalid whence (" + std::to_string(whence) + ", should be 0, 1 or 2)");
    }
    pos_ = pos;
    return pos_;
}

int64_t BytesIO::tell() {
    Lock lock(mu_);
    check_closed();
    return pos_;
}

int64_t BytesIO::truncate(std::optional<int64_t> size) {
    Lock lock(mu_);
    check_closed();
    if (exports_ > 0) throw buffer_error(kExportsResize);
    int64_t n = size.value_or(pos_);
    if (n < 0) throw value_error("negative size value " + std::to_string(n));
    // Truncating never extends a BytesIO, and the position stays put.
    if (static_cast<uint64_t>(n) < buf_.size()) buf_.resize(static_cast<size_t>(n));
    return n;
}

// ---- reading ----

std::optional<Bytes> BytesIO::read(int64_t size) {
    Lock lock(mu_);
    check_closed();
    int64_t avail = std::max<int64_t>(0, static_cast<int64_t>(buf_.size()) - pos_);
    int64_t n = size < 0 ? avail : std::min(size, avail);
    Bytes out;
    out.append(buf_.data() + pos_, static_cast<size_t>(n));
    pos_ += n;
    return out;
}

std::optional<Bytes> BytesIO::read1(int64_t size) { return read(size); }

std::optional<size_t> BytesIO::readinto(std::span<char> buffer) {
    Lock lock(mu_);
    check_closed();
    int64_t avail = std::max<int64_t>(0, static_cast<int64_t>(buf_.size()) - pos_);
    size_t n = static_cast<size_t>(std::min<int64_t>(avail, static_cast<int64_t>(buffer.size())));
    if (n) std::memcpy(buffer.data(), buf_.data() + pos_, n);
    pos_ += static_cast<int64_t>(n);
    return n;
}

std::optional<size_t> BytesIO::readinto1(std::span<char> buffer) { return readinto(buffer); }

std::optional<Bytes> BytesIO::readline(int64_t limit) {
    Lock lock(mu_);
    check_closed();
    Bytes line;
    if (pos_ >= static_cast<int64_t>(buf_.size())) return line;
    std::string_view rest(buf_.data() + pos_, buf_.size() - static_cast<size_t>(pos_));
    if (limit >= 0 && static_cast<uint64_t>(limit) < rest.size())
        rest = rest.substr(0, static_cast<size_t>(limit));
    size_t nl = rest.find('\n');
    size_t n = nl == std::string_view::npos ? rest.size() : nl + 1;
    line.append(rest.data(), n);
    pos_ += static_cast<int64_t>(n);
    return line;
}

std::vector<Bytes> BytesIO::readlines(int64_t hint) {
    // CPython's BytesIO stops once the total reaches the hint (readlines(2)
    // of b"a\nbb\n" is [b"a\n"]); its IOBase only once the total exceeds
    // it.  Each line takes the lock.
    return collect_lines(hint, HintStop::Reached);
}

// ---- writing ----

std::optional<size_t> BytesIO::write(std::span<const char> data) {
    Lock lock(mu_);
    check_closed();
    if (exports_ > 0) throw buffer_error(kExportsResize);
    if (data.empty()) return 0;
    uint64_t end = static_cast<uint64_t>(pos_) + data.size();
    // Python refuses a size past PY_SSIZE_T_MAX with OverflowError, and
    // answers a size it cannot allocate with MemoryError.
    if (end > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw overflow_error("new buffer size too large");
    if (end > buf_.max_size()) throw std::bad_alloc();
    // Writing past the end zero-fills the gap (resize does).
    if (end > buf_.size()) buf_.resize(static_cast<size_t>(end));
    std::memcpy(buf_.data() + pos_, data.data(), data.size());
    pos_ = static_cast<int64_t>(end);
    return data.size();
}

void BytesIO::writelines(std::span<const std::string_view> lines) {
    // IOBase::writelines over this class's write; each write takes the lock.
    IOBase::writelines(lines);
}

// ---- contents ----

Bytes BytesIO::getvalue() {
    Lock lock(mu_);
    check_closed();
    return Bytes(buf_);
}

std::span<char> BytesIO::getbuffer() {
    Lock lock(mu_);
    check_closed();
    // A view holds a reference, as a memoryview keeps its BytesIO alive: the
    // view must stay valid until releasebuffer() even if the caller drops
    // its own reference first (that used to free the storage under it).
    incref();
    ++exports_;
    return {buf_.data(), buf_.size()};
}

void BytesIO::releasebuffer() {
    {
        Lock lock(mu_);
        if (exports_ == 0) throw buffer_error("no buffer exported by getbuffer() to release");
        --exports_;
    }
    // The view's reference; it may be the last, so nothing touches *this after.
    decref();
}

}  // namespace pyio
