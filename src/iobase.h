// IOBase and the three abstract layers of PEP 3116: RawIOBase,
// BufferedIOBase and TextIOBase.
//
// The layers derive from IOBase virtually so that a class playing two roles
// later (BufferedRandom is a reader and a writer) has one IOBase, one closed
// flag and one reference count.
//
// Python's IOBase does not declare read/write; each layer adds its own.  Here
// the whole stream protocol is declared on IOBase so that the C API, which has
// one handle type for every stream, dispatches with one virtual call.  The
// defaults keep Python's observable behaviour: a method the class does not
// have in Python raises AttributeError ("'FileIO' object has no attribute
// 'read1'"), a method Python's base class declares but cannot perform raises
// UnsupportedOperation.
//
// Streams are reference counted (the C handle's retain/release).  The count
// starts at 1, owned by whoever constructed the object (see make_ref); the
// last decref() closes a stream that is still open, as Python's finaliser
// does, and deletes it.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bytes.h"
#include "error.h"

namespace pyio {

// io.DEFAULT_BUFFER_SIZE of current CPython.
inline constexpr int64_t kDefaultBufferSize = 128 * 1024;

// The most one read(2)/write(2) transfers on Linux; raw reads never ask for
// more, so read(huge) does not try to allocate huge.
inline constexpr int64_t kMaxRawTransfer = 0x7ffff000;

// An owning pointer to a reference-counted stream.
template <class T>
class Ref {
public:
    Ref() = default;
    // Takes over a reference the caller already owns.
    static Ref adopt(T* p) noexcept {
        Ref r;
        r.p_ = p;
        return r;
    }
    // Adds a reference to a stream someone else owns.
    static Ref share(T* p) noexcept {
        if (p) p->incref();
        return adopt(p);
    }
    Ref(const Ref& o) noexcept : p_(o.p_) {
        if (p_) p_->incref();
    }
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    template <class U>
    Ref(Ref<U> o) noexcept : p_(o.release()) {}
    Ref& operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Ref() {
        if (p_) p_->decref();
    }
    T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    // Gives up the reference without dropping it.
    T* release() noexcept { return std::exchange(p_, nullptr); }

private:
    T* p_ = nullptr;
};

template <class T, class... Args>
Ref<T> make_ref(Args&&... args) {
    return Ref<T>::adopt(new T(std::forward<Args>(args)...));
}

// Python's `name` attribute: a path, or the integer a FileIO was opened from.
struct StreamName {
    bool is_fd = false;
    std::string path;
    int64_t fd = -1;
};

// The std::optional<size_t> of a size that write() or readinto() returns,
// built with emplace, whose store is a whole word.  From `return n;` GCC 12
// stores the flag alone, as a byte, and the caller or a virtual thunk loads
// the word around it: a stalled store forwarding on every call, which was
// 5% of writing a text line (46 -> 44 ns; a BufferedWriter's write gained
// nothing measurable, its caller's load coming later).
inline std::optional<size_t> some_size(size_t n) noexcept {
    std::optional<size_t> r;
    r.emplace(n);
    return r;
}

class TextIOBase;

class IOBase {
public:
    IOBase(const IOBase&) = delete;
    IOBase& operator=(const IOBase&) = delete;
    virtual ~IOBase();

    void incref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void decref() noexcept;
    // False once the object is destroyed: a cheap guard against stale handles.
    bool alive() const noexcept { return magic_ == kAliveMagic; }

    // Python's class name ("FileIO", ...).
    virtual const char* type_name() const noexcept = 0;

    // ---- IOBase ----
    virtual void close();
    virtual bool closed() const { return closed_.load(std::memory_order_acquire); }
    // The flag closed() reads in IOBase's own implementation: for a caller
    // that asks once per line and knows the class does not override it.
    const std::atomic<bool>& closed_flag() const noexcept { return closed_; }
    virtual void flush();
    virtual bool readable() { return false; }
    virtual bool writable() { return false; }
    virtual bool seekable() { return false; }
    virtual bool isatty();
    virtual int fileno();
    virtual int64_t seek(int64_t pos, int whence);
    virtual int64_t tell();
    // size nullopt is Python's None: the current position.
    virtual int64_t truncate(std::optional<int64_t> size);
    // A line up to and including '\n', at most limit bytes (limit < 0: no
    // limit).  nullopt: a non-blocking stream had nothing at all.
    virtual std::optional<Bytes> readline(int64_t limit);
    // hint <= 0: no limit.
    virtual std::vector<Bytes> readlines(int64_t hint);
    virtual void writelines(std::span<const std::string_view> lines);
    // next(stream): readline(), except for text streams (TextIOBase).
    virtual std::optional<Bytes> iternext() { return readline(-1); }
    // This stream as a text stream, or nullptr: what the C API's text calls
    // need on every call, without a dynamic_cast (which, across this
    // hierarchy's virtual bases, compares type names).
    virtual TextIOBase* as_text() noexcept { return nullptr; }

