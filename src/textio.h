// The text layer over a buffered binary stream: IncrementalNewlineDecoder and
// TextIOWrapper, as CPython's C implementation (Modules/_io/textio.c) behaves.
//
// Text is generalized UTF-8 throughout (utf8.h); the decoder turns the
// buffer's bytes into it, the encoder turns written text back into bytes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codecs.h"
#include "iobase.h"
#include "stream_lock.h"

namespace pyio {

class Buffered;

// ValueError("illegal newline value: X") unless newline is one of Python's
// (nullopt is None).  `quoted` puts the value in repr() quotes, as StringIO's
// message does and TextIOWrapper's does not.
void validate_newline(std::optional<std::string_view> newline, bool quoted);

// Text handed in through the API must be generalized UTF-8: otherwise the
// UnicodeDecodeError Python's UTF-8 decoder (with surrogatepass) would raise.
// Returns true when text is also strict UTF-8 (no surrogates), as the vector
// check can say for most text; false when it cannot say.
bool check_text(std::string_view text);
// The same, with text's characters counted into `chars`: for the writes,
// which return that number (one pass for valid UTF-8 of any length).
bool check_text(std::string_view text, size_t& chars);

// CPython's _PyIO_find_line_ending over code units Char (char for UTF-8:
// every newline character is ASCII; char32_t for StringIO's code points).
// Returns the offset just past the line ending in s, or npos with `consumed`
// set to how much of s can be set aside without cutting a possible ending in
// two.  translated: only '\n' ends a line; universal: any of '\r', '\r\n',
// '\n' (a '\r' at the end of s ends the line: the newline decoder never
// splits a '\r\n'); otherwise readnl.
//
// find_line_ending_at is its case of a one-character ending, on its own
// so that a caller that knows it has that case (TextIOWrapper's text lines,
// once per line) calls it inline.
template <class Char>
size_t find_line_ending_at(Char ending, std::basic_string_view<Char> s, size_t& consumed) {
    size_t pos = s.find(ending);
    if (pos != s.npos) return pos + 1;
    consumed = s.size();
    return s.npos;
}

template <class Char>
size_t find_line_ending(bool translated, bool universal, std::basic_string_view<Char> readnl,
                        std::basic_string_view<Char> s, size_t& consumed) {
    constexpr size_t npos = std::basic_string_view<Char>::npos;
    if (translated || (!universal && readnl.size() == 1))
        return find_line_ending_at(translated ? Char('\n') : readnl[0], s, consumed);
    if (universal) {
        for (size_t i = 0; i < s.size(); ++i) {
            Char c = s[i];
            if (c > Char('\r')) continue;
            if (c == Char('\n')) return i + 1;
            if (c == Char('\r')) return i + 1 < s.size() && s[i + 1] == Char('\n') ? i + 2 : i + 1;
        }
        consumed = s.size();
        return npos;
    }
    // "\r\n": a '\r' at the very end may be the first half of one.
    size_t pos = s.find(readnl);
    if (pos != npos) return pos + readnl.size();
    size_t tail = s.size() >= readnl.size() ? s.size() - (readnl.size() - 1) : 0;
    size_t cr = s.find(readnl[0], tail);
    consumed = cr == npos ? s.size() : cr;
    return npos;
}

// Python's io.IncrementalNewlineDecoder: wraps a decoder (or none, when the
// input is already text) and, with translate, turns '\r\n' and '\r' into
// '\n'.  A '\r' at the end of a non-final input is held back until the next
// call shows whether '\n' follows, so '\r\n' is never split across outputs.
class IncrementalNewlineDecoder {
public:
    // Python's seennl bits, in the order of the newlines property.
    static constexpr int kLF = 1, kCR = 2, kCRLF = 4;

    IncrementalNewlineDecoder(std::unique_ptr<Decoder> decoder, bool translate)
        : decoder_(std::move(decoder)), translate_(translate) {}
    // TextIOWrapper with a fixed newline reads through the codec's decoder
    // alone (CPython wraps it only for universal newlines): no newline
    // handling, and the codec's state flags unshifted.
    static std::unique_ptr<IncrementalNewlineDecoder> passthrough(std::unique_ptr<Decoder> decoder) {
        auto d = std::make_unique<IncrementalNewlineDecoder>(std::move(decoder), false);
        d->passthrough_ = true;
        return d;
    }

