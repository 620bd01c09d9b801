#include "textio.h"

#include <algorithm>
#include <cstring>

#include "bufferedio.h"
#include "transcode_simd.h"
#include "utf8.h"

namespace pyio {

namespace {
constexpr size_t npos = std::string_view::npos;
}  // namespace

void validate_newline(std::optional<std::string_view> newline, bool quoted) {
    if (!newline) return;
    std::string_view n = *newline;
    if (n.empty() || n == "\n" || n == "\r" || n == "\r\n") return;
    throw value_error("illegal newline value: " + (quoted ? repr(n) : std::string(n)));
}

bool check_text(std::string_view text) {
    const size_t strict = utf8::valid_prefix(reinterpret_cast<const unsigned char*>(text.data()), text.size());
    if (strict == text.size()) return true;
    std::optional<size_t> bad = utf8::find_invalid(text.substr(strict));
    if (!bad) return false;
    // Python's reasons and ranges for the first bad sequence.
    size_t i = strict + *bad;
    auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    size_t len = utf8::sequence_length(byte(i));
    if (len == 0) throw_decode_error("utf-8", text, i, i + 1, "invalid start byte");
    size_t k = 1;
    while (k < len && i + k < text.size() && utf8::is_continuation(byte(i + k))) {
        // The second byte's range depends on the lead (no overlong forms, nothing past U+10FFFF).
        if (k == 1 && ((byte(i) == 0xe0 && byte(i + 1) < 0xa0) || (byte(i) == 0xf0 && byte(i + 1) < 0x90) ||
                       (byte(i) == 0xf4 && byte(i + 1) > 0x8f)))
            break;
        ++k;
    }
    if (i + k == text.size() && k < len) throw_decode_error("utf-8", text, i, i + k, "unexpected end of data");
    throw_decode_error("utf-8", text, i, i + k, "invalid continuation byte");
}

bool check_text(std::string_view text, size_t& chars) {
    chars = utf8::valid_count(reinterpret_cast<const unsigned char*>(text.data()), text.size());
    if (chars != utf8::kNotValid) return true;
    const bool strict = check_text(text);
    chars = utf8::count(text);
    return strict;
}

// ---- IncrementalNewlineDecoder ----

void IncrementalNewlineDecoder::decode(std::string_view input, bool final, std::string& out) {
    if (passthrough_) {
        decoder_->decode(input, final, out);
        return;
    }
    const size_t start = out.size();
    if (decoder_) {
        decoder_->decode(input, final, out);
    } else {
        out.append(input);
    }
    if (pendingcr_ && (final || out.size() > start)) {
        out.insert(out.begin() + static_cast<ptrdiff_t>(start), '\r');
        pendingcr_ = false;
    }
    // Hold back a final '\r' even when not translating, so that readline()
    // always sees a '\r\n' in one piece.
    if (!final && out.size() > start && out.back() == '\r') {
        out.pop_back();
        pendingcr_ = true;
    }
    if (out.size() == start) return;

    char* p = out.data() + start;
    size_t n = out.size() - start;
    // While newlines have all been '\n', one memchr for '\r' settles it.
    if ((seennl_ == 0 || seennl_ == kLF) && !std::memchr(p, '\r', n)) {
        if (seennl_ == 0 && std::memchr(p, '\n', n)) seennl_ = kLF;
        return;
    }
    if (!translate_) {
        if (seennl_ == (kLF | kCR | kCRLF)) return;
        for (size_t i = 0; i < n; ++i) {
            if (p[i] == '\n') {
                seennl_ |= kLF;
            } else if (p[i] == '\r') {
                if (i + 1 < n && p[i + 1] == '\n') {
                    seennl_ |= kCRLF;
                    ++i;
                } else {
                    seennl_ |= kCR;
                }
            }
        }
        return;
    }
    // Translate in place (the output only shrinks): the vector kernel as far
    // as it goes, then a run between '\r's at a time: memchr finds them, and
    // the '\n's of a run are all bare LFs.  (The kernel made reading CRLF
    // text lines 1.4 times as fast with AVX-512, 1.3 with AVX2: this loop
    // was three memchr calls and a memmove a line.)
    static_assert(transcode::kSeenLF == kLF && transcode::kSeenCR == kCR && transcode::kSeenCRLF == kCRLF);
    unsigned seen = 0;
    const transcode::Progress done = transcode::translate_newlines(p, n, seen);
    seennl_ |= static_cast<int>(seen);
    size_t w = done.written, i = done.read;
    while (i < n) {
        const auto* cr = static_cast<const char*>(std::memchr(p + i, '\r', n - i));
        const size_t run_end = cr ? static_cast<size_t>(cr - p) : n;
        if (!(seennl_ & kLF) && std::memchr(p + i, '\n', run_end - i)) seennl_ |= kLF;
        if (w != i) std::memmove(p + w, p + i, run_end - i);
        w += run_end - i;
        if (!cr) break;
        i = run_end + 1;
        if (i < n && p[i] == '\n') {
            seennl_ |= kCRLF;
            ++i;
        } else {
            seennl_ |= kCR;
        }
        p[w++] = '\n';
    }
    out.resize(start + w);
}

DecoderState IncrementalNewlineDecoder::getstate() const {
    if (passthrough_) return decoder_->getstate();
    DecoderState state;
    if (decoder_) state = decoder_->getstate();
    state.flags = (state.flags << 1) | (pendingcr_ ? 1 : 0);
    return state;
}

void IncrementalNewlineDecoder::setstate(const DecoderState& state) {
    if (passthrough_) return decoder_->setstate(state);
    if (decoder_) decoder_->setstate(DecoderState{state.pending, state.flags >> 1});
    pendingcr_ = state.flags & 1;
}

void IncrementalNewlineDecoder::reset() {
    seennl_ = 0;
    pendingcr_ = false;
    if (decoder_) decoder_->reset();
}

void IncrementalNewlineDecoder::reset_to_new() {
    seennl_ = 0;
    pendingcr_ = false;
    if (decoder_) decoder_->reset_to_new();
}

// ---- TextIOWrapper: pieces ----

// Holds the object's lock for one public call; a thread calling back into
// the object it is already inside (a raw callback) gets RuntimeError rather
// than a deadlock, as the buffered objects do.
class TextIOWrapper::Guard {
public:
    explicit Guard(TextIOWrapper& t) : t_(t) {
        if (!t.lock_.lock())
            throw runtime_error("reentrant call inside <TextIOWrapper>");
    }
    ~Guard() { t_.lock_.unlock(); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

private:
    TextIOWrapper& t_;
};

struct TextIOWrapper::Snapshot {
    uint32_t dec_flags = 0;
    Bytes next_input;
    // Whether tell_locked's shortcut applies to this snapshot; decided by the
    // first tell() that asks.
    enum class Shortcut : uint8_t { Unknown, Yes, No } shortcut = Shortcut::Unknown;
};

// tell() must find, for the characters taken from the current chunk, the
// nearest "safe start point" (a byte offset of the snapshot's input where the
// decoder holds no pending bytes) and how far to feed and skip from there.
// CPython replays the decoder from the chunk start for every tell(), which is
// O(chunk) per call; this remembers every safe point it has seen for the
// snapshot, with the characters decoded up to it, and replays only from the
// nearest one.  The decoder is incremental, so the characters and the state
// after a prefix do not depend on how the prefix was fed: the results are
// CPython's exactly, at O(line) cost per tell() after readline().
struct TextIOWrapper::TellSearch {
    struct Point {
        size_t pos;
        uint64_t chars;
        uint32_t flags;
    };
    struct Result {
        uint64_t chars;
        size_t pending;
        uint32_t flags;
    };

