// Operation sequences on the buffered and text layers over a raw stream that
// misbehaves where the input says: short reads and writes, "would block",
// EINTR, ENOSPC and EIO.  An in-memory model follows what the library
// reported; once the faults stop and a final flush succeeds, the file must be
// exactly what the writer accepted (what write() returned, or a
// BlockingIOError's characters_written) -- nothing lost, nothing twice -- and
// every read must have returned the model's bytes.
//
// The scenarios:
//   Writer  BufferedWriter, sequential writes and flushes, every fault.  A
//           write that fails with an error other than BlockingIOError may
//           have sent any prefix of its data (as in CPython): the check
//           accepts any such prefix, nothing else.
//   Random  BufferedRandom: writes, reads, seeks, tells, flushes; short
//           transfers and "would block", and if the input says so errors in
//           reads and seeks (not writes, so the file stays exact).  After
//           such an error the position is what tell() says with the faults
//           paused, as a program would recover; later reads check it.
//   Text    TextIOWrapper over a BufferedWriter, short writes only.
//   Chaos   TextIOWrapper over a BufferedRandom, every fault and operation:
//           errors, never a crash.
//
// Input: the scenario, the buffer size, the fault script (one byte a raw
// call, cycled), the scenario's own settings, then operations until the
// input runs out.

#include <pyio/pyio.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "fuzz_input.h"

namespace {

using pyio_fuzz::Input;
using pyio_fuzz::escaped;

enum class Fault { None, Short, WouldBlock, Interrupted, NoSpace, IO };

// The raw stream: a file in memory with a position, and the faults.
struct FaultyFile {
    std::string data;
    int64_t pos = 0;
    std::string_view script;
    size_t next = 0;
    bool faults = true, interrupted = false;
    bool allow_blocking = true, allow_errors = true;
    bool allow_write_errors = true;  // with allow_errors: in writes too

