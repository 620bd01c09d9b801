#include "bufferedio.h"

#include <cerrno>
#include <cstring>

namespace pyio {

namespace {

constexpr const char* kDetached = "raw stream has been detached";
constexpr const char* kWouldBlock = "write could not complete without blocking";

}  // namespace

// ---- the lock ----

// Holds the object's mutex for one public call.  A thread that already holds
// it is inside a raw call that called back into this object: CPython raises
// RuntimeError there instead of deadlocking, and so does this.
class Buffered::Guard {
public:
    explicit Guard(Buffered& b) : b_(b) {
        if (b.owner_.load(std::memory_order_relaxed) == std::this_thread::get_id())
            throw runtime_error(std::string("reentrant call inside <") + b.type_name() + ">");
        b.mu_.lock();
        b.owner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    }
    ~Guard() {
        b_.owner_.store(std::thread::id(), std::memory_order_relaxed);
        b_.mu_.unlock();
    }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    Buffered& b_;
};

// ---- construction ----

Buffered::Buffered(Ref<IOBase> raw, int64_t buffer_size, Role role)
    : raw_(std::move(raw)),
      buffer_size_(buffer_size > 0 ? static_cast<size_t>(buffer_size) : 0),
      reads_(role != Role::Writer),
      writes_(role != Role::Reader) {
    if (!raw_) throw type_error("raw stream is NULL");
    // CPython's order of checks: seekable (BufferedRandom), then readable,
    // then writable, then the size.
    if (role == Role::Random && !raw_->seekable()) throw unsupported_operation(kNotSeekable);
    if (reads_ && !raw_->readable()) throw unsupported_operation(kNotReadable);
    if (writes_ && !raw_->writable()) throw unsupported_operation(kNotWritable);
    if (buffer_size <= 0) throw value_error("buffer size must be strictly positive");
    if (reads_) {
        rd_.data.reset(new char[buffer_size_]);
        rd_.capacity = buffer_size_;
    }
    if (writes_) {
        wr_.data.reset(new char[buffer_size_]);
        wr_.capacity = buffer_size_;
    }
    // Knowing the raw position from the start lets seeks inside the
    // read-ahead stay there.  A stream that cannot tell (a pipe) leaves it
    // unknown, as CPython's constructor does.
    try {
        raw_pos_ = raw_->tell();
    } catch (const Error&) {
        raw_pos_ = -1;
    }
}

Buffered::~Buffered() = default;

// ---- raw access ----

IOBase& Buffered::raw_checked() const {
    if (!raw_) throw value_error(kDetached);
    return *raw_;
}

void Buffered::check_closed(const char* message) const {
    if (raw_checked().closed()) throw value_error(message);
}

int64_t Buffered::raw_tell() {
    if (raw_pos_ < 0) raw_pos_ = raw_checked().tell();
    return raw_pos_;
}

int64_t Buffered::raw_seek(int64_t pos, int whence) {
    raw_pos_ = -1;  // unknown if the seek fails halfway
    raw_pos_ = raw_checked().seek(pos, whence);
    return raw_pos_;
}

std::optional<size_t> Buffered::raw_read(char* p, size_t n) {
    std::optional<size_t> got = raw_checked().readinto(std::span<char>(p, n));
    if (got && *got > n)
        throw os_error_message("raw readinto() returned invalid length " + std::to_string(*got) +
                               " (should have been between 0 and " + std::to_string(n) + ")");
    if (got && raw_pos_ >= 0) raw_pos_ += static_cast<int64_t>(*got);
    return got;
}

std::optional<size_t> Buffered::raw_write(const char* p, size_t n) {
    std::optional<size_t> put = raw_checked().write(std::span<const char>(p, n));
    if (put && *put > n)
        throw os_error_message("raw write() returned invalid length " + std::to_string(*put) +
                               " (should have been between 0 and " + std::to_string(n) + ")");
    if (put && raw_pos_ >= 0) raw_pos_ += static_cast<int64_t>(*put);
    return put;
}

std::optional<size_t> Buffered::fill() {
    std::optional<size_t> got = raw_read(rd_.data.get() + rd_.end, rd_.capacity - rd_.end);
    if (got) rd_.end += *got;
    return got;
}

// ---- keeping the two halves consistent ----

void Buffered::flush_writes() {
    while (wr_.pending() > 0) {
        std::optional<size_t> n = raw_write(wr_.data.get() + wr_.start, wr_.pending());
        // What could not be written stays buffered for a later flush.
        if (!n) throw blocking_io_error(EAGAIN, 0, kWouldBlock);
        wr_.start += *n;
    }
    wr_.clear();
}

void Buffered::flush_and_rewind() {
    if (writes_) flush_writes();
    if (reads_ && rd_.available() > 0) {
        raw_seek(raw_tell() - static_cast<int64_t>(rd_.available()), 0);
        rd_.clear();
    }
}

void Buffered::prepare_read() {
    if (writes_ && wr_.pending() > 0) flush_writes();
}

void Buffered::prepare_write() {
    if (reads_ && rd_.available() > 0) {
        raw_seek(raw_tell() - static_cast<int64_t>(rd_.available()), 0);
        rd_.clear();
    }
}

// ---- IOBase ----

bool Buffered::closed() const { return raw_checked().closed(); }

void Buffered::close() {
    Guard guard(*this);
    IOBase& raw = raw_checked();
    if (raw.closed()) return;
    // Flush, then close the raw stream even when the flush failed; the first
    // failure is the one reported.
    run_all([&] {
                if (writes_) flush_writes();
            },
            [&] { raw.close(); },
            [&] {
                rd_.clear();
                wr_.clear();
            });
}

void Buffered::flush() {
    Guard guard(*this);
    flush_locked();
}

void Buffered::flush_locked() {
    if (!writes_) {
        // BufferedReader.flush is the raw stream's.
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

int64_t Buffered::seek(int64_t pos, int whence) {
    // SEEK_DATA and SEEK_HOLE (3, 4) pass through to the raw stream, as in CPython.
    if (whence < 0 || whence > 4)
        throw value_error("whence value " + std::to_string(whence) + " unsupported");
    Guard guard(*this);
    check_closed("seek of closed file");
    if (!raw_checked().seekable()) throw unsupported_operation(kNotSeekable);
    // A seek that lands inside the read-ahead keeps it.
    if ((whence == 0 || whence == 1) && rd_.available() > 0) {
        int64_t window_end = raw_tell();
        int64_t window_start = window_end - static_cast<int64_t>(rd_.end);
        int64_t current = window_end - static_cast<int64_t>(rd_.available());
        int64_t target = whence == 0 ? pos : current + pos;
        if (target >= window_start && target <= window_end) {
            rd_.pos = static_cast<size_t>(target - window_start);
            return target;
        }
    }
    if (writes_) flush_writes();
    // Relative to the logical position, which lags the raw one by the read-ahead.
    if (whence == 1) pos -= static_cast<int64_t>(rd_.available());
    // A failed seek (a negative target) leaves the raw stream where it was,
    // so the read-ahead, and the logical position, stay valid.
    int64_t result = raw_seek(pos, whence);
    rd_.clear();
    return result;
}

int64_t Buffered::tell() {
    Guard guard(*this);
    check_closed(kClosedFile);
    // Asks the raw stream every time, as CPython does: the cached position
    // is wrong after writes to an O_APPEND file, which land at its end.
    raw_pos_ = raw_checked().tell();
    int64_t pos = raw_pos_ - static_cast<int64_t>(rd_.available()) +
                  static_cast<int64_t>(wr_.pending());
    return pos < 0 ? 0 : pos;
}

int64_t Buffered::truncate(std::optional<int64_t> size) {
    Guard guard(*this);
    check_closed("truncate of closed file");
    if (!writes_) throw unsupported_operation("truncate");
    flush_and_rewind();
    // The raw stream's position is the logical one now, and truncating does
    // not move it.
    int64_t result = raw_checked().truncate(size);
    raw_pos_ = -1;
    return result;
}

// ---- reading ----

// read(n): n bytes unless EOF comes first; nullopt if a non-blocking raw
// stream had nothing and nothing was buffered.  As CPython's
// _bufferedreader_read_generic: whole buffers' worth go straight into the
// caller's memory, the tail through the buffer, whose rest stays read-ahead.
std::optional<size_t> Buffered::read_generic(char* out, size_t n) {
    size_t done = rd_.take(out, n);
    if (done == n) return done;
    prepare_read();
    rd_.clear();
    // EOF ends the read with what there is; "would block" too, unless there
    // is nothing at all.
    auto stop = [&](const std::optional<size_t>& got) -> std::optional<size_t> {
        if (!got && done == 0) return std::nullopt;
        return done;
    };
    for (;;) {
        size_t blocks = (n - done) / buffer_size_ * buffer_size_;
        if (blocks == 0) break;
        std::optional<size_t> got = raw_read(out + done, blocks);
        if (!got || *got == 0) return stop(got);
        done += *got;
    }
    // Fewer than buffer_size_ bytes are missing, so the appending fills
    // below never run out of room.
    while (done < n) {
        std::optional<size_t> got = fill();
        if (!got || *got == 0) return stop(got);
        done += rd_.take(out + done, n - done);
    }
    return done;
}

// readinto / readinto1, as CPython's _buffered_readinto_generic: what is
// buffered first; then, while more than a buffer's worth is missing, raw
// reads straight into the caller's memory, else fills of the buffer.
// readinto1 makes at most one raw read, and none once it has some data and
// less than a buffer's worth is missing.
std::optional<size_t> Buffered::readinto_generic(char* out, size_t n, bool one_raw_read) {
    // CPython answers from the buffer alone only when it has data: an empty
    // read with nothing buffered still flushes pending writes.
    size_t done = rd_.take(out, n);
    if (done == n && (done > 0 || rd_.available() > 0)) return done;
    prepare_read();
    rd_.clear();
    while (done < n) {
        size_t want = n - done;
        std::optional<size_t> got;
        if (want > buffer_size_) {
            got = raw_read(out + done, want);
            if (got) done += *got;
        } else if (one_raw_read && done > 0) {
            break;
        } else {
            got = fill();
            if (got && *got > 0) {
                done += rd_.take(out + done, want);
                continue;
            }
        }
        if (!got) return done > 0 ? std::optional<size_t>(done) : std::nullopt;
        if (*got == 0 || one_raw_read) break;
    }
    return done;
}

std::optional<Bytes> Buffered::read_all() {
    prepare_read();
    Bytes out;
    out.append(rd_.next(), rd_.available());
    rd_.clear();
    IOBase& raw = raw_checked();
    raw_pos_ = -1;
    // A raw stream has readall(); anything else wrapped as one (a BytesIO,
    // another buffered object) is read with read() until it is empty, as
    // CPython does, so that what was buffered is never lost to an error.
    if (dynamic_cast<RawIOBase*>(&raw)) {
        std::optional<Bytes> rest = raw.readall();
        if (!rest) return out.empty() ? std::nullopt : std::optional<Bytes>(std::move(out));
        if (out.empty()) return rest;
        out.append(rest->data(), rest->size());
        return out;
    }
    for (;;) {
        std::optional<Bytes> chunk = raw.read(-1);
        if (!chunk) return out.empty() ? std::nullopt : std::optional<Bytes>(std::move(out));
        if (chunk->empty()) return out;
        out.append(chunk->data(), chunk->size());
    }
}

std::optional<Bytes> Buffered::read(int64_t size) {
    if (!reads_) return BufferedIOBase::read(size);
    raw_checked();  // CPython reports a detached stream before a bad size
    if (size < -1) throw value_error("read length must be non-negative or -1");
    Guard guard(*this);
    check_closed("read of closed file");
    if (size == -1) return read_all();
    Bytes out;
    out.resize_uninitialized(static_cast<size_t>(size));
    std::optional<size_t> n = read_generic(out.data(), out.size());
    if (!n) return std::nullopt;
    out.resize_uninitialized(*n);
    out.shrink_to_fit();
    return out;
}

std::optional<Bytes> Buffered::read1(int64_t size) {
    if (!reads_) return BufferedIOBase::read1(size);
    Guard guard(*this);
    check_closed("read of closed file");
    if (size < 0) size = static_cast<int64_t>(buffer_size_);
    Bytes out;
    // As CPython: what is buffered if anything is, else one raw read of
    // `size` straight into the result, which leaves nothing buffered.
    if (rd_.available() > 0) {
        out.resize_uninitialized(std::min(static_cast<size_t>(size), rd_.available()));
        rd_.take(out.data(), out.size());
        return out;
    }
    if (size == 0) return out;
    // CPython 3.11 skips this flush, so a BufferedRandom's read1 after a
    // write reads what the file held before the write; this does not.
    prepare_read();
    rd_.clear();
    out.resize_uninitialized(static_cast<size_t>(size));
    // CPython's read1 answers b"" (not None) when the raw stream would block.
    size_t n = raw_read(out.data(), out.size()).value_or(0);
    out.resize_uninitialized(n);
    out.shrink_to_fit();
    return out;
}

std::optional<size_t> Buffered::readinto(std::span<char> buffer) {
    if (!reads_) return BufferedIOBase::readinto(buffer);
    Guard guard(*this);
    check_closed("readinto of closed file");
    return readinto_generic(buffer.data(), buffer.size(), false);
}

std::optional<size_t> Buffered::readinto1(std::span<char> buffer) {
    if (!reads_) return BufferedIOBase::readinto1(buffer);
    Guard guard(*this);
    check_closed("readinto of closed file");
    // Unlike read1, CPython's readinto1 answers None when the raw stream
    // would block and nothing was buffered.
    return readinto_generic(buffer.data(), buffer.size(), true);
}

std::string_view Buffered::peek(int64_t) {
    if (!reads_) no_attribute("peek");
    Guard guard(*this);
    check_closed("peek of closed file");
    // CPython's peek on a BufferedRandom always flushes and rewinds first,
    // which drops the read-ahead: it then shows a fresh buffer.
    if (writes_) flush_and_rewind();
    if (rd_.available() == 0) {
        rd_.clear();
        fill();  // would block: nothing to show
    }
    return {rd_.next(), rd_.available()};
}

std::optional<Bytes> Buffered::readline(int64_t limit) {
    if (!reads_) return BufferedIOBase::readline(limit);
    Guard guard(*this);
    check_closed("readline of closed file");
    Bytes line;
    size_t room = limit < 0 ? SIZE_MAX : static_cast<size_t>(limit);
    while (room > 0) {
        if (rd_.available() == 0) {
            // Pending writes go out only when the raw stream is read, as in
            // CPython (readline(0) flushes nothing).
            prepare_read();
            rd_.clear();
            std::optional<size_t> got = fill();
            if (!got || *got == 0) break;
        }
        size_t scan = std::min(room, rd_.available());
        const void* nl = std::memchr(rd_.next(), '\n', scan);
        size_t n = nl ? static_cast<size_t>(static_cast<const char*>(nl) - rd_.next()) + 1 : scan;
        line.append(rd_.next(), n);
        rd_.pos += n;
        room -= n;
        if (nl) break;
    }
    return line;
}

// ---- writing ----

std::optional<size_t> Buffered::write(std::span<const char> data) {
    if (!writes_) return BufferedIOBase::write(data);
    Guard guard(*this);
    check_closed("write to closed file");
    prepare_write();
    // Fast path: it fits behind what is already pending.
    if (data.size() <= wr_.capacity - wr_.pending()) {
        wr_.put(data.data(), data.size());
        return data.size();
    }
    size_t accepted = 0;
    try {
        flush_writes();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::BlockingIOError) throw;
        // Take what fits; the rest is the caller's to offer again.
        accepted = wr_.put(data.data(), data.size());
        if (accepted == data.size()) return accepted;
        throw blocking_io_error(EAGAIN, static_cast<int64_t>(accepted), kWouldBlock);
    }
    // The buffer is empty: what does not fit goes straight to the raw stream.
    // Exactly a buffer's worth stays buffered, as in CPython.
    while (data.size() - accepted > buffer_size_) {
        std::optional<size_t> n = raw_write(data.data() + accepted, data.size() - accepted);
        if (!n) {
            accepted += wr_.put(data.data() + accepted, data.size() - accepted);
            if (accepted == data.size()) return accepted;
            throw blocking_io_error(EAGAIN, static_cast<int64_t>(accepted), kWouldBlock);
        }
        accepted += *n;
    }
    accepted += wr_.put(data.data() + accepted, data.size() - accepted);
    return accepted;
}

Ref<IOBase> Buffered::detach() {
    // Python flushes first (BufferedReader's flush is the raw stream's); under
    // the same lock, so that no other thread's write slips in between.
    Guard guard(*this);
    flush_locked();
    rd_.clear();
    raw_pos_ = -1;
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
    // Both are closed whatever happens to the first; the first failure wins.
    run_all([&] { writer_->close(); }, [&] { reader_->close(); });
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
std::optional<Bytes> BufferedRWPair::readline(int64_t limit) { return reader_->readline(limit); }
std::optional<size_t> BufferedRWPair::write(std::span<const char> data) { return writer_->write(data); }

}  // namespace pyio
