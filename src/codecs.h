// Codecs: Python's character encodings as incremental decoders and encoders
// between bytes and the text representation of the text layer.
//
// Text inside libpyio is generalized UTF-8: every code point Python's str can
// hold, each encoded on its own, so the lone surrogates U+D800..U+DFFF appear
// as 3-byte sequences (ED A0 80 .. ED BF BF).  That is how surrogateescape
// carries undecodable bytes (U+DC80..U+DCFF) through a UTF-8 API and back.
// A surrogate pair stays two code points, as in Python ('\ud83d\ude00' is not
// '\U0001f600').  See utf8.h for the helpers over this form.
//
// The objects mirror codecs.IncrementalDecoder / IncrementalEncoder: each
// call continues where the previous one stopped, getstate()/setstate() carry
// what TextIOWrapper's tell() and seek() need, and the state values match
// CPython's for the codecs whose state CPython documents (utf-8: nothing;
// utf-16/utf-32: 0 natural order / 1 swapped / 2 byte order not seen yet;
// utf-8-sig: 1 until the first three bytes were seen).
//
// Where the work happens: utf-8, ascii, latin-1, utf-16 and utf-32 (both byte
// orders, with and without BOM) and utf-7 have native code; single-byte
// charsets use a 256-entry table derived from iconv once per codec; every
// other encoding goes through the iconv API (glibc's here).  glibc's iconv
// converts only 70-170 MB/s, so the common encodings must not go through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "error.h"

