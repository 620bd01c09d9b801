// open() with arbitrary arguments -- mode, buffering, encoding, errors,
// newline, a path or a descriptor -- then a few operations on whatever it
// returned.  Anything may fail, with an error; nothing may crash; an open
// that fails leaves the file as it was (pyio.h: arguments are checked before
// the file is opened, so a failed open never creates or truncates it); and
// after the last release no descriptor the run opened is left open.
//
// Input: how to open (path or descriptor), the file's initial contents, the
// arguments, then operations until the input runs out.

#include <fcntl.h>
#include <pyio/pyio.h>
#include <stdlib.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <optional>
#include <string>

#include "fuzz_input.h"

namespace {

using pyio_fuzz::Input;

// A directory of our own for the one file each run opens, removed at exit.
const std::string& scratch_file() {
    static const std::string path = [] {
        const char* tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/pyio-fuzz-open-XXXXXX";
        if (!mkdtemp(tmpl.data())) pyio_fuzz::fail("mkdtemp failed");
        static std::string dir = tmpl;
        atexit([] { rmdir(dir.c_str()); });
        return tmpl + "/file";
    }();
    return path;
}

// The file's contents, or nullopt if it does not exist.
std::optional<std::string> contents(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string data;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return data;
}

// The lowest free descriptor: a descriptor leaked by a run takes it.
int lowest_free_fd() {
    int fd = dup(0);
    if (fd >= 0) close(fd);
    return fd;
}

// A NUL-terminated argument, or NULL: Python's None.
struct Arg {
    bool none = true;
    std::string value;
    const char* get() const { return none ? nullptr : value.c_str(); }
};

// One of `known`, None, or arbitrary bytes (cut at the first NUL).
template <size_t N>
Arg choose(Input& in, const char* const (&known)[N]) {
    Arg a;
    switch (in.below(4)) {
        case 0: return a;
        case 1: a.value = std::string(in.counted()).c_str(); break;
        default: a.value = in.pick(known); break;
    }
    a.none = false;
    return a;
}

std::string mode(Input& in) {
    static const char* const common[] = {"r", "w", "a", "x", "r+", "w+", "a+", "x+", "rb", "wb",
                                         "ab", "xb", "rb+", "wb+", "ab+", "rt", "wt", "at+", "U", ""};
    if (in.flag()) return in.pick(common);
    static const char alphabet[] = "rwxabt+Uq\xff";
    std::string m;
    for (size_t n = in.below(5); n > 0; --n) m += alphabet[in.below(sizeof alphabet - 1)];
    return m;
}

int64_t buffering(Input& in) {
    static const int64_t values[] = {PYIO_NONE, -1, 0, 1, 2, 3, 7, 64, 4096, PYIO_DEFAULT_BUFFER_SIZE,
                                     int64_t{INT_MAX} + 1, int64_t{INT_MIN} - 1, int64_t{INT_MIN}};
    return in.pick(values);
}

// Data to write: bytes as they are, or (for text streams) pieces of UTF-8
// that matter to the text layer: line endings, multibyte characters, a lone
// surrogate, characters most encodings lack.
std::string payload(Input& in) {
    std::string_view raw = in.counted();
    if (raw.empty() || in.flag()) return std::string(raw);
    static const char* const pieces[] = {"a", "\n", "\r", "\r\n", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                         "\xed\xb2\x80", "\xe3\x81\x82", "\xef\xbb\xbf", "+", "-", "\x1b$B"};
    std::string text;
    for (unsigned char c : raw) text += pieces[c % (sizeof pieces / sizeof *pieces)];
    return text;
}

void operate(pyio_stream* s, Input& in) {
    char* out = nullptr;
    for (int step = 0; step < 32 && !in.empty(); ++step) {
        switch (in.below(14)) {
            case 0: {
                std::string data = payload(in);
                pyio_write(s, data.data(), static_cast<int64_t>(data.size()));
                break;
            }
            case 1: pyio_read(s, in.flag() ? -1 : in.byte(), &out); break;
            case 2: pyio_readline(s, in.flag() ? -1 : in.byte(), &out); break;
            case 3: {
                int64_t offset = static_cast<int8_t>(in.byte());
                pyio_seek(s, offset, static_cast<int>(in.below(4)));
                break;
            }
            case 4: pyio_tell(s); break;
            case 5: pyio_truncate(s, in.flag() ? PYIO_NONE : in.byte()); break;
            case 6: pyio_flush(s); break;
            case 7: {
                pyio_text_cookie cookie;
                if (pyio_text_tell(s, &cookie) == 0) {
                    pyio_read(s, in.byte() % 8, &out);
                    pyio_free(out);
                    out = nullptr;
                    pyio_text_seek(s, &cookie, 0, nullptr);
                }
                break;
            }
            case 8: pyio_next(s, &out); break;
            case 9: pyio_read1(s, in.byte(), &out); break;
            case 10: pyio_peek(s, in.byte(), &out); break;
            case 11: {
                // One choice a statement: the order of arguments' evaluation is unspecified.
                static const char* const encodings[] = {"utf-8", "latin-1", "utf-16", "ascii"};
                const char* encoding = in.flag() ? in.pick(encodings) : nullptr;
                const char* errors = in.flag() ? in.pick(pyio_fuzz::kErrorHandlers) : nullptr;
                int set_newline = in.flag();
                const char* newline = in.flag() ? "\r\n" : nullptr;
                int line_buffering = static_cast<int>(in.below(3)) - 1;
                int write_through = static_cast<int>(in.below(3)) - 1;
                pyio_text_reconfigure(s, encoding, errors, set_newline, newline, line_buffering, write_through);
                break;
            }
            case 12: {
                pyio_slice* lines = nullptr;
                pyio_readlines(s, in.byte(), &lines);
                pyio_free(lines);
                break;
            }
            case 13: pyio_close(s); break;
        }
        pyio_free(out);
        out = nullptr;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    const std::string& path = scratch_file();
    int free_before = lowest_free_fd();

    bool by_fd = in.flag();
    bool exists = in.flag();
    std::string_view initial = in.counted();
    if (exists || by_fd) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) pyio_fuzz::fail("cannot create the scratch file");
        if (::write(fd, initial.data(), initial.size()) != static_cast<ssize_t>(initial.size()))
            pyio_fuzz::fail("cannot fill the scratch file");
        ::close(fd);
    }

