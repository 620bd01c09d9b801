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

void CallbackRawIO::before_call() const {
    if (!cb_.closed) check_closed();
}

void CallbackRawIO::flush() {
    if (!cb_.flush) return check_closed();
    before_call();
    if (call([&] { return cb_.flush(context_); }) < 0) raise_from_record("flush");
}

bool CallbackRawIO::predicate(int (*callback)(void*), bool otherwise, std::string_view what) {
    if (!callback) {
        check_closed();
        return otherwise;
    }
    before_call();
    return truth(call([&] { return callback(context_); }), what);
}

bool CallbackRawIO::readable() { return predicate(cb_.readable, cb_.readinto != nullptr, "readable"); }
bool CallbackRawIO::writable() { return predicate(cb_.writable, cb_.write != nullptr, "writable"); }
bool CallbackRawIO::seekable() { return predicate(cb_.seekable, cb_.seek != nullptr, "seekable"); }
bool CallbackRawIO::isatty() { return predicate(cb_.isatty, false, "isatty"); }

// Without a callback, fileno, seek, tell and truncate are IOBase's defaults,
// which are unsupported whether or not the stream is closed.

int CallbackRawIO::fileno() {
    if (!cb_.fileno) throw unsupported_operation("fileno");
    before_call();
    int fd = call([&] { return cb_.fileno(context_); });
    if (fd < 0) raise_from_record("fileno");
    return fd;
}

int64_t CallbackRawIO::seek(int64_t pos, int whence) {
    if (!cb_.seek) throw unsupported_operation("seek");
    before_call();
    return position(call([&] { return cb_.seek(context_, pos, whence); }), "seek");
}

int64_t CallbackRawIO::tell() {
    if (!cb_.tell) return seek(0, 1);
    before_call();
    return position(call([&] { return cb_.tell(context_); }), "tell");
}

int64_t CallbackRawIO::truncate(std::optional<int64_t> size) {
    if (!cb_.truncate) throw unsupported_operation("truncate");
    before_call();
    int64_t n = size ? *size : tell();
    return position(call([&] { return cb_.truncate(context_, n); }), "truncate");
}

std::optional<size_t> CallbackRawIO::readinto(std::span<char> buffer) {
    if (!cb_.readinto) {
        check_closed();
        throw unsupported_operation(kNotReadable);
    }
    before_call();
    int64_t size = static_cast<int64_t>(std::min<size_t>(buffer.size(), kMaxRawTransfer));
    return count(call([&] { return cb_.readinto(context_, buffer.data(), size); }),
                 static_cast<size_t>(size), "readinto");
}

std::optional<size_t> CallbackRawIO::write(std::span<const char> data) {
    if (!cb_.write) {
        check_closed();
        throw unsupported_operation(kNotWritable);
    }
    before_call();
    int64_t size = static_cast<int64_t>(std::min<size_t>(data.size(), kMaxRawTransfer));
    return count(call([&] { return cb_.write(context_, data.data(), size); }),
                 static_cast<size_t>(size), "write");
}

const StreamName& CallbackRawIO::name() {
    if (!has_name_) no_attribute("name");
    return name_;
}

}  // namespace pyio