namespace pyio {

// Python's `errors` argument.
enum class ErrorHandler : uint8_t {
    Strict,
    Ignore,
    Replace,
    BackslashReplace,
    SurrogateEscape,
    SurrogatePass,      // UTF codecs only; elsewhere it behaves as strict
    XmlCharRefReplace,  // encoding only: a decoding error with it is TypeError, as in Python
    NameReplace,        // encoding only, likewise
};

// The handler named `name` ("strict", ...); LookupError("unknown error
// handler name 'NAME'") otherwise.
ErrorHandler error_handler(std::string_view name);
const char* error_handler_name(ErrorHandler handler) noexcept;

// Python's decoder.getstate(): bytes received but not yet decoded, and the
// codec's own flags.
struct DecoderState {
    std::string pending;
    uint64_t flags = 0;
    bool operator==(const DecoderState&) const = default;
};

class Decoder {
public:
    virtual ~Decoder() = default;
    // Decodes what earlier calls left pending followed by `input` and appends
    // the text to `out`.  Bytes that may start an incomplete sequence stay
    // pending unless `final`, when they are an error like any other.
    // Undecodable input goes to the error handler; strict throws
    // UnicodeDecodeError whose start/end index the pending bytes + input.
    virtual void decode(std::string_view input, bool final, std::string& out) = 0;
    // Python's reset(): for the ISO-2022 decoders, only part of the state
    // (see Iso2022Decoder).
    virtual void reset() = 0;
    // Back to the state of a new decoder: reset() for every other codec.
    virtual void reset_to_new() { reset(); }
    virtual DecoderState getstate() const = 0;
    // Accepts what getstate() returned (of this codec); anything else is
    // ValueError or an error on the next decode, never undefined behaviour.
    virtual void setstate(const DecoderState& state) = 0;
    // Whether a decode() that throws leaves the state as it found it, as
    // Python's buffered incremental decoders do.  TextIOWrapper.read() to
    // EOF can then decode the file a piece at a time and, on a failure, put
    // the decoder back where one failed call would leave it.  (Python's CJK
    // decoders drop the bytes they held; utf-8-sig settles its BOM.)
    virtual bool failed_decode_keeps_state() const noexcept { return false; }
};

class Encoder {
public:
    virtual ~Encoder() = default;
    // Encodes `text` (generalized UTF-8 made of whole code points) and appends
    // the bytes to `out`.  Unencodable characters go to the error handler;
    // strict throws UnicodeEncodeError whose start/end count code points of
    // `text`.  `final` ends a stateful encoding (returns to the initial shift
    // state), as Python's encode(final=True).
    virtual void encode(std::string_view text, bool final, std::string& out) = 0;
    virtual void reset() = 0;
    // Python's encoder.getstate()/setstate(): for the BOM codecs 0 means the
    // BOM has been written (or must not be), as TextIOWrapper uses it after a
    // seek or when appending; other codecs keep 0.
    virtual int64_t getstate() const = 0;
    virtual void setstate(int64_t state) = 0;
};

// One encoding.  Codec objects live for the whole program (lookup_codec caches
// them) and are safe to share between threads; decoders and encoders are not.
class Codec {
public:
    virtual ~Codec() = default;
    // codecs.lookup(x).name: "utf-8", "iso8859-1", "cp1252", "shift_jis"...
    // For an encoding known only to iconv, its name as given, lower-cased.
    const std::string& name() const noexcept { return name_; }
    virtual std::unique_ptr<Decoder> decoder(ErrorHandler errors) const = 0;
    virtual std::unique_ptr<Encoder> encoder(ErrorHandler errors) const = 0;
    // A stateless single-byte charset: every byte decodes on its own, to one
    // code point or to an error (latin-1, ascii, the charmap tables).
    virtual bool single_byte() const noexcept { return false; }

protected:
    explicit Codec(std::string name) : name_(std::move(name)) {}

private:
    std::string name_;
};

// Python's codecs.lookup(): the name normalised as Python normalises it
// (case, '-', '_', spaces), Python's aliases, then any encoding iconv knows
// under its own name.  "locale" is the locale's codeset.  Unknown:
// LookupError("unknown encoding: NAME").  Thread-safe.
const Codec& lookup_codec(std::string_view encoding);

// ---- shared by the codec implementations ----

// Python's UnicodeDecodeError for input[start, end) with its message
// ("'utf-8' codec can't decode byte 0xff in position 0: invalid start byte").
[[noreturn]] void throw_decode_error(std::string_view encoding, std::string_view input, size_t start,
                                     size_t end, std::string_view reason);
// A UnicodeDecodeError of a piece of some input as the error of the whole:
// start and end (and the message's positions) moved on by `offset`, the
// piece's place in the whole.
Error shifted_decode_error(const Error& error, int64_t offset);
// Python's UnicodeEncodeError for the code points [start, end) of `text`
// ("'ascii' codec can't encode character '\xe9' in position 1: ordinal not in range(128)").
[[noreturn]] void throw_encode_error(std::string_view encoding, std::string_view text, size_t start,
                                     size_t end, std::string_view reason);

// What a decoding error handler puts in place of the undecodable
// input[start, end): appends it to `out` (generalized UTF-8), or throws for
// strict (and for surrogateescape on bytes below 0x80, as Python does).
// Returns where decoding resumes, as Python's handlers return it: `end`,
// except that surrogateescape escapes at most four bytes and stops before the
// first byte below 0x80, and surrogatepass (UTF codecs only, known by the
// encoding name) decodes one surrogate starting at `start`.
size_t handle_decode_error(ErrorHandler errors, std::string_view encoding, std::string_view input,
                           size_t start, size_t end, std::string_view reason, std::string& out);

// What an encoding error handler puts in place of the unencodable code points
// [start, end) of `text`.  `replacement` is text the encoder must encode in its
// own encoding ("?", "\\xe9", "&#233;", "\\N{...}"), unless raw_bytes, when it
// is bytes to write as they are (surrogateescape).  Throws for strict, and
// when the handler cannot handle these code points.
struct EncodeReplacement {
    std::string replacement;
    bool raw_bytes = false;
};
EncodeReplacement handle_encode_error(ErrorHandler errors, std::string_view encoding,
                                      std::string_view text, size_t start, size_t end,
                                      std::string_view reason);

// The same two for callers that know the byte offset in `text` of code point
// `start`: constant work per error, so that a text with many errors costs
// linear time.
[[noreturn]] void throw_encode_error_at(std::string_view encoding, std::string_view text,
                                        size_t start, size_t end, size_t start_offset,
                                        std::string_view reason);
EncodeReplacement handle_encode_error_at(ErrorHandler errors, std::string_view encoding,
                                         std::string_view text, size_t start, size_t end,
                                         size_t start_offset, std::string_view reason);

// The codecs with native code (codec_unicode.cpp), by the name of their module
// in Python's encodings package ("utf_8", "latin_1", "utf_16_le"...); nullptr
// for any other module.
std::unique_ptr<Codec> make_unicode_codec(std::string_view python_module);

// Factories the registry uses for encodings without native code (codec_iconv.cpp).
// A single-byte charset: a translation table built from iconv once; nullptr if
// iconv does not know `iconv_name` or it is not a single-byte charset.
std::unique_ptr<Codec> make_charmap_codec(std::string python_name, std::string_view iconv_name);
// Any other encoding iconv knows; nullptr if it does not.
std::unique_ptr<Codec> make_iconv_codec(std::string python_name, std::string_view iconv_name);

}  // namespace pyio
