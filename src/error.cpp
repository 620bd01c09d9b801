#include "error.h"

#include <cerrno>
#include <cstring>
#include <new>

namespace pyio {

namespace {

constexpr const char* kKindNames[kErrorKindCount] = {
    "None",       "OSError",      "BlockingIOError", "UnsupportedOperation", "ValueError",
    "UnicodeDecodeError", "UnicodeEncodeError", "LookupError", "TypeError", "AttributeError",
    "RuntimeError", "MemoryError", "BufferError",    "OverflowError",
};

// The direct base of each class, as far as the kinds here go; None marks a
// root (Exception, which the C API does not name).
ErrorKind parent_of(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::BlockingIOError: return ErrorKind::OSError;
    case ErrorKind::UnicodeDecodeError:
    case ErrorKind::UnicodeEncodeError: return ErrorKind::ValueError;
    default: return ErrorKind::None;
    }
}

thread_local ErrorInfo t_record;

std::string strerror_text(int errnum) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be buf.
    return ::strerror_r(errnum, buf, sizeof buf);
}

}  // namespace

const char* kind_name(int kind) noexcept {
    return kind >= 0 && kind < kErrorKindCount ? kKindNames[kind] : "Unknown";
}

bool kind_matches(ErrorKind kind, ErrorKind base) noexcept {
    if (kind == ErrorKind::None || base == ErrorKind::None) return kind == base;
    // UnsupportedOperation is the one class with two bases: OSError and ValueError.
    if (kind == ErrorKind::UnsupportedOperation &&
        (base == ErrorKind::OSError || base == ErrorKind::ValueError))
        return true;
    for (ErrorKind k = kind; k != ErrorKind::None; k = parent_of(k))
        if (k == base) return true;
    return false;
}

Error::Error(ErrorKind kind, std::string message) {
    info_.kind = kind;
    info_.message = std::move(message);
}

Error value_error(std::string m) { return Error(ErrorKind::ValueError, std::move(m)); }
Error type_error(std::string m) { return Error(ErrorKind::TypeError, std::move(m)); }
Error attribute_error(std::string m) { return Error(ErrorKind::AttributeError, std::move(m)); }
Error runtime_error(std::string m) { return Error(ErrorKind::RuntimeError, std::move(m)); }
Error buffer_error(std::string m) { return Error(ErrorKind::BufferError, std::move(m)); }
Error overflow_error(std::string m) { return Error(ErrorKind::OverflowError, std::move(m)); }
Error unsupported_operation(std::string m) {
    return Error(ErrorKind::UnsupportedOperation, std::move(m));
}

Error os_error(int errnum, std::optional<std::string_view> filename) {
    ErrorInfo info;
    info.kind = ErrorKind::OSError;
    info.errnum = errnum;
    info.message = "[Errno " + std::to_string(errnum) + "] " + strerror_text(errnum);
    if (filename) {
        info.filename = std::string(*filename);
        info.message += ": '" + *info.filename + "'";
    }
    return Error(std::move(info));
}

Error os_error_message(std::string message) {
    return Error(ErrorKind::OSError, std::move(message));
}

Error blocking_io_error(int errnum, int64_t characters_written) {
    ErrorInfo info;
    info.kind = ErrorKind::BlockingIOError;
    info.errnum = errnum;
    info.characters_written = characters_written;
    info.message = "[Errno " + std::to_string(errnum) + "] " + strerror_text(errnum);
    return Error(std::move(info));
}

const ErrorInfo& last_error() noexcept { return t_record; }

void clear_error() noexcept {
    // Keep the strings' storage: clearing happens before every callback.
    t_record.kind = ErrorKind::None;
    t_record.message.clear();
    t_record.errnum = 0;
    t_record.filename.reset();
    t_record.characters_written = 0;
    t_record.encoding.clear();
    t_record.start = t_record.end = 0;
    t_record.reason.clear();
}

void set_error(ErrorInfo info) noexcept { t_record = std::move(info); }

bool error_pending() noexcept { return t_record.kind != ErrorKind::None; }

void record_current_exception() noexcept {
    try {
        throw;
    } catch (const Error& e) {
        try {
            t_record = e.info();
        } catch (...) {  // copying the strings ran out of memory
            clear_error();
            t_record.kind = ErrorKind::MemoryError;
        }
    } catch (const std::bad_alloc&) {
        clear_error();
        t_record.kind = ErrorKind::MemoryError;
    } catch (const std::exception& e) {
        clear_error();
        t_record.kind = ErrorKind::RuntimeError;
        try {
            t_record.message = e.what();
        } catch (...) {
        }
    } catch (...) {
        clear_error();
        t_record.kind = ErrorKind::RuntimeError;
        try {
            t_record.message = "unknown C++ exception";
        } catch (...) {
        }
    }
}

void raise_from_record(std::string_view callback_name) {
    if (error_pending()) throw Error(t_record);
    ErrorInfo info;
    info.kind = ErrorKind::OSError;
    info.errnum = EIO;
    info.message = "[Errno " + std::to_string(EIO) + "] " + strerror_text(EIO) + ": " +
                   std::string(callback_name) + " callback failed without setting an error";
    throw Error(std::move(info));
}

}  // namespace pyio