    // Decodes `input` (bytes, or text when there is no decoder) and appends
    // the text to `out`.
    void decode(std::string_view input, bool final, std::string& out);
    // The wrapped decoder's state with flags shifted left by one and the
    // pending '\r' in bit 0.
    DecoderState getstate() const;
    void setstate(const DecoderState& state);
    void reset();
    // reset(), with the codec's decoder back to the state of a new one.
    void reset_to_new();
    // The seennl bits: which newlines decode() has met.
    int seen() const noexcept { return seennl_; }
    // Back to a state and seennl bits taken before (see TextIOWrapper::decode_all).
    void restore(const DecoderState& state, int seen) {
        setstate(state);
        seennl_ = seen;
    }
    bool has_decoder() const noexcept { return decoder_ != nullptr; }
    // The wrapped decoder's (a '\r' held back is kept by a failure too).
    bool failed_decode_keeps_state() const noexcept {
        return !decoder_ || decoder_->failed_decode_keeps_state();
    }

private:
    std::unique_ptr<Decoder> decoder_;
    const bool translate_;
    bool passthrough_ = false;
    bool pendingcr_ = false;
    int seennl_ = 0;
    std::string scratch_;  // the wrapped decoder's output before translation
};

class TextIOWrapper final : public TextIOBase {
public:
    // CPython's constructor: encoding nullopt is the default (utf-8),
    // "locale" the locale's; errors nullopt is "strict"; newline nullopt is
    // universal newlines with translation, otherwise "", "\n", "\r" or "\r\n"
    // (anything else: ValueError "illegal newline value: X").  Unknown
    // encodings and error handlers are LookupError before anything is read.
    TextIOWrapper(Ref<IOBase> buffer, std::optional<std::string_view> encoding,
                  std::optional<std::string_view> errors, std::optional<std::string_view> newline,
                  bool line_buffering, bool write_through);
    ~TextIOWrapper() override;

    const char* type_name() const noexcept override { return "TextIOWrapper"; }

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    bool isatty() override;
    int fileno() override;
    int64_t truncate(std::optional<int64_t> size) override;
    std::optional<Bytes> read(int64_t size) override;
    std::optional<Bytes> readline(int64_t limit) override;
    std::optional<std::string_view> readline_view(int64_t limit) override;
    std::optional<size_t> write(std::span<const char> text) override;
    Bytes next_line() override;
    Ref<IOBase> detach() override;
    const StreamName& name() override;
    const std::string& mode() override;

    const std::string* encoding() override;
    const std::string* errors() override;
    int newlines() override;
    TextCookie tell_cookie() override;
    TextCookie seek_cookie(const TextCookie& cookie, int whence) override;

    bool line_buffering();
    bool write_through();
    // The buffer (Python's `buffer` attribute).
    Ref<IOBase> buffer();
    // Python's _CHUNK_SIZE: how many bytes one read asks the buffer for, and
    // how many written bytes are gathered before they go to it (> 0).
    int64_t chunk_size();
    void set_chunk_size(int64_t size);

    // open() sets Python's `mode` attribute; a bare TextIOWrapper has none.
    void set_mode(std::string mode);

    // reconfigure(): each argument nullopt leaves that setting as it is.
    struct Settings {
        std::optional<std::string_view> encoding, errors;
        bool set_newline = false;
        std::optional<std::string_view> newline;  // when set_newline
        std::optional<bool> line_buffering, write_through;
    };
    void reconfigure(const Settings& settings);

private:
    class Guard;
    struct Snapshot;
    struct TellSearch;

    // Validates and applies encoding/errors/newline (constructor and reconfigure).
    void set_codec(std::optional<std::string_view> encoding, std::optional<std::string_view> errors);
    void set_newline(std::optional<std::string_view> newline);
    void make_coders();
    std::unique_ptr<IncrementalNewlineDecoder> make_decoder() const;
    void reset_encoder_for_position();
    // CPython's _textiowrapper_encoder_reset: reset() at the start of the
    // stream (a BOM comes next), setstate(0) elsewhere.
    void reset_encoder(bool start_of_stream);

    IOBase& attached() const;         // ValueError once detached
    void check_open() const;          // attached and not closed
    void flush_locked();
    // CPython's _textiowrapper_writeflush: hands the first `count` pending
    // bytes (all by default) to the buffer.
    void write_pending(size_t count = SIZE_MAX);
    void clear_decoded() noexcept;
    // write()'s work, returning the characters written: write() makes the
    // optional after the unlock, with some_size().
    size_t write_text(std::string_view text);
    // Reads and decodes one chunk; false at EOF.
    bool read_chunk(int64_t size_hint);
    // Appends up to n code points (n < 0: all) of the decoded text to out.
    void take_decoded(int64_t n, Bytes& out);
    // Appends what one decode(input, final=True) gives to out (read(-1)).
    void decode_all(std::string_view input, Bytes& out);
    // read(-1) over a native BufferedReader of a FileIO: decodes the file
    // as it is read (Buffered::read_all_in_pieces) and appends the text to
    // out, failing as decode_all would.  false: not such a stream.
    bool read_and_decode_all(Bytes& out);
    // Lets spare_decoded_ go when a large decode has left it large.
    void trim_spare() noexcept;
    // trim_spare() when a read-all leaves, however it leaves.
    struct TrimSpareOnExit {
        TextIOWrapper& wrapper;
        ~TrimSpareOnExit() { wrapper.trim_spare(); }
    };
    size_t decoded_chars_used();
    // Appends the next line to `out` (empty: end of file).
    void readline_locked(int64_t limit, Bytes& out);
    // find_line_ending with this stream's newline settings.
    size_t line_ending(std::string_view text, size_t& consumed) const;
    // line_ending for the unused decoded text, decoded_[used_bytes_, ...),
    // through lf_bits_ when newlines are translated.
    size_t unused_line_ending(size_t& consumed);
    // The offset just past the first '\n' of decoded_ at or after `from`,
    // or npos, through lf_bits_ (built first if need be).
    size_t next_lf(size_t from);
    void build_lf_bits();
    TextCookie tell_locked();
    static void decoder_setstate(IncrementalNewlineDecoder& decoder, const TextCookie& cookie);