    std::unique_ptr<IncrementalNewlineDecoder> decoder;
    std::vector<Point> points;  // sorted by pos; points[0] is the snapshot start
    bool start_is_reset = false;  // CPython resets, not setstate()s, at (0, flags 0)
    std::string out;

    const Point& nearest(size_t pos) const {
        auto it = std::upper_bound(points.begin(), points.end(), pos,
                                   [](size_t p, const Point& pt) { return p < pt.pos; });
        return *(it - 1);
    }
    // Each evaluation starts from a known state: at the snapshot start a
    // new decoder's, not what a partial ISO-2022 reset() would keep of the
    // last evaluation (CPython's tell() resets its live decoder there, and
    // what that keeps depends on the decoding before; the search takes the
    // common case, where nothing is kept).
    void restore(const Point& pt) {
        if (pt.pos == 0 && start_is_reset)
            decoder->reset_to_new();
        else
            decoder->setstate(DecoderState{std::string(), pt.flags});
    }
    void remember(size_t pos, uint64_t chars, uint32_t flags) {
        auto it = std::lower_bound(points.begin(), points.end(), pos,
                                   [](const Point& pt, size_t p) { return pt.pos < p; });
        if (it == points.end() || it->pos != pos) points.insert(it, Point{pos, chars, flags});
    }
    // The characters decoded from input[0, pos) and the decoder's state
    // there.  Decoding goes in pieces, remembering the safe points between
    // them, so that later evaluations nearby replay a piece at most.
    static constexpr size_t kPiece = 32;
    Result evaluate(std::string_view input, size_t pos) {
        const Point pt = nearest(pos);
        restore(pt);
        size_t at = pt.pos;
        uint64_t chars = pt.chars;
        DecoderState st;
        for (;;) {
            size_t next = std::min(pos, at + kPiece);
            out.clear();
            decoder->decode(input.substr(at, next - at), false, out);
            chars += utf8::count(out);
            at = next;
            st = decoder->getstate();
            if (st.pending.empty()) remember(at, chars, static_cast<uint32_t>(st.flags));
            if (at == pos) break;
        }
        return Result{chars, st.pending.size(), static_cast<uint32_t>(st.flags)};
    }
};

// ---- TextIOWrapper: construction and settings ----

TextIOWrapper::TextIOWrapper(Ref<IOBase> buffer, std::optional<std::string_view> encoding,
                             std::optional<std::string_view> errors,
                             std::optional<std::string_view> newline, bool line_buffering,
                             bool write_through)
    : line_buffering_(line_buffering), write_through_(write_through) {
    if (!buffer) throw type_error("TextIOWrapper() argument 'buffer' must not be None");
    validate_newline(newline, false);
    buffer_ = std::move(buffer);
    set_codec(encoding, errors);
    set_newline(newline);
    make_coders();
    seekable_ = telling_ = buffer_->seekable();
    if (auto* buffered = dynamic_cast<Buffered*>(buffer_.get())) {
        buffered_ = buffered;
    }
    has_read1_ = dynamic_cast<BufferedIOBase*>(buffer_.get()) != nullptr;
    reset_encoder_for_position();
}

TextIOWrapper::~TextIOWrapper() = default;

void TextIOWrapper::set_codec(std::optional<std::string_view> encoding,
                              std::optional<std::string_view> errors) {
    // Current CPython's default (PEP 686): UTF-8, whatever the locale.
    std::string_view name = encoding ? *encoding : std::string_view("utf-8");
    const Codec& codec = lookup_codec(name);
    std::string_view errors_name = errors ? *errors : std::string_view("strict");
    ErrorHandler handler = error_handler(errors_name);
    codec_ = &codec;
    bom_fast_path_ = codec.name() == "utf-16" || codec.name() == "utf-32";
    utf8_encoding_ = codec.name() == "utf-8";
    // Only handlers that never turn one byte into several characters keep
    // a single-byte charset's text one character per byte.
    tell_shortcut_ = codec.name() == "utf-8" ? TellShortcut::Utf8
                     : codec.single_byte() && handler != ErrorHandler::BackslashReplace
                         ? TellShortcut::OneBytePerChar
                         : TellShortcut::None;
    // Python reports "locale" as the codeset it stands for.
    encoding_ = name == "locale" ? codec.name() : std::string(name);
    errors_ = handler;
    errors_name_ = std::string(errors_name);
}

void TextIOWrapper::set_newline(std::optional<std::string_view> newline) {
    readnl_ = newline ? std::optional<std::string>(std::string(*newline)) : std::nullopt;
    readuniversal_ = !newline || newline->empty();
    readtranslate_ = !newline;
    writetranslate_ = !newline || !newline->empty();
    writenl_.reset();
    if (!readuniversal_ && *readnl_ != "\n") writenl_ = *readnl_;
}

void TextIOWrapper::make_coders() {
    std::unique_ptr<IncrementalNewlineDecoder> decoder;
    std::unique_ptr<Encoder> encoder;
    if (buffer_->readable()) decoder = make_decoder();
    if (buffer_->writable()) encoder = codec_->encoder(errors_);
    decoder_ = std::move(decoder);
    encoder_ = std::move(encoder);
    search_.reset();
}

std::unique_ptr<IncrementalNewlineDecoder> TextIOWrapper::make_decoder() const {
    std::unique_ptr<Decoder> d = codec_->decoder(errors_);
    if (!readuniversal_) return IncrementalNewlineDecoder::passthrough(std::move(d));
    return std::make_unique<IncrementalNewlineDecoder>(std::move(d), readtranslate_);
}

void TextIOWrapper::reset_encoder_for_position() {
    // No BOM in the middle of a file: CPython's _textiowrapper_fix_encoder_state.
    if (!seekable_ || !encoder_) return;
    encoding_start_of_stream_ = true;
    if (buffer_->tell() != 0) reset_encoder(false);
}

void TextIOWrapper::reset_encoder(bool start_of_stream) {
    if (!encoder_) return;
    if (start_of_stream)
        encoder_->reset();
    else
        encoder_->setstate(0);
    encoding_start_of_stream_ = start_of_stream;
}

// ---- TextIOWrapper: state checks ----

IOBase& TextIOWrapper::attached() const {
    if (!buffer_) throw value_error("underlying buffer has been detached");
    return *buffer_;
}

namespace {
// Out of line, so that check_open, which every call makes, is small enough
// to inline.
[[noreturn]] [[gnu::noinline, gnu::cold]] void throw_closed() { throw value_error(kClosedFile); }
}  // namespace

[[gnu::always_inline]] inline void TextIOWrapper::check_open() const {
    if (buffered_ ? buffered_->closed() : attached().closed()) [[unlikely]]
        throw_closed();
}

double TextIOWrapper::b2cratio() noexcept {
    if (b2cratio_input_) {
        const size_t nchars = utf8::count(b2cratio_text_kept_ ? b2cratio_text_ : decoded_);
        b2cratio_ = nchars ? static_cast<double>(*b2cratio_input_) / static_cast<double>(nchars) : 0.0;
        b2cratio_input_.reset();
        b2cratio_text_kept_ = false;
    }
    return b2cratio_;
}

void TextIOWrapper::clear_decoded() noexcept {
    // The ratio stays that of the last chunk read (as CPython's), so its
    // text, if not counted yet, is kept aside rather than counted now: line
    // iteration lets each chunk go as it moves to the next, and never asks.
    if (b2cratio_input_ && !b2cratio_text_kept_) {
        decoded_.swap(b2cratio_text_);
        b2cratio_text_kept_ = true;
    }
    decoded_.clear();
    lf_bits_built_ = false;
    used_bytes_ = counted_bytes_ = counted_chars_ = 0;
    has_decoded_ = false;
}

size_t TextIOWrapper::decoded_chars_used() {
    if (counted_bytes_ > used_bytes_) counted_bytes_ = counted_chars_ = 0;
    counted_chars_ += utf8::count(std::string_view(decoded_).substr(counted_bytes_, used_bytes_ - counted_bytes_));
    counted_bytes_ = used_bytes_;
    return counted_chars_;
}

// ---- TextIOWrapper: IOBase ----

void TextIOWrapper::close() {
    Guard g(*this);
    IOBase& buffer = attached();
    if (buffer.closed()) return;
    // The flush error wins over the close error, as in CPython.
    run_all([&] { flush_locked(); }, [&] { buffer.close(); });
}

bool TextIOWrapper::closed() const { return attached().closed(); }

void TextIOWrapper::flush() {
    Guard g(*this);
    flush_locked();
}

void TextIOWrapper::flush_locked() {
    check_open();
    telling_ = seekable_;
    write_pending();
    buffer_->flush();
}

void TextIOWrapper::write_pending(size_t count) {
    // Unlike CPython, which drops the pending bytes before handing them to the
    // buffer, what the buffer did not accept stays pending: a failed write
    // loses nothing, and a later flush retries it.  That needs to know what
    // the buffer accepted.  A native buffered writer says so even when it
    // raises (a write larger than its buffer goes to the raw stream, and may
    // fail after part of it is in the file), so the bytes go in one call, as
    // CPython's do: in pieces of the buffer's size, a pipe's pages filled
    // differently and a 64 KiB write that fits a pipe in io blocked here.
    // Another buffer is given them in one call as well, and a failure keeps
    // them all pending, as it cannot say more.
    count = std::min(count, pending_bytes_.size());
    size_t done = 0;
    auto drop_done = [&] { pending_bytes_.erase(0, done); };
    while (done < count) {
        std::optional<size_t> n;
        size_t taken = 0;
        try {
            const std::span<const char> rest(pending_bytes_.data() + done, count - done);
            n = buffered_ ? buffered_->write(rest, taken) : buffer_->write(rest);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::BlockingIOError)
                taken = static_cast<size_t>(std::clamp<int64_t>(e.info().characters_written, 0,
                                                                static_cast<int64_t>(count - done)));
            done += std::min(taken, count - done);
            drop_done();
            throw;
        }
        if (!n) {
            drop_done();
            throw blocking_io_error(EAGAIN, 0);
        }
        done += std::min(*n, count - done);
    }
    drop_done();
}

bool TextIOWrapper::readable() {
    Guard g(*this);
    return attached().readable();
}

bool TextIOWrapper::writable() {
    Guard g(*this);
    return attached().writable();
}

bool TextIOWrapper::seekable() {
    Guard g(*this);
    return attached().seekable();
}

bool TextIOWrapper::isatty() {
    Guard g(*this);
    return attached().isatty();
}

int TextIOWrapper::fileno() {
    Guard g(*this);
    return attached().fileno();
}

int64_t TextIOWrapper::truncate(std::optional<int64_t> size) {
    Guard g(*this);
    attached();
    flush_locked();
    return buffer_->truncate(size);
}

const StreamName& TextIOWrapper::name() {
    Guard g(*this);
    return attached().name();
}

const std::string& TextIOWrapper::mode() {
    Guard g(*this);
    attached();
    if (!mode_) no_attribute("mode");
    return *mode_;
}

void TextIOWrapper::set_mode(std::string mode) {
    Guard g(*this);
    mode_ = std::move(mode);
}

Ref<IOBase> TextIOWrapper::detach() {
    Guard g(*this);
    attached();
    flush_locked();
    buffered_ = nullptr;
    return std::move(buffer_);
}

// ---- TextIOWrapper: attributes ----

const std::string* TextIOWrapper::encoding() {
    Guard g(*this);
    return &encoding_;
}

const std::string* TextIOWrapper::errors() {
    Guard g(*this);
    return &errors_name_;
}

int TextIOWrapper::newlines() {
    Guard g(*this);
    attached();  // as io: these two, unlike encoding and errors, need the buffer
    return decoder_ && readuniversal_ ? decoder_->seen() : 0;
}

bool TextIOWrapper::line_buffering() {
    Guard g(*this);
    return line_buffering_;
}

bool TextIOWrapper::write_through() {
    Guard g(*this);
    return write_through_;
}

Ref<IOBase> TextIOWrapper::buffer() {
    Guard g(*this);
    return Ref<IOBase>::share(&attached());
}

int64_t TextIOWrapper::chunk_size() {
    Guard g(*this);
    attached();
    return static_cast<int64_t>(chunk_size_);
}

void TextIOWrapper::set_chunk_size(int64_t size) {
    Guard g(*this);
    attached();
    if (size <= 0) throw value_error("a strictly positive integer is required");
    chunk_size_ = static_cast<size_t>(size);
}

void TextIOWrapper::reconfigure(const Settings& s) {
    Guard g(*this);
    // CPython's order: this check even once detached (flush() then says so).
    if (has_decoded_ && (s.encoding || s.errors || s.set_newline))
        throw unsupported_operation(
            "It is not possible to set the encoding or newline of stream after the first read");
    if (s.set_newline) validate_newline(s.newline, false);
    bool line_buffering = s.line_buffering.value_or(line_buffering_);
    bool write_through = s.write_through.value_or(write_through_);
    flush_locked();
    b2cratio_ = 0;
    b2cratio_input_.reset();
    b2cratio_text_kept_ = false;
    if (s.set_newline) set_newline(s.newline);
    if (s.encoding || s.errors || s.set_newline) {
        std::optional<std::string> encoding, errors;
        if (!s.encoding) {
            encoding = encoding_;
            errors = s.errors ? std::string(*s.errors) : errors_name_;
        } else {
            encoding = std::string(*s.encoding);
            errors = s.errors ? std::string(*s.errors) : std::string("strict");
        }
        set_codec(*encoding, *errors);
        make_coders();
        reset_encoder_for_position();
    }
    line_buffering_ = line_buffering;
    write_through_ = write_through;
}

// ---- TextIOWrapper: reading ----

bool TextIOWrapper::read_chunk(int64_t size_hint) {
    if (!decoder_) throw unsupported_operation("not readable");
    DecoderState before;
    if (telling_) before = decoder_->getstate();
    if (size_hint > 0)
        size_hint = static_cast<int64_t>(std::max(b2cratio(), 1.0) * static_cast<double>(size_hint));
    int64_t want = std::max(static_cast<int64_t>(chunk_size_), size_hint);
    // Read into chunk_input_, whose storage a Buffered reuses (the previous
    // snapshot's, see below).
    Bytes* input = &chunk_input_;
    if (buffered_) {
        buffered_->read1(want, chunk_input_);
    } else {
        std::optional<Bytes> got = has_read1_ ? buffer_->read1(want) : buffer_->read(want);
        if (!got)
            throw type_error(std::string("underlying ") + (has_read1_ ? "read1" : "read") +
                             "() should have returned a bytes-like object, not 'NoneType'");
        chunk_input_ = std::move(*got);
    }
    bool eof = input->empty();
    // Decoded into the previous chunk's string, so that reading a stream
    // allocates no text per chunk; decoded_ is untouched if decoding fails.
    std::string& text = spare_decoded_;
    text.clear();
    text.reserve(input->size() + 8);
    decoder_->decode(input->view(), eof, text);
    if (!text.empty()) eof = false;  // some characters (UTF-8: no byte is none)
    decoded_.swap(text);
    b2cratio_input_ = input->size();  // b2cratio() counts decoded_ if asked
    b2cratio_text_kept_ = false;
    lf_bits_built_ = false;
    used_bytes_ = counted_bytes_ = counted_chars_ = 0;
    has_decoded_ = true;
    search_.reset();
    // The shortcut's verdict was about the decoded text just replaced.  With
    // telling off (next()) the snapshot stays the old chunk's, stale as
    // CPython's, and a flush() that turns telling back on must not find a
    // verdict on other text.
    if (snapshot_) snapshot_->shortcut = Snapshot::Shortcut::Unknown;
    if (telling_) {
        // At the snapshot point, the next input to decode is what the decoder
        // held plus this chunk.
        // The snapshot is reused, and the input takes the previous one's
        // place as the next chunk's storage: no allocation per chunk.
        if (!snapshot_) snapshot_ = std::make_unique<Snapshot>();
        Snapshot& snap = *snapshot_;
        snap.dec_flags = static_cast<uint32_t>(before.flags);
        if (before.pending.empty()) {
            std::swap(snap.next_input, *input);  // decoded already: not needed here
        } else {
            snap.next_input.clear();
            snap.next_input.reserve(before.pending.size() + input->size());
            snap.next_input.append(before.pending.data(), before.pending.size());
            snap.next_input.append(input->data(), input->size());
        }
    }
    // Only now: the snapshot may need the input that this lets go.
    trim_spare();
    return !eof;
}

void TextIOWrapper::trim_spare() noexcept {
    // A large read(n) decodes a large chunk; its string and input are not
    // kept spare.
    constexpr size_t kKeep = size_t{1} << 20;
    if (spare_decoded_.capacity() > kKeep) std::string().swap(spare_decoded_);
    if (!b2cratio_text_kept_ && b2cratio_text_.capacity() > kKeep) std::string().swap(b2cratio_text_);
    if (chunk_input_.capacity() > kKeep) chunk_input_ = Bytes();
}

void TextIOWrapper::decode_all(std::string_view input, Bytes& out) {
    // Fed a piece at a time through a string that stays in the cache, so
    // that a large file is decoded into one new copy (out), not into a string
    // and then copied: measured, the second copy's page faults were a third
    // of reading a 128 MiB file.  The decoders are incremental, so the
    // pieces give what one call gives -- but not the same failure: a piece's
    // error positions count from the piece, and the decoder's state after
    // it is not that of one failed call.  So a failure sends the decoder
    // back to where it started and decodes everything in one call, which
    // fails as CPython's does.
    constexpr size_t kPiece = 256 * 1024;
    std::string& scratch = spare_decoded_;
    const TrimSpareOnExit trim{*this};
    if (input.size() <= 2 * kPiece) {
        scratch.clear();
        decoder_->decode(input, true, scratch);
        out.append(scratch.data(), scratch.size());
        return;
    }
    const DecoderState start = decoder_->getstate();
    const int seen = decoder_->seen();
    const size_t out_start = out.size();
    try {
        for (size_t at = 0; at < input.size(); at += kPiece) {
            scratch.clear();
            decoder_->decode(input.substr(at, kPiece), at + kPiece >= input.size(), scratch);
            if (at == 0) {
                // Room for all of it at the first piece's ratio, and a little
                // more: growing a large buffer may copy it.
                double ratio = static_cast<double>(scratch.size()) / static_cast<double>(kPiece);
                out.reserve(out_start + static_cast<size_t>(ratio * 1.0625 * static_cast<double>(input.size())) + 4096);
            }
            out.append(scratch.data(), scratch.size());
        }
    } catch (const Error&) {
        decoder_->restore(start, seen);
        out.resize_uninitialized(out_start);
        scratch.clear();
        decoder_->decode(input, true, scratch);
        out.append(scratch.data(), scratch.size());
    } catch (...) {
        // Out of memory (growing out): no redo, which would need more.
        decoder_->restore(start, seen);
        out.resize_uninitialized(out_start);
        throw;
    }
}

bool TextIOWrapper::read_and_decode_all(Bytes& out) {
    // CPython decodes the whole file in one call.  The pieces give the same
    // text (the decoders are incremental), and a failure is made the same:
    // its positions moved from the piece's to the whole's, the decoder put
    // back where one failed call leaves it -- where it was, for the
    // decoders that allow this.  Measured on a 128 MiB file, the bytes'
    // copy and its page faults were a third of read-all's time.
    if (!buffered_ || !decoder_->failed_decode_keeps_state()) return false;
    constexpr size_t kPiece = 256 * 1024;
    const DecoderState start = decoder_->getstate();
    const int seen = decoder_->seen();
    const size_t out_start = out.size();
    std::string& scratch = spare_decoded_;
    const TrimSpareOnExit trim{*this};
    // Error positions index what the decoder holds + its input; CPython's,
    // what it held at the start + the whole file.  `before` counts the
    // latter up to the current piece.
    int64_t before = static_cast<int64_t>(start.pending.size());
    auto decode = [&](std::string_view piece, bool final) {
        int64_t offset = before - static_cast<int64_t>(decoder_->getstate().pending.size());
        scratch.clear();
        try {
            decoder_->decode(piece, final, scratch);
        } catch (const Error& e) {
            if (e.kind() != ErrorKind::UnicodeDecodeError || offset == 0) throw;
            throw shifted_decode_error(e, offset);
        }
        before += static_cast<int64_t>(piece.size());
        out.append(scratch.data(), scratch.size());
    };
    // One error is not a piece's to give: UTF-16 and UTF-32's "stream does
    // not start with BOM", which one call raises only if the whole input
    // has no decoding error, and which a piece raises at once.  Then the
    // input from the start is gathered and decoded in one call after all.
    Bytes whole;
    bool gathering = false;
    auto take = [&](std::string_view piece, bool final) {
        if (!gathering) {
            std::string held;
            try {
                decode(piece, final);
                return;
            } catch (const Error& e) {
                // Only while nothing is decoded yet, which is when the BOM
                // error comes: all that was fed is then still held, after
                // what was held at the start.
                held = decoder_->getstate().pending;
                if (e.kind() != ErrorKind::UnicodeError || held.size() != static_cast<size_t>(before)) throw;
            }
            whole.append(held.data() + start.pending.size(), held.size() - start.pending.size());
            gathering = true;
        }
        whole.append(piece.data(), piece.size());
    };
    std::optional<bool> got;
    try {
        chunk_input_.resize_uninitialized(kPiece);
        got = buffered_->read_all_in_pieces({chunk_input_.data(), kPiece},
                                            [&](std::string_view piece) { take(piece, false); });
        if (got.value_or(false)) take({}, true);
        if (gathering) {
            decoder_->restore(start, seen);
            out.resize_uninitialized(out_start);
            decode_all(whole.view(), out);
        }
    } catch (...) {
        decoder_->restore(start, seen);
        out.resize_uninitialized(out_start);
        throw;
    }
    if (!got) return false;
    if (!*got) throw type_error("a bytes-like object is required, not 'NoneType'");
    return true;
}

void TextIOWrapper::take_decoded(int64_t n, Bytes& out) {
    std::string_view avail = std::string_view(decoded_).substr(used_bytes_);
    size_t len = n < 0 ? avail.size() : utf8::offset_of(avail, static_cast<size_t>(n));
    out.append(avail.data(), len);
    if (counted_bytes_ == used_bytes_ && n >= 0 && len < avail.size()) {
        counted_chars_ += static_cast<size_t>(n);
        counted_bytes_ += len;
    }
    used_bytes_ += len;
}

std::optional<Bytes> TextIOWrapper::read(int64_t size) {
    Guard g(*this);
    check_open();
    if (!decoder_) throw unsupported_operation("not readable");
    write_pending();
    Bytes result;
    if (size < 0) {
        // As CPython: the file decoded first, so that a failure leaves the
        // decoded text still to be read.
        std::string_view left = std::string_view(decoded_).substr(used_bytes_);
        result.append(left.data(), left.size());
        if (!read_and_decode_all(result)) {
            std::optional<Bytes> all = buffer_->read(-1);
            if (!all) throw type_error("a bytes-like object is required, not 'NoneType'");
            decode_all(all->view(), result);
        }
        clear_decoded();
        snapshot_.reset();
        search_.reset();
        return result;
    }
    int64_t remaining = size;
    take_decoded(remaining, result);
    remaining -= static_cast<int64_t>(utf8::count(result.view()));
    while (remaining > 0) {
        if (!read_chunk(remaining)) break;
        size_t before = result.size();
        take_decoded(remaining, result);
        remaining -= static_cast<int64_t>(utf8::count(result.view().substr(before)));
    }
    return result;
}

std::optional<Bytes> TextIOWrapper::readline(int64_t limit) {
    Guard g(*this);
    attached();
    Bytes line;
    readline_locked(limit, line);
    return line;
}

size_t TextIOWrapper::line_ending(std::string_view text, size_t& consumed) const {
    if (readtranslate_) return find_line_ending_at('\n', text, consumed);
    std::string_view readnl = readnl_ ? std::string_view(*readnl_) : std::string_view();
    return find_line_ending<char>(readtranslate_, readuniversal_, readnl, text, consumed);
}

void TextIOWrapper::build_lf_bits() {
    // A zero word after the map, so that next_lf can always look at two.
    const size_t words = (decoded_.size() + 63) / 64;
    lf_bits_.resize(words + 1);
    transcode::newline_bits(decoded_.data(), decoded_.size(), lf_bits_.data());
    lf_bits_[words] = 0;
    lf_bits_built_ = true;
}

// Inlined into readline_view and readline, as next_lf and check_open: the
// calls were 8% of the instructions of reading mixed-script lines.
[[gnu::always_inline]] inline size_t TextIOWrapper::next_lf(size_t from) {
    if (!lf_bits_built_) build_lf_bits();
    size_t word = from / 64;
    // The last word is the zero after the map.
    if (word + 1 >= lf_bits_.size()) return npos;
    // Two words a step: whether a line ends in the first or the second is a
    // coin toss for lines of 50 to 100 bytes, which a select settles without
    // a branch (as Buffered::find_newline).
    uint64_t first = lf_bits_[word] & (~uint64_t{0} << (from % 64)), second = lf_bits_[word + 1];
    while ((first | second) == 0) {
        word += 2;
        if (word + 1 >= lf_bits_.size()) return npos;
        first = lf_bits_[word];
        second = lf_bits_[word + 1];
    }
    const uint64_t found = first ? first : second;
    return (word + (first ? 0 : 1)) * 64 + static_cast<size_t>(__builtin_ctzll(found)) + 1;
}

[[gnu::always_inline]] inline size_t TextIOWrapper::unused_line_ending(size_t& consumed) {
    // Translated newlines end lines at '\n' alone: found through lf_bits_,
    // which made reading mixed-script lines 1.2 times as fast.
    if (!readtranslate_) return line_ending(std::string_view(decoded_).substr(used_bytes_), consumed);
    const size_t end = next_lf(used_bytes_);
    if (end == npos) {
        consumed = decoded_.size() - used_bytes_;
        return npos;
    }
    return end - used_bytes_;
}

std::optional<std::string_view> TextIOWrapper::readline_view(int64_t limit) {
    Guard g(*this);
    check_open();
    // The first round of readline_locked, when it finds the line: a line
    // that lies whole in the decoded text is shown there, not copied.
    // Not with bytes pending: readline_locked sends them first (a write
    // whose hand-over to the buffer failed leaves them, and the decoded text).
    if (limit < 0 && pending_bytes_.empty() && has_decoded_ && !decoded_.empty()) {
        size_t consumed = 0;
        size_t end = unused_line_ending(consumed);
        if (end != npos) {
            // The line is decoded_[used_bytes_, used_bytes_ + end): built
            // here, as substr() was an out-of-line call with a range check.
            const char* line = decoded_.data() + used_bytes_;
            used_bytes_ += end;
            return std::string_view(line, end);
        }
    }
    // Into the previous line's storage, kept unless a long line grew it.
    if (line_scratch_.capacity() > (size_t{1} << 20)) line_scratch_ = Bytes();
    line_scratch_.clear();
    readline_locked(limit, line_scratch_);
    return line_scratch_.view();
}

void TextIOWrapper::readline_locked(int64_t limit, Bytes& out) {
    check_open();
    write_pending();
    // CPython's _textiowrapper_readline.  Each round searches `line`: the
    // decoded text from used_bytes_ on, or, when the previous chunk ended in
    // what may be the first half of a "\r\n", that remainder followed by the
    // next chunk.  Text certain to belong to the line is set aside in `out`;
    // `chunked` counts its characters (only needed for a limit).
    std::string remaining;
    int64_t chunked = 0;
    for (;;) {
        // As CPython, a new chunk is read only when there is no decoded text
        // at all; text that is all used up is searched (and found empty)
        // first, which matters for limit 0.
        bool more = true;
        while (!has_decoded_ || decoded_.empty()) {
            if (!read_chunk(0)) {
                more = false;
                break;
            }
        }
        if (!more) {  // end of file
            clear_decoded();
            snapshot_.reset();
            search_.reset();
            out.append(remaining.data(), remaining.size());
            return;
        }
        std::string joined;
        std::string_view line = std::string_view(decoded_).substr(used_bytes_);
        size_t offset_to_buffer = 0;  // bytes of `line` that precede the decoded chunk
        if (!remaining.empty()) {
            // used_bytes_ is 0 here: the remainder was kept when the previous
            // chunk was used up.
            joined = std::move(remaining);
            remaining.clear();
            offset_to_buffer = joined.size();
            joined.append(line);
            line = joined;
        }
        size_t consumed = 0;
        size_t end = joined.empty() ? unused_line_ending(consumed) : line_ending(line, consumed);
        bool found = end != npos;
        if (!found) end = consumed;
        if (limit >= 0) {
            auto left = static_cast<size_t>(limit - chunked);
            if (utf8::count(line.substr(0, end)) >= left) {
                end = utf8::offset_of(line, left);
                found = true;
            }
        }
        if (found) {
            out.append(line.data(), end);
            used_bytes_ += end - offset_to_buffer;
            return;
        }
        // No line ending yet.
        out.append(line.data(), end);
        if (limit >= 0) chunked += static_cast<int64_t>(utf8::count(line.substr(0, end)));
        remaining = std::string(line.substr(end));
        clear_decoded();
    }
}

Bytes TextIOWrapper::next_line() {
    Guard g(*this);
    attached();
    // As io does (CPython 3.11): tell() stays refused after a next() that
    // failed, until a flush.
    telling_ = false;
    Bytes line;
    readline_locked(-1, line);
    if (line.empty()) {
        // The iteration is over: tell() works again.
        snapshot_.reset();
        search_.reset();
        telling_ = seekable_;
    }
    return line;
}

// ---- TextIOWrapper: writing ----

std::optional<size_t> TextIOWrapper::write(std::span<const char> data) {
    return some_size(write_text(std::string_view(data.data(), data.size())));
}

size_t TextIOWrapper::write_text(std::string_view text) {
    Guard g(*this);
    check_open();
    if (!encoder_) throw unsupported_operation("not writable");
    size_t text_len;
    const bool strict = check_text(text, text_len);
    bool haslf = ((writetranslate_ && writenl_) || line_buffering_) &&
                 std::memchr(text.data(), '\n', text.size());
    std::string translated;
    if (haslf && writetranslate_ && writenl_) {
        translated.reserve(text.size() + text.size() / 8);
        for (char c : text) {
            if (c == '\n')
                translated += *writenl_;
            else
                translated += c;
        }
        text = translated;
    }
    bool needflush = line_buffering_ && (haslf || std::memchr(text.data(), '\r', text.size()));
    // Encode straight into the pending bytes; a failed encode leaves them as
    // they were.
    const size_t before = pending_bytes_.size();
    // CPython encodes utf-16 and utf-32 with its own fast path, which writes
    // a BOM only while encoding_start_of_stream is set -- and that is never
    // set on an unseekable stream (a pipe gets no BOM), nor after a seek
    // away from the start.  utf-8-sig has no fast path: its encoder decides.
    if (bom_fast_path_ && !encoding_start_of_stream_) encoder_->setstate(0);
    try {
        // Strict UTF-8 is its own UTF-8 encoding, whatever the error handler:
        // appended as it is, without the encoder's search for surrogates.
        if (strict && utf8_encoding_)
            pending_bytes_.append(text);
        else
            encoder_->encode(text, false, pending_bytes_);
    } catch (...) {
        pending_bytes_.resize(before);
        // CPython's fast path clears encoding_start_of_stream whether or
        // not the encoding succeeded: no BOM after a failed first write.
        if (bom_fast_path_) encoding_start_of_stream_ = false;
        throw;
    }
    encoding_start_of_stream_ = false;
    // As CPython: never gather more than a chunk; what would overflow it
    // sends what was pending first.
    if (before && pending_bytes_.size() > chunk_size_) write_pending(before);
    if (pending_bytes_.size() >= chunk_size_ || needflush || write_through_) write_pending();
    if (needflush) buffer_->flush();
    clear_decoded();
    snapshot_.reset();
    search_.reset();
    if (decoder_) decoder_->reset();
    return text_len;
}

// ---- TextIOWrapper: tell and seek ----

void TextIOWrapper::decoder_setstate(IncrementalNewlineDecoder& decoder, const TextCookie& cookie) {
    // At the start of the stream CPython resets rather than setstate()s:
    // utf-16's state there is "byte order not seen yet", not flags 0.  For
    // seek(0) that is Python's reset(), partial for ISO-2022 as in io.  A
    // cookie that also feeds bytes or skips characters comes from tell(),
    // whose search starts from a new decoder's state (TellSearch::restore):
    // so does the replay, and the cookie leads back.  (io's tell() raises
    // OverflowError in the states such a partial reset would keep.)
    if (cookie.start_pos == 0 && cookie.dec_flags == 0) {
        if (cookie.plain())
            decoder.reset();
        else
            decoder.reset_to_new();
    } else {
        decoder.setstate(DecoderState{std::string(), cookie.dec_flags});
    }
}

TextCookie TextIOWrapper::tell_cookie() {
    Guard g(*this);
    return tell_locked();
}

TextCookie TextIOWrapper::tell_locked() {
    check_open();
    if (!seekable_) throw unsupported_operation("underlying stream is not seekable");
    if (!telling_) throw os_error_message("telling position disabled by next() call");
    flush_locked();
    int64_t position = buffer_->tell();
    if (!decoder_ || !snapshot_) return TextCookie{position};
    const std::string_view input = snapshot_->next_input.view();
    TextCookie cookie{position - static_cast<int64_t>(input.size()), snapshot_->dec_flags};
    if (used_bytes_ == 0) return cookie;  // still at the snapshot point

    // The shortcut that makes tell() after readline() O(1) for the common
    // codecs: when the k-th character boundary of the text is provably the
    // k-th of the input, every such boundary is a safe start point and
    // CPython's search below ends exactly at the one reached, with nothing to
    // feed or skip -- unless it can stop at a later safe point that adds no
    // character: after a '\r' the newline decoder holds back (flags 1), or
    // after bytes an error handler dropped.
    //  - UTF-8: the text is byte for byte a prefix of the input, and the rest
    //    of the input is the decoder's pending bytes (a character it has not
    //    finished).  The decoder then only copied valid sequences: an error
    //    handler's output, a translated newline or an escaped byte never
    //    equals the input it replaces, since the input there is not that
    //    valid sequence; and no dropped byte follows the text.
    //  - a single-byte charset under a handler that never makes one byte
    //    several characters: the text has as many characters as the input
    //    has bytes.  Nothing else can add characters, so nothing (a '\r\n'
    //    made '\n', a dropped byte) took any away.
    // With universal newlines, neither the last character taken nor the next
    // one may be a '\r' (a translated '\r' is a '\n' in the text, so the
    // input bytes are what tell).
    if (tell_shortcut_ != TellShortcut::None && snapshot_->dec_flags == 0) {
        auto& shortcut = snapshot_->shortcut;
        if (shortcut == Snapshot::Shortcut::Unknown) {
            bool ok;
            if (tell_shortcut_ == TellShortcut::Utf8)
                ok = decoded_.size() <= input.size() &&
                     std::memcmp(decoded_.data(), input.data(), decoded_.size()) == 0 &&
                     decoder_->getstate().pending.size() == input.size() - decoded_.size();
            else
                ok = utf8::count(decoded_) == input.size();
            shortcut = ok ? Snapshot::Shortcut::Yes : Snapshot::Shortcut::No;
        }
        if (shortcut == Snapshot::Shortcut::Yes) {
            const size_t at = tell_shortcut_ == TellShortcut::Utf8 ? used_bytes_ : decoded_chars_used();
            const bool cr_near = readuniversal_ && (input[at - 1] == '\r' ||
                                                    (at < input.size() && input[at] == '\r'));
            if (!cr_near) {
                cookie.start_pos += static_cast<int64_t>(at);
                return cookie;
            }
        }
    }
    const uint64_t target = decoded_chars_used();

    if (!search_) {
        search_ = std::make_unique<TellSearch>();
        search_->decoder = make_decoder();
        search_->points.push_back({0, 0, cookie.dec_flags});
        search_->start_is_reset = cookie.start_pos == 0 && cookie.dec_flags == 0;
    }
    TellSearch& s = *search_;

    // CPython's fast search for a safe start point close to the position,
    // step for step (its choices show in the cookie).
    uint64_t chars_to_skip = target;
    auto skip = static_cast<int64_t>(b2cratio() * static_cast<double>(target));
    skip = std::min<int64_t>(skip, static_cast<int64_t>(input.size()));
    int64_t skip_back = 1;
    uint64_t start_chars = 0;
    while (skip > 0) {
        TellSearch::Result r = s.evaluate(input, static_cast<size_t>(skip));
        if (r.chars <= chars_to_skip) {
            if (r.pending == 0) {
                cookie.dec_flags = r.flags;
                start_chars = r.chars;
                break;
            }
            skip -= static_cast<int64_t>(r.pending);
            skip_back = 1;
        } else {
            skip -= skip_back;
            skip_back *= 2;
        }
    }
    if (skip < 0) skip = 0;
    const auto s0 = static_cast<size_t>(skip);
    chars_to_skip = target - start_chars;
    cookie.start_pos += skip;
    if (chars_to_skip == 0) return cookie;

    // CPython now feeds one byte at a time from s0 and stops at the first
    // offset q where the characters reach the target; the cookie starts at
    // the last safe point in (s0, q] whose characters do not pass it.  Find q
    // by galloping and bisection over evaluations (characters only grow with
    // the input), then walk bytes only from the nearest safe point before q.
    size_t lo = s0, hi = 0;
    bool reached = false;
    for (size_t step = std::max<uint64_t>(1, chars_to_skip / 2);;) {
        size_t probe = std::min(lo + step, input.size());
        if (probe <= lo) break;
        if (s.evaluate(input, probe).chars >= target) {
            hi = probe;
            reached = true;
            break;
        }
        lo = probe;
        step *= 2;
    }
    if (reached) {
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (s.evaluate(input, mid).chars >= target)
                hi = mid;
            else
                lo = mid;
        }
    }
    const size_t q = reached ? hi : input.size();
    // The cookie starts at the last safe point in (s0, q] whose characters do
    // not pass the target: scan down from q to the greatest one already
    // known (usually q itself, or a few bytes back).
    TellSearch::Point best{s0, start_chars, cookie.dec_flags};
    for (auto it = s.points.rbegin(); it != s.points.rend(); ++it) {
        if (it->pos <= q && it->pos >= s0 && it->chars <= target) {
            best = *it;
            break;
        }
    }
    for (size_t p = q; p > best.pos; --p) {
        TellSearch::Result r = s.evaluate(input, p);
        if (r.pending == 0 && r.chars <= target) {
            best = {p, r.chars, r.flags};
            break;
        }
    }
    cookie.start_pos += static_cast<int64_t>(best.pos - s0);
    cookie.dec_flags = best.flags;
    cookie.bytes_to_feed = static_cast<uint32_t>(q - best.pos);
    cookie.chars_to_skip = static_cast<uint32_t>(target - best.chars);
    if (!reached) {
        // Not enough characters without the end of the input: what the
        // decoder produces at EOF counts too.
        s.restore(best);
        s.out.clear();
        s.decoder->decode(input.substr(best.pos), true, s.out);
        cookie.need_eof = true;
        if (utf8::count(s.out) < cookie.chars_to_skip)
            throw os_error_message("can't reconstruct logical file position");
    }
    return cookie;
}

