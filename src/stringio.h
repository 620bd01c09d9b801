// StringIO: an in-memory text stream with the semantics of Python's
// io.StringIO.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "iobase.h"
#include "textio.h"

namespace pyio {

// Text is stored as code points, as CPython stores it, so positions, seeks and
// overwrites are O(1) in the position; text crosses the interface as
// generalized UTF-8 like every text stream's.
//
// Internally locked: every method holds mu_.
//
// Invariants: pos_ >= 0 and may exceed buf_.size() (a seek past the end; the
// next write pads the gap with U+0000).
class StringIO final : public TextIOBase {
public:
    // newline as TextIOWrapper's (nullopt: universal newlines, translated;
    // "" universal, untranslated; "\n", "\r", "\r\n"); anything else is
    // ValueError "illegal newline value: 'X'".  The initial value is written
    // as write() would, newline translation included; the position is 0.
    explicit StringIO(std::string_view initial = {},
                      std::optional<std::string_view> newline = std::string_view("\n"));
    const char* type_name() const noexcept override { return "StringIO"; }

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    int64_t truncate(std::optional<int64_t> size) override;
    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::optional<size_t> write(std::span<const char> text) override;
    Bytes next_line() override;

    int newlines() override;
    TextCookie tell_cookie() override;
    TextCookie seek_cookie(const TextCookie& cookie, int whence) override;

    bool line_buffering();
    // The whole contents.
    Bytes getvalue();

private:
    using Lock = std::lock_guard<std::mutex>;
    // StringIO's own message has no full stop, unlike the other classes'.
    void check_open() const;
    void write_locked(std::string_view text);
    Bytes readline_locked(int64_t limit);

    mutable std::mutex mu_;
    std::u32string buf_;
    size_t pos_ = 0;
    bool closed_ = false;
    std::optional<std::string> readnl_;
    bool readuniversal_ = false;
    bool readtranslate_ = false;
    std::optional<std::string> writenl_;
    std::optional<IncrementalNewlineDecoder> decoder_;  // universal newlines only
};

}  // namespace pyio
