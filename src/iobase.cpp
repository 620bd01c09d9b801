#include "iobase.h"

#include "utf8.h"

#include <algorithm>
#include <cstring>

namespace pyio {

IOBase::~IOBase() { magic_ = 0; }

void IOBase::decref() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    // The finaliser.  close() may briefly take references to this object, so
    // hold one while it runs; if close left a reference behind (the object
    // was resurrected) it is not ours to delete.
    refs_.store(1, std::memory_order_relaxed);
    bool open;
    try {
        open = !closed();  // a detached buffered stream cannot say: nothing to close
    } catch (...) {
        open = false;
    }
    if (open) {
        // Errors are discarded, as Python's finaliser discards them, and the
        // caller's error record is left as it was.
        ErrorInfo saved = last_error();
        try {
            close();
        } catch (...) {
        }
        set_error(std::move(saved));
    }
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

void IOBase::check_closed() const {
    if (closed()) throw value_error(kClosedFile);
}

void IOBase::check_readable() {
    if (!readable()) throw unsupported_operation(kNotReadable);
}

void IOBase::check_writable() {
    if (!writable()) throw unsupported_operation(kNotWritable);
}

void IOBase::check_seekable() {
    if (!seekable()) throw unsupported_operation(kNotSeekable);
}

void IOBase::no_attribute(std::string_view attribute) const {
    throw attribute_error("'" + std::string(type_name()) + "' object has no attribute '" +
                          std::string(attribute) + "'");
}

void IOBase::close() {
    if (closed()) return;
    try {
        flush();
    } catch (...) {
        mark_closed();
        throw;
    }
    mark_closed();
}

void IOBase::flush() { check_closed(); }

bool IOBase::isatty() {
    check_closed();
    return false;
}

int IOBase::fileno() { throw unsupported_operation("fileno"); }

int64_t IOBase::seek(int64_t, int) { throw unsupported_operation("seek"); }

int64_t IOBase::tell() { return seek(0, 1); }

int64_t IOBase::truncate(std::optional<int64_t>) { throw unsupported_operation("truncate"); }

std::optional<Bytes> IOBase::readline(int64_t limit) {
    // Byte by byte, as Python's IOBase.readline does for a stream without
    // peek: a raw stream must not consume past the newline.
    Bytes line;
    readline_blocked_ = false;
    while (limit < 0 || line.size() < static_cast<uint64_t>(limit)) {
        std::optional<Bytes> b = read(1);
        if (!b) {
            readline_blocked_ = true;
            if (line.empty()) return std::nullopt;
            break;
        }
        if (b->empty()) break;
        line.append(b->data(), b->size());
        if (line.back() == '\n') break;
    }
    return line;
}

std::vector<Bytes> IOBase::readlines(int64_t hint) {
    // io's IOBase stops once the total exceeds the hint (_pyio's once it
    // reaches it; io's BytesIO too).
    return collect_lines(hint, HintStop::Exceeded);
}

std::vector<Bytes> IOBase::collect_lines(int64_t hint, HintStop stop) {
    check_closed();
    std::vector<Bytes> lines;
    uint64_t total = 0;
    for (;;) {
        std::optional<Bytes> line = readline(-1);
        if (!line || line->empty()) break;
        total += line->size();
        lines.push_back(std::move(*line));
        if (readline_blocked_) break;
        if (hint <= 0) continue;
        uint64_t limit = static_cast<uint64_t>(hint);
        if (stop == HintStop::Reached ? total >= limit : total > limit) break;
    }
    return lines;
}

void IOBase::writelines(std::span<const std::string_view> lines) {
    check_closed();
    for (std::string_view line : lines) write(std::span<const char>(line.data(), line.size()));
}

std::optional<Bytes> IOBase::read(int64_t) { no_attribute("read"); }
std::optional<Bytes> IOBase::readall() { no_attribute("readall"); }
std::optional<Bytes> IOBase::read1(int64_t) { no_attribute("read1"); }
std::optional<size_t> IOBase::readinto(std::span<char>) { no_attribute("readinto"); }
std::optional<size_t> IOBase::readinto1(std::span<char>) { no_attribute("readinto1"); }
std::optional<size_t> IOBase::write(std::span<const char>) { no_attribute("write"); }
std::string_view IOBase::peek(int64_t) { no_attribute("peek"); }

std::optional<std::string_view> IOBase::readline_view(int64_t limit) {
    std::optional<Bytes> line = readline(limit);
    if (!line) return std::nullopt;
    line_scratch_ = std::move(*line);
    return line_scratch_.view();
}
Ref<IOBase> IOBase::detach() { no_attribute("detach"); }
const StreamName& IOBase::name() { no_attribute("name"); }
const std::string& IOBase::mode() { no_attribute("mode"); }

// ---- RawIOBase ----

std::optional<Bytes> RawIOBase::read(int64_t size) {
    if (size < 0) return readall();
    Bytes b;
    b.resize_uninitialized(static_cast<size_t>(std::min(size, kMaxRawTransfer)));
    std::optional<size_t> n = readinto(std::span<char>(b.data(), b.size()));
    if (!n) return std::nullopt;
    b.resize_uninitialized(*n);
    b.shrink_to_fit();
    return b;
}

std::optional<Bytes> RawIOBase::readall() {
    Bytes all;
    for (;;) {
        all.reserve(all.size() + kDefaultBufferSize);
        std::optional<size_t> n =
            readinto(std::span<char>(all.data() + all.size(), all.capacity() - all.size()));
        if (!n) {
            if (all.empty()) return std::nullopt;
            break;
        }
        if (*n == 0) break;
        all.resize_uninitialized(all.size() + *n);
    }
    all.shrink_to_fit();
    return all;
}

std::optional<size_t> RawIOBase::readinto(std::span<char>) {
    throw unsupported_operation("readinto");
}

std::optional<size_t> RawIOBase::write(std::span<const char>) {
    throw unsupported_operation("write");
}

// ---- BufferedIOBase ----

std::optional<Bytes> BufferedIOBase::read(int64_t) { throw unsupported_operation("read"); }
std::optional<Bytes> BufferedIOBase::read1(int64_t) { throw unsupported_operation("read1"); }
std::optional<size_t> BufferedIOBase::write(std::span<const char>) {
    throw unsupported_operation("write");
}
Ref<IOBase> BufferedIOBase::detach() { throw unsupported_operation("detach"); }

namespace {
std::optional<size_t> copy_out(std::optional<Bytes> data, std::span<char> buffer) {
    if (!data) return std::nullopt;
    size_t n = std::min(data->size(), buffer.size());
    if (n) std::memcpy(buffer.data(), data->data(), n);
    return n;
}
}  // namespace

std::optional<size_t> BufferedIOBase::readinto(std::span<char> buffer) {
    return copy_out(read(static_cast<int64_t>(buffer.size())), buffer);
}

std::optional<size_t> BufferedIOBase::readinto1(std::span<char> buffer) {
    return copy_out(read1(static_cast<int64_t>(buffer.size())), buffer);
}

// ---- TextIOBase ----

std::optional<Bytes> TextIOBase::read(int64_t) { throw unsupported_operation("read"); }
std::optional<Bytes> TextIOBase::readline(int64_t) { throw unsupported_operation("readline"); }
std::optional<size_t> TextIOBase::write(std::span<const char>) {
    throw unsupported_operation("write");
}
Ref<IOBase> TextIOBase::detach() { throw unsupported_operation("detach"); }

Bytes TextIOBase::next_line() {
    std::optional<Bytes> line = readline(-1);
    return line ? std::move(*line) : Bytes();
}

std::vector<Bytes> TextIOBase::readlines(int64_t hint) {
    // IOBase.readlines over iteration: the hint counts characters, and io
    // stops once the total exceeds it.
    check_closed();
    std::vector<Bytes> lines;
    uint64_t total = 0;
    for (;;) {
        Bytes line = next_line();
        if (line.empty()) break;
        total += utf8::count(line.view());
        lines.push_back(std::move(line));
        if (hint > 0 && total > static_cast<uint64_t>(hint)) break;
    }
    return lines;
}

TextCookie TextIOBase::tell_cookie() { return {IOBase::tell(), 0, 0, 0, false}; }

TextCookie TextIOBase::seek_cookie(const TextCookie& cookie, int whence) {
    return {IOBase::seek(cookie.start_pos, whence), 0, 0, 0, false};
}

int64_t TextIOBase::seek(int64_t pos, int whence) {
    return seek_cookie(TextCookie{pos, 0, 0, 0, false}, whence).start_pos;
}

int64_t TextIOBase::tell() {
    TextCookie c = tell_cookie();
    if (!c.plain())
        throw overflow_error("the position cookie does not fit in 64 bits; use the full cookie");
    return c.start_pos;
}

}  // namespace pyio
