// TextIOWrapper.seek() with arbitrary cookies, over a BytesIO holding
// arbitrary bytes in various encodings, between reads and tells.  A cookie no
// tell() produced is an error, never a crash; whatever seek did, the stream
// stays usable: seeking to 0 and reading everything gives what a fresh
// wrapper reads (but for ISO-2022, whose reset is partial; see below).  And
// a cookie tell() did produce must work: reading after seeking back to it
// repeats what was read after the tell().
//
// Input: encoding, error handler, newline, chunk size, the contents, then
// operations until the input runs out.

#include <pyio/pyio.h>

#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_input.h"

namespace {

using pyio_fuzz::Input;
using pyio_fuzz::escaped;

struct Setup {
    const char* encoding;
    const char* errors;
    const char* newline;
    int64_t chunk_size;
    std::string_view contents;
};

pyio_stream* wrapper(const Setup& s) {
    pyio_stream* bytes = pyio_bytesio_new(s.contents.data(), static_cast<int64_t>(s.contents.size()));
    if (!bytes) pyio_fuzz::fail("BytesIO failed", pyio_error_message());
    pyio_stream* text = pyio_textiowrapper_new(bytes, s.encoding, s.errors, s.newline, 0, 0);
    pyio_release(bytes);
    if (!text) pyio_fuzz::fail("TextIOWrapper failed", pyio_error_message());
    if (pyio_text_set_chunk_size(text, s.chunk_size) != 0) pyio_fuzz::fail("set_chunk_size failed");
    return text;
}

// The result of reading: the text, or the kind of error.
struct Read {
    int64_t n;
    std::string text;
    int kind;
    bool operator==(const Read&) const = default;
};

Read read(pyio_stream* s, int64_t size) {
    char* out = nullptr;
    int64_t n = pyio_read(s, size, &out);
    Read r{n, n >= 0 ? std::string(out, static_cast<size_t>(n)) : std::string(), n < 0 ? pyio_error_kind() : 0};
    pyio_free(out);
    return r;
}

std::string describe(const Read& r) {
    return r.n >= 0 ? "\"" + escaped(r.text) + "\"" : "error kind " + std::to_string(r.kind) + " " +
                                                           std::string(pyio_error_kind_name(r.kind));
}

pyio_text_cookie arbitrary_cookie(Input& in) {
    pyio_text_cookie c{};
    switch (in.below(3)) {
        case 0:  // anything at all
            c.start_pos = static_cast<int64_t>(in.u64());
            c.dec_flags = in.u32();
            c.bytes_to_feed = in.u32();
            c.chars_to_skip = in.u32();
            c.need_eof = in.u32();
            break;
        default:  // near the contents, with small fields: what a tell() could give
            c.start_pos = static_cast<int8_t>(in.byte());
            c.dec_flags = in.byte() % 4;
            c.bytes_to_feed = in.byte() % 8;
            c.chars_to_skip = in.byte() % 8;
            c.need_eof = in.byte() % 3;
            break;
    }
    return c;
}

std::string describe(const pyio_text_cookie& c) {
    return "cookie{" + std::to_string(c.start_pos) + ", " + std::to_string(c.dec_flags) + ", " +
           std::to_string(c.bytes_to_feed) + ", " + std::to_string(c.chars_to_skip) + ", " +
           std::to_string(c.need_eof) + "}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    static const char* const newlines[] = {nullptr, "", "\n", "\r", "\r\n"};
    static const char* const errors[] = {"strict", "replace", "surrogateescape", "ignore"};
    Setup setup{in.pick(pyio_fuzz::kEncodings), in.pick(errors), in.pick(newlines), 1 + in.byte() % 16, {}};
    setup.contents = in.counted();
    std::string context = std::string(setup.encoding) + " " + setup.errors + " chunk " +
                          std::to_string(setup.chunk_size) + " \"" + escaped(setup.contents) + "\"\n";

    pyio_stream* fresh = wrapper(setup);
    Read everything = read(fresh, -1);
    pyio_release(fresh);

    pyio_stream* s = wrapper(setup);
    std::string log;
    // After a read that failed while decoding, not even Python's tell()
    // leads back to what read() returns (its snapshot is updated before the
    // decoder raises); nor after a seek to a forged cookie that set decoder
    // state (any dec_flags, bytes to feed or EOF), whether it succeeded or
    // failed with "can't restore logical file position": the decoder is then
    // in a state decoding never gives (utf-7 halfway into base64, a final
    // decode in mid-stream), and a replay from tell()'s cookie differs in
    // CPython too.  A successful seek to a plain position settles it again.
    bool settled = true;
    // CPython's ISO-2022 decoders reset only G0 and the shift (DECODER_RESET):
    // G1-G3 and the mode that passes bytes after an unknown escape through
    // stay.  TextIOWrapper resets its decoder at a seek to (0, flags 0), so
    // what is read after such a seek depends on what was read before it,
    // in CPython as here: text read from the start may differ from a fresh
    // wrapper's, and a replay from the cookie (0, 0) from the first read.
    const bool partial_reset = std::string_view(setup.encoding).starts_with("iso-2022");
    auto resets = [&](const pyio_text_cookie& c) {
        return partial_reset && c.start_pos == 0 && !c.dec_flags;
    };
    for (int step = 0; step < 24 && !in.empty(); ++step) {
        switch (in.below(4)) {
            case 0: {
                pyio_text_cookie c = arbitrary_cookie(in);
                int whence = static_cast<int>(in.below(4));
                int rc = pyio_text_seek(s, &c, whence, nullptr);
                log += "seek " + describe(c) + " whence " + std::to_string(whence) + ": " +
                       (rc == 0 ? "ok" : pyio_error_message()) + "\n";
                // Any failed seek may have moved the buffer before it failed
                // (a forged position, then a decoder state refused).
                const bool plain = !c.dec_flags && !c.bytes_to_feed && !c.chars_to_skip && !c.need_eof;
                settled = rc == 0 && plain;
                break;
            }
            case 1: {
                Read r = read(s, in.byte() % 8);
                log += "read " + describe(r) + "\n";
                if (r.n < 0) settled = false;
                break;
            }
            case 2: {
                // A cookie tell() gives must lead back to the same text.
                pyio_text_cookie c;
                if (pyio_text_tell(s, &c) != 0) {
                    log += std::string("tell: ") + pyio_error_message() + "\n";
                    break;
                }
                int64_t n = in.byte() % 8;
                Read first = read(s, n);
                int rc = pyio_text_seek(s, &c, 0, nullptr);
                // Once unsettled, the replay to tell()'s cookie may meet the
                // undecodable input too.
                PYIO_FUZZ_CHECK(rc == 0 || !settled,
                                context + log + "seek to " + describe(c) + ": " + pyio_error_message());
                if (rc != 0) {
                    log += "seek to " + describe(c) + ": " + pyio_error_message() + "\n";
                    break;
                }
                Read again = read(s, n);
                // Decoding goes by chunks, and the two reads cut them in
                // different places (the chunk size follows what was read
                // before): either may meet undecodable input just past the
                // characters it needs, where the other does not (CPython's
                // too).  For the ISO-2022 decoders that includes the
                // UnicodeError "pending buffer overflow": more than 8 bytes
                // of an unfinished escape sequence left at the end of one
                // call (CPython's MAXDECPENDING), which depends on where the
                // chunk ends; CPython raises it in the same place.  So both
                // reads may fail, one with each kind (the chunk the first
                // read decodes holds the whole bad sequence, the replay's
                // ends inside it: CPython gives the same pair).
                auto undecodable = [](const Read& r) {
                    return r.n < 0 && (r.kind == PYIO_ERR_UNICODE_DECODE || r.kind == PYIO_ERR_UNICODE);
                };
                const bool decode_error = undecodable(first) || undecodable(again);
                PYIO_FUZZ_CHECK(first == again || !settled || decode_error || resets(c),
                                context + log + "after tell " + describe(c) + ": " +
                                                                 describe(first) + ", after seeking back: " +
                                                                 describe(again));
                settled = again.n >= 0;
                log += "tell " + describe(c) + " read " + describe(first) + "\n";
                break;
            }
            case 3: {
                char* out = nullptr;
                int64_t n = pyio_readline(s, -1, &out);
                log += "readline " + (n >= 0 ? escaped(std::string(out, static_cast<size_t>(n))) : "error") + "\n";
                if (n < 0) settled = false;
                pyio_free(out);
                break;
            }
        }
    }

    // Whatever happened, the stream can start again from the beginning.
    pyio_text_cookie zero{};
    int rc = pyio_text_seek(s, &zero, 0, nullptr);
    PYIO_FUZZ_CHECK(rc == 0, context + log + "seek(0): " + pyio_error_message());
    Read again = read(s, -1);
    PYIO_FUZZ_CHECK(again == everything || resets(zero),
                    context + log + "from the start: " + describe(again) + ", fresh: " + describe(everything));
    pyio_release(s);
    return 0;
}
