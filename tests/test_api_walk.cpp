// The whole C API under misuse.  Every exported function is called with a
// NULL handle, with a handle of every class (so of every wrong layer), open
// and closed, and with NULL buffers and negative and huge sizes.  Each call
// either does what Python would do or fails with an error of a sensible kind
// and a message; none crashes (the sanitizer build watches memory), none
// reports an internal error.
//
// Coverage is enforced: ApiWalk.EveryExportedFunctionIsWalked reads the
// library's dynamic symbol table, so a function added to the API without an
// entry in walk() below fails the suite.

#include <elf.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "helpers.h"
#include "library_symbols.h"

using namespace pyio_test;

namespace {

// ---- the streams every call is tried on ----

// A raw stream that reads "rrr" four times, then reaches EOF, and accepts
// every write.  The context counts the reads left.
int64_t mem_readinto(void* context, void* buffer, int64_t size) {
    int& left = *static_cast<int*>(context);
    if (left == 0 || size <= 0) return 0;
    --left;
    size = size > 3 ? 3 : size;
    std::memset(buffer, 'r', static_cast<size_t>(size));
    return size;
}
int64_t mem_write(void*, const void*, int64_t size) { return size; }
int true_fn(void*) { return 1; }
void delete_counter(void* context) { delete static_cast<int*>(context); }

pyio_stream* new_rawio() {
    pyio_rawio_callbacks cb{};
    cb.struct_size = sizeof cb;
    cb.readinto = mem_readinto;
    cb.write = mem_write;
    cb.readable = true_fn;
    cb.writable = true_fn;
    cb.destroy = delete_counter;
    return pyio_rawio_new(&cb, new int(4), "walk");
}

pyio_stream* new_bytesio() { return pyio_bytesio_new("line one\nline two\n", 18); }

// One stream of each class, with everything it is made of; the handles are
// released at the end (the stream's own references keep the layers alive).
struct Zoo {
    TempDir dir;
    std::vector<std::pair<std::string, pyio_stream*>> streams;
    int sockets[2] = {-1, -1};

    Zoo() {
        spit(dir.file("f"), "line one\nline two\n");
        add("FileIO", pyio_fileio_open(dir.file("f").c_str(), "r+", 1, nullptr, nullptr));
        add("BytesIO", new_bytesio());
        add("RawIO", new_rawio());
        add("BufferedReader", wrap(pyio_bufferedreader_new, new_bytesio()));
        add("BufferedWriter", wrap(pyio_bufferedwriter_new, new_bytesio()));
        add("BufferedRandom", wrap(pyio_bufferedrandom_new, new_bytesio()));
        Stream r(pyio_bufferedreader_new(Stream(new_bytesio()).get(), 16));
        Stream w(pyio_bufferedwriter_new(Stream(new_bytesio()).get(), 16));
        add("BufferedRWPair", pyio_bufferedrwpair_new(r.get(), w.get(), 16));
        // Non-blocking, so that reads to EOF end ("would block") while the
        // other end stays open.
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sockets) == 0) {
            add("SocketIO", pyio_socketio_new(sockets[0], "rwb", 0));
            (void)!::write(sockets[1], "data\n", 5);
        }
        Stream buffered(wrap(pyio_bufferedrandom_new, new_bytesio()));
        add("TextIOWrapper", pyio_textiowrapper_new(buffered.get(), "utf-8", nullptr, nullptr, 0, 0));
        add("StringIO", pyio_stringio_new("line one\nline two\n", 18, "\n"));
    }
    ~Zoo() {
        for (auto& [name, s] : streams) pyio_release(s);
        for (int fd : sockets)
            if (fd >= 0) ::close(fd);
    }
    static pyio_stream* wrap(pyio_stream* (*make)(pyio_stream*, int64_t), pyio_stream* raw) {
        Stream owned(raw);
        return make(owned.get(), 16);
    }
    void add(std::string name, pyio_stream* s) {
        if (!s)
            ADD_FAILURE() << name << ": " << pyio_error_message();
        else
            streams.emplace_back(std::move(name), s);
    }
};

// ---- what a call may do ----

// Kinds no misuse should produce: they mean the library itself went wrong
// (RuntimeError is for reentrant calls, MemoryError for exhaustion).
bool sensible_kind(int kind) {
    return kind != PYIO_ERR_NONE && kind != PYIO_ERR_RUNTIME && kind != PYIO_ERR_MEMORY &&
           std::strcmp(pyio_error_kind_name(kind), "Unknown") != 0;
}

