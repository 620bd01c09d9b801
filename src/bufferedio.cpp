#include "bufferedio.h"

#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <thread>
#include <typeinfo>

#include "fileio.h"
#include "transcode_simd.h"

namespace pyio {

namespace {

constexpr const char* kDetached = "raw stream has been detached";
constexpr const char* kWouldBlock = "write could not complete without blocking";

Error invalid_length(const char* what, int64_t n, int64_t asked) {
    return os_error_message("raw " + std::string(what) + "() returned invalid length " +
                            std::to_string(n) + " (should have been between 0 and " +
                            std::to_string(asked) + ")");
}

// a - b as CPython computes positions, in a C off_t that wraps at 2**63:
// the same (meaningless) result past INT64_MAX, without undefined behaviour.
int64_t wrapping_sub(int64_t a, int64_t b) {
    return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

// Runs first, then second whatever first did, and reports a failure as
// CPython's close methods do: the later one wins (the earlier becomes its
// __context__ in Python), so a failing close hides a failing flush.
template <class First, class Second>
void then_report_last(First&& first, Second&& second) {
    std::exception_ptr earlier;
    try {
        first();
    } catch (...) {
        earlier = std::current_exception();
    }
    second();
    if (earlier) std::rethrow_exception(earlier);
}

}  // namespace

// ---- the lock ----

// Holds the object's lock for one public call.  A thread that already holds
// it is inside a raw call that called back into this object: CPython raises
// RuntimeError there instead of deadlocking, and so does this.
class Buffered::Guard {
public:
    // Any call but readline's may change the buffer: the newline map goes.
    enum class Keeps { Nothing, Newlines };
    explicit Guard(Buffered& b, Keeps keeps = Keeps::Nothing) : b_(b) {
        if (!b.lock_.lock())
            throw runtime_error("reentrant call inside " + b.describe());
        if (keeps == Keeps::Nothing) b.forget_newlines();
    }
    ~Guard() { b_.lock_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    Buffered& b_;
};

std::string Buffered::describe() {
    std::string text = std::string("<") + type_name();
    try {
        const StreamName& name = raw_checked().name();
        text += " name=" + (name.is_fd ? std::to_string(name.fd) : repr(name.path));
    } catch (const Error&) {
        // No name (or detached): CPython's repr leaves it out too.
    }
    return text + ">";
}

// ---- construction ----

Buffered::Buffered(Ref<IOBase> raw, int64_t buffer_size, Role role)
    : raw_(std::move(raw)),
      buffer_size_(buffer_size),
      reads_(role != Role::Writer),
      writes_(role != Role::Reader) {
    if (!raw_) throw type_error("raw stream is NULL");
    // CPython's order of checks: seekable (BufferedRandom), then readable,
    // then writable, then the size.
    if (role == Role::Random && !raw_->seekable()) throw unsupported_operation(kNotSeekable);
    if (reads_ && !raw_->readable()) throw unsupported_operation(kNotReadable);
    if (writes_ && !raw_->writable()) throw unsupported_operation(kNotWritable);
    if (buffer_size <= 0) throw value_error("buffer size must be strictly positive");
    if (typeid(*raw_) == typeid(FileIO)) {
        raw_file_ = dynamic_cast<FileIO*>(raw_.get());
        raw_closed_ = &raw_file_->closed_flag();
    }
    buf_.data.reset(new char[static_cast<size_t>(buffer_size)]);
    buf_.capacity = buffer_size;
    buf_.reads = reads_;
    buf_.writes = writes_;
    // Knowing the raw position from the start lets seeks inside the buffer
    // stay there.  A stream that cannot tell (a pipe) leaves it unknown, as
    // CPython's constructor does.
    try {
        raw_tell();
    } catch (const Error&) {
        abs_pos_ = -1;
    }
}

Buffered::~Buffered() = default;

// ---- raw access ----

void Buffered::throw_detached() { throw value_error(kDetached); }

void Buffered::throw_closed(const char* message) { throw value_error(message); }

int64_t Buffered::raw_tell() {
    abs_pos_ = raw_checked().tell();
    return abs_pos_;
}

int64_t Buffered::raw_seek(int64_t target, int whence) {
    // A failed seek leaves the raw stream, and so the cached position, as it was.
    abs_pos_ = raw_checked().seek(target, whence);
    return abs_pos_;
}

namespace {

// CPython's _PyIO_trap_eintr around the raw calls: an InterruptedError
// (OSError EINTR) from the raw stream is retried, never reported.
template <class Call>
auto retrying_eintr(Call call) {
    for (;;) {
        try {
            return call();
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::OSError || e.info().errnum != EINTR) throw;
        }
    }
}

}  // namespace

std::optional<int64_t> Buffered::raw_read(char* p, int64_t n) {
    forget_newlines();  // p may be the buffer
    std::optional<size_t> got = retrying_eintr(
        [&] { return raw_checked().readinto(std::span<char>(p, static_cast<size_t>(n))); });
    if (!got) return std::nullopt;
    int64_t k = static_cast<int64_t>(*got);
    if (k > n) throw invalid_length("readinto", k, n);
    if (abs_pos_ != -1) abs_pos_ += k;
    return k;
}

std::optional<int64_t> Buffered::raw_write(const char* p, int64_t n) {
    // As CPython: errno is cleared before the call and whatever the raw
    // stream left there is what a BlockingIOError reports.
    std::optional<size_t> put = retrying_eintr([&] {
        errno = 0;
        return raw_checked().write(std::span<const char>(p, static_cast<size_t>(n)));
    });
    if (!put) {
        block_errno_ = errno;
        return std::nullopt;
    }
    int64_t k = static_cast<int64_t>(*put);
    if (k > n) throw invalid_length("write", k, n);
    if (abs_pos_ != -1) abs_pos_ += k;
    return k;
}

std::optional<int64_t> Buffered::fill() {
    int64_t start = buf_.read_window() ? buf_.read_end : 0;
    std::optional<int64_t> got = raw_read(buf_.at(start), buffer_size_ - start);
    if (got && *got > 0) {
        buf_.read_end = start + *got;
        buf_.raw_pos = start + *got;
    }
    return got;
}

// Over an exact FileIO, one readv puts the caller's part straight into
// dest and the rest in the buffer, where CPython reads it all into the
// buffer and copies the caller's part out: that copy cost 7% of
// readinto(64 KiB)'s time (bench, medians of 21 runs: 0.87x of raw read(2)
// before, 0.94x after; what is left is the copy of the buffer's half).
// The raw stream ends up where CPython's would, and the buffer holds the
// same window but for the hole where the caller's bytes would be.
std::optional<int64_t> Buffered::fill_and_take(char* dest, int64_t want) {
    if (!raw_file_) {
        std::optional<int64_t> got = fill();
        if (got && *got > 0) buf_.take(dest, std::min(want, *got));
        return got;
    }
    int64_t start = buf_.read_window() ? buf_.read_end : 0;
    // Callers have taken all that was buffered: the hole can only grow.
    assert(buf_.pos == start && buf_.hole_end <= start);
    int64_t direct = std::min(want, buffer_size_ - start);
    forget_newlines();
    std::optional<size_t> n = raw_file_->readinto_split(
        {dest, static_cast<size_t>(direct)},
        {buf_.at(start + direct), static_cast<size_t>(buffer_size_ - start - direct)});
    if (!n) return std::nullopt;
    int64_t got = static_cast<int64_t>(*n);
    if (abs_pos_ != -1) abs_pos_ += got;
    if (got > 0) {
        buf_.read_end = buf_.raw_pos = start + got;
        buf_.pos = buf_.hole_end = start + std::min(direct, got);
    }
    return got;
}

bool Buffered::fill_hole(int64_t from, int64_t raw_position) noexcept {
    if (from >= buf_.hole_end) return true;
    forget_newlines();
    if (!raw_file_ || buf_.raw_pos < 0) return false;
    try {
        // The raw position is the buffer's offset raw_pos.
        int64_t at = raw_position - buf_.raw_pos + from;
        for (int64_t i = from; i < buf_.hole_end;) {
            size_t n = raw_file_->read_at({buf_.at(i), static_cast<size_t>(buf_.hole_end - i)},
                                          at + (i - from));
            if (n == 0) return false;  // the file shrank since
            i += static_cast<int64_t>(n);
        }
    } catch (...) {
        return false;
    }
    buf_.hole_end = from;
    return true;
}

// ---- keeping the raw stream and the buffer consistent ----

void Buffered::flush_writes() {
    if (buf_.pending_writes()) {
        int64_t rewind = buf_.raw_offset() + (buf_.pos - buf_.write_pos);
        if (rewind != 0) {
            raw_seek(-rewind, SEEK_CUR);
            buf_.raw_pos -= rewind;
        }
        while (buf_.write_pos < buf_.write_end) {
            std::optional<int64_t> n =
                raw_write(buf_.at(buf_.write_pos), buf_.write_end - buf_.write_pos);
            // What could not be written stays buffered for a later flush.
            if (!n) throw blocking_io_error(block_errno_, 0, kWouldBlock);
            buf_.write_pos += *n;
            buf_.raw_pos = buf_.write_pos;
        }
    }
    buf_.drop_writes();
}

void Buffered::flush_and_rewind() {
    flush_writes();
    if (reads_) {
        // CPython seeks even when there is nothing to rewind; a failed seek
        // still drops the read window.
        int64_t ahead = buf_.raw_offset();
        buf_.drop_reads();
        raw_seek(-ahead, SEEK_CUR);
    }
}

int64_t Buffered::raw_seek_realigning(int64_t target, int whence) {
    try {
        return raw_seek(target, whence);
    } catch (...) {
        realign_after_failed_seek();
        throw;
    }
}

void Buffered::realign_after_failed_seek() noexcept {
    if (!buf_.read_window() || buf_.raw_pos < 0 || buf_.raw_pos == buf_.read_end) return;
    try {
        raw_seek(buf_.read_end - buf_.raw_pos, SEEK_CUR);
        buf_.raw_pos = buf_.read_end;
    } catch (...) {
        // The seek that failed first is the error reported.
    }
}

// ---- IOBase ----

void Buffered::close() {
    Guard guard(*this);
    IOBase& raw = raw_checked();
    if (raw.closed()) return;
    // Flush, then close the raw stream even when the flush failed; the
    // buffer goes whatever happens.
    then_report_last([&] { flush_locked(); },
                     [&] {
                         struct Release {
                             SharedBuffer& buf;
                             ~Release() {
                                 buf.data.reset();
                                 buf.read_end = 0;
                                 buf.hole_end = 0;
                                 buf.pos = 0;
                             }
                         } release{buf_};
                         raw.close();
                     });
}

void Buffered::flush() {
    Guard guard(*this);
    flush_locked();
}

void Buffered::flush_locked() {
    if (!writes_) {
        // BufferedReader.flush is the raw stream's, unchecked.
        raw_checked().flush();
        return;
    }
    check_closed("flush of closed file");
    flush_and_rewind();
}

bool Buffered::readable() { return reads_ ? raw_checked().readable() : false; }
bool Buffered::writable() { return writes_ ? raw_checked().writable() : false; }
bool Buffered::seekable() { return raw_checked().seekable(); }
bool Buffered::isatty() { return raw_checked().isatty(); }
int Buffered::fileno() { return raw_checked().fileno(); }
const StreamName& Buffered::name() { return raw_checked().name(); }
const std::string& Buffered::mode() { return raw_checked().mode(); }

Ref<IOBase> Buffered::raw() { return Ref<IOBase>::share(&raw_checked()); }

int64_t Buffered::seek(int64_t target, int whence) {
    raw_checked();
    // SEEK_DATA and SEEK_HOLE (3, 4) pass through to the raw stream, as in CPython.
    if (whence < 0 || whence > 4)
        throw value_error("whence value " + std::to_string(whence) + " unsupported");
    Guard guard(*this);
    check_closed("seek of closed file");
    if (!raw_checked().seekable()) throw unsupported_operation(kNotSeekable);
    // A target inside the buffer's read window (behind the position too)
    // only moves the position.
    if ((whence == SEEK_SET || whence == SEEK_CUR) && reads_) {
        int64_t current = known_raw_tell();
        int64_t avail = buf_.readahead();
        if (avail > 0) {
            int64_t offset = whence == SEEK_SET
                                 ? wrapping_sub(target, wrapping_sub(current, buf_.raw_offset()))
                                 : target;
            if (offset >= -buf_.pos && offset <= avail && fill_hole(buf_.pos + offset, current)) {
                // The logical position plus offset.  CPython answers
                // current - avail + offset, which is that only while the raw
                // stream is at the end of the read window: not after a flush
                // inside the window moved it back and the seek that followed
                // failed (then CPython answers a wrong, even negative, value).
                int64_t logical = wrapping_sub(current, buf_.raw_offset());
                buf_.pos += offset;
                return wrapping_sub(logical, -offset);
            }
        }
    }
    if (writes_) flush_writes();
    // Relative to the logical position, which differs from the raw one by
    // what is buffered.
    if (whence == SEEK_CUR) target = wrapping_sub(target, buf_.raw_offset());
    int64_t result = raw_seek_realigning(target, whence);
    buf_.raw_pos = -1;
    if (reads_) buf_.drop_reads();
    return result;
}

int64_t Buffered::tell() {
    raw_checked();
    Guard guard(*this);
    // No closed check: the raw stream's tell() has its own.  It is asked
    // every time, as CPython does: the cached position is wrong after writes
    // to an O_APPEND file, which land at its end.
    int64_t pos = wrapping_sub(raw_tell(), buf_.raw_offset());
    // CPython can answer a negative position here (a raw stream moved
    // behind this object's back, or a position past 2**63 - 1 wrapped
    // around); the C API has no room for one.
    return pos < 0 ? 0 : pos;
}

int64_t Buffered::truncate(std::optional<int64_t> size) {
    raw_checked();
    Guard guard(*this);
    check_closed("truncate of closed file");
    if (!writes_) throw unsupported_operation("truncate");
    flush_and_rewind();
    // The raw stream's position is the logical one now, and truncating does
    // not move it.
    int64_t result = raw_checked().truncate(size);
    try {
        raw_tell();
    } catch (const Error&) {
    }
    return result;
}

// ---- reading ----

// read(n) beyond what is buffered, as CPython's _bufferedreader_read_generic:
// whole buffers' worth go straight into the result, the tail through the
// buffer, whose rest stays read ahead.  EOF ends the read with what there
// is; "would block" too, unless there is nothing at all (nullopt).
std::optional<Bytes> Buffered::read_generic(int64_t n) {
    Bytes out;
    out.resize_uninitialized(static_cast<size_t>(n));
    char* p = out.data();
    // Pending writes go first, while nothing is taken: CPython copies what
    // is buffered, then fails to flush, and those bytes are lost to the
    // caller though the position moved past them.
    if (writes_) flush_writes();
    int64_t done = buf_.readahead();
    buf_.take(p, done);
    if (writes_) flush_and_rewind();
    buf_.drop_reads();
    auto stop = [&](const std::optional<int64_t>& got) -> std::optional<Bytes> {
        if (!got && done == 0) return std::nullopt;
        out.resize_uninitialized(static_cast<size_t>(done));
        out.shrink_to_fit();
        return std::move(out);
    };
    for (;;) {
        int64_t blocks = (n - done) / buffer_size_ * buffer_size_;
        if (blocks == 0) break;
        std::optional<int64_t> got = raw_read(p + done, blocks);
        if (!got || *got == 0) return stop(got);
        done += *got;
    }
    // Fewer than buffer_size_ bytes are missing, so the appending fills
    // below never run out of room.
    buf_.pos = buf_.raw_pos = buf_.read_end = 0;
    while (done < n) {
        std::optional<int64_t> got = fill();
        if (!got || *got == 0) return stop(got);
        int64_t k = std::min(n - done, *got);
        buf_.take(p + done, k);
        done += k;
    }
    return out;
}

// readinto / readinto1, as CPython's _buffered_readinto_generic: what is
// buffered first; then, while more than a buffer's worth is missing, raw
// reads straight into the caller's memory, else fills of the buffer.
// readinto1 makes at most one raw read, and none once it has some data and
// less than a buffer's worth is missing.
std::optional<size_t> Buffered::readinto_generic(std::span<char> buffer, bool one_raw_read) {
    int64_t n = static_cast<int64_t>(buffer.size());
    char* p = buffer.data();
    int64_t have = buf_.readahead();
    if (have > 0 && have >= n) {
        buf_.take(p, n);
        return buffer.size();
    }
    if (writes_) flush_writes();  // before anything is taken, as in read_generic
    int64_t done = have;
    buf_.take(p, have);
    if (writes_) flush_and_rewind();
    buf_.drop_reads();
    buf_.pos = 0;
    while (done < n) {
        int64_t want = n - done;
        std::optional<int64_t> got;
        if (want > buffer_size_) {
            got = raw_read(p + done, want);
        } else if (!(one_raw_read && done > 0)) {
            got = fill_and_take(p + done, want);
            if (got && *got > 0) {
                done += std::min(want, *got);
                continue;
            }
        } else {
            got = 0;
        }
        if (!got) {
            if (done > 0) break;
            return std::nullopt;
        }
        if (*got == 0) break;
        done += *got;
        if (one_raw_read) break;
    }
    return static_cast<size_t>(done);
}

// read(-1): what is buffered, then the raw stream's readall(); a stream
// without one (a BytesIO, another buffered object wrapped as raw) is read
// with read() until it is exhausted, as CPython does.
std::optional<Bytes> Buffered::read_all() {
    Bytes out;
    if (writes_) flush_writes();  // before anything is taken, as in read_generic
    int64_t have = buf_.readahead();
    out.append(buf_.at(buf_.pos), static_cast<size_t>(have));
    buf_.pos += have;
    if (writes_) flush_and_rewind();
    buf_.drop_reads();
    IOBase& raw = raw_checked();
    // Not worth tracking through a readall(): asked again when needed.
    abs_pos_ = -1;
    if (dynamic_cast<RawIOBase*>(&raw)) {
        std::optional<Bytes> rest = raw.readall();
        if (have == 0) return rest;
        if (rest) out.append(rest->data(), rest->size());
        return out;
    }
    bool any = have > 0;
    for (;;) {
        std::optional<Bytes> chunk = raw.read(-1);
        if (!chunk || chunk->empty()) {
            if (!any) return chunk;
            return out;
        }
        any = true;
        out.append(chunk->data(), chunk->size());
    }
}

std::optional<bool> Buffered::read_all_in_pieces(std::span<char> scratch,
                                                 const std::function<void(std::string_view)>& sink) {
    if (!reads_ || !raw_file_) return std::nullopt;
    raw_checked();
    Guard guard(*this);
    check_closed("read of closed file");
    // read_all()'s steps, with the pieces going to sink as they come.
    std::exception_ptr sink_failed;
    auto feed = [&](std::string_view piece) {
        if (piece.empty() || sink_failed) return;
        try {
            sink(piece);
        } catch (...) {
            sink_failed = std::current_exception();
        }
    };
    if (writes_) flush_writes();
    int64_t have = buf_.readahead();
    feed({buf_.at(buf_.pos), static_cast<size_t>(have)});
    buf_.pos += have;
    if (writes_) flush_and_rewind();
    buf_.drop_reads();
    abs_pos_ = -1;
    bool any = have > 0;
    for (;;) {
        // FileIO.readall()'s loop: EOF ends it, and so does "would block"
        // once anything has come.
        std::optional<size_t> n = raw_file_->readinto(scratch);
        if (!n) {
            if (!any) return false;
            break;
        }
        if (*n == 0) break;
        any = true;
        feed({scratch.data(), *n});
    }
    if (sink_failed) std::rethrow_exception(sink_failed);
    return true;
}

std::optional<Bytes> Buffered::read(int64_t size) {
    if (!reads_) return BufferedIOBase::read(size);
    raw_checked();  // CPython reports a detached stream before a bad size
    if (size < -1) throw value_error("read length must be non-negative or -1");
    Guard guard(*this);
    check_closed("read of closed file");
    if (size == -1) return read_all();
    if (size <= buf_.readahead()) {
        Bytes out;
        out.resize_uninitialized(static_cast<size_t>(size));
        buf_.take(out.data(), size);
        return out;
    }
    return read_generic(size);
}

std::optional<Bytes> Buffered::read1(int64_t size) {
    if (!reads_) return BufferedIOBase::read1(size);
    Bytes out;
    read1(size, out);
    out.shrink_to_fit();  // a short raw read leaves room the caller never uses
    return out;
}

void Buffered::read1(int64_t size, Bytes& out) {
    out.clear();
    if (!reads_) {
        BufferedIOBase::read1(size);  // throws
        return;
    }
    raw_checked();
    if (size < 0) size = buffer_size_;
    Guard guard(*this);
    check_closed("read of closed file");
    if (size == 0) return;
    // What is buffered if anything is, else one raw read of `size` straight
    // into the result, which leaves nothing buffered.
    if (int64_t have = buf_.readahead(); have > 0) {
        out.resize_uninitialized(static_cast<size_t>(std::min(size, have)));
        buf_.take(out.data(), static_cast<int64_t>(out.size()));
        return;
    }
    // CPython reads past pending writes here, and then sends them to the
    // wrong place (io.BufferedRandom: write(b"XY") then read1(2) returns
    // what the file held before the write, and the write lands after
    // them).  This sends them first.  Likewise the raw stream is put at the
    // logical position if it is elsewhere (a seek back to the window's end
    // failed, see realign_after_failed_seek).
    if (buf_.pending_writes() || buf_.raw_offset() != 0) flush_and_rewind();
    buf_.drop_reads();
    // The raw read below moves the raw stream past the buffer, whose
    // indexes then mean nothing: an empty write window (write(b"") over a
    // read window) must go too, as CPython's flush_and_rewind drops it
    // (gh-115059).  Kept, a later write would stretch it from its stale
    // write_pos to the stale pos, and the flush would rewind the raw stream
    // by that much and rewrite old buffer bytes over the file.
    buf_.drop_writes();
    out.resize_uninitialized(static_cast<size_t>(size));
    // CPython's read1 answers b"" (not None) when the raw stream would block.
    int64_t n = raw_read(out.data(), size).value_or(0);
    out.resize_uninitialized(static_cast<size_t>(n));
}

std::optional<size_t> Buffered::readinto(std::span<char> buffer) {
    if (!reads_) return BufferedIOBase::readinto(buffer);
    raw_checked();
    Guard guard(*this);
    check_closed("readinto of closed file");
    return readinto_generic(buffer, false);
}

std::optional<size_t> Buffered::readinto1(std::span<char> buffer) {
    if (!reads_) return BufferedIOBase::readinto1(buffer);
    raw_checked();
    Guard guard(*this);
    check_closed("readinto of closed file");
    // Unlike read1, CPython's readinto1 answers None when the raw stream
    // would block and nothing was buffered.
    return readinto_generic(buffer, true);
}

std::string_view Buffered::peek(int64_t) {
    if (!reads_) no_attribute("peek");
    raw_checked();
    Guard guard(*this);
    check_closed("peek of closed file");
    // CPython's peek on a BufferedRandom always flushes and rewinds first,
    // which drops the read window: it then shows a fresh buffer.
    if (writes_) flush_and_rewind();
    return peek_locked();
}

// What is buffered if anything is, else one fill of an empty buffer: never
// more (the buffer is not shifted to make room).
std::string_view Buffered::peek_locked() {
    if (int64_t have = buf_.readahead(); have > 0)
        return {buf_.at(buf_.pos), static_cast<size_t>(have)};
    buf_.drop_reads();
    int64_t got = fill().value_or(0);  // would block: nothing to show
    buf_.pos = 0;
    return {buf_.at(0), static_cast<size_t>(got)};
}

std::optional<Bytes> Buffered::readline(int64_t limit) {
    if (!reads_) return BufferedIOBase::readline(limit);
    raw_checked();
    Guard guard(*this, Guard::Keeps::Newlines);
    check_closed("readline of closed file");
    return readline_locked(limit);
}

// readline(), but a line that is all in the buffer is shown where it lies:
// binary line reading then costs a memchr per line.
std::optional<std::string_view> Buffered::readline_view(int64_t limit) {
    if (!reads_) return BufferedIOBase::readline_view(limit);
    raw_checked();
    Guard guard(*this, Guard::Keeps::Newlines);
    check_closed("readline of closed file");
    if (std::optional<std::string_view> line = line_in_buffer(limit)) return line;
    line_scratch_ = readline_locked(limit);
    return line_scratch_.view();
}

// The first step of CPython's _buffered_readline: the line (or as much as
// the limit allows) if it is all in the buffer, taken from it.
inline std::optional<std::string_view> Buffered::line_in_buffer(int64_t limit) {
    int64_t n = buf_.readahead();
    if (limit >= 0 && n > limit) n = limit;
    const char* start = buf_.at(buf_.pos);
    const int64_t nl = n > 0 ? find_newline_inline(buf_.pos, buf_.pos + n) : -1;
    if (nl < 0 && n != limit) return std::nullopt;
    if (nl >= 0) n = nl - buf_.pos + 1;
    buf_.pos += n;
    return std::string_view(start, static_cast<size_t>(n));
}

// The first '\n' of words `word` and `word` + 1 of the map, given their bits
// (first: from the position on): its offset, -1 if at or past `to`,
// kNoNewline if neither has one.  Whether a short line ends in the first
// word or the second is a coin toss, which a select settles without a
// branch.
inline int64_t Buffered::select_newline(int64_t word, uint64_t first, uint64_t second, int64_t to) noexcept {
    if (!(first | second)) return kNoNewline;
    const uint64_t found = first ? first : second;
    const int64_t at = (word + (first ? 0 : 1)) * 64 + __builtin_ctzll(found);
    return at < to ? at : -1;
}

inline int64_t Buffered::find_newline_inline(int64_t from, int64_t to) {
    // Mapped two words from here (the map is not empty, so it exists): the
    // common case, without the call.
    if (from >= newlines_begin_ && (from / 64 + 2) * 64 <= newlines_end_) {
        const int64_t word = from / 64;
        const int64_t at =
            select_newline(word, newline_bits_[word] & (~uint64_t{0} << (from % 64)), newline_bits_[word + 1], to);
        if (at != kNoNewline) return at;
    }
    return find_newline(from, to);
}

int64_t Buffered::find_newline(int64_t from, int64_t to) {
    // Maps a little ahead at a time, so that a readline followed by a seek
    // or a read does not pay for a whole buffer.
    constexpr int64_t kStep = 4096;
    if (from < newlines_begin_ || from > newlines_end_) newlines_begin_ = newlines_end_ = from & ~int64_t{63};
    if (!newline_bits_) newline_bits_ = std::make_unique<uint64_t[]>(static_cast<size_t>(buf_.capacity / 64 + 1));
    const uint64_t* bits = newline_bits_.get();
    int64_t word = from / 64;
    uint64_t mask = ~uint64_t{0} << (from % 64);
    for (;;) {
        if ((word + 2) * 64 > newlines_end_) {
            if (newlines_end_ >= to) {
                // All up to `to` is mapped, which ends in one of the two words.
                // (A word's bits past newlines_end_ are clear; the words
                // after that one are not ours to read.)
                const uint64_t first = word * 64 < newlines_end_ ? bits[word] & mask : 0;
                const uint64_t second = (word + 1) * 64 < newlines_end_ ? bits[word + 1] : 0;
                const int64_t at = select_newline(word, first, second, to);
                return at == kNoNewline ? -1 : at;
            }
            // The last word mapped may have been cut short: mapped again.
            const int64_t begin = newlines_end_ & ~int64_t{63}, end = std::min(buf_.read_end, begin + kStep);
            transcode::newline_bits(buf_.at(begin), static_cast<size_t>(end - begin), newline_bits_.get() + begin / 64);
            newlines_end_ = end;
            continue;
        }
        const int64_t at = select_newline(word, bits[word] & mask, bits[word + 1], to);
        if (at != kNoNewline) return at;
        mask = ~uint64_t{0};
        word += 2;
    }
}

// As CPython's _buffered_readline: the line from the buffer if it is all
// there (or the limit is); else what is buffered, pending writes sent, and
// fresh fills of the whole buffer until a newline, the limit, EOF or a raw
// stream that would block.
Bytes Buffered::readline_locked(int64_t limit) {
    if (std::optional<std::string_view> line = line_in_buffer(limit)) return Bytes(*line);
    Bytes line;
    int64_t n = buf_.readahead();  // all of it: no newline, and less than the limit
    line.append(buf_.at(buf_.pos), static_cast<size_t>(n));
    buf_.pos += n;
    // Only here, past the buffer, do pending writes go out: readline(0)
    // sends nothing.
    if (limit >= 0) limit -= n;
    if (writes_) flush_and_rewind();
    for (;;) {
        buf_.drop_reads();
        std::optional<int64_t> got = fill();
        if (!got || *got == 0) break;
        n = *got;
        if (limit >= 0 && n > limit) n = limit;
        if (const void* nl = std::memchr(buf_.at(0), '\n', static_cast<size_t>(n))) {
            buf_.pos = static_cast<const char*>(nl) - buf_.at(0) + 1;
            line.append(buf_.at(0), static_cast<size_t>(buf_.pos));
            break;
        }
        line.append(buf_.at(0), static_cast<size_t>(n));
        if (n == limit) {
            buf_.pos = n;
            break;
        }
        if (limit >= 0) limit -= n;
    }
    return line;
}

// ---- writing ----

// As CPython's BufferedWriter.write: into the buffer at the logical position
// if it fits before the end; else the buffer is sent first and what does not
// fit goes straight to the raw stream, the last buffer's worth staying
// buffered.  A raw stream that would block takes what it can; the rest is
// buffered as far as it fits, and BlockingIOError reports how much of
// `data` was accepted.
std::optional<size_t> Buffered::write(std::span<const char> data) {
    size_t taken = 0;
    return write(data, taken);
}

std::optional<size_t> Buffered::write(std::span<const char> data, size_t& taken) {
    taken = 0;
    if (!writes_) return BufferedIOBase::write(data);
    raw_checked();
    Guard guard(*this);
    if (closed_now()) throw value_error("write to closed file");
    int64_t len = static_cast<int64_t>(data.size());
    const char* in = data.data();
    if (!buf_.read_window() && !buf_.write_window()) buf_.pos = buf_.raw_pos = 0;
    if (len <= buffer_size_ - buf_.pos) {
        if (len > 0) std::memcpy(buf_.at(buf_.pos), in, static_cast<size_t>(len));
        if (!buf_.write_window() || buf_.write_pos > buf_.pos) buf_.write_pos = buf_.pos;
        buf_.move_to(buf_.pos + len);
        if (buf_.pos > buf_.write_end) buf_.write_end = buf_.pos;
        return data.size();
    }

    try {
        flush_writes();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::BlockingIOError) throw;
        // Make room by moving what is pending to the front, and take what
        // fits at the logical position.  A BufferedRandom may have read past
        // its pending bytes or moved back before them: the pending span is
        // stretched to the position over the read-ahead bytes in between,
        // which are the file's own.  (CPython appends at the end of the
        // pending bytes wherever the position is, so it writes the data in
        // the wrong place.)
        if (reads_) buf_.drop_reads();
        int64_t start = std::min(buf_.write_pos, buf_.pos);
        int64_t end = std::max(buf_.write_end, buf_.pos);
        std::memmove(buf_.at(0), buf_.at(start), static_cast<size_t>(end - start));
        buf_.raw_pos -= start;
        buf_.pos -= start;
        buf_.write_pos = 0;
        buf_.write_end = end - start;
        int64_t fits = std::min(len, buffer_size_ - buf_.pos);
        std::memcpy(buf_.at(buf_.pos), in, static_cast<size_t>(fits));
        buf_.pos += fits;
        buf_.write_end = std::max(buf_.write_end, buf_.pos);
        if (fits == len) return data.size();
        throw blocking_io_error(block_errno_, fits, kWouldBlock);
    }

