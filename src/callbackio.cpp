#include "callbackio.h"

#include <exception>
#include <string>

namespace pyio {

namespace {

// Calls a callback with a clean error record, so that a failure can tell an
// error the callback recorded from one it did not.
template <class F>
auto call(F&& callback) {
    clear_error();
    return callback();
}

// A predicate callback's answer: 1/0, or -1 with a recorded error.
bool truth(int result, std::string_view what) {
    if (result < 0) raise_from_record(what);
    return result != 0;
}

// A count callback's answer checked against what was asked, with the message
// CPython's buffered layer uses for a raw stream that misreports.
std::optional<size_t> count(int64_t n, size_t asked, std::string_view what) {
    if (n == PYIO_WOULD_BLOCK) return std::nullopt;
    if (n == -1) raise_from_record(what);
    if (n < 0 || static_cast<uint64_t>(n) > asked) {
        throw os_error_message("raw " + std::string(what) + "() returned invalid length " +
                               std::to_string(n) + " (should have been between 0 and " +
                               std::to_string(asked) + ")");
    }
    return static_cast<size_t>(n);
}

int64_t position(int64_t pos, std::string_view what) {
    if (pos < 0) raise_from_record(what);
    return pos;
}

}  // namespace

CallbackRawIO::CallbackRawIO(const pyio_rawio_callbacks& callbacks, void* context, const char* name)
    : cb_(callbacks), context_(context), has_name_(name != nullptr) {
    if (name) name_.path = name;
}

CallbackRawIO::~CallbackRawIO() {
    if (cb_.destroy) cb_.destroy(context_);
}

bool CallbackRawIO::closed() const {
    if (!cb_.closed) return IOBase::closed();
    return truth(call([&] { return cb_.closed(context_); }), "closed");
}

void CallbackRawIO::close() {
    if (closed()) return;
    auto close_callback = [&] {
        if (cb_.close && call([&] { return cb_.close(context_); }) < 0) raise_from_record("close");
    };
    // Callbacks that keep their own state close themselves, flush included,
    // as a Python object's close() does.
    if (cb_.closed) return close_callback();
    // Python's order: flush (IOBase.close), then the stream's own close.  The
    // stream is closed afterwards whatever failed; as CPython's FileIO, a
    // failing close hides a failing flush.
    std::exception_ptr flush_error;
    try {
        RawIOBase::close();
    } catch (...) {
        flush_error = std::current_exception();
    }
    close_callback();
    if (flush_error) std::rethrow_exception(flush_error);
}

void CallbackRawIO::flush() {
    check_closed();
    if (cb_.flush && call([&] { return cb_.flush(context_); }) < 0) raise_from_record("flush");
}

bool CallbackRawIO::readable() {
    check_closed();
    if (!cb_.readable) return cb_.readinto != nullptr;
    return truth(call([&] { return cb_.readable(context_); }), "readable");
}

bool CallbackRawIO::writable() {
    check_closed();
    if (!cb_.writable) return cb_.write != nullptr;
    return truth(call([&] { return cb_.writable(context_); }), "writable");
}

bool CallbackRawIO::seekable() {
    check_closed();
    if (!cb_.seekable) return cb_.seek != nullptr;
    return truth(call([&] { return cb_.seekable(context_); }), "seekable");
}

bool CallbackRawIO::isatty() {
    check_closed();
    if (!cb_.isatty) return false;
    return truth(call([&] { return cb_.isatty(context_); }), "isatty");
}

// Without a callback, fileno, seek, tell and truncate are IOBase's defaults,
// which are unsupported whether or not the stream is closed.

int CallbackRawIO::fileno() {
    if (!cb_.fileno) throw unsupported_operation("fileno");
    check_closed();
    int fd = call([&] { return cb_.fileno(context_); });
    if (fd < 0) raise_from_record("fileno");
    return fd;
}

int64_t CallbackRawIO::seek(int64_t pos, int whence) {
    if (!cb_.seek) throw unsupported_operation("seek");
    check_closed();
    return position(call([&] { return cb_.seek(context_, pos, whence); }), "seek");
}

int64_t CallbackRawIO::tell() {
    if (!cb_.tell) return seek(0, 1);
    check_closed();
    return position(call([&] { return cb_.tell(context_); }), "tell");
}

int64_t CallbackRawIO::truncate(std::optional<int64_t> size) {
    if (!cb_.truncate) throw unsupported_operation("truncate");
    check_closed();
    int64_t n = size ? *size : tell();
    return position(call([&] { return cb_.truncate(context_, n); }), "truncate");
}

std::optional<size_t> CallbackRawIO::readinto(std::span<char> buffer) {
    check_closed();
    if (!cb_.readinto) throw unsupported_operation(kNotReadable);
    int64_t size = static_cast<int64_t>(std::min<size_t>(buffer.size(), kMaxRawTransfer));
    return count(call([&] { return cb_.readinto(context_, buffer.data(), size); }),
                 static_cast<size_t>(size), "readinto");
}

std::optional<size_t> CallbackRawIO::write(std::span<const char> data) {
    check_closed();
    if (!cb_.write) throw unsupported_operation(kNotWritable);
    int64_t size = static_cast<int64_t>(std::min<size_t>(data.size(), kMaxRawTransfer));
    return count(call([&] { return cb_.write(context_, data.data(), size); }),
                 static_cast<size_t>(size), "write");
}

const StreamName& CallbackRawIO::name() {
    if (!has_name_) no_attribute("name");
    return name_;
}

}  // namespace pyio
