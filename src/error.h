// Errors inside libpyio: one exception type carrying what Python's exception
// would carry, and the thread-local error record the C API exposes.
//
// Inside the library every failure is a thrown pyio::Error.  At the C
// boundary exactly one function, record_current_exception(), turns whatever
// was thrown into the thread-local record (capi/guard.h calls it).  Callbacks
// supplied by C callers travel the other way: they fill the record, and
// raise_from_record() turns it back into an Error so that it unwinds through
// the C++ layers like any other failure.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace pyio {

// The values are those of the C enum pyio_errkind (capi static_asserts it).
enum class ErrorKind : int {
    None = 0,
    OSError = 1,
    BlockingIOError = 2,
    UnsupportedOperation = 3,
    ValueError = 4,
    UnicodeDecodeError = 5,
    UnicodeEncodeError = 6,
    LookupError = 7,
    TypeError = 8,
    AttributeError = 9,
    RuntimeError = 10,
    MemoryError = 11,
    BufferError = 12,
    OverflowError = 13,
    UnicodeError = 14,
};
inline constexpr int kErrorKindCount = 15;

// Python's class name for a kind; "Unknown" out of range.
const char* kind_name(int kind) noexcept;
// Whether an exception of class `kind` is an instance of class `base`.
bool kind_matches(ErrorKind kind, ErrorKind base) noexcept;

// Everything an error reports.  Fields beyond kind and message are meaningful
// only for the kinds named beside them.
struct ErrorInfo {
    ErrorKind kind = ErrorKind::None;
    std::string message;
    int errnum = 0;                         // OSError, BlockingIOError
    std::optional<std::string> filename;    // OSError
    int64_t characters_written = 0;         // BlockingIOError
    std::string encoding;                   // Unicode*Error
    int64_t start = 0, end = 0;             // Unicode*Error
    std::string reason;                     // Unicode*Error
};

class Error : public std::exception {
public:
    explicit Error(ErrorInfo info) : info_(std::move(info)) {}
    Error(ErrorKind kind, std::string message);
    const ErrorInfo& info() const noexcept { return info_; }
    ErrorKind kind() const noexcept { return info_.kind; }
    const char* what() const noexcept override { return info_.message.c_str(); }

private:
    ErrorInfo info_;
};

// Constructors for the errors the layers raise, named after Python's classes.
Error value_error(std::string message);
Error type_error(std::string message);
Error attribute_error(std::string message);
Error runtime_error(std::string message);
Error buffer_error(std::string message);
Error overflow_error(std::string message);
Error unicode_error(std::string message);  // UnicodeError itself (not a subclass)
Error unsupported_operation(std::string message);
// OSError for errnum, with Python's message "[Errno N] strerror[: 'filename']".
Error os_error(int errnum, std::optional<std::string_view> filename = std::nullopt);
// OSError with a message and no errno (Python's OSError("message")).
Error os_error_message(std::string message);
// BlockingIOError with the count of what was written before blocking.
Error blocking_io_error(int errnum, int64_t characters_written);
// The same with Python's own message in place of strerror ("[Errno 11] write
// could not complete without blocking").
Error blocking_io_error(int errnum, int64_t characters_written, std::string_view message);

// The messages CPython uses for the common misuses, in one place.
inline constexpr const char* kClosedFile = "I/O operation on closed file.";
inline constexpr const char* kNotReadable = "File or stream is not readable.";
inline constexpr const char* kNotWritable = "File or stream is not writable.";
inline constexpr const char* kNotSeekable = "File or stream is not seekable.";

// Runs every step even when an earlier one throws, then rethrows the first
// failure: a close() must release everything it holds whatever failed first.
template <class... Steps>
void run_all(Steps&&... steps) {
    std::exception_ptr first;
    auto run = [&first](auto& step) {
        try {
            step();
        } catch (...) {
            if (!first) first = std::current_exception();
        }
    };
    (run(steps), ...);
    if (first) std::rethrow_exception(first);
}

// ---- the thread-local record (what the C API's pyio_error_* read) ----

const ErrorInfo& last_error() noexcept;
void clear_error() noexcept;
void set_error(ErrorInfo info) noexcept;
// True if something was recorded since the last clear_error().
bool error_pending() noexcept;

// The one choke point: records the exception being handled (call only from a
// catch block).  pyio::Error is recorded as is; std::bad_alloc becomes
// MemoryError; anything else RuntimeError with its what().
void record_current_exception() noexcept;

// Throws the recorded error, or, if a callback failed without recording one,
// OSError(EIO) saying which callback it was.
[[noreturn]] void raise_from_record(std::string_view callback_name);

// repr() of a str argument as Python prints it ('rw', "it's", '\x00'): for
// messages that quote an argument with %r.  The bytes are decoded as
// os.fsdecode would.
std::string repr(std::string_view text);

}  // namespace pyio
