#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

namespace pyio {

namespace {

constexpr const char* kKindNames[kErrorKindCount] = {
    "None",       "OSError",      "BlockingIOError", "UnsupportedOperation", "ValueError",
    "UnicodeDecodeError", "UnicodeEncodeError", "LookupError", "TypeError", "AttributeError",
    "RuntimeError", "MemoryError", "BufferError",    "OverflowError", "UnicodeError",
};

// The direct base of each class, as far as the kinds here go; None marks a
// root (Exception, which the C API does not name).
ErrorKind parent_of(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::BlockingIOError: return ErrorKind::OSError;
    case ErrorKind::UnicodeDecodeError:
    case ErrorKind::UnicodeEncodeError: return ErrorKind::UnicodeError;
    case ErrorKind::UnicodeError: return ErrorKind::ValueError;
    default: return ErrorKind::None;
    }
}

thread_local ErrorInfo t_record;

std::string strerror_text(int errnum) {
    char buf[256];
    // GNU strerror_r returns the message, which may or may not be buf.
    return ::strerror_r(errnum, buf, sizeof buf);
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i,
// or returns -1 (and advances by one byte) for a byte that starts no valid
// sequence.
int32_t next_code_point(std::string_view s, size_t& i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b = byte(i);
    int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return -1;
    }
    int32_t cp = len == 1 ? b : b & (0xff >> (len + 1));
    for (int k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) {
            ++i;
            return -1;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        ++i;
        return -1;
    }
    i += len;
    return cp;
}

// Python's str.isprintable() for the code points a file name plausibly holds:
// exact for Latin-1, and the spaces, format characters and private-use areas
// beyond it; other code points count as printable (no Unicode database here).
bool printable(int32_t cp) {
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad) return false;
    if ((cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
        (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff)
        return false;
    if ((cp >= 0xe000 && cp <= 0xf8ff) || cp >= 0xf0000) return false;
    return true;
}

// repr() of the file name as Python shows it in an OSError message: the
// bytes decoded as os.fsdecode does (UTF-8, undecodable bytes as the lone
// surrogates U+DC80..U+DCFF), quoted and escaped as str.__repr__ does.
std::string python_repr(std::string_view name) {
    bool has_single = name.find('\'') != std::string_view::npos;
    bool has_double = name.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    char hex[16];
    for (size_t i = 0; i < name.size();) {
        size_t start = i;
        int32_t cp = next_code_point(name, i);
        if (cp < 0) {  // surrogateescape
            std::snprintf(hex, sizeof hex, "\\udc%02x", static_cast<unsigned char>(name[start]));
            out += hex;
        } else if (cp == quote || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (printable(cp)) {
            out.append(name.substr(start, i - start));
        } else {
            std::snprintf(hex, sizeof hex, cp < 0x100 ? "\\x%02x" : cp < 0x10000 ? "\\u%04x" : "\\U%08x",
                          static_cast<unsigned>(cp));
            out += hex;
        }
    }
    out += quote;
    return out;
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
Error unicode_error(std::string m) { return Error(ErrorKind::UnicodeError, std::move(m)); }
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
        info.message += ": " + python_repr(*info.filename);
    }
    return Error(std::move(info));
}

Error os_error_message(std::string message) {
    return Error(ErrorKind::OSError, std::move(message));
}

Error blocking_io_error(int errnum, int64_t characters_written) {
    return blocking_io_error(errnum, characters_written, strerror_text(errnum));
}

Error blocking_io_error(int errnum, int64_t characters_written, std::string_view message) {
    ErrorInfo info;
    info.kind = ErrorKind::BlockingIOError;
    info.errnum = errnum;
    info.characters_written = characters_written;
    info.message = "[Errno " + std::to_string(errnum) + "] " + std::string(message);
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

std::string repr(std::string_view text) { return python_repr(text); }

}  // namespace pyio
