// The buffered layer: BufferedReader, BufferedWriter, BufferedRandom and
// BufferedRWPair, with the semantics of CPython's io classes, over any raw
// stream.
//
// The three single-stream classes share one engine, Buffered, as CPython's
// share one C struct: one buffer that reads fill and writes overwrite
// (SharedBuffer) and a cached raw position.  Whether a class reads, writes or
// both is fixed at construction.
#pragma once

#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "fileio.h"
#include "iobase.h"
#include "stream_lock.h"

namespace pyio {

// The one buffer of a Buffered object, holding a window of the raw stream
// that reads fill and writes overwrite, as CPython's does: reads and writes
// interleave in it without flushing, so what a BufferedRandom has read ahead
// survives a write.  Offsets index `data`:
//
//   pos        the logical position: where the next read or write happens
//   raw_pos    where the raw stream's position falls in the window (< 0: not
//              known; it is meaningful only while a window is valid)
//   read_end   one past the last byte read from the raw stream; -1: no read
//              window (nothing can be served from the buffer)
//   write_pos, write_end  the bytes written and not yet sent to the raw
//              stream; write_end -1: no write window
//
//   hole_end   [0, hole_end) of a read window was never stored here: a fill
//              for readinto over a FileIO sent it straight to the caller
//              (fill_and_take).  hole_end <= pos always; a seek back into
//              the hole reads it in first (fill_hole).  0 without one.
//
// With a read window, [pos, read_end) is what can be read without a raw
// call.  With a write window, sending [write_pos, write_end) needs the raw
// stream rewound by raw_offset() + (pos - write_pos) first.  Which windows a
// stream may have is fixed by its class (`reads`, `writes`).
struct SharedBuffer {
    std::unique_ptr<char[]> data;  // null once the stream is closed
    int64_t capacity = 0;
    bool reads = false, writes = false;
    int64_t pos = 0, raw_pos = 0;
    int64_t read_end = -1;
    int64_t write_pos = 0, write_end = -1;
    int64_t hole_end = 0;

    bool read_window() const noexcept { return reads && read_end != -1; }
    bool write_window() const noexcept { return writes && write_end != -1; }
    // Bytes that can be read without a raw call.
    int64_t readahead() const noexcept { return read_window() ? read_end - pos : 0; }
    // How far the raw stream is ahead of the logical position.
    int64_t raw_offset() const noexcept {
        return (read_window() || write_window()) && raw_pos >= 0 ? raw_pos - pos : 0;
    }
    bool pending_writes() const noexcept { return write_window() && write_pos < write_end; }
    void drop_reads() noexcept {
        read_end = -1;
        hole_end = 0;
    }
    void drop_writes() noexcept {
        write_pos = 0;
        write_end = -1;
    }
    // Moves the logical position, stretching the read window over what was
    // written past its end.
    void move_to(int64_t p) noexcept {
        pos = p;
        if (read_window() && read_end < pos) read_end = pos;
    }
    char* at(int64_t offset) const noexcept { return data.get() + offset; }
    // Copies n <= readahead() bytes to out and consumes them.
    void take(char* out, int64_t n) noexcept {
        if (n > 0) std::memcpy(out, at(pos), static_cast<size_t>(n));
        pos += n;
    }
};

class Buffered : public BufferedIOBase {
public:
    ~Buffered() override;

