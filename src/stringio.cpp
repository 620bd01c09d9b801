#include "stringio.h"

#include <algorithm>
#include <limits>
#include <new>

#include "utf8.h"

namespace pyio {

namespace {

// Code points of valid generalized UTF-8 (check_text() first).
std::u32string to_code_points(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            out.push_back(b);
            ++i;
        } else {
            out.push_back(static_cast<char32_t>(utf8::decode(text, i)));
        }
    }
    return out;
}

void append_utf8(Bytes& out, std::u32string_view text) {
    out.reserve(out.size() + text.size());
    char buf[4];
    for (char32_t c : text) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else {
            out.append(buf, utf8::encode(c, buf));
        }
    }
}

std::u32string widen(std::string_view ascii) { return std::u32string(ascii.begin(), ascii.end()); }

}  // namespace

StringIO::StringIO(std::string_view initial, std::optional<std::string_view> newline) {
    validate_newline(newline, true);
    check_text(initial);
    if (newline) readnl_ = std::string(*newline);
    readuniversal_ = !newline || newline->empty();
    readtranslate_ = !newline;
    // newline "" translates nothing; None and "\n" would translate to "\n",
    // which is nothing to do for StringIO.
    if (newline && !newline->empty() && (*newline)[0] == '\r') writenl_ = std::string(*newline);
    if (readuniversal_) decoder_.emplace(nullptr, readtranslate_);
    write_locked(initial);
    pos_ = 0;
}

void StringIO::check_open() const {
    if (IOBase::closed()) throw value_error("I/O operation on closed file");
}

void StringIO::close() {
    Lock lock(mu_);
    mark_closed();
    std::u32string().swap(buf_);  // free the memory now, as CPython does
}

bool StringIO::closed() const { return IOBase::closed(); }

// CPython's StringIO inherits IOBase.flush but never looks at `closed`.
void StringIO::flush() {}

bool StringIO::readable() {
    Lock lock(mu_);
    check_open();
    return true;
}

bool StringIO::writable() {
    Lock lock(mu_);
    check_open();
    return true;
}

bool StringIO::seekable() {
    Lock lock(mu_);
    check_open();
    return true;
}

bool StringIO::line_buffering() {
    Lock lock(mu_);
    check_open();
    return false;
}

int StringIO::newlines() {
    Lock lock(mu_);
    check_open();
    return decoder_ ? decoder_->seen() : 0;
}

Bytes StringIO::getvalue() {
    Lock lock(mu_);
    check_open();
    Bytes out;
    append_utf8(out, buf_);
    return out;
}

TextCookie StringIO::tell_cookie() {
    Lock lock(mu_);
    check_open();
    return TextCookie{static_cast<int64_t>(pos_)};
}

TextCookie StringIO::seek_cookie(const TextCookie& cookie, int whence) {
    Lock lock(mu_);
    check_open();
    // A cookie is a position here; the extra fields of a TextIOWrapper
    // cookie make it an integer too large for Python's Py_ssize_t.
    if (!cookie.plain()) throw overflow_error("Python int too large to convert to C ssize_t");
    int64_t pos = cookie.start_pos;
    if (whence != 0 && whence != 1 && whence != 2)
        throw value_error("Invalid whence (" + std::to_string(whence) + ", should be 0, 1 or 2)");
    if (pos < 0 && whence == 0) throw value_error("Negative seek position " + std::to_string(pos));
    if (whence != 0 && pos != 0) throw os_error_message("Can't do nonzero cur-relative seeks");
    if (whence == 1) pos = static_cast<int64_t>(pos_);
    if (whence == 2) pos = static_cast<int64_t>(buf_.size());
    pos_ = static_cast<size_t>(pos);
    return TextCookie{pos};
}

int64_t StringIO::truncate(std::optional<int64_t> size) {
    Lock lock(mu_);
    check_open();
    int64_t n = size ? *size : static_cast<int64_t>(pos_);
    if (n < 0) throw value_error("Negative size value " + std::to_string(n));
    if (static_cast<uint64_t>(n) < buf_.size()) {
        buf_.resize(static_cast<size_t>(n));
        buf_.shrink_to_fit();
    }
    return n;
}

std::optional<Bytes> StringIO::read(int64_t size) {
    Lock lock(mu_);
    check_open();
    size_t avail = pos_ < buf_.size() ? buf_.size() - pos_ : 0;
    size_t n = size < 0 || static_cast<uint64_t>(size) > avail ? avail : static_cast<size_t>(size);
    Bytes out;
    if (n) append_utf8(out, std::u32string_view(buf_).substr(pos_, n));
    pos_ += n;
    return out;
}

std::optional<Bytes> StringIO::readline(int64_t limit) {
    Lock lock(mu_);
    check_open();
    return readline_locked(limit);
}

Bytes StringIO::next_line() {
    Lock lock(mu_);
    check_open();
    return readline_locked(-1);
}

Bytes StringIO::readline_locked(int64_t limit) {
    Bytes out;
    if (pos_ >= buf_.size()) return out;  // also after a seek past the end
    size_t avail = buf_.size() - pos_;
    size_t n = limit < 0 || static_cast<uint64_t>(limit) > avail ? avail : static_cast<size_t>(limit);
    std::u32string_view s = std::u32string_view(buf_).substr(pos_, n);
    std::u32string nl = readnl_ ? widen(*readnl_) : std::u32string();
    size_t consumed = 0;
    size_t len = find_line_ending<char32_t>(readtranslate_, readuniversal_, nl, s, consumed);
    if (len == std::u32string_view::npos) len = n;  // no ending: everything up to the limit
    append_utf8(out, s.substr(0, len));
    pos_ += len;
    return out;
}

std::optional<size_t> StringIO::write(std::span<const char> data) {
    std::string_view text(data.data(), data.size());
    size_t n;
    check_text(text, n);
    Lock lock(mu_);
    check_open();
    if (n) write_locked(text);
    // The length of what was given, before any newline translation.
    return n;
}

void StringIO::write_locked(std::string_view text) {
    std::string decoded;
    if (decoder_) {
        // Each write is final: a '\r' at its end is not held for the next.
        decoder_->decode(text, true, decoded);
        text = decoded;
    }
    std::u32string chars = to_code_points(text);
    if (writenl_) {
        std::u32string nl = widen(*writenl_), translated;
        for (char32_t c : chars) {
            if (c == U'\n')
                translated += nl;
            else
                translated += c;
        }
        chars.swap(translated);
    }
    if (chars.empty()) return;
    // CPython's two limits: the end position must be a Py_ssize_t, and the
    // buffer must be allocatable.
    if (pos_ > static_cast<size_t>(std::numeric_limits<int64_t>::max()) - chars.size())
        throw overflow_error("new position too large");
    if (pos_ > buf_.max_size() - chars.size()) throw overflow_error("new buffer size too large");
    size_t end = pos_ + chars.size();
    // Past the end (after a seek), the gap fills with U+0000.
    if (end > buf_.size()) buf_.resize(end, U'\0');
    std::copy(chars.begin(), chars.end(), buf_.begin() + static_cast<ptrdiff_t>(pos_));
    pos_ = end;
}

}  // namespace pyio