// Runs `call` with a clean error record and checks what it left there.
// Returns true when the call failed.
bool attempt(const std::string& what, const std::function<void()>& call) {
    pyio_error_clear();
    call();
    int kind = pyio_error_kind();
    if (kind == PYIO_ERR_NONE) return false;
    EXPECT_TRUE(sensible_kind(kind)) << what << ": " << pyio_error_kind_name(kind) << ": "
                                     << pyio_error_message();
    EXPECT_STRNE(pyio_error_message(), "") << what << ": " << pyio_error_kind_name(kind);
    return true;
}

// One call inside a walk entry: with a clean record, and checked.  The
// record is left as the call left it, for the caller to look at.
#define CHECKED(call)        \
    do {                     \
        pyio_error_clear();  \
        call;                \
        check_record(#call); \
    } while (0)

void check_record(const char* what) {
    int kind = pyio_error_kind();
    if (kind == PYIO_ERR_NONE) return;
    EXPECT_TRUE(sensible_kind(kind)) << what << ": " << pyio_error_kind_name(kind) << ": "
                                     << pyio_error_message();
    EXPECT_STRNE(pyio_error_message(), "") << what << ": " << pyio_error_kind_name(kind);
}

// Frees whatever a call handed out.
struct Outs {
    char* text = nullptr;
    const char* cstr = nullptr;
    pyio_slice* lines = nullptr;
    int64_t count = 0;
    void* view = nullptr;
    ~Outs() { reset(); }
    void reset() {
        pyio_free(lines);  // one allocation with the data
        pyio_free(text);
        text = nullptr;
        lines = nullptr;
        count = 0;
    }
};

// ---- the walk: one entry per exported function ----

enum class Use {
    Stream,  // takes a stream handle: tried on NULL, on every class open and closed
    Other,   // no stream handle: the entry tries its own misuse
};

struct Entry {
    using Call = std::function<void(pyio_stream* s, Outs& o)>;
    Entry(const char* name, Use use, Call call, bool needs_open = false, Call misuse = nullptr)
        : name(name), use(use), call(std::move(call)), needs_open(needs_open), misuse(std::move(misuse)) {}

    const char* name;
    Use use;
    // For Use::Stream: performs the call on `s` (which may be NULL) with
    // ordinary arguments.  For Use::Other: performs the whole check.
    std::function<void(pyio_stream* s, Outs& o)> call;
    // The operation needs an open stream: on a closed one it must fail with
    // a ValueError (Python's "I/O operation on closed file" family).  Not
    // set where Python answers on a closed stream for some classes
    // (BufferedWriter.readable() is False, StringIO.flush() does nothing).
    bool needs_open = false;
    // For Use::Stream: the same call with bad arguments (NULL buffers and
    // out-pointers, negative and huge sizes, bad whence values ...); may
    // fail or not, sensibly.
    std::function<void(pyio_stream* s, Outs& o)> misuse;
};

int64_t huge = INT64_MAX;

void release_if(pyio_stream* s) {
    if (s) pyio_release(s);
}

const std::vector<Entry>& walk() {
    static const std::vector<Entry> entries = {
        // -- error record and library: no handle --
        {"pyio_version_number", Use::Other, [](pyio_stream*, Outs&) { EXPECT_NE(pyio_version_number(), 0u); }},
        {"pyio_version_string", Use::Other, [](pyio_stream*, Outs&) { EXPECT_NE(pyio_version_string(), nullptr); }},
        {"pyio_error_kind", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE); }},
        {"pyio_error_kind_name", Use::Other, [](pyio_stream*, Outs&) {
             for (int k : {INT_MIN, -1, 15, 1000, INT_MAX}) EXPECT_STREQ(pyio_error_kind_name(k), "Unknown");
         }},
        {"pyio_error_matches", Use::Other, [](pyio_stream*, Outs&) {
             CHECKED(pyio_error_set(PYIO_ERR_VALUE, "x"));
             for (int k : {INT_MIN, -1, 15, INT_MAX}) EXPECT_EQ(pyio_error_matches(k), 0);
         }},
        {"pyio_error_message", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_STREQ(pyio_error_message(), ""); }},
        {"pyio_error_errno", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_errno(), 0); }},
        {"pyio_error_filename", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_filename(), nullptr); }},
        {"pyio_error_characters_written", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_characters_written(), 0); }},
        {"pyio_error_encoding", Use::Other, [](pyio_stream*, Outs&) { pyio_error_set(PYIO_ERR_VALUE, "x"); EXPECT_EQ(pyio_error_encoding(), nullptr); }},
        {"pyio_error_start", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_start(), 0); }},
        {"pyio_error_end", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); EXPECT_EQ(pyio_error_end(), 0); }},
        {"pyio_error_reason", Use::Other, [](pyio_stream*, Outs&) { pyio_error_set(PYIO_ERR_OS, "x"); EXPECT_EQ(pyio_error_reason(), nullptr); }},
        {"pyio_error_clear", Use::Other, [](pyio_stream*, Outs&) { pyio_error_clear(); pyio_error_clear(); EXPECT_EQ(pyio_error_kind(), PYIO_ERR_NONE); }},
        {"pyio_error_set", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_EQ(pyio_error_set(PYIO_ERR_VALUE, nullptr), -1);  // NULL message: an empty one
             EXPECT_EQ(pyio_error_kind(), PYIO_ERR_VALUE);
             EXPECT_EQ(pyio_error_set(-7, "x"), -1);
             EXPECT_EQ(pyio_error_kind(), PYIO_ERR_RUNTIME);
         }},
        {"pyio_error_set_oserror", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_EQ(pyio_error_set_oserror(-1, nullptr), -1);
             EXPECT_EQ(pyio_error_kind(), PYIO_ERR_OS);
             EXPECT_EQ(pyio_error_set_oserror(INT_MAX, ""), -1);
             EXPECT_EQ(pyio_error_kind(), PYIO_ERR_OS);
         }},
        {"pyio_free", Use::Other, [](pyio_stream*, Outs&) { pyio_free(nullptr); }},

        // -- handles --
        {"pyio_retain", Use::Stream, [](pyio_stream* s, Outs&) { release_if(pyio_retain(s)); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_release", Use::Stream, [](pyio_stream* s, Outs&) { pyio_release(pyio_retain(s)); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_isinstance", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_isinstance(s, PYIO_CLASS_IOBASE));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {{
                 CHECKED(pyio_isinstance(s, -1));
                 CHECKED(pyio_isinstance(s, 1000));
             }
         }},
        {"pyio_class_name", Use::Stream, [](pyio_stream* s, Outs&) { pyio_class_name(s); }, /*needs_open=*/false, /*misuse=*/nullptr},

        // -- IOBase and friends --
        {"pyio_close", Use::Stream, [](pyio_stream* s, Outs&) { pyio_close(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_closed", Use::Stream, [](pyio_stream* s, Outs&) { pyio_closed(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_flush", Use::Stream, [](pyio_stream* s, Outs&) { pyio_flush(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_readable", Use::Stream, [](pyio_stream* s, Outs&) { pyio_readable(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_writable", Use::Stream, [](pyio_stream* s, Outs&) { pyio_writable(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_seekable", Use::Stream, [](pyio_stream* s, Outs&) { pyio_seekable(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_isatty", Use::Stream, [](pyio_stream* s, Outs&) { pyio_isatty(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_fileno", Use::Stream, [](pyio_stream* s, Outs&) { pyio_fileno(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_seek", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_seek(s, 0, 0));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             for (int whence : {-1, 3, INT_MAX}) CHECKED(pyio_seek(s, 0, whence));
             CHECKED(pyio_seek(s, -1, 0));
             CHECKED(pyio_seek(s, huge, 0));
             CHECKED(pyio_seek(s, huge, 1));
             CHECKED(pyio_seek(s, INT64_MIN + 1, 2));
             CHECKED(pyio_seek(s, 0, 0));
         }},
        {"pyio_tell", Use::Stream, [](pyio_stream* s, Outs&) { pyio_tell(s); }, /*needs_open=*/true, /*misuse=*/nullptr},
        {"pyio_truncate", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_truncate(s, PYIO_NONE));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             CHECKED(pyio_truncate(s, -1));
             CHECKED(pyio_truncate(s, INT64_MIN + 1));
             CHECKED(pyio_truncate(s, 64));
         }},
        {"pyio_readline", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_readline(s, -1, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             CHECKED(pyio_readline(s, huge, &o.text));
             o.reset();
             CHECKED(pyio_readline(s, INT64_MIN, &o.text));
             o.reset();
             CHECKED(pyio_readline(s, 1, nullptr));
         }},
        {"pyio_readlines", Use::Stream, [](pyio_stream* s, Outs& o) {
             o.count = pyio_readlines(s, 0, &o.lines);
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             o.count = pyio_readlines(s, huge, &o.lines);
             o.reset();
             o.count = pyio_readlines(s, -5, &o.lines);
             o.reset();
             CHECKED(pyio_readlines(s, 0, nullptr));
         }},
        {"pyio_writelines", Use::Stream, [](pyio_stream* s, Outs&) {
             pyio_slice good[] = {{const_cast<char*>("a\n"), 2}};
             CHECKED(pyio_writelines(s, good, 1));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             pyio_slice good[] = {{const_cast<char*>("a\n"), 2}};
             pyio_slice bad[] = {{nullptr, 3}, {const_cast<char*>("x"), -1}};
             CHECKED(pyio_writelines(s, bad, 1));
             CHECKED(pyio_writelines(s, bad + 1, 1));
             CHECKED(pyio_writelines(s, nullptr, 2));
             CHECKED(pyio_writelines(s, good, -1));
         }},
        {"pyio_read", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_read(s, 4, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             CHECKED(pyio_read(s, huge, &o.text));
             o.reset();
             CHECKED(pyio_read(s, INT64_MIN, &o.text));
             o.reset();
             CHECKED(pyio_read(s, 1, nullptr));
         }},
        {"pyio_readall", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_readall(s, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_readall(s, nullptr);
         }},
        {"pyio_read1", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_read1(s, 4, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             CHECKED(pyio_read1(s, huge, &o.text));
             o.reset();
             CHECKED(pyio_read1(s, -9, &o.text));
             o.reset();
             CHECKED(pyio_read1(s, 1, nullptr));
         }},
        {"pyio_readinto", Use::Stream, [](pyio_stream* s, Outs&) {
             char buf[8];
             CHECKED(pyio_readinto(s, buf, sizeof buf));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             char buf[8];
             CHECKED(pyio_readinto(s, nullptr, 8));
             CHECKED(pyio_readinto(s, buf, -1));
             CHECKED(pyio_readinto(s, nullptr, 0));
         }},
        {"pyio_readinto1", Use::Stream, [](pyio_stream* s, Outs&) {
             char buf[8];
             CHECKED(pyio_readinto1(s, buf, sizeof buf));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             char buf[8];
             CHECKED(pyio_readinto1(s, nullptr, 8));
             CHECKED(pyio_readinto1(s, buf, INT64_MIN));
         }},
        {"pyio_write", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_write(s, "xy", 2));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             CHECKED(pyio_write(s, nullptr, 5));
             CHECKED(pyio_write(s, "xy", -2));
             CHECKED(pyio_write(s, nullptr, 0));
             pyio_write(s, "\xff\xfe", 2);  // not UTF-8, for the text classes
         }},
        {"pyio_peek", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_peek(s, 1, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             CHECKED(pyio_peek(s, huge, &o.text));
             o.reset();
             CHECKED(pyio_peek(s, -1, &o.text));
             o.reset();
             CHECKED(pyio_peek(s, 1, nullptr));
         }},
        {"pyio_peek_view", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_peek_view(s, &o.cstr));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_peek_view(s, nullptr);
         }},
        {"pyio_readline_view", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_readline_view(s, -1, &o.cstr));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs& o) {
             CHECKED(pyio_readline_view(s, huge, &o.cstr));
             CHECKED(pyio_readline_view(s, INT64_MIN, &o.cstr));
             CHECKED(pyio_readline_view(s, 0, &o.cstr));
             CHECKED(pyio_readline_view(s, 1, nullptr));
         }},
        {"pyio_detach", Use::Stream, [](pyio_stream* s, Outs&) { release_if(pyio_detach(s)); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_name", Use::Stream, [](pyio_stream* s, Outs& o) {
             int64_t fd;
             CHECKED(pyio_name(s, &o.cstr, &fd));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_name(s, nullptr, nullptr);
         }},
        {"pyio_mode", Use::Stream, [](pyio_stream* s, Outs&) { pyio_mode(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_closefd", Use::Stream, [](pyio_stream* s, Outs&) { pyio_closefd(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_getvalue", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_getvalue(s, &o.text));
             o.reset();
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_getvalue(s, nullptr);
         }},
        {"pyio_getbuffer", Use::Stream, [](pyio_stream* s, Outs& o) {
             if (pyio_getbuffer(s, &o.view) >= 0) pyio_releasebuffer(s);
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_getbuffer(s, nullptr);
         }},
        {"pyio_releasebuffer", Use::Stream, [](pyio_stream* s, Outs&) { pyio_releasebuffer(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_raw", Use::Stream, [](pyio_stream* s, Outs&) { release_if(pyio_raw(s)); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_buffer_size", Use::Stream, [](pyio_stream* s, Outs&) { pyio_buffer_size(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_next", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_next(s, &o.text));
             o.reset();
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_next(s, nullptr);
         }},

        // -- the text layer on any stream --
        {"pyio_text_tell", Use::Stream, [](pyio_stream* s, Outs&) {
             pyio_text_cookie c;
             CHECKED(pyio_text_tell(s, &c));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_text_tell(s, nullptr);
         }},
        {"pyio_text_seek", Use::Stream, [](pyio_stream* s, Outs&) {
             pyio_text_cookie zero{0, 0, 0, 0, 0}, result;
             CHECKED(pyio_text_seek(s, &zero, 0, &result));
         }, /*needs_open=*/true, /*misuse=*/[](pyio_stream* s, Outs&) {
             pyio_text_cookie result;
             pyio_text_cookie bogus[] = {{-1, 0, 0, 0, 0},
                                         {0, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX},
                                         {INT64_MAX, 1, 1, 1, 1},
                                         {3, 0, 2, 5, 0}};
             for (const auto& c : bogus) CHECKED(pyio_text_seek(s, &c, 0, &result));
             for (int whence : {1, 2, 3, -1}) CHECKED(pyio_text_seek(s, &bogus[3], whence, nullptr));
             CHECKED(pyio_text_seek(s, nullptr, 0, nullptr));
         }},
        {"pyio_text_encoding", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_text_encoding(s, &o.cstr));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_text_encoding(s, nullptr);
         }},
        {"pyio_text_errors", Use::Stream, [](pyio_stream* s, Outs& o) {
             CHECKED(pyio_text_errors(s, &o.cstr));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {pyio_text_errors(s, nullptr);
         }},
        {"pyio_text_newlines", Use::Stream, [](pyio_stream* s, Outs&) { pyio_text_newlines(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_text_line_buffering", Use::Stream, [](pyio_stream* s, Outs&) { pyio_text_line_buffering(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_text_write_through", Use::Stream, [](pyio_stream* s, Outs&) { pyio_text_write_through(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_text_buffer", Use::Stream, [](pyio_stream* s, Outs&) { release_if(pyio_text_buffer(s)); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_text_chunk_size", Use::Stream, [](pyio_stream* s, Outs&) { pyio_text_chunk_size(s); }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_text_set_chunk_size", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_text_set_chunk_size(s, 64));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {
             CHECKED(pyio_text_set_chunk_size(s, 0));
             CHECKED(pyio_text_set_chunk_size(s, -1));
             CHECKED(pyio_text_set_chunk_size(s, huge));
             CHECKED(pyio_text_set_chunk_size(s, 8192));
         }},
        {"pyio_text_reconfigure", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(pyio_text_reconfigure(s, nullptr, nullptr, 0, nullptr, -1, -1));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {
             CHECKED(pyio_text_reconfigure(s, "no-such-codec", nullptr, 0, nullptr, -1, -1));
             CHECKED(pyio_text_reconfigure(s, nullptr, "no-such-handler", 0, nullptr, -1, -1));
             CHECKED(pyio_text_reconfigure(s, nullptr, nullptr, 1, "\t", -1, -1));
             CHECKED(pyio_text_reconfigure(s, nullptr, nullptr, 0, nullptr, 7, INT_MIN));
         }},

        // -- constructors: no handle of their own; wrong inputs --
        {"pyio_fileio_open", Use::Other, [](pyio_stream*, Outs&) {
             TempDir d;
             for (auto [path, mode, closefd] : {std::tuple<const char*, const char*, int>{nullptr, "r", 1},
                                                {"x", nullptr, 1}, {"x", "rw", 1}, {"", "r", 1},
                                                {"x", "r", 0}, {"x", "r", -3}}) {
                 std::string p = path ? d.file(path) : "";
                 EXPECT_TRUE(attempt("fileio_open", [&] {
                     CHECKED(release_if(pyio_fileio_open(path ? p.c_str() : nullptr, mode, closefd, nullptr, nullptr)));
                 }));
             }
         }},
        {"pyio_fileio_fdopen", Use::Other, [](pyio_stream*, Outs&) {
             for (int fd : {-1, INT_MIN, 100000})
                 EXPECT_TRUE(attempt("fdopen", [&] { release_if(pyio_fileio_fdopen(fd, "r", 0)); }));
             EXPECT_TRUE(attempt("fdopen", [&] { release_if(pyio_fileio_fdopen(0, nullptr, 0)); }));
             EXPECT_TRUE(attempt("fdopen", [&] { release_if(pyio_fileio_fdopen(0, "rt", 0)); }));
         }},
        {"pyio_bytesio_new", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("bytesio", [] { release_if(pyio_bytesio_new(nullptr, 5)); }));
             EXPECT_TRUE(attempt("bytesio", [] { release_if(pyio_bytesio_new("x", -1)); }));
             EXPECT_FALSE(attempt("bytesio", [] { release_if(pyio_bytesio_new(nullptr, 0)); }));
         }},
        {"pyio_bufferedreader_new", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_bufferedreader_new(s, 16)));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {for (int64_t size : {0LL, -1LL, (long long)INT64_MIN}) release_if(pyio_bufferedreader_new(s, size));
         }},
        {"pyio_bufferedwriter_new", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_bufferedwriter_new(s, 16)));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {release_if(pyio_bufferedwriter_new(s, 0));
         }},
        {"pyio_bufferedrandom_new", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_bufferedrandom_new(s, 16)));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {release_if(pyio_bufferedrandom_new(s, -16));
         }},
        {"pyio_bufferedrwpair_new", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_bufferedrwpair_new(s, s, 16)));
             Stream other(new_bytesio());
             CHECKED(release_if(pyio_bufferedrwpair_new(s, other.get(), 16)));
             CHECKED(release_if(pyio_bufferedrwpair_new(other.get(), s, 0)));
         }, /*needs_open=*/false, /*misuse=*/nullptr},
        {"pyio_rawio_new", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("rawio", [] { release_if(pyio_rawio_new(nullptr, nullptr, nullptr)); }));
             pyio_rawio_callbacks tiny{};
             tiny.struct_size = 1;
             EXPECT_TRUE(attempt("rawio", [&] { release_if(pyio_rawio_new(&tiny, nullptr, nullptr)); }));
             // No callbacks at all: a raw stream that can do nothing, and says so.
             pyio_rawio_callbacks none{};
             none.struct_size = sizeof none;
             Stream s(pyio_rawio_new(&none, nullptr, nullptr));
             ASSERT_NE(s, nullptr);
             char buf[4];
             EXPECT_TRUE(attempt("rawio read", [&] { pyio_readinto(s.get(), buf, 4); }));
             EXPECT_TRUE(attempt("rawio write", [&] { pyio_write(s.get(), "x", 1); }));
             EXPECT_TRUE(attempt("rawio seek", [&] { pyio_seek(s.get(), 0, 0); }));
         }},
        {"pyio_socketio_new", Use::Other, [](pyio_stream*, Outs&) {
             for (int fd : {-1, INT_MIN, 100000})
                 EXPECT_TRUE(attempt("socketio", [&] { release_if(pyio_socketio_new(fd, "rb", 0)); }));
             EXPECT_TRUE(attempt("socketio", [] { release_if(pyio_socketio_new(0, nullptr, 0)); }));
             EXPECT_TRUE(attempt("socketio", [] { release_if(pyio_socketio_new(0, "a", 0)); }));
         }},
        {"pyio_open", Use::Other, [](pyio_stream*, Outs&) {
             TempDir d;
             std::string p = d.file("o");
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(nullptr, "r", -1, nullptr, nullptr, nullptr, 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), nullptr, -1, nullptr, nullptr, nullptr, 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), "w", INT64_MIN + 1, nullptr, nullptr, nullptr, 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), "w", -1, "nope", nullptr, nullptr, 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), "w", -1, nullptr, "nope", nullptr, 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), "w", -1, nullptr, nullptr, "\v", 1, nullptr, nullptr)); }));
             EXPECT_TRUE(attempt("open", [&] { release_if(pyio_open(p.c_str(), "wb", huge, nullptr, nullptr, nullptr, 1, nullptr, nullptr)); }));
         }},
        {"pyio_open_fd", Use::Other, [](pyio_stream*, Outs&) {
             for (int fd : {-1, INT_MIN, 100000})
                 EXPECT_TRUE(attempt("open_fd", [&] { release_if(pyio_open_fd(fd, "r", -1, nullptr, nullptr, nullptr, 0)); }));
             EXPECT_TRUE(attempt("open_fd", [] { release_if(pyio_open_fd(0, "rw", -1, nullptr, nullptr, nullptr, 0)); }));
         }},
        {"pyio_textiowrapper_new", Use::Stream, [](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_textiowrapper_new(s, "utf-8", nullptr, nullptr, 0, 0)));
         }, /*needs_open=*/false, /*misuse=*/[](pyio_stream* s, Outs&) {
             CHECKED(release_if(pyio_textiowrapper_new(s, "no-such-codec", nullptr, nullptr, 0, 0)));
             CHECKED(release_if(pyio_textiowrapper_new(s, nullptr, "no-such-handler", nullptr, 0, 0)));
             CHECKED(release_if(pyio_textiowrapper_new(s, nullptr, nullptr, "\r\r", 0, 0)));
             CHECKED(release_if(pyio_textiowrapper_new(s, nullptr, nullptr, nullptr, -1, INT_MAX)));
         }},
        {"pyio_stringio_new", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("stringio", [] { release_if(pyio_stringio_new(nullptr, 3, "\n")); }));
             EXPECT_TRUE(attempt("stringio", [] { release_if(pyio_stringio_new("x", -1, "\n")); }));
             EXPECT_TRUE(attempt("stringio", [] { release_if(pyio_stringio_new("\xff", 1, "\n")); }));
             EXPECT_TRUE(attempt("stringio", [] { release_if(pyio_stringio_new("x", 1, "x")); }));
         }},

        // -- IncrementalNewlineDecoder: its own handle type --
        {"pyio_newline_decoder_new", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("decoder", [] { pyio_newline_decoder_free(pyio_newline_decoder_new("nope", nullptr, 1)); }));
             EXPECT_TRUE(attempt("decoder", [] { pyio_newline_decoder_free(pyio_newline_decoder_new(nullptr, "nope", 1)); }));
         }},
        {"pyio_newline_decoder_free", Use::Other, [](pyio_stream*, Outs&) { pyio_newline_decoder_free(nullptr); }},
        {"pyio_newline_decoder_decode", Use::Other, [](pyio_stream*, Outs& o) {
             EXPECT_TRUE(attempt("decode", [&] { pyio_newline_decoder_decode(nullptr, "x", 1, 0, &o.text); }));
             pyio_newline_decoder* d = pyio_newline_decoder_new("utf-8", nullptr, 1);
             ASSERT_NE(d, nullptr);
             EXPECT_TRUE(attempt("decode", [&] { pyio_newline_decoder_decode(d, nullptr, 4, 0, &o.text); }));
             EXPECT_TRUE(attempt("decode", [&] { pyio_newline_decoder_decode(d, "x", -1, 0, &o.text); }));
             EXPECT_TRUE(attempt("decode", [&] { pyio_newline_decoder_decode(d, "x", 1, 0, nullptr); }));
             EXPECT_TRUE(attempt("decode", [&] { pyio_newline_decoder_decode(d, "\xff", 1, 1, &o.text); }));
             o.reset();
             CHECKED(pyio_newline_decoder_free(d));
         }},
        {"pyio_newline_decoder_getstate", Use::Other, [](pyio_stream*, Outs& o) {
             int64_t size;
             uint64_t flags;
             EXPECT_TRUE(attempt("getstate", [&] { pyio_newline_decoder_getstate(nullptr, &o.text, &size, &flags); }));
             pyio_newline_decoder* d = pyio_newline_decoder_new(nullptr, nullptr, 0);
             ASSERT_NE(d, nullptr);
             EXPECT_TRUE(attempt("getstate", [&] { pyio_newline_decoder_getstate(d, nullptr, nullptr, nullptr); }));
             CHECKED(pyio_newline_decoder_free(d));
         }},
        {"pyio_newline_decoder_setstate", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("setstate", [] { pyio_newline_decoder_setstate(nullptr, "", 0, 0); }));
             pyio_newline_decoder* d = pyio_newline_decoder_new("utf-16", nullptr, 1);
             ASSERT_NE(d, nullptr);
             EXPECT_TRUE(attempt("setstate", [&] { pyio_newline_decoder_setstate(d, nullptr, 3, 0); }));
             EXPECT_TRUE(attempt("setstate", [&] { pyio_newline_decoder_setstate(d, "x", -1, 0); }));
             attempt("setstate", [&] { pyio_newline_decoder_setstate(d, "abcdef", 6, UINT64_MAX); });
             CHECKED(pyio_newline_decoder_free(d));
         }},
        {"pyio_newline_decoder_reset", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("reset", [] { pyio_newline_decoder_reset(nullptr); }));
         }},
        {"pyio_newline_decoder_newlines", Use::Other, [](pyio_stream*, Outs&) {
             EXPECT_TRUE(attempt("newlines", [] { pyio_newline_decoder_newlines(nullptr); }));
         }},
    };
    return entries;
}

