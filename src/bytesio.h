// BytesIO: an in-memory binary stream with the semantics of Python's
// io.BytesIO (a BufferedIOBase).
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "iobase.h"

namespace pyio {

// Internally locked: every method holds mu_, so a BytesIO shared between
// threads behaves as if the calls happened one after another.
//
// Invariants: pos_ >= 0 and may exceed buf_.size() (a seek past the end; the
// next write zero-fills the gap).  While exports_ > 0 the storage of buf_ is
// lent out through getbuffer() and must not move: nothing may resize it.
class BytesIO : public BufferedIOBase {
public:
    explicit BytesIO(std::string_view initial = {});
    const char* type_name() const noexcept override { return "BytesIO"; }

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    bool isatty() override;
    int64_t seek(int64_t pos, int whence) override;
    int64_t tell() override;
    int64_t truncate(std::optional<int64_t> size) override;

    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> read1(int64_t size) override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> readinto1(std::span<char> buffer) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::vector<Bytes> readlines(int64_t hint) override;
    std::optional<size_t> write(std::span<const char> data) override;
    void writelines(std::span<const std::string_view> lines) override;

    // A copy of the whole contents.
    Bytes getvalue();
    // A view of the contents, valid until the matching releasebuffer().
    std::span<char> getbuffer();
    // BufferError when no view is held.
    void releasebuffer();

private:
    mutable std::mutex mu_;
    std::string buf_;
    int64_t pos_ = 0;
    int64_t exports_ = 0;
};

}  // namespace pyio
