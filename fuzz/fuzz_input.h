// Shared by the fuzz targets: the input read as a sequence of choices, and
// the check that turns a broken invariant into a crash libFuzzer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace pyio_fuzz {

// Reads choices off the front of the fuzz input.  Past the end every choice
// is 0 and every byte string empty, so any input, even an empty one, is a
// complete program.
class Input {
public:
    Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}

    bool empty() const noexcept { return pos_ >= size_; }
    size_t remaining() const noexcept { return size_ - pos_; }

    uint8_t byte() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
    bool flag() noexcept { return byte() & 1; }
    uint32_t u32() noexcept {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = v << 8 | byte();
        return v;
    }
    uint64_t u64() noexcept { return static_cast<uint64_t>(u32()) << 32 | u32(); }
    // A value in [0, n), n > 0.
    size_t below(size_t n) noexcept { return byte() % n; }

    // Up to `n` bytes (fewer at the end of the input).
    std::string_view bytes(size_t n) noexcept {
        size_t k = n < remaining() ? n : remaining();
        std::string_view s(reinterpret_cast<const char*>(data_ + pos_), k);
        pos_ += k;
        return s;
    }
    // A byte string whose length is the next byte.
    std::string_view counted() noexcept { return bytes(byte()); }
    std::string_view rest() noexcept { return bytes(remaining()); }

    // One of an array's elements.
    template <class T, size_t N>
    const T& pick(const T (&items)[N]) noexcept {
        return items[below(N)];
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// A broken invariant: say which, and abort so that the fuzzer (or the replay
// test) fails on this input.
[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "pyio fuzz check failed: %s\n%s\n", what, detail.c_str());
    std::abort();
}

#define PYIO_FUZZ_CHECK(cond, detail)                                          \
    do {                                                                       \
        if (!(cond)) ::pyio_fuzz::fail(#cond, (detail));                       \
    } while (0)

// Bytes as a C string literal would show them, for failure messages.
inline std::string escaped(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        switch (c) {
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\\': out += "\\\\"; continue;
            case '"': out += "\\\""; continue;
            default: break;
        }
        if (c < 0x20 || c >= 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// The encodings the targets choose from: the ones Python names, covering
// every kind of codec the library has (native, charmap table, iconv,
// stateful).
inline constexpr const char* kEncodings[] = {
    "utf-8",      "utf-8-sig",   "utf-16",      "utf-16-le",   "utf-16-be",  "utf-32",
    "utf-32-le",  "utf-32-be",   "ascii",       "latin-1",     "cp1252",     "iso-8859-2",
    "iso-8859-5", "iso-8859-7",  "iso-8859-8",  "iso-8859-15", "cp437",      "koi8-r",
    "mac-roman",  "shift_jis",   "cp932",       "euc-jp",      "iso-2022-jp", "gb2312",
    "gbk",        "gb18030",     "big5",        "cp950",       "euc-kr",     "utf-7",
};

inline constexpr const char* kErrorHandlers[] = {
    "strict",          "ignore",        "replace",           "backslashreplace",
    "surrogateescape", "surrogatepass", "xmlcharrefreplace", "namereplace",
};

}  // namespace pyio_fuzz