    // The raw stream may be ahead of the logical position (a read window
    // was filled but not written over): put it back.
    if (int64_t offset = buf_.raw_offset(); offset != 0) {
        raw_seek_realigning(-offset, SEEK_CUR);
        buf_.raw_pos -= offset;
    }
    int64_t done = 0;
    while (len - done > buffer_size_) {
        taken = static_cast<size_t>(done);
        std::optional<int64_t> n = raw_write(in + done, len - done);
        if (!n) {
            // Buffer a buffer's worth of what is left and report the rest.
            std::memcpy(buf_.at(0), in + done, static_cast<size_t>(buffer_size_));
            buf_.raw_pos = 0;
            buf_.move_to(buffer_size_);
            buf_.write_end = buffer_size_;
            done += buffer_size_;
            throw blocking_io_error(block_errno_, done, kWouldBlock);
        }
        done += *n;
    }
    if (reads_) buf_.drop_reads();
    int64_t rest = len - done;
    if (rest > 0) std::memcpy(buf_.at(0), in + done, static_cast<size_t>(rest));
    buf_.write_pos = 0;
    buf_.write_end = rest;
    buf_.move_to(rest);
    buf_.raw_pos = 0;
    taken = 0;
    return data.size();
}

Ref<IOBase> Buffered::detach() {
    // Python flushes first (BufferedReader's flush is the raw stream's); under
    // the same lock, so that no other thread's write slips in between.
    raw_checked();
    Guard guard(*this);
    flush_locked();
    raw_file_ = nullptr;
    raw_closed_ = nullptr;
    return std::move(raw_);
}

// ---- BufferedRWPair ----

BufferedRWPair::BufferedRWPair(Ref<IOBase> reader, Ref<IOBase> writer, int64_t buffer_size) {
    if (!reader || !writer) throw type_error("raw stream is NULL");
    // io's messages; _pyio's are '"reader" argument must be readable.'.
    if (!reader->readable()) throw unsupported_operation(kNotReadable);
    if (!writer->writable()) throw unsupported_operation(kNotWritable);
    reader_ = make_ref<BufferedReader>(std::move(reader), buffer_size);
    writer_ = make_ref<BufferedWriter>(std::move(writer), buffer_size);
}

void BufferedRWPair::close() {
    // Both are closed whatever happens to the first; the reader's failure
    // wins over the writer's, as in CPython.
    then_report_last([&] { writer_->close(); }, [&] { reader_->close(); });
}

bool BufferedRWPair::closed() const { return writer_->closed(); }
void BufferedRWPair::flush() { writer_->flush(); }
bool BufferedRWPair::readable() { return reader_->readable(); }
bool BufferedRWPair::writable() { return writer_->writable(); }
bool BufferedRWPair::isatty() { return writer_->isatty() || reader_->isatty(); }
std::optional<Bytes> BufferedRWPair::read(int64_t size) { return reader_->read(size); }
std::optional<Bytes> BufferedRWPair::read1(int64_t size) { return reader_->read1(size); }
std::optional<size_t> BufferedRWPair::readinto(std::span<char> b) { return reader_->readinto(b); }
std::optional<size_t> BufferedRWPair::readinto1(std::span<char> b) { return reader_->readinto1(b); }
std::string_view BufferedRWPair::peek(int64_t size) { return reader_->peek(size); }
// io's BufferedRWPair has no readline of its own: IOBase's reads through
// peek() up to the buffered newline (one byte when nothing is buffered), so
// its would-block and closed behaviour is IOBase's, not the reader's.  As in
// CPython, each scan is bounded by the limit itself, not by what is left of
// it, so a line can come out longer than the limit.
std::optional<Bytes> BufferedRWPair::readline(int64_t limit) {
    Bytes line;
    readline_blocked_ = false;
    while (limit < 0 || line.size() < static_cast<uint64_t>(limit)) {
        int64_t ahead = 1;
        std::string_view buffered = reader_->peek(1);
        if (!buffered.empty()) {
            size_t scan = limit < 0 ? buffered.size()
                                    : std::min(buffered.size(), static_cast<size_t>(limit));
            size_t nl = buffered.substr(0, scan).find('\n');
            ahead = static_cast<int64_t>(nl == std::string_view::npos ? scan : nl + 1);
        }
        std::optional<Bytes> chunk = reader_->read(ahead);
        if (!chunk) {
            readline_blocked_ = true;
            if (line.empty()) return std::nullopt;
            break;
        }
        if (chunk->empty()) break;
        line.append(chunk->data(), chunk->size());
        if (line.back() == '\n') break;
    }
    return line;
}
std::optional<size_t> BufferedRWPair::write(std::span<const char> data) { return writer_->write(data); }

}  // namespace pyio