TextCookie TextIOWrapper::seek_cookie(const TextCookie& requested, int whence) {
    Guard g(*this);
    check_open();
    if (!seekable_) throw unsupported_operation("underlying stream is not seekable");
    TextCookie cookie = requested;
    const bool zero = cookie.start_pos == 0 && cookie.plain();
    switch (whence) {
    case SEEK_CUR:
        if (!zero) throw unsupported_operation("can't do nonzero cur-relative seeks");
        // Seeking to the current position syncs the buffer with it.
        cookie = tell_locked();
        break;
    case SEEK_END: {
        if (!zero) throw unsupported_operation("can't do nonzero end-relative seeks");
        flush_locked();
        clear_decoded();
        snapshot_.reset();
        search_.reset();
        if (decoder_) decoder_->reset();
        int64_t pos = buffer_->seek(0, SEEK_END);
        reset_encoder(pos == 0);
        return TextCookie{pos};
    }
    case SEEK_SET:
        break;
    default:
        throw value_error("invalid whence (" + std::to_string(whence) + ", should be 0, 1 or 2)");
    }
    if (cookie.start_pos < 0)
        throw value_error("negative seek position " + std::to_string(cookie.start_pos));
    flush_locked();

    // Go back to the safe start point and replay read(chars_to_skip) from it.
    buffer_->seek(cookie.start_pos, SEEK_SET);
    clear_decoded();
    snapshot_.reset();
    search_.reset();
    if (decoder_) decoder_setstate(*decoder_, cookie);
    if (cookie.chars_to_skip) {
        // CPython reads first: a write-only buffer refuses with its own
        // error (UnsupportedOperation "read").
        std::optional<Bytes> input = buffer_->read(cookie.bytes_to_feed);
        if (!input)
            throw type_error("underlying read() should have returned a bytes object, not 'NoneType'");
        if (!decoder_) throw unsupported_operation("not readable");
        // As CPython: the snapshot is taken before decoding, and the decoded
        // text is kept (none of it used) even when it is too short to skip
        // in, so that tell() and read() after the failure still agree.
        auto snap = std::make_unique<Snapshot>();
        snap->dec_flags = cookie.dec_flags;
        snap->next_input.append(input->data(), input->size());
        snapshot_ = std::move(snap);
        std::string text;
        decoder_->decode(input->view(), cookie.need_eof, text);
        decoded_ = std::move(text);
        lf_bits_built_ = false;
        has_decoded_ = true;
        used_bytes_ = counted_bytes_ = counted_chars_ = 0;
        if (utf8::count(decoded_) < cookie.chars_to_skip)
            throw os_error_message("can't restore logical file position");
        used_bytes_ = utf8::offset_of(decoded_, cookie.chars_to_skip);
        counted_bytes_ = used_bytes_;
        counted_chars_ = cookie.chars_to_skip;
    } else {
        auto snap = std::make_unique<Snapshot>();
        snap->dec_flags = cookie.dec_flags;
        snapshot_ = std::move(snap);
    }
    // Only a return to the start of the stream writes a BOM again: CPython
    // compares the whole cookie with 0.
    reset_encoder(cookie.start_pos == 0 && cookie.plain());
    return cookie;
}

}  // namespace pyio