    // The fault for the next call; `shrinkable` for transfers that can be short.
    Fault fault(bool transfer, bool writing = false) {
        if (!faults || script.empty()) return Fault::None;
        unsigned char b = static_cast<unsigned char>(script[next++ % script.size()]);
        Fault f = Fault::None;
        switch (b % 8) {
            case 3: f = Fault::Short; break;
            case 4: f = Fault::WouldBlock; break;
            case 5: f = Fault::Interrupted; break;
            case 6: f = Fault::NoSpace; break;
            case 7: f = Fault::IO; break;
            default: break;
        }
        // The buffered layer retries EINTR, as Python's does: a signal at
        // every call would never end, so none arrives twice in a row.
        if (f == Fault::Interrupted && interrupted) f = Fault::None;
        interrupted = f == Fault::Interrupted;
        if (!transfer && f != Fault::IO) return Fault::None;
        if ((f == Fault::WouldBlock) && !allow_blocking) return Fault::None;
        if (f >= Fault::Interrupted && (!allow_errors || (writing && !allow_write_errors))) return Fault::None;
        return f;
    }
    // The length of a short transfer of at most n > 0 bytes: at least 1.
    int64_t shortened(int64_t n) {
        unsigned char b = script.empty() ? 0 : static_cast<unsigned char>(script[next % script.size()]);
        return 1 + (b >> 3) % n;
    }
};

// PYIO_FUZZ_TRACE=1 in the environment prints every raw call.
void trace(const char* call, int64_t arg, int64_t result) {
    static const bool on = getenv("PYIO_FUZZ_TRACE") != nullptr;
    if (on) std::fprintf(stderr, "  raw %s(%lld) -> %lld\n", call, static_cast<long long>(arg),
                         static_cast<long long>(result));
}

int64_t fail_with(Fault f) {
    switch (f) {
        case Fault::WouldBlock: return PYIO_WOULD_BLOCK;
        case Fault::Interrupted: return pyio_error_set_oserror(EINTR, nullptr);
        case Fault::NoSpace: return pyio_error_set_oserror(ENOSPC, nullptr);
        default: return pyio_error_set_oserror(EIO, nullptr);
    }
}

int64_t raw_readinto(void* context, void* buffer, int64_t size) {
    auto* f = static_cast<FaultyFile*>(context);
    Fault fault = f->fault(true);
    if (fault == Fault::NoSpace) fault = Fault::IO;
    if (fault != Fault::None && fault != Fault::Short) {
        trace("readinto", size, fault == Fault::WouldBlock ? PYIO_WOULD_BLOCK : -1);
        return fail_with(fault);
    }
    int64_t available = std::max<int64_t>(0, static_cast<int64_t>(f->data.size()) - f->pos);
    int64_t n = std::min(size, available);
    if (fault == Fault::Short && n > 0) n = f->shortened(n);
    if (n > 0) std::memcpy(buffer, f->data.data() + f->pos, static_cast<size_t>(n));
    f->pos += n;
    trace("readinto", size, n);
    return n;
}

int64_t raw_write(void* context, const void* data, int64_t size) {
    auto* f = static_cast<FaultyFile*>(context);
    Fault fault = f->fault(true, true);
    if (fault != Fault::None && fault != Fault::Short) {
        trace("write", size, fault == Fault::WouldBlock ? PYIO_WOULD_BLOCK : -1);
        return fail_with(fault);
    }
    int64_t n = size;
    if (fault == Fault::Short && n > 0) n = f->shortened(n);
    if (static_cast<int64_t>(f->data.size()) < f->pos + n) f->data.resize(static_cast<size_t>(f->pos + n));
    if (n > 0) std::memcpy(f->data.data() + f->pos, data, static_cast<size_t>(n));
    f->pos += n;
    trace("write", size, n);
    return n;
}

int64_t raw_seek(void* context, int64_t offset, int whence) {
    auto* f = static_cast<FaultyFile*>(context);
    if (f->fault(false) == Fault::IO) return pyio_error_set_oserror(EIO, nullptr);
    int64_t base = whence == PYIO_SEEK_SET ? 0 : whence == PYIO_SEEK_CUR ? f->pos : static_cast<int64_t>(f->data.size());
    if (whence < 0 || whence > 2) return pyio_error_set_oserror(EINVAL, nullptr);
    if (base + offset < 0) return pyio_error_set_oserror(EINVAL, nullptr);
    f->pos = base + offset;
    trace(whence == PYIO_SEEK_SET ? "seek set" : whence == PYIO_SEEK_CUR ? "seek cur" : "seek end", offset, f->pos);
    return f->pos;
}

pyio_stream* raw_stream(FaultyFile& file, bool readable, bool seekable) {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.write = raw_write;
    if (readable) cb.readinto = raw_readinto;
    if (seekable) cb.seek = raw_seek;
    pyio_stream* raw = pyio_rawio_new(&cb, &file, "faulty");
    if (!raw) pyio_fuzz::fail("pyio_rawio_new failed", pyio_error_message());
    return raw;
}

// Bytes to write, unlike any written before, so that a misplaced or repeated
// byte shows: the input's bytes mixed with the count of bytes offered so far.
std::string fresh_bytes(Input& in, uint64_t& offered) {
    std::string_view lengths = in.bytes(1);
    size_t n = lengths.empty() ? 0 : static_cast<unsigned char>(lengths[0]);
    if (n > 200) n = (n - 200) * 64;  // now and then more than a buffer
    std::string data(n, '\0');
    for (size_t i = 0; i < n; ++i, ++offered) data[i] = static_cast<char>('a' + (offered * 7 + offered / 26) % 26);
    return data;
}

// ---- Writer: what may be in the file after writes some of which failed ----

struct Written {
    std::string data;
    bool exact;  // false: any prefix of data may have been sent
};

// Whether `file` is the written pieces in order, each exact piece whole and
// each uncertain piece as some prefix of itself.
bool explains(const std::string& file, const std::vector<Written>& pieces) {
    std::set<size_t> at{0};
    for (const Written& w : pieces) {
        std::set<size_t> next;
        for (size_t p : at) {
            if (w.exact) {
                if (file.compare(p, w.data.size(), w.data) == 0 && p + w.data.size() <= file.size())
                    next.insert(p + w.data.size());
                continue;
            }
            for (size_t k = 0; k <= w.data.size() && p + k <= file.size(); ++k) {
                next.insert(p + k);
                if (k < w.data.size() && (p + k == file.size() || file[p + k] != w.data[k])) break;
            }
        }
        at = std::move(next);
        if (at.empty()) return false;
    }
    return at.count(file.size()) == 1;
}

void writer(Input& in, FaultyFile& file, int64_t buffer_size) {
    pyio_stream* raw = raw_stream(file, false, in.flag());
    pyio_stream* s = pyio_bufferedwriter_new(raw, buffer_size);
    pyio_release(raw);
    if (!s) pyio_fuzz::fail("BufferedWriter failed", pyio_error_message());
    std::vector<Written> pieces;
    std::string log;
    uint64_t offered = 0;
    for (int step = 0; step < 64 && !in.empty(); ++step) {
        if (in.below(4) == 0) {
            int rc = pyio_flush(s);
            log += rc == 0 ? "flush\n" : std::string("flush: ") + pyio_error_message() + "\n";
            continue;
        }
        std::string data = fresh_bytes(in, offered);
        int64_t n = pyio_write(s, data.data(), static_cast<int64_t>(data.size()));
        if (n >= 0) {
            PYIO_FUZZ_CHECK(n == static_cast<int64_t>(data.size()), log + "a short buffered write");
            pieces.push_back({data, true});
        } else if (pyio_error_kind() == PYIO_ERR_BLOCKING_IO) {
            int64_t taken = pyio_error_characters_written();
            PYIO_FUZZ_CHECK(taken >= 0 && taken <= static_cast<int64_t>(data.size()),
                            log + "characters_written out of range: " + std::to_string(taken));
            pieces.push_back({data.substr(0, static_cast<size_t>(taken)), true});
        } else {
            pieces.push_back({data, false});
        }
        log += "write " + std::to_string(data.size()) + ": " + (n >= 0 ? "ok" : pyio_error_message()) + "\n";
    }
    file.faults = false;
    PYIO_FUZZ_CHECK(pyio_flush(s) == 0, log + "final flush: " + pyio_error_message());
    PYIO_FUZZ_CHECK(pyio_close(s) == 0, log + "close: " + pyio_error_message());
    pyio_release(s);
    std::string expected;
    for (const Written& w : pieces) expected += (w.exact ? "" : "?") + w.data + "|";
    PYIO_FUZZ_CHECK(explains(file.data, pieces), log + "file:     " + escaped(file.data) + "\nwritten:  " + expected);
}

// ---- Random: an exact model of file and position ----

void random_access(Input& in, FaultyFile& file, int64_t buffer_size) {
    file.allow_errors = in.flag();
    file.allow_write_errors = false;
    file.data = std::string(in.byte(), 'z');
    std::string model = file.data;
    int64_t pos = 0;
    pyio_stream* raw = raw_stream(file, true, true);
    pyio_stream* s = pyio_bufferedrandom_new(raw, buffer_size);
    pyio_release(raw);
    if (!s) pyio_fuzz::fail("BufferedRandom failed", pyio_error_message());
    std::string log;
    uint64_t offered = 0;
    auto put = [&](const std::string& data, size_t n) {
        if (n == 0) return;
        if (model.size() < static_cast<size_t>(pos) + n) model.resize(static_cast<size_t>(pos) + n, '\0');
        model.replace(static_cast<size_t>(pos), n, data, 0, n);
        pos += static_cast<int64_t>(n);
    };
    // A failure must be "would block", or with errors allowed an OSError,
    // after which the model takes the position from tell().
    auto expect_blocking = [&](const char* what) {
        if (pyio_error_kind() == PYIO_ERR_BLOCKING_IO) return;
        PYIO_FUZZ_CHECK(file.allow_errors && pyio_error_kind() == PYIO_ERR_OS,
                        log + what + " failed other than by blocking: " + pyio_error_message());
        log += std::string(what) + ": " + pyio_error_message() + "\n";
        file.faults = false;
        pos = pyio_tell(s);
        PYIO_FUZZ_CHECK(pos >= 0, log + "tell() after the error: " + pyio_error_message());
        file.faults = true;
        log += "position now " + std::to_string(pos) + "\n";
    };
    for (int step = 0; step < 64 && !in.empty(); ++step) {
        switch (in.below(6)) {
            case 0: {
                std::string data = fresh_bytes(in, offered);
                int64_t n = pyio_write(s, data.data(), static_cast<int64_t>(data.size()));
                if (n >= 0) {
                    put(data, data.size());
                    log += "write " + std::to_string(data.size()) + ": ok\n";
                } else {
                    int64_t taken = pyio_error_kind() == PYIO_ERR_BLOCKING_IO ? pyio_error_characters_written() : 0;
                    log += "write " + std::to_string(data.size()) + ": " + pyio_error_message() +
                           ", characters_written " + std::to_string(taken) + "\n";
                    expect_blocking("write");
                    put(data, static_cast<size_t>(taken));
                }
                break;
            }
            case 1: {
                int64_t want = in.byte() % 40;
                char* out = nullptr;
                int64_t n = pyio_read(s, want, &out);
                if (n == -1) expect_blocking("read");
                log += "read " + std::to_string(want) + ": " + std::to_string(n) + "\n";
                if (n >= 0) {
                    std::string got(out, static_cast<size_t>(n));
                    std::string there = static_cast<size_t>(pos) < model.size() ? model.substr(static_cast<size_t>(pos), static_cast<size_t>(n)) : "";
                    PYIO_FUZZ_CHECK(got == there && n <= want, log + "read \"" + escaped(got) + "\", the model has \"" +
                                                                   escaped(there) + "\" at " + std::to_string(pos));
                    PYIO_FUZZ_CHECK(n > 0 || want == 0 || static_cast<size_t>(pos) >= model.size(),
                                    log + "EOF before the end of the model");
                    pos += n;
                }
                pyio_free(out);
                break;
            }
            case 2: {
                int whence = static_cast<int>(in.below(3));
                int64_t offset = static_cast<int8_t>(in.byte());
                int64_t base = whence == 0 ? 0 : whence == 1 ? pos : static_cast<int64_t>(model.size());
                int64_t r = pyio_seek(s, offset, whence);
                log += "seek " + std::to_string(offset) + " " + std::to_string(whence) + ": " + std::to_string(r) + "\n";
                if (r >= 0) {
                    PYIO_FUZZ_CHECK(r == base + offset, log + "seek went elsewhere than the model");
                    pos = r;
                } else if (base + offset >= 0) {
                    expect_blocking("seek");
                }
                break;
            }
            case 3: {
                int64_t t = pyio_tell(s);
                log += "tell: " + std::to_string(t) + "\n";
                if (t < 0) expect_blocking("tell");
                else PYIO_FUZZ_CHECK(t == pos, log + "tell() disagrees with the model: " + std::to_string(pos));
                break;
            }
            case 4: {
                int rc = pyio_flush(s);
                log += "flush: " + std::to_string(rc) + "\n";
                if (rc != 0) expect_blocking("flush");
                break;
            }
            case 5: {
                char* out = nullptr;
                int64_t want = in.byte() % 40;
                int64_t n = pyio_read1(s, want, &out);
                log += "read1 " + std::to_string(want) + ": " + std::to_string(n) + "\n";
                if (n == -1) expect_blocking("read1");
                if (n >= 0) {
                    std::string got(out, static_cast<size_t>(n));
                    std::string there = static_cast<size_t>(pos) < model.size() ? model.substr(static_cast<size_t>(pos), static_cast<size_t>(n)) : "";
                    PYIO_FUZZ_CHECK(got == there, log + "read1 \"" + escaped(got) + "\", the model has \"" +
                                                      escaped(there) + "\" at " + std::to_string(pos));
                    pos += n;
                }
                pyio_free(out);
                break;
            }
        }
    }
    file.faults = false;
    PYIO_FUZZ_CHECK(pyio_flush(s) == 0, log + "final flush: " + pyio_error_message());
    PYIO_FUZZ_CHECK(pyio_tell(s) == pos, log + "final tell disagrees with the model");
    PYIO_FUZZ_CHECK(pyio_close(s) == 0, log + "close: " + pyio_error_message());
    pyio_release(s);
    PYIO_FUZZ_CHECK(file.data == model, log + "file:  " + escaped(file.data) + "\nmodel: " + escaped(model));
}

// ---- Text: what was written, through the text layer ----

// UTF-8 text to write, from pieces that matter to the text layer.
std::string text_piece(Input& in) {
    static const char* const pieces[] = {"a", "bc", "\n", "\r", "\r\n", "\xc3\xa9", "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80", "xyz\n", "0123456789"};
    std::string text;
    for (size_t n = in.byte() % 48; n > 0; --n) text += in.pick(pieces);
    return text;
}

void text(Input& in, FaultyFile& file, int64_t buffer_size, bool chaos) {
    if (!chaos) file.allow_errors = file.allow_blocking = false;
    pyio_stream* raw = raw_stream(file, chaos, true);
    pyio_stream* buffer = chaos ? pyio_bufferedrandom_new(raw, buffer_size) : pyio_bufferedwriter_new(raw, buffer_size);
    pyio_release(raw);
    // Construction asks the raw stream questions, which may fail in chaos.
    if (!buffer && chaos) return;
    if (!buffer) pyio_fuzz::fail("buffered object failed", pyio_error_message());
    static const char* const encodings[] = {"utf-8", "utf-16", "utf-8-sig", "gb18030"};
    const char* encoding = chaos ? in.pick(encodings) : "utf-8";
    int line_buffering = in.flag();
    int write_through = in.flag();
    pyio_stream* s = pyio_textiowrapper_new(buffer, encoding, "strict", nullptr, line_buffering, write_through);
    pyio_release(buffer);
    if (!s && chaos) return;
    if (!s) pyio_fuzz::fail("TextIOWrapper failed", pyio_error_message());
    pyio_text_set_chunk_size(s, 1 + in.byte() % 64);
    std::string model, log;
    char* out = nullptr;
    for (int step = 0; step < 48 && !in.empty(); ++step) {
        switch (in.below(chaos ? 6 : 3)) {
            case 0: {
                std::string t = text_piece(in);
                int64_t n = pyio_write(s, t.data(), static_cast<int64_t>(t.size()));
                log += "write \"" + escaped(t) + "\": " + std::to_string(n) + "\n";
                if (!chaos) PYIO_FUZZ_CHECK(n >= 0, log + pyio_error_message());
                if (n >= 0) model += t;
                break;
            }
            case 1: {
                int rc = pyio_flush(s);
                if (!chaos) PYIO_FUZZ_CHECK(rc == 0, log + "flush: " + pyio_error_message());
                break;
            }
            case 2: {
                pyio_text_cookie c;
                int rc = pyio_text_tell(s, &c);
                if (!chaos) PYIO_FUZZ_CHECK(rc == 0, log + "tell: " + pyio_error_message());
                break;
            }
            case 3: pyio_read(s, in.byte() % 16, &out); break;
            case 4: pyio_seek(s, 0, static_cast<int>(in.below(3))); break;
            case 5: pyio_readline(s, -1, &out); break;
        }
        pyio_free(out);
        out = nullptr;
    }
    file.faults = false;
    int rc = pyio_flush(s);
    if (!chaos) PYIO_FUZZ_CHECK(rc == 0, log + "final flush: " + pyio_error_message());
    pyio_close(s);
    pyio_release(s);
    if (!chaos) PYIO_FUZZ_CHECK(file.data == model, log + "file:  " + escaped(file.data) + "\nmodel: " + escaped(model));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    int scenario = static_cast<int>(in.below(4));
    static const int64_t buffer_sizes[] = {1, 2, 3, 8, 16, 64, 4096};
    int64_t buffer_size = in.pick(buffer_sizes);
    FaultyFile file;
    file.script = in.counted();
    switch (scenario) {
        case 0: writer(in, file, buffer_size); break;
        case 1: random_access(in, file, buffer_size); break;
        case 2: text(in, file, buffer_size, false); break;
        case 3: text(in, file, buffer_size, true); break;
    }
    return 0;
}
