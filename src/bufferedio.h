// The buffered layer: BufferedReader, BufferedWriter, BufferedRandom and
// BufferedRWPair, with the semantics of CPython's io classes, over any raw
// stream.
//
// The three single-stream classes share one engine, Buffered, as CPython's
// share one C struct: a read-ahead buffer, a write-behind buffer and a cached
// raw position.  Which halves a class uses is fixed at construction.
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "iobase.h"

namespace pyio {

// Bytes read from the raw stream and not yet handed out.
// Invariant: pos <= end <= capacity; [pos, end) is the unread data.
struct ReadAhead {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t pos = 0, end = 0;

    size_t available() const noexcept { return end - pos; }
    const char* next() const noexcept { return data.get() + pos; }
    void clear() noexcept { pos = end = 0; }
    // Copies up to n unread bytes to out and consumes them; returns how many.
    size_t take(char* out, size_t n) noexcept {
        n = std::min(n, available());
        if (n) std::memcpy(out, next(), n);
        pos += n;
        return n;
    }
};

// Bytes accepted by write() and not yet written to the raw stream.
// Invariant: start <= end <= capacity; [start, end) is pending, and the raw
// stream is positioned where its first byte belongs.
struct WriteBehind {
    std::unique_ptr<char[]> data;
    size_t capacity = 0;
    size_t start = 0, end = 0;

    size_t pending() const noexcept { return end - start; }
    size_t room() const noexcept { return capacity - end; }
    void clear() noexcept { start = end = 0; }
    // Appends up to n bytes (as many as fit, moving pending data to the front
    // first if that makes room); returns how many.
    size_t put(const char* in, size_t n) noexcept {
        if (n > room() && start > 0) {
            std::memmove(data.get(), data.get() + start, pending());
            end -= start;
            start = 0;
        }
        n = std::min(n, room());
        if (n) std::memcpy(data.get() + end, in, n);
        end += n;
        return n;
    }
};

class Buffered : public BufferedIOBase {
public:
    ~Buffered() override;

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    bool isatty() override;
    int fileno() override;
    int64_t seek(int64_t pos, int whence) override;
    int64_t tell() override;
    int64_t truncate(std::optional<int64_t> size) override;

    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> read1(int64_t size) override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> readinto1(std::span<char> buffer) override;
    std::string_view peek(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::optional<size_t> write(std::span<const char> data) override;
    Ref<IOBase> detach() override;

    const StreamName& name() override;
    const std::string& mode() override;
    // The raw stream (a new reference); ValueError once detached.
    Ref<IOBase> raw();
    int64_t buffer_size() const noexcept { return static_cast<int64_t>(buffer_size_); }

protected:
    enum class Role { Reader, Writer, Random };
    // Checks the raw stream's capabilities for the role, as CPython does
    // (UnsupportedOperation "File or stream is not readable." ...), and
    // buffer_size > 0 (ValueError).
    Buffered(Ref<IOBase> raw, int64_t buffer_size, Role role);

private:
    class Guard;

    IOBase& raw_checked() const;
    // The cached raw position, asking the raw stream when it is not known.
    int64_t raw_tell();
    int64_t raw_seek(int64_t pos, int whence);
    // One raw read into [p, p+n): nullopt = would block.  Keeps raw_pos_.
    std::optional<size_t> raw_read(char* p, size_t n);
    std::optional<size_t> raw_write(const char* p, size_t n);
    // One raw read appended to the read-ahead, as CPython's
    // _bufferedreader_fill_buffer does; callers clear() it first to start a
    // fresh buffer.  Appending keeps [0, end) one contiguous raw window.
    std::optional<size_t> fill();

    // The *_unlocked functions run with the lock held.
    void check_closed(const char* message) const;
    // flush() with the lock already held.
    void flush_locked();
    void flush_writes();  // BlockingIOError if the raw stream would block
    // Makes the raw position the logical one: pending writes go out and the
    // read-ahead is dropped (the raw stream is rewound over it).
    void flush_and_rewind();
    // Before reading, pending writes must reach the raw stream.
    void prepare_read();
    // Before writing, the raw stream must be rewound over the read-ahead.
    void prepare_write();
    // The read strategies of CPython's read(n), readinto()/readinto1() and
    // read1(): what they leave buffered decides what a later read1, readinto1
    // or peek returns, so they follow CPython's choices exactly.
    std::optional<size_t> read_generic(char* out, size_t n);
    std::optional<size_t> readinto_generic(char* out, size_t n, bool one_raw_read);
    std::optional<Bytes> read_all();

    Ref<IOBase> raw_;  // null once detached
    const size_t buffer_size_;
    const bool reads_, writes_;
    ReadAhead rd_;
    WriteBehind wr_;
    // The raw stream's position as of our last raw call; -1: not known.
    int64_t raw_pos_ = -1;

    // CPython's buffered objects are locked; a thread that re-enters its own
    // object (a raw callback calling back) gets RuntimeError, not a deadlock.
    std::mutex mu_;
    std::atomic<std::thread::id> owner_{};
};

class BufferedReader final : public Buffered {
public:
    BufferedReader(Ref<IOBase> raw, int64_t buffer_size = kDefaultBufferSize)
        : Buffered(std::move(raw), buffer_size, Role::Reader) {}
    const char* type_name() const noexcept override { return "BufferedReader"; }
};

class BufferedWriter final : public Buffered {
public:
    BufferedWriter(Ref<IOBase> raw, int64_t buffer_size = kDefaultBufferSize)
        : Buffered(std::move(raw), buffer_size, Role::Writer) {}
    const char* type_name() const noexcept override { return "BufferedWriter"; }
};

class BufferedRandom final : public Buffered {
public:
    BufferedRandom(Ref<IOBase> raw, int64_t buffer_size = kDefaultBufferSize)
        : Buffered(std::move(raw), buffer_size, Role::Random) {}
    const char* type_name() const noexcept override { return "BufferedRandom"; }
};

// A reader and a writer over two raw streams (a pipe pair, a socket's two
// directions), independent of each other.
class BufferedRWPair final : public BufferedIOBase {
public:
    BufferedRWPair(Ref<IOBase> reader, Ref<IOBase> writer, int64_t buffer_size = kDefaultBufferSize);
    const char* type_name() const noexcept override { return "BufferedRWPair"; }

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool isatty() override;

    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> read1(int64_t size) override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> readinto1(std::span<char> buffer) override;
    std::string_view peek(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::optional<size_t> write(std::span<const char> data) override;

private:
    Ref<BufferedReader> reader_;
    Ref<BufferedWriter> writer_;
};

}  // namespace pyio