    void close() override;
    // The raw stream's closed(); final, so that TextIOWrapper, which asks
    // once per line, calls it without dispatch.
    bool closed() const final {
        // A FileIO's closed() is IOBase's flag: read it without the virtual
        // call, and without the walk to the raw stream's virtual base.
        if (raw_closed_) return raw_closed_->load(std::memory_order_acquire);
        return raw_checked().closed();
    }
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
    // read1 into `out`, replacing what it held but keeping its storage:
    // TextIOWrapper reads its chunks through this, without the malloc and
    // free of a new chunk each time (a tenth of the instructions a chunk
    // cost outside decoding, callgrind).  Raises as read1 does; `out` is
    // empty then.
    void read1(int64_t size, Bytes& out);
    // read(-1) handed to `sink` a piece at a time as it is read, not
    // gathered first: what is buffered, then raw reads into `scratch` until
    // EOF.  TextIOWrapper.read() decodes a whole file this way into one new
    // copy (its text), without another of the bytes.  Only for a reader over
    // an exact FileIO, whose raw calls nobody sees: nullopt otherwise (call
    // read(-1)).  false: the raw stream would block before giving anything
    // (read(-1)'s None).  Raises as read(-1) does; if `sink` throws, the
    // rest is still read, as read(-1) reads it before anything is decoded,
    // and then the sink's error is rethrown (or the raw stream's, which
    // read(-1) would have raised first).
    std::optional<bool> read_all_in_pieces(std::span<char> scratch,
                                           const std::function<void(std::string_view)>& sink);
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> readinto1(std::span<char> buffer) override;
    std::string_view peek(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::optional<std::string_view> readline_view(int64_t limit) override;
    std::optional<size_t> write(std::span<const char> data) override;
    // write() that also says, when it raises, how much of `data` it had
    // taken: what the raw stream's writes that returned took, when the data
    // did not fit the buffer and went to the raw stream (a failed raw write
    // takes nothing).  TextIOWrapper keeps the rest pending, so that a
    // large write goes out in CPython's raw calls and a failure in the
    // middle still loses and repeats nothing.  `taken` is 0 when it returns.
    std::optional<size_t> write(std::span<const char> data, size_t& taken);
    Ref<IOBase> detach() override;

    const StreamName& name() override;
    const std::string& mode() override;
    // The raw stream (a new reference); ValueError once detached.
    Ref<IOBase> raw();
    int64_t buffer_size() const noexcept { return buffer_size_; }

protected:
    enum class Role { Reader, Writer, Random };
    // Checks the raw stream's capabilities for the role, as CPython does
    // (UnsupportedOperation "File or stream is not readable." ...), and
    // buffer_size > 0 (ValueError).
    Buffered(Ref<IOBase> raw, int64_t buffer_size, Role role);

private:
    class Guard;

    // The checks every call makes are inline, their raising out of line:
    // binary readline cost a memchr a line, and these calls were a tenth
    // of it (perf).
    IOBase& raw_checked() const {
        if (!raw_) [[unlikely]] throw_detached();
        return *raw_;
    }
    [[noreturn, gnu::cold]] static void throw_detached();
    // CPython's IS_CLOSED: closed by close() (the buffer is gone) or the raw
    // stream is closed.
    bool closed_now() const { return !buf_.data || closed(); }
    // CPython's CHECK_CLOSED: ValueError(message) when closed -- unless bytes
    // are still buffered, which reads serve even once the raw stream was
    // closed behind this object's back.
    void check_closed(const char* message) const {
        if (closed_now() && buf_.readahead() == 0) [[unlikely]] throw_closed(message);
    }
    [[noreturn, gnu::cold]] static void throw_closed(const char* message);
    // "<BufferedReader name='path'>", for messages.
    std::string describe();

    // The raw calls, keeping abs_pos_.  raw_read/raw_write: nullopt = would
    // block; a count beyond what was asked is OSError.
    int64_t raw_tell();
    int64_t known_raw_tell() { return abs_pos_ != -1 ? abs_pos_ : raw_tell(); }
    int64_t raw_seek(int64_t target, int whence);
    std::optional<int64_t> raw_read(char* p, int64_t n);
    std::optional<int64_t> raw_write(const char* p, int64_t n);
    // One raw read appended to the read window (or starting a new one).
    std::optional<int64_t> fill();
    // fill(), then the first min(want, got) bytes taken into dest.
    std::optional<int64_t> fill_and_take(char* dest, int64_t want);
    // Makes [from, hole_end) of the read window real again, the raw stream
    // being at raw_position; false if the file could not give it back.
    bool fill_hole(int64_t from, int64_t raw_position) noexcept;

    // The *_locked and the helpers below run with the lock held.
    // flush() as the class has it: the raw stream's for a reader, else
    // sending what is pending.
    void flush_locked();
    // Sends the write window (BlockingIOError if the raw stream would block,
    // keeping what it did not take); afterwards there is no write window.
    void flush_writes();
    // flush_writes, then the raw stream is put at the logical position and
    // the read window dropped.
    void flush_and_rewind();
    // For a raw seek that failed after flush_writes(): the flush may have
    // left the raw stream inside the read window (at the end of what it
    // wrote), where a read past the window would read again what the window
    // holds.  Puts the raw stream back at the window's end, keeping the
    // window (what CPython serves from it, this serves too); if that seek
    // fails as well, the stream stays as it is.
    void realign_after_failed_seek() noexcept;
    // raw_seek(), realigning as above when it fails after a flush.
    int64_t raw_seek_realigning(int64_t target, int whence);
    // The read strategies of CPython's read(n), readinto()/readinto1(),
    // read(-1), peek and readline: what they leave buffered decides what a
    // later read1, readinto1 or peek returns, and which raw calls they make
    // decides what a non-blocking or failing raw stream does, so they follow
    // CPython's choices exactly.
    std::optional<Bytes> read_generic(int64_t n);
    std::optional<size_t> readinto_generic(std::span<char> buffer, bool one_raw_read);
    std::optional<Bytes> read_all();
    std::string_view peek_locked();
    Bytes readline_locked(int64_t limit);
    // Inline: returned through memory, the optional view was reloaded with
    // a wider load than its stores, a store-forwarding stall that was a
    // third of readline_view's time (perf).
    [[gnu::always_inline]] std::optional<std::string_view> line_in_buffer(int64_t limit);
    // The offset of the first '\n' in [from, to) of the read window, or -1:
    // a bit search in newline_bits_, which it extends as far as it needs.
    int64_t find_newline(int64_t from, int64_t to);
    // find_newline's common case inline: the line ends within the two mapped
    // words at `from`.
    [[gnu::always_inline]] int64_t find_newline_inline(int64_t from, int64_t to);
    static constexpr int64_t kNoNewline = -2;
    static int64_t select_newline(int64_t word, uint64_t first, uint64_t second, int64_t to) noexcept;
    // The newline map is no longer true of the buffer.
    void forget_newlines() noexcept { newlines_begin_ = newlines_end_ = 0; }

    Ref<IOBase> raw_;  // null once detached
    // raw_ when it is exactly a FileIO (whose closed() is IOBase's, and
    // whose readinto_split fill_and_take uses), else null.
    FileIO* raw_file_ = nullptr;
    // &raw_file_->closed_flag() while raw_file_ is set: the chain of loads
    // through the virtual base was a quarter of the cost of TextIOWrapper's
    // per-line check that the stream is open.
    const std::atomic<bool>* raw_closed_ = nullptr;
    const int64_t buffer_size_;
    const bool reads_, writes_;
    SharedBuffer buf_;
    // The raw stream's absolute position as of our last raw call; -1: not known.
    int64_t abs_pos_ = -1;
    // errno as the raw write that would block left it, for BlockingIOError
    // (CPython reports errno: EAGAIN from a descriptor, 0 from most others).
    int block_errno_ = 0;

    // Where the '\n's of the buffer are, for readline: bit k % 64 of word
    // k / 64 is set when byte k is '\n', for the offsets [newlines_begin_,
    // newlines_end_) (a multiple of 64, and where it was computed up to).  A
    // bit search a line replaces a memchr a line, whose call, set-up and
    // unpredictable exit were most of binary readline's time (perf).  True
    // only while no byte there changes: every public call but readline's
    // forgets it (Guard), as does every raw read into the buffer.
    std::unique_ptr<uint64_t[]> newline_bits_;
    int64_t newlines_begin_ = 0, newlines_end_ = 0;

    // CPython's buffered objects are locked; a thread that re-enters its own
    // object (a raw callback calling back) gets RuntimeError, not a deadlock.
    StreamLock lock_;
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