// ---- the library's exported functions, from its dynamic symbol table ----

std::set<std::string> exported_functions() {
    std::set<std::string> names;
    for (const auto& [name, address] : library_functions(SHT_DYNSYM)) names.insert(name);
    return names;
}

}  // namespace

TEST(ApiWalk, EveryExportedFunctionIsWalked) {
    std::set<std::string> walked;
    for (const Entry& e : walk()) EXPECT_TRUE(walked.insert(e.name).second) << "twice: " << e.name;
    std::set<std::string> exported = exported_functions();
    ASSERT_GT(exported.size(), 50u) << "could not read libpyio's dynamic symbol table";
    for (const std::string& name : exported)
        EXPECT_TRUE(walked.count(name)) << name << " is exported but not walked: add it to walk()";
    for (const std::string& name : walked)
        EXPECT_TRUE(exported.count(name)) << name << " is walked but not exported";
}

TEST(ApiWalk, NullHandleIsTypeError) {
    for (const Entry& e : walk()) {
        if (e.use != Use::Stream) continue;
        Outs o;
        std::string what = std::string(e.name) + "(NULL)";
        // retain/release of NULL are harmless by design; the rest fail.
        bool failed = attempt(what, [&] { e.call(nullptr, o); });
        if (std::strcmp(e.name, "pyio_retain") == 0 || std::strcmp(e.name, "pyio_release") == 0) {
            EXPECT_FALSE(failed) << what;
        } else {
            EXPECT_TRUE(failed) << what;
            EXPECT_EQ(pyio_error_kind(), PYIO_ERR_TYPE) << what << ": " << pyio_error_message();
        }
    }
}

