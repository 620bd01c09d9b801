// Every decoder and encoder under every error handler: the input converted
// in arbitrary pieces must give what converting it in one call gives -- the
// same output, or the same error at the same place.  Now and then the
// conversion moves to a fresh decoder or encoder through getstate/setstate
// at a piece boundary, as TextIOWrapper's seek does; that must change
// nothing either.
//
// The codec layer is internal, so this target is linked with the library's
// object files and calls src/codecs.h directly.
//
// Input: encoding, error handler, flags, the number of pieces and their
// sizes, then the data (bytes to decode, or code points to encode).

#include <string>
#include <vector>

#include "../src/codecs.h"
#include "../src/error.h"
#include "fuzz_input.h"

namespace {

using pyio_fuzz::Input;
using pyio_fuzz::escaped;

// What a conversion did: its output, or the error it raised with its
// position in the whole input (bytes for decoding, code points for encoding).
struct Outcome {
    bool ok = true;
    std::string output;
    pyio::ErrorKind kind = pyio::ErrorKind::None;
    std::string reason, encoding;
    int64_t start = 0, end = 0;
};

std::string describe(const Outcome& o) {
    if (o.ok) return "output \"" + escaped(o.output) + "\"";
    return "error kind " + std::to_string(static_cast<int>(o.kind)) + " [" + std::to_string(o.start) + ", " +
           std::to_string(o.end) + ") " + o.encoding + ": " + o.reason;
}

// Errors are compared by what they say about the input, not by their
// message, which names positions relative to the call.  An encoding error
// covers the run of unencodable characters the encoder was given, so in
// pieces it may end sooner, at the end of a piece, or start later, when the
// handler could deal with the part of the run in an earlier piece but not
// with the whole (as in Python).
// A utf-16 or utf-32 decoder raises UnicodeError("... does not start with
// BOM") as soon as it has decoded something without a BOM, but a call that
// finds a decoding error first raises that instead (or the handler's
// TypeError): with another chunking either may come first (as in Python).
bool decoding_failure(pyio::ErrorKind kind) {
    return kind == pyio::ErrorKind::UnicodeError || kind == pyio::ErrorKind::UnicodeDecodeError ||
           kind == pyio::ErrorKind::TypeError;
}

// After its first call Python's utf-16 and utf-32 coders hand over to the
// byte order's own ("utf-16-le"), which then names itself in errors.
bool same_encoding(std::string_view a, std::string_view b) {
    auto plain = [](std::string_view name) {
        if (name.ends_with("-le") || name.ends_with("-be")) name.remove_suffix(3);
        return name;
    };
    return plain(a) == plain(b);
}

bool same(const Outcome& whole, const Outcome& pieces) {
    if (whole.ok != pieces.ok) return false;
    if (whole.ok) return whole.output == pieces.output;
    if ((whole.kind == pyio::ErrorKind::UnicodeError || pieces.kind == pyio::ErrorKind::UnicodeError) &&
        decoding_failure(whole.kind) && decoding_failure(pieces.kind))
        return true;
    bool same_place = whole.kind == pyio::ErrorKind::UnicodeEncodeError
                          ? whole.start <= pieces.start && pieces.start < pieces.end && pieces.end <= whole.end
                          : whole.start == pieces.start && whole.end == pieces.end;
    return whole.kind == pieces.kind && whole.reason == pieces.reason && same_encoding(whole.encoding, pieces.encoding) &&
           same_place;
}

Outcome failure(const pyio::Error& e, int64_t offset) {
    Outcome o;
    o.ok = false;
    o.kind = e.kind();
    o.reason = e.info().reason;
    o.encoding = e.info().encoding;
    bool positioned = o.kind == pyio::ErrorKind::UnicodeDecodeError || o.kind == pyio::ErrorKind::UnicodeEncodeError;
    o.start = positioned ? e.info().start + offset : 0;
    o.end = positioned ? e.info().end + offset : 0;
    if (!positioned) o.reason = e.what();
    return o;
}

// Splits `n` units into pieces of the sizes the input asks for; the last
// piece takes what is left.
std::vector<size_t> piece_sizes(Input& in, size_t pieces) {
    std::vector<size_t> sizes;
    for (size_t i = 0; i < pieces; ++i) sizes.push_back(in.byte() % 9);
    return sizes;
}

// ---- decoding ----

Outcome decode_whole(const pyio::Codec& codec, pyio::ErrorHandler errors, std::string_view data) {
    auto decoder = codec.decoder(errors);
    Outcome o;
    try {
        decoder->decode(data, true, o.output);
    } catch (const pyio::Error& e) {
        return failure(e, 0);
    }
    return o;
}

Outcome decode_pieces(const pyio::Codec& codec, pyio::ErrorHandler errors, std::string_view data,
                      const std::vector<size_t>& sizes, uint8_t restarts, bool final_alone) {
    auto decoder = codec.decoder(errors);
    Outcome o;
    size_t fed = 0;
    // An error indexes the bytes still pending from earlier calls followed by
    // this call's input.
    int64_t offset = 0;
    try {
        for (size_t i = 0; i <= sizes.size(); ++i) {
            bool last = i == sizes.size();
            size_t n = last ? data.size() - fed : std::min(sizes[i], data.size() - fed);
            if (restarts >> (i % 8) & 1) {
                pyio::DecoderState state = decoder->getstate();
                decoder = codec.decoder(errors);
                decoder->setstate(state);
            }
            offset = static_cast<int64_t>(fed) - static_cast<int64_t>(decoder->getstate().pending.size());
            decoder->decode(data.substr(fed, n), last && !final_alone, o.output);
            fed += n;
        }
        if (final_alone) {
            offset = static_cast<int64_t>(fed) - static_cast<int64_t>(decoder->getstate().pending.size());
            decoder->decode({}, true, o.output);
        }
    } catch (const pyio::Error& e) {
        return failure(e, offset);
    }
    return o;
}

// ---- encoding ----

// Text for the encoder from the input: one or two bytes a code point, drawn
// from ASCII, Latin-1, the BMP (surrogates included) and the astral planes,
// in the library's generalized UTF-8.
std::vector<std::string> code_points(std::string_view bytes) {
    std::vector<std::string> text;
    for (size_t i = 0; i < bytes.size(); ++i) {
        unsigned char b = static_cast<unsigned char>(bytes[i]);
        char32_t cp = b;
        if (b >= 0x80 && i + 1 < bytes.size()) {
            unsigned char c = static_cast<unsigned char>(bytes[++i]);
            switch (b >> 5) {
                case 4: cp = 0x80 + c; break;                                  // Latin-1 and beyond
                case 5: cp = 0x100 + ((b & 0x1f) << 8 | c); break;             // Latin Extended .. CJK edges
                case 6: cp = 0x3000 + ((b & 0x1f) << 8 | c) * 4; break;        // CJK, Hangul, surrogates
                default: cp = ((b & 0x1f) * 0x10000 + c * 0x101) % 0x110000; break;  // everywhere
            }
        }
        char buf[4];
        size_t n;
        if (cp < 0x80) {
            buf[0] = static_cast<char>(cp);
            n = 1;
        } else if (cp < 0x800) {
            buf[0] = static_cast<char>(0xc0 | cp >> 6);
            buf[1] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            buf[0] = static_cast<char>(0xe0 | cp >> 12);
            buf[1] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            buf[2] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            buf[0] = static_cast<char>(0xf0 | cp >> 18);
            buf[1] = static_cast<char>(0x80 | (cp >> 12 & 0x3f));
            buf[2] = static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            buf[3] = static_cast<char>(0x80 | (cp & 0x3f));
            n = 4;
        }
        text.emplace_back(buf, n);
    }
    return text;
}

Outcome encode_whole(const pyio::Codec& codec, pyio::ErrorHandler errors, const std::vector<std::string>& text) {
    std::string all;
    for (const auto& cp : text) all += cp;
    auto encoder = codec.encoder(errors);
    Outcome o;
    try {
        encoder->encode(all, true, o.output);
    } catch (const pyio::Error& e) {
        return failure(e, 0);
    }
    return o;
}

// Python's utf-7 incremental encoder keeps no state: each call is a whole
// encoding ('a\xe9' then '\xe9' give b'a+AOk-+AOk-', not b'a+AOkA6Q-').  So
// in pieces it must give each piece's one-call encoding, one after another.
Outcome encode_each(const pyio::Codec& codec, pyio::ErrorHandler errors, const std::vector<std::string>& text,
                    const std::vector<size_t>& sizes) {
    Outcome o;
    size_t fed = 0;
    for (size_t i = 0; i <= sizes.size(); ++i) {
        size_t n = i == sizes.size() ? text.size() - fed : std::min(sizes[i], text.size() - fed);
        Outcome piece = encode_whole(codec, errors, std::vector<std::string>(text.begin() + fed, text.begin() + fed + n));
        if (!piece.ok) {
            piece.start += static_cast<int64_t>(fed);
            piece.end += static_cast<int64_t>(fed);
            return piece;
        }
        o.output += piece.output;
        fed += n;
    }
    return o;
}

// The encoders whose state getstate() does not carry (a shift state), so
// that moving to a fresh encoder is not expected to continue the encoding.
bool stateful_encoding(const pyio::Codec& codec) {
    const std::string& name = codec.name();
    return name == "utf-7" || name.rfind("iso2022", 0) == 0;
}

Outcome encode_pieces(const pyio::Codec& codec, pyio::ErrorHandler errors, const std::vector<std::string>& text,
                      const std::vector<size_t>& sizes, uint8_t restarts, bool final_alone) {
    if (stateful_encoding(codec)) restarts = 0;
    auto encoder = codec.encoder(errors);
    Outcome o;
    size_t fed = 0;
    try {
        for (size_t i = 0; i <= sizes.size(); ++i) {
            bool last = i == sizes.size();
            size_t n = last ? text.size() - fed : std::min(sizes[i], text.size() - fed);
            std::string piece;
            for (size_t k = fed; k < fed + n; ++k) piece += text[k];
            if (restarts >> (i % 8) & 1) {
                int64_t state = encoder->getstate();
                encoder = codec.encoder(errors);
                encoder->setstate(state);
            }
            try {
                encoder->encode(piece, last && !final_alone, o.output);
            } catch (const pyio::Error& e) {
                return failure(e, static_cast<int64_t>(fed));
            }
            fed += n;
        }
        if (final_alone) encoder->encode({}, true, o.output);
    } catch (const pyio::Error& e) {
        return failure(e, static_cast<int64_t>(fed));
    }
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    const char* encoding = in.pick(pyio_fuzz::kEncodings);
    const char* handler = in.pick(pyio_fuzz::kErrorHandlers);
    uint8_t flags = in.byte();
    bool encoding_direction = flags & 1;
    bool final_alone = flags & 2;
    uint8_t restarts = in.byte();
    std::vector<size_t> sizes = piece_sizes(in, in.below(12));
    std::string_view payload = in.rest();

    const pyio::Codec& codec = pyio::lookup_codec(encoding);
    pyio::ErrorHandler errors = pyio::error_handler(handler);
    std::string context = std::string(encoding) + " " + handler + (encoding_direction ? " encode" : " decode") +
                          " \"" + escaped(payload) + "\"\n";
    if (encoding_direction) {
        std::vector<std::string> text = code_points(payload);
        Outcome whole = codec.name() == "utf-7" ? encode_each(codec, errors, text, sizes)
                                                : encode_whole(codec, errors, text);
        Outcome pieces = encode_pieces(codec, errors, text, sizes, restarts, final_alone);
        PYIO_FUZZ_CHECK(same(whole, pieces),
                        context + "one call:  " + describe(whole) + "\nin pieces: " + describe(pieces));
    } else {
        Outcome whole = decode_whole(codec, errors, payload);
        Outcome pieces = decode_pieces(codec, errors, payload, sizes, restarts, final_alone);
        // Python's utf-8-sig decodes what follows the BOM as a new input, so
        // an error in the call that consumed the BOM is placed 3 bytes early
        // (b'\xef\xbb\xbfa\xff' in one call: position 1); in a later call, not.
        if (codec.name() == "utf-8-sig" && payload.starts_with("\xef\xbb\xbf") && !whole.ok && !pieces.ok &&
            whole.kind == pyio::ErrorKind::UnicodeDecodeError && pieces.start == whole.start + 3) {
            whole.start += 3;
            whole.end += 3;
        }
        // CPython's ISO-2022 decoders hold at most 8 bytes between calls: a
        // piece that ends inside a longer escape sequence, not terminated
        // yet, fails with "pending buffer overflow", which one call cannot.
        if (codec.name().starts_with("iso2022") && !pieces.ok && pieces.kind == pyio::ErrorKind::UnicodeError &&
            pieces.reason == "pending buffer overflow")
            return 0;
        // CPython's UTF-32 decoder settles the byte order in the first call
        // that consumes anything (encodings/utf_32.py), and surrogateescape
        // may consume one byte of a first unit that is no BOM: the next call
        // then finds a BOM three bytes on, where one call goes on in the
        // native order.  b'\x90\x00\x00\xfe\xff\xff\xff\x00...' in one call is
        // a utf-32-le error at 1-4; fed a byte at a time, '\udc90' and more
        // then a utf-32-be error (io's TextIOWrapper gives both, by its
        // _CHUNK_SIZE, and libpyio's matches it at each).
        if (codec.name() == "utf-32" && std::string_view(handler) == "surrogateescape" &&
            !payload.starts_with(std::string_view("\xff\xfe\x00\x00", 4)) &&
            !payload.starts_with(std::string_view("\x00\x00\xfe\xff", 4)))
            return 0;
        PYIO_FUZZ_CHECK(same(whole, pieces),
                        context + "one call:  " + describe(whole) + "\nin pieces: " + describe(pieces));
    }
    return 0;
}