    // ---- the stream protocol of the layers (see the file comment) ----
    // nullopt results mean "would block" (Python's None).
    virtual std::optional<Bytes> read(int64_t size);
    virtual std::optional<Bytes> readall();
    virtual std::optional<Bytes> read1(int64_t size);
    virtual std::optional<size_t> readinto(std::span<char> buffer);
    virtual std::optional<size_t> readinto1(std::span<char> buffer);
    virtual std::optional<size_t> write(std::span<const char> data);
    // Buffered readers: the buffered bytes (at least one unless at EOF or
    // would block), without advancing; valid until the next call.
    virtual std::string_view peek(int64_t size);
    // readline() without a copy for the caller: a view valid until the next
    // call on the stream.  Buffered readers and TextIOWrapper show the line
    // where it lies in their buffer (or decoded text) when it is all there;
    // otherwise, and for every other class, the line is kept in
    // line_scratch_.  nullopt: would block.
    virtual std::optional<std::string_view> readline_view(int64_t limit);
    virtual Ref<IOBase> detach();

    // ---- attributes ----
    virtual const StreamName& name();
    virtual const std::string& mode();

protected:
    IOBase() = default;

    // Marks the stream closed; close() implementations call it once done.
    void mark_closed() noexcept { closed_.store(true, std::memory_order_release); }
    // ValueError("I/O operation on closed file.") when closed.
    void check_closed() const;
    // UnsupportedOperation with Python's messages when the capability is missing.
    void check_readable();
    void check_writable();
    void check_seekable();
    // readlines(hint) over readline(): stop once the lines' total has reached
    // or exceeded the hint (CPython's classes differ; hint <= 0: no limit).
    enum class HintStop { Reached, Exceeded };
    std::vector<Bytes> collect_lines(int64_t hint, HintStop stop);
    // Set by readline() when it stopped because the stream would block
    // (cleared by each call): collect_lines() stops after that partial line
    // rather than return the pieces of one line as several lines.
    bool readline_blocked_ = false;
    // What readline_view() shows when the line is not in a buffer.
    Bytes line_scratch_;
    // AttributeError for a method or attribute this class does not have.
    [[noreturn]] void no_attribute(std::string_view attribute) const;

private:
    static constexpr uint32_t kAliveMagic = 0x50594f31;  // "PYO1"
    uint32_t magic_ = kAliveMagic;
    std::atomic<int64_t> refs_{1};
    std::atomic<bool> closed_{false};
};

// Raw binary I/O: one system call per operation, may transfer less than asked.
class RawIOBase : public virtual IOBase {
public:
    // size < 0: readall().  Otherwise one readinto() of at most size bytes.
    std::optional<Bytes> read(int64_t size) override;
    // readinto() until EOF; nullopt if the very first read would block.
    std::optional<Bytes> readall() override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> write(std::span<const char> data) override;
};

// Buffered binary I/O: read(n) returns n bytes unless EOF comes first.
class BufferedIOBase : public virtual IOBase {
public:
    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> read1(int64_t size) override;
    // Python's BufferedIOBase.readinto: read() then copy.
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> readinto1(std::span<char> buffer) override;
    std::optional<size_t> write(std::span<const char> data) override;
    Ref<IOBase> detach() override;
};

// TextIOWrapper's tell() cookie, field for field as CPython's C TextIOWrapper
// packs it into one int: start_pos | dec_flags << 64 | bytes_to_feed << 96 |
// chars_to_skip << 128 | need_eof << 160.  The decoder is restored to
// dec_flags at start_pos, fed bytes_to_feed bytes (final if need_eof), and
// chars_to_skip characters of what it produces are skipped.
struct TextCookie {
    int64_t start_pos = 0;
    uint32_t dec_flags = 0;
    uint32_t bytes_to_feed = 0;
    uint32_t chars_to_skip = 0;
    bool need_eof = false;
    // True when the cookie is just a byte position.
    bool plain() const noexcept { return !dec_flags && !bytes_to_feed && !chars_to_skip && !need_eof; }
    bool operator==(const TextCookie&) const = default;
};

// Text I/O.  Text crosses this interface as generalized UTF-8 (see utf8.h);
// sizes, limits and results count code points, as Python's str does: read(n)
// returns n characters, write() returns the number of characters written.
class TextIOBase : public virtual IOBase {
public:
    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::vector<Bytes> readlines(int64_t hint) override;
    std::optional<size_t> write(std::span<const char> text) override;
    Ref<IOBase> detach() override;
    // Python's iteration: the next line, or an empty one at the end.
    // TextIOWrapper also disables tell() until the iteration ends.
    virtual Bytes next_line();
    std::optional<Bytes> iternext() override { return next_line(); }
    TextIOBase* as_text() noexcept override { return this; }

    // Python's encoding/errors attributes; nullptr is None.  The string
    // belongs to the stream and changes only with reconfigure().
    virtual const std::string* encoding() { return nullptr; }
    virtual const std::string* errors() { return nullptr; }
    // The newlines seen so far as CPython's seennl bits (1 '\n', 2 '\r',
    // 4 '\r\n'); 0 is Python's None (nothing seen, or no universal newlines).
    virtual int newlines() { return 0; }

    // tell()/seek() with the full cookie; the int64 forms work when the cookie
    // is a plain position (tell() raises OverflowError otherwise).
    virtual TextCookie tell_cookie();
    virtual TextCookie seek_cookie(const TextCookie& cookie, int whence);
    int64_t seek(int64_t pos, int whence) override;
    int64_t tell() override;
};

}  // namespace pyio