TEST(ApiWalk, EveryFunctionOnEveryClassOpen) {
    for (const Entry& e : walk()) {
        if (e.use != Use::Stream) continue;
        Zoo zoo;  // fresh streams: some calls close or detach them
        for (auto& [cls, s] : zoo.streams) {
            SCOPED_TRACE(cls);
            Outs o;
            attempt(std::string(e.name) + " on " + cls, [&] { e.call(s, o); });
        }
    }
}

// Each bad argument alone, right after the ordinary call, on every class.
TEST(ApiWalk, BadArgumentsOnEveryClass) {
    for (const Entry& e : walk()) {
        if (e.use != Use::Stream || !e.misuse) continue;
        Zoo zoo;
        for (auto& [cls, s] : zoo.streams) {
            SCOPED_TRACE(cls);
            Outs o;
            attempt(std::string(e.name) + " misused on " + cls, [&] { e.misuse(s, o); });
        }
    }
}

TEST(ApiWalk, EveryFunctionOnEveryClassClosed) {
    Zoo zoo;
    for (auto& [cls, s] : zoo.streams) ASSERT_EQ(pyio_close(s), 0) << cls << ": " << pyio_error_message();
    for (const Entry& e : walk()) {
        if (e.use != Use::Stream) continue;
        for (auto& [cls, s] : zoo.streams) {
            SCOPED_TRACE(cls);
            Outs o;
            std::string what = std::string(e.name) + " on a closed " + cls;
            bool failed = attempt(what, [&] { e.call(s, o); });
            if (e.needs_open) {
                // ValueError (or UnsupportedOperation, one), or AttributeError
                // for a method the class does not have, open or closed.
                EXPECT_TRUE(failed) << what;
                EXPECT_TRUE(pyio_error_matches(PYIO_ERR_VALUE) || pyio_error_kind() == PYIO_ERR_ATTRIBUTE)
                    << what << ": " << pyio_error_kind_name(pyio_error_kind()) << ": "
                    << pyio_error_message();
            }
            if (e.misuse) attempt(what + " (misused)", [&] { e.misuse(s, o); });
        }
    }
}

TEST(ApiWalk, OtherFunctionsRejectTheirMisuse) {
    for (const Entry& e : walk()) {
        if (e.use != Use::Other) continue;
        SCOPED_TRACE(e.name);
        Outs o;
        e.call(nullptr, o);
    }
}