    std::string m = mode(in);
    const char* mode_arg = in.below(8) == 0 ? nullptr : m.c_str();
    int64_t buffer_size = buffering(in);
    static const char* const newlines[] = {"", "\n", "\r", "\r\n"};
    Arg encoding = choose(in, pyio_fuzz::kEncodings);
    Arg errors = choose(in, pyio_fuzz::kErrorHandlers);
    Arg newline = choose(in, newlines);

    pyio_stream* s = nullptr;
    int fd = -1;
    bool closefd = true;
    if (by_fd) {
        static const int flags[] = {O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_APPEND, O_WRONLY | O_APPEND};
        fd = ::open(path.c_str(), in.pick(flags) | O_CLOEXEC);
        if (fd < 0) pyio_fuzz::fail("cannot open the scratch file");
        closefd = in.flag();
        s = pyio_open_fd(fd, mode_arg, buffer_size, encoding.get(), errors.get(), newline.get(), closefd);
    } else {
        std::optional<std::string> before = contents(path);
        s = pyio_open(path.c_str(), mode_arg, buffer_size, encoding.get(), errors.get(), newline.get(), 1,
                      nullptr, nullptr);
        if (!s) {
            std::string error = std::string(pyio_error_kind_name(pyio_error_kind())) + ": " + pyio_error_message();
            PYIO_FUZZ_CHECK(contents(path) == before, "a failed open changed the file: mode " + m + ", " + error);
        }
    }
    if (s) {
        operate(s, in);
        pyio_release(s);
        // A stream that owned its descriptor closed it with its last reference.
        if (by_fd && closefd)
            PYIO_FUZZ_CHECK(fcntl(fd, F_GETFD) == -1, "the descriptor outlived its stream: mode " + m);
    }
    // A failed open_fd may or may not have closed an owned descriptor
    // (pyio.h); one not owned is ours to close.
    if (fd >= 0 && fcntl(fd, F_GETFD) != -1) ::close(fd);
    ::unlink(path.c_str());
    PYIO_FUZZ_CHECK(lowest_free_fd() == free_before, "a descriptor leaked: mode " + m);
    return 0;
}