    Ref<IOBase> buffer_;  // null once detached
    // buffer_ when it is a Buffered (whose closed() is final), else null:
    // check_open() then asks without dispatch through the layers.
    Buffered* buffered_ = nullptr;
    const Codec* codec_ = nullptr;
    // How tell() may map characters to bytes without replaying the decoder
    // (see tell_locked).
    enum class TellShortcut : uint8_t { None, Utf8, OneBytePerChar } tell_shortcut_ = TellShortcut::None;
    // The codec is plain UTF-8: write() appends strict UTF-8 text as it is.
    bool utf8_encoding_ = false;
    std::string encoding_;  // as given (Python keeps the caller's spelling)
    ErrorHandler errors_ = ErrorHandler::Strict;
    std::string errors_name_;

    // Newline handling as CPython derives it from `newline`.
    std::optional<std::string> readnl_;  // nullopt: None
    bool readuniversal_ = true;
    bool readtranslate_ = true;
    bool writetranslate_ = true;
    std::optional<std::string> writenl_;  // what '\n' becomes on output; nullopt: '\n'

    bool line_buffering_ = false;
    bool write_through_ = false;
    bool seekable_ = false;
    bool telling_ = false;
    bool has_read1_ = false;
    bool encoding_start_of_stream_ = false;
    bool bom_fast_path_ = false;  // utf-16 or utf-32: see write()
    size_t chunk_size_ = 8192;

    std::unique_ptr<IncrementalNewlineDecoder> decoder_;  // null: not readable
    std::unique_ptr<Encoder> encoder_;                    // null: not writable

    // The decoded text and how much of it read() and readline() have taken.
    // Invariant: used_bytes_ <= decoded_.size() and on a code point boundary;
    // counted_chars_ code points lie in decoded_[0, counted_bytes_).
    std::string decoded_;
    std::string spare_decoded_;  // the last chunk's text, kept for its capacity
    Bytes chunk_input_;          // read_chunk's input, kept for its capacity
    bool has_decoded_ = false;  // CPython's decoded_chars is not NULL
    size_t used_bytes_ = 0;
    size_t counted_bytes_ = 0, counted_chars_ = 0;
    // Where decoded_'s '\n's are (transcode::newline_bits), for readline
    // and readline_view with translated newlines: built on the first search
    // after decoded_ changes, and cleared with every change.  A bit search
    // a line instead of a memchr.
    std::vector<uint64_t> lf_bits_;
    bool lf_bits_built_ = false;
    // CPython's _b2cratio: input bytes per character of the last chunk read
    // (tell()'s search and read(n)'s size hint go by it).  Settled when
    // asked, by b2cratio(): counting each chunk's characters was 2% of
    // reading text lines, which never ask, and counting it when
    // clear_decoded() let it go another 3% of CRLF lines.  While
    // b2cratio_input_ is set, b2cratio_ is stale and that chunk's text,
    // decoded from that many bytes, is decoded_ -- or, once clear_decoded()
    // has let it go, b2cratio_text_ (b2cratio_text_kept_).
    double b2cratio_ = 0.0;
    std::optional<size_t> b2cratio_input_;
    std::string b2cratio_text_;
    bool b2cratio_text_kept_ = false;
    double b2cratio() noexcept;

    // Where the decoded text came from, for tell(): the decoder's flags
    // before the chunk and the bytes fed since (its pending bytes + the
    // chunk).  Absent when decoded_ is empty by construction (after a write,
    // a seek to a plain position...).
    std::unique_ptr<Snapshot> snapshot_;
    // tell()'s search state for the current snapshot (see tell_locked).
    std::unique_ptr<TellSearch> search_;

    // Encoded text not yet handed to the buffer.
    std::string pending_bytes_;
    std::optional<std::string> mode_;

    StreamLock lock_;
};

}  // namespace pyio
