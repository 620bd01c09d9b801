#include "open.h"

#include <algorithm>
#include <climits>
#include <exception>

#include "bufferedio.h"
#include "codecs.h"
#include "textio.h"

namespace pyio {

namespace {

// The largest buffer the default sizing picks, however large st_blksize is.
constexpr int64_t kMaxDefaultBufferSize = 8 * 1024 * 1024;

// What io.open read from its mode string.
struct Mode {
    bool creating = false, reading = false, writing = false, appending = false;
    bool updating = false, text = false, binary = false;
    // The mode FileIO gets: the letters above in a fixed order, no 'b'/'t'.
    std::string raw;
};

// io.open's scan: every character one of "xrwa+tb", none twice.  Whether a
// combination makes sense is checked afterwards.
Mode parse_mode(std::string_view mode) {
    if (mode.find('\0') != std::string_view::npos) throw value_error("embedded null character");
    // CPython formats this one with '%s', not %R: the mode is quoted as is.
    auto invalid = [&] { return value_error("invalid mode: '" + std::string(mode) + "'"); };
    Mode m;
    for (size_t i = 0; i < mode.size(); ++i) {
        char c = mode[i];
        switch (c) {
        case 'x': m.creating = true; break;
        case 'r': m.reading = true; break;
        case 'w': m.writing = true; break;
        case 'a': m.appending = true; break;
        case '+': m.updating = true; break;
        case 't': m.text = true; break;
        case 'b': m.binary = true; break;
        default: throw invalid();
        }
        if (mode.find(c, i + 1) != std::string_view::npos) throw invalid();
    }
    if (m.creating) m.raw += 'x';
    if (m.reading) m.raw += 'r';
    if (m.writing) m.raw += 'w';
    if (m.appending) m.raw += 'a';
    if (m.updating) m.raw += '+';
    return m;
}

// The argument checks io.open makes before opening anything, in its order.
// Neither 't' nor 'b' means text.  No create/read/write/append letter at all
// is left for FileIO to refuse, with its own message.
void check_arguments(const Mode& m, std::optional<std::string_view> encoding,
                     std::optional<std::string_view> errors,
                     std::optional<std::string_view> newline) {
    if (m.text && m.binary) throw value_error("can't have text and binary mode at once");
    if (m.creating + m.reading + m.writing + m.appending > 1)
        throw value_error("must have exactly one of create/read/write/append mode");
    if (m.binary && encoding) throw value_error("binary mode doesn't take an encoding argument");
    if (m.binary && errors) throw value_error("binary mode doesn't take an errors argument");
    if (m.binary && newline) throw value_error("binary mode doesn't take a newline argument");
}

Ref<FileIO> open_raw(const OpenFile& file, const std::string& raw_mode, bool closefd,
                     const FileIO::Opener& opener) {
    // An opener only applies to a path, as in Python.
    if (const int* fd = std::get_if<int>(&file)) return FileIO::from_fd(*fd, raw_mode, closefd);
    return FileIO::open(std::get<std::string_view>(file), raw_mode, closefd, opener);
}

// io.open's last step for text modes: TextIOWrapper(buffer, encoding, errors,
// newline, line_buffering), whose `mode` is then the mode string as given.
Ref<IOBase> wrap_text(Ref<IOBase> buffer, std::string_view mode,
                      std::optional<std::string_view> encoding,
                      std::optional<std::string_view> errors,
                      std::optional<std::string_view> newline, bool line_buffering) {
    auto text = make_ref<TextIOWrapper>(std::move(buffer), encoding, errors, newline, line_buffering,
                                        false);
    text->set_mode(std::string(mode));
    return text;
}

// Runs body; if it throws, closes `stream` (keeping the first error, as
// CPython chains the close's own error to it) and rethrows.
template <class F>
auto closing_on_failure(IOBase& stream, F&& body) {
    try {
        return body();
    } catch (...) {
        std::exception_ptr failure = std::current_exception();
        try {
            stream.close();
        } catch (...) {
        }
        std::rethrow_exception(failure);
    }
}

}  // namespace

Ref<IOBase> open(const OpenFile& file, std::string_view mode, int64_t buffering,
                 std::optional<std::string_view> encoding, std::optional<std::string_view> errors,
                 std::optional<std::string_view> newline, bool closefd,
                 const FileIO::Opener& opener) {
    // buffering is a C int to Python's argument parser, before anything else.
    if (buffering < INT_MIN || buffering > INT_MAX)
        throw overflow_error("Python int too large to convert to C int");
    Mode m = parse_mode(mode);
    check_arguments(m, encoding, errors, newline);
    // Here CPython warns (RuntimeWarning) that binary mode has no line
    // buffering and uses the default size; C has no warning channel.

    // Unlike CPython, which opens (creates, truncates) the file before
    // TextIOWrapper looks at them, the text arguments are checked first: an
    // open() that cannot return a stream leaves the file system alone.
    if (!m.binary && (m.reading || m.writing || m.appending || m.creating)) {
        if (buffering == 0) throw value_error("can't have unbuffered text I/O");
        lookup_codec(encoding.value_or("utf-8"));
        error_handler(errors.value_or("strict"));
        validate_newline(newline, false);
    }

    Ref<FileIO> raw = open_raw(file, m.raw, closefd, opener);
    return closing_on_failure(*raw, [&]() -> Ref<IOBase> {
        bool line_buffering = false;
        if (buffering == 1 || (buffering < 0 && raw->isatty())) {
            buffering = -1;
            line_buffering = true;
        }
        if (buffering < 0)
            buffering =
                std::max(std::min(raw->blksize(), kMaxDefaultBufferSize), kDefaultBufferSize);
        if (buffering == 0) {
            if (!m.binary) throw value_error("can't have unbuffered text I/O");
            return raw;
        }

        Ref<IOBase> buffer;
        if (m.updating)
            buffer = make_ref<BufferedRandom>(raw, buffering);
        else if (m.creating || m.writing || m.appending)
            buffer = make_ref<BufferedWriter>(raw, buffering);
        else
            buffer = make_ref<BufferedReader>(raw, buffering);
        if (m.binary) return buffer;

        // Closing the buffer closes the raw stream under it too.
        return closing_on_failure(*buffer, [&] {
            return wrap_text(buffer, mode, encoding, errors, newline, line_buffering);
        });
    });
}

}  // namespace pyio
