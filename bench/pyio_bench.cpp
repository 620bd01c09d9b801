// pyio_bench: one workload, run by one peer, timed several times.
//
//   pyio_bench WORKLOAD PEER --file PATH [--encoding ENC] [--out PATH]
//              [--runs N] [--max-seconds S] [--verify]
//
// Prints one line of JSON: the wall-clock seconds of each run (open to close,
// nothing else), and what the peer saw -- lines, units (bytes, or UTF-8 bytes
// of decoded text) and, with --verify, a CRC-32 of that content from one more
// run that is not timed.  With --max-seconds, runs stop early once they have
// taken that long in all (at least one is made).  bench/run.py compares these with what it knows of
// the data, so every peer must do the same work to pass.
//
// libpyio is used through its public C API only.  The other peers are the
// raw system calls, glibc stdio, libstdc++ iostreams and glibc iconv(3);
// CPython's io is bench/cpython_peer.py.
//
//   pyio_bench spawn COMMAND [ARGS...]
//
// runs a command (pyio-recode, the iconv command) and prints its wall-clock
// seconds and peak RSS as JSON.  The peak is measured here, not in the
// Python runner, because Linux carries a process's peak RSS across exec:
// a child forked from the runner would report at least the runner's size.

#include <pyio/pyio.h>

#include <fcntl.h>
#include <iconv.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------------
// What a peer saw
// ---------------------------------------------------------------------------

// CRC-32 (zlib's polynomial), so that run.py can check with zlib.crc32.
class Crc32 {
public:
    void update(const void* data, size_t size) {
        static const std::array<uint32_t, 256> table = [] {
            std::array<uint32_t, 256> t{};
            for (uint32_t i = 0; i < 256; ++i) {
                uint32_t c = i;
                for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                t[i] = c;
            }
            return t;
        }();
        auto p = static_cast<const unsigned char*>(data);
        uint32_t c = ~value_;
        for (size_t i = 0; i < size; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
        value_ = ~c;
    }
    uint32_t value() const { return value_; }

private:
    uint32_t value_ = 0;
};

// The tally of one run.  Timed runs only count; the verifying run also
// hashes the content, in the order the peer saw it.
struct Tally {
    bool verify = false;
    uint64_t lines = 0;
    uint64_t units = 0;
    uint64_t aux = 0;  // a sum of positions, for the workloads that tell()
    Crc32 crc;

    void bytes(const void* data, size_t size) {
        units += size;
        if (verify) crc.update(data, size);
    }
    void line(const void* data, size_t size) {
        ++lines;
        bytes(data, size);
    }
};

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "pyio_bench: %s\n", what.c_str());
    std::exit(2);
}

[[noreturn]] void die_errno(const std::string& what) { die(what + ": " + std::strerror(errno)); }

[[noreturn]] void die_pyio(const std::string& what) {
    die(what + ": " + pyio_error_kind_name(pyio_error_kind()) + ": " + pyio_error_message());
}

struct Options {
    std::string workload, peer, file, encoding = "utf-8", out;
    int runs = 5;
    double max_seconds = 0;  // 0: no limit
    bool verify = false;
};

constexpr size_t kChunk = 64 * 1024;

// ---------------------------------------------------------------------------
// Small helpers shared by the peers
// ---------------------------------------------------------------------------

int open_or_die(const std::string& path, int flags) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
    if (fd < 0) die_errno("open " + path);
    return fd;
}

std::string slurp_fd(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) die_errno("fstat");
    std::string data(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die_errno("read");
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    data.resize(got);
    return data;
}

std::string slurp(const std::string& path) {
    int fd = open_or_die(path, O_RDONLY);
    std::string data = slurp_fd(fd);
    ::close(fd);
    return data;
}

// The lines of a file, each with its '\n', for the write workloads (loaded
// before the clock starts).
std::vector<std::string> load_lines(const std::string& path) {
    std::string data = slurp(path);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < data.size()) {
        size_t end = data.find('\n', start);
        end = end == std::string::npos ? data.size() : end + 1;
        lines.emplace_back(data, start, end - start);
        start = end;
    }
    return lines;
}

void write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die_errno("write");
        data += n;
        size -= static_cast<size_t>(n);
    }
}

// Counts the lines of a byte stream fed in pieces: each '\n' ends one, and
// a last line without one counts too.
struct LineCounter {
    uint64_t lines = 0;
    bool open_line = false;
    void feed(const char* p, size_t n) {
        const char* end = p + n;
        while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
            ++lines;
            p = static_cast<const char*>(nl) + 1;
        }
        if (n > 0) open_line = p != end;
    }
    uint64_t total() const { return lines + (open_line ? 1 : 0); }
};

// The lines visited by the seek workload: every 16th line, in the order of
// index (j * 1000003) mod K.  bench/run.py and cpython_peer.py use the same.
constexpr uint64_t kSeekEvery = 16;
constexpr uint64_t kSeekStride = 1000003;

std::vector<size_t> seek_order(size_t count) {
    if (count > 0 && count % kSeekStride == 0) die("seek workload: too many lines");
    std::vector<size_t> order(count);
    for (size_t j = 0; j < count; ++j) order[j] = static_cast<size_t>((j * kSeekStride) % count);
    return order;
}

// Byte offsets of the selected lines' starts, by a plain scan (the setup of
// the byte peers; not timed).
std::vector<int64_t> selected_offsets(const std::string& path) {
    std::string data = slurp(path);
    std::vector<int64_t> offsets;
    uint64_t index = 0;
    size_t start = 0;
    while (start < data.size()) {
        if (index % kSeekEvery == 0) offsets.push_back(static_cast<int64_t>(start));
        size_t nl = data.find('\n', start);
        start = nl == std::string::npos ? data.size() : nl + 1;
        ++index;
    }
    return offsets;
}

// ---------------------------------------------------------------------------
// libpyio
// ---------------------------------------------------------------------------

pyio_stream* pyio_open_or_die(const Options& o, const std::string& path, const char* mode,
                              const char* encoding) {
    pyio_stream* f = pyio_open(path.c_str(), mode, PYIO_NONE, encoding, nullptr, nullptr, 1,
                               nullptr, nullptr);
    if (!f) die_pyio("pyio_open " + path + " (" + o.workload + ")");
    return f;
}

void pyio_close_or_die(pyio_stream* f) {
    if (pyio_close(f) != 0) die_pyio("pyio_close");
    pyio_release(f);
}

void libpyio_readinto(const Options& o, Tally& t) {
    pyio_stream* f = pyio_open_or_die(o, o.file, "rb", nullptr);
    std::vector<char> buf(kChunk);
    int64_t n;
    while ((n = pyio_readinto(f, buf.data(), static_cast<int64_t>(kChunk))) > 0)
        t.bytes(buf.data(), static_cast<size_t>(n));
    if (n < 0) die_pyio("pyio_readinto");
    pyio_close_or_die(f);
}

// Binary readline, or line iteration of a text stream.  The lines come
// through pyio_readline_view, the API's way to read lines without a copy
// each (the peers' getline and std::getline reuse one buffer too); `next`
// selects pyio_next instead (Python's `for line in f`, a new string a line).
void libpyio_lines(const Options& o, Tally& t, const char* mode, bool next) {
    pyio_stream* f = pyio_open_or_die(o, o.file, mode, mode[1] == 'b' ? nullptr : o.encoding.c_str());
    int64_t n;
    if (!next) {
        const char* view;
        while ((n = pyio_readline_view(f, -1, &view)) > 0) t.line(view, static_cast<size_t>(n));
        if (n < 0) die_pyio("pyio_readline_view");
        pyio_close_or_die(f);
        return;
    }
    char* line;
    while ((n = next ? pyio_next(f, &line) : pyio_readline(f, -1, &line)) > 0) {
        t.line(line, static_cast<size_t>(n));
        pyio_free(line);
    }
    pyio_free(line);
    if (n < 0) die_pyio("pyio_readline");
    pyio_close_or_die(f);
}

void libpyio_write_lines(const Options& o, Tally& t, const std::vector<std::string>& lines,
                         const char* mode) {
    pyio_stream* f = pyio_open_or_die(o, o.out, mode, mode[1] == 'b' ? nullptr : o.encoding.c_str());
    for (const std::string& line : lines) {
        if (pyio_write(f, line.data(), static_cast<int64_t>(line.size())) < 0) die_pyio("pyio_write");
        t.line(line.data(), line.size());
    }
    pyio_close_or_die(f);
}

void libpyio_read_all(const Options& o, Tally& t) {
    pyio_stream* f = pyio_open_or_die(o, o.file, "r", o.encoding.c_str());
    char* text;
    int64_t n = pyio_read(f, -1, &text);
    if (n < 0) die_pyio("pyio_read");
    t.bytes(text, static_cast<size_t>(n));
    pyio_free(text);
    pyio_close_or_die(f);
}

void libpyio_readline_tell(const Options& o, Tally& t) {
    pyio_stream* f = pyio_open_or_die(o, o.file, "r", o.encoding.c_str());
    char* line;
    int64_t n;
    pyio_text_cookie cookie;
    while ((n = pyio_readline(f, -1, &line)) > 0) {
        t.line(line, static_cast<size_t>(n));
        pyio_free(line);
        if (pyio_text_tell(f, &cookie) != 0) die_pyio("pyio_text_tell");
        t.aux += static_cast<uint64_t>(cookie.start_pos);
    }
    pyio_free(line);
    if (n < 0) die_pyio("pyio_readline");
    pyio_close_or_die(f);
}

// The cookies of the selected lines, from a readline + tell pass.
std::vector<pyio_text_cookie> libpyio_selected_cookies(const Options& o) {
    pyio_stream* f = pyio_open_or_die(o, o.file, "r", o.encoding.c_str());
    std::vector<pyio_text_cookie> cookies;
    pyio_text_cookie cookie;
    char* line;
    for (uint64_t index = 0;; ++index) {
        if (pyio_text_tell(f, &cookie) != 0) die_pyio("pyio_text_tell");
        int64_t n = pyio_readline(f, -1, &line);
        pyio_free(line);
        if (n < 0) die_pyio("pyio_readline");
        if (n == 0) break;
        if (index % kSeekEvery == 0) cookies.push_back(cookie);
    }
    pyio_close_or_die(f);
    return cookies;
}

void libpyio_seek(const Options& o, Tally& t, const std::vector<pyio_text_cookie>& cookies) {
    pyio_stream* f = pyio_open_or_die(o, o.file, "r", o.encoding.c_str());
    char* line;
    for (size_t i : seek_order(cookies.size())) {
        if (pyio_text_seek(f, &cookies[i], PYIO_SEEK_SET, nullptr) != 0) die_pyio("pyio_text_seek");
        int64_t n = pyio_readline(f, -1, &line);
        if (n < 0) die_pyio("pyio_readline");
        t.line(line, static_cast<size_t>(n));
        pyio_free(line);
    }
    pyio_close_or_die(f);
}

// ---------------------------------------------------------------------------
// Raw system calls: the limit
// ---------------------------------------------------------------------------

// read(2) in 64 KiB chunks; with `lines`, each '\n' found with memchr is a
// line (the least any line reader can do).
void raw_read(const Options& o, Tally& t, bool lines) {
    int fd = open_or_die(o.file, O_RDONLY);
    std::vector<char> buf(kChunk);
    LineCounter counter;
    ssize_t n;
    while ((n = ::read(fd, buf.data(), kChunk)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die_errno("read");
        t.bytes(buf.data(), static_cast<size_t>(n));
        if (lines) counter.feed(buf.data(), static_cast<size_t>(n));
    }
    t.lines = counter.total();
    ::close(fd);
}

// The same with the position after each line summed (readline + tell).
void raw_read_tell(const Options& o, Tally& t) {
    int fd = open_or_die(o.file, O_RDONLY);
    std::vector<char> buf(kChunk);
    uint64_t base = 0;
    ssize_t n;
    while ((n = ::read(fd, buf.data(), kChunk)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die_errno("read");
        t.bytes(buf.data(), static_cast<size_t>(n));
        const char* p = buf.data();
        const char* end = p + n;
        while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
            p = static_cast<const char*>(nl) + 1;
            ++t.lines;
            t.aux += base + static_cast<uint64_t>(p - buf.data());
        }
        base += static_cast<uint64_t>(n);
    }
    ::close(fd);
}

void raw_read_whole(const Options& o, Tally& t) {
    int fd = open_or_die(o.file, O_RDONLY);
    std::string data = slurp_fd(fd);
    t.bytes(data.data(), data.size());
    ::close(fd);
}

// What buffering can at best do: lines copied into a 128 KiB buffer, one
// write(2) whenever it fills.
void raw_write_lines(const Options& o, Tally& t, const std::vector<std::string>& lines) {
    int fd = open_or_die(o.out, O_WRONLY | O_CREAT | O_TRUNC);
    std::vector<char> buf(PYIO_DEFAULT_BUFFER_SIZE);
    size_t used = 0;
    for (const std::string& line : lines) {
        if (used + line.size() > buf.size()) {
            write_all(fd, buf.data(), used);
            used = 0;
        }
        if (line.size() > buf.size()) {
            write_all(fd, line.data(), line.size());
        } else {
            std::memcpy(buf.data() + used, line.data(), line.size());
            used += line.size();
        }
        t.line(line.data(), line.size());
    }
    write_all(fd, buf.data(), used);
    if (::close(fd) != 0) die_errno("close");
}

// pread(2) of 4 KiB at each saved offset, the line found with memchr.
void raw_seek(const Options& o, Tally& t, const std::vector<int64_t>& offsets) {
    int fd = open_or_die(o.file, O_RDONLY);
    std::vector<char> buf(4096);
    for (size_t i : seek_order(offsets.size())) {
        ssize_t n = ::pread(fd, buf.data(), buf.size(), offsets[i]);
        if (n < 0) die_errno("pread");
        const void* nl = std::memchr(buf.data(), '\n', static_cast<size_t>(n));
        if (!nl && n == static_cast<ssize_t>(buf.size())) die("raw seek: a line longer than 4 KiB");
        size_t size = nl ? static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1
                         : static_cast<size_t>(n);
        t.line(buf.data(), size);
    }
    ::close(fd);
}

// ---------------------------------------------------------------------------
// glibc stdio
// ---------------------------------------------------------------------------

FILE* fopen_or_die(const std::string& path, const char* mode) {
    FILE* f = std::fopen(path.c_str(), mode);
    if (!f) die_errno("fopen " + path);
    return f;
}

void fclose_or_die(FILE* f) {
    if (std::fclose(f) != 0) die_errno("fclose");
}

void stdio_fread(const Options& o, Tally& t) {
    FILE* f = fopen_or_die(o.file, "rb");
    std::vector<char> buf(kChunk);
    size_t n;
    while ((n = std::fread(buf.data(), 1, kChunk, f)) > 0) t.bytes(buf.data(), n);
    if (std::ferror(f)) die_errno("fread");
    fclose_or_die(f);
}

void stdio_fread_whole(const Options& o, Tally& t) {
    FILE* f = fopen_or_die(o.file, "rb");
    struct stat st {};
    if (fstat(fileno(f), &st) != 0) die_errno("fstat");
    std::string data(static_cast<size_t>(st.st_size), '\0');
    size_t n = std::fread(data.data(), 1, data.size(), f);
    if (std::ferror(f)) die_errno("fread");
    t.bytes(data.data(), n);
    fclose_or_die(f);
}

// getline(3) over every line; with `tell`, ftell after each.
void stdio_getline(const Options& o, Tally& t, bool tell) {
    FILE* f = fopen_or_die(o.file, "rb");
    char* line = nullptr;
    size_t capacity = 0;
    ssize_t n;
    while ((n = ::getline(&line, &capacity, f)) > 0) {
        t.line(line, static_cast<size_t>(n));
        if (tell) t.aux += static_cast<uint64_t>(std::ftell(f));
    }
    if (std::ferror(f)) die_errno("getline");
    std::free(line);
    fclose_or_die(f);
}

void stdio_write_lines(const Options& o, Tally& t, const std::vector<std::string>& lines,
                       bool text) {
    FILE* f = fopen_or_die(o.out, text ? "w" : "wb");
    for (const std::string& line : lines) {
        bool ok = text ? std::fputs(line.c_str(), f) >= 0
                       : std::fwrite(line.data(), 1, line.size(), f) == line.size();
        if (!ok) die_errno("fwrite");
        t.line(line.data(), line.size());
    }
    fclose_or_die(f);
}

void stdio_seek(const Options& o, Tally& t, const std::vector<int64_t>& offsets) {
    FILE* f = fopen_or_die(o.file, "rb");
    char* line = nullptr;
    size_t capacity = 0;
    for (size_t i : seek_order(offsets.size())) {
        if (std::fseek(f, static_cast<long>(offsets[i]), SEEK_SET) != 0) die_errno("fseek");
        ssize_t n = ::getline(&line, &capacity, f);
        if (n < 0) die_errno("getline");
        t.line(line, static_cast<size_t>(n));
    }
    std::free(line);
    fclose_or_die(f);
}

// ---------------------------------------------------------------------------
// libstdc++ iostreams
// ---------------------------------------------------------------------------

std::ifstream ifstream_or_die(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die_errno("ifstream " + path);
    return in;
}

void iostream_read(const Options& o, Tally& t) {
    std::ifstream in = ifstream_or_die(o.file);
    std::vector<char> buf(kChunk);
    while (in.read(buf.data(), static_cast<std::streamsize>(kChunk)) || in.gcount() > 0)
        t.bytes(buf.data(), static_cast<size_t>(in.gcount()));
}

void iostream_read_whole(const Options& o, Tally& t) {
    std::ifstream in = ifstream_or_die(o.file);
    in.seekg(0, std::ios::end);
    std::string data(static_cast<size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    t.bytes(data.data(), static_cast<size_t>(in.gcount()));
}

// std::getline over every line (its '\n' is counted back in, so that the
// units are the file's bytes); with `tell`, tellg after each.
void iostream_getline(const Options& o, Tally& t, bool tell) {
    std::ifstream in = ifstream_or_die(o.file);
    std::string line;
    while (std::getline(in, line)) {
        if (!in.eof()) line += '\n';
        t.line(line.data(), line.size());
        if (tell) t.aux += static_cast<uint64_t>(static_cast<std::streamoff>(in.tellg()));
    }
}

void iostream_write_lines(const Options& o, Tally& t, const std::vector<std::string>& lines) {
    std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
    if (!out) die_errno("ofstream " + o.out);
    for (const std::string& line : lines) {
        out << line;
        t.line(line.data(), line.size());
    }
    out.close();
    if (!out) die_errno("ofstream write");
}

void iostream_seek(const Options& o, Tally& t, const std::vector<int64_t>& offsets) {
    std::ifstream in = ifstream_or_die(o.file);
    std::string line;
    for (size_t i : seek_order(offsets.size())) {
        in.clear();
        in.seekg(offsets[i]);
        if (!std::getline(in, line)) die("ifstream seek + getline failed");
        if (!in.eof()) line += '\n';
        t.line(line.data(), line.size());
    }
}

// ---------------------------------------------------------------------------
// glibc iconv(3): the whole file, then one iconv() call over it
// ---------------------------------------------------------------------------

const char* iconv_name(const std::string& encoding) {
    static const std::map<std::string, const char*> names = {
        {"utf-8", "UTF-8"},   {"latin-1", "ISO-8859-1"},  {"cp1252", "CP1252"},
        {"utf-16", "UTF-16"}, {"shift_jis", "SHIFT_JIS"},
    };
    auto it = names.find(encoding);
    if (it == names.end()) die("no iconv name for " + encoding);
    return it->second;
}

void iconv_read_all(const Options& o, Tally& t) {
    iconv_t cd = iconv_open("UTF-8", iconv_name(o.encoding));
    if (cd == reinterpret_cast<iconv_t>(-1)) die_errno("iconv_open");
    int fd = open_or_die(o.file, O_RDONLY);
    std::string in = slurp_fd(fd);
    ::close(fd);
    // UTF-8 takes at most 3 bytes for each input byte of these charsets.
    std::string out(in.size() * 3 + 16, '\0');
    char* src = in.data();
    size_t src_left = in.size();
    char* dst = out.data();
    size_t dst_left = out.size();
    if (iconv(cd, &src, &src_left, &dst, &dst_left) == static_cast<size_t>(-1)) die_errno("iconv");
    iconv_close(cd);
    t.bytes(out.data(), out.size() - dst_left);
}

// ---------------------------------------------------------------------------
// The table of workloads and peers
// ---------------------------------------------------------------------------

using Body = std::function<void(Tally&)>;

// The body for `workload` run by `peer`, with its setup (loading the lines
// to write, the offsets to seek to) done here, before any clock starts.
Body make_body(const Options& o) {
    const std::string& w = o.workload;
    const std::string& p = o.peer;
    auto need_out = [&] {
        if (o.out.empty()) die(w + " needs --out");
    };
    if (w == "readinto") {
        if (p == "libpyio") return [&o](Tally& t) { libpyio_readinto(o, t); };
        if (p == "raw") return [&o](Tally& t) { raw_read(o, t, false); };
        if (p == "stdio") return [&o](Tally& t) { stdio_fread(o, t); };
        if (p == "iostream") return [&o](Tally& t) { iostream_read(o, t); };
    } else if (w == "readline" || w == "text_lines") {
        bool text = w == "text_lines";
        if (p == "libpyio")
            return [&o, text](Tally& t) { libpyio_lines(o, t, text ? "r" : "rb", false); };
        if (p == "raw") return [&o](Tally& t) { raw_read(o, t, true); };
        if (p == "stdio") return [&o](Tally& t) { stdio_getline(o, t, false); };
        if (p == "iostream") return [&o](Tally& t) { iostream_getline(o, t, false); };
    } else if (w == "write" || w == "text_write") {
        need_out();
        bool text = w == "text_write";
        auto lines = std::make_shared<std::vector<std::string>>(load_lines(o.file));
        if (p == "libpyio")
            return [&o, lines, text](Tally& t) { libpyio_write_lines(o, t, *lines, text ? "w" : "wb"); };
        if (p == "raw") return [&o, lines](Tally& t) { raw_write_lines(o, t, *lines); };
        if (p == "stdio") return [&o, lines, text](Tally& t) { stdio_write_lines(o, t, *lines, text); };
        if (p == "iostream") return [&o, lines](Tally& t) { iostream_write_lines(o, t, *lines); };
    } else if (w == "read_all") {
        if (p == "libpyio") return [&o](Tally& t) { libpyio_read_all(o, t); };
        if (p == "raw") return [&o](Tally& t) { raw_read_whole(o, t); };
        if (p == "stdio") return [&o](Tally& t) { stdio_fread_whole(o, t); };
        if (p == "iostream") return [&o](Tally& t) { iostream_read_whole(o, t); };
        if (p == "iconv") return [&o](Tally& t) { iconv_read_all(o, t); };
    } else if (w == "readline_tell") {
        if (p == "libpyio") return [&o](Tally& t) { libpyio_readline_tell(o, t); };
        if (p == "raw") return [&o](Tally& t) { raw_read_tell(o, t); };
        if (p == "stdio") return [&o](Tally& t) { stdio_getline(o, t, true); };
        if (p == "iostream") return [&o](Tally& t) { iostream_getline(o, t, true); };
    } else if (w == "seek") {
        if (p == "libpyio") {
            auto cookies = std::make_shared<std::vector<pyio_text_cookie>>(libpyio_selected_cookies(o));
            return [&o, cookies](Tally& t) { libpyio_seek(o, t, *cookies); };
        }
        auto offsets = std::make_shared<std::vector<int64_t>>(selected_offsets(o.file));
        if (p == "raw") return [&o, offsets](Tally& t) { raw_seek(o, t, *offsets); };
        if (p == "stdio") return [&o, offsets](Tally& t) { stdio_seek(o, t, *offsets); };
        if (p == "iostream") return [&o, offsets](Tally& t) { iostream_seek(o, t, *offsets); };
    } else if (w == "idle") {
        // Loads the library and does nothing: the baseline of the memory check.
        return [](Tally&) { pyio_version_number(); };
    }
    die("no peer '" + p + "' for workload '" + w + "'");
}

// The CRC of the written file, for the write workloads' verifying run.
void verify_output(const Options& o, Tally& t) {
    std::string data = slurp(o.out);
    t.crc = Crc32{};
    t.crc.update(data.data(), data.size());
}

// This process's peak RSS in KiB: VmHWM, which belongs to the address space
// and so starts afresh at exec (ru_maxrss does not).
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

extern "C" char** environ;

int spawn(int argc, char** argv) {
    if (argc < 3) die("spawn needs a command");
    pid_t pid;
    auto start = std::chrono::steady_clock::now();
    int err = posix_spawnp(&pid, argv[2], nullptr, nullptr, argv + 2, environ);
    if (err != 0) {
        errno = err;
        die_errno(std::string("spawn ") + argv[2]);
    }
    int status;
    struct rusage usage {};
    if (wait4(pid, &status, 0, &usage) < 0) die_errno("wait4");
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::printf("{\"seconds\": %.6f, \"maxrss_kib\": %ld, \"status\": %d}\n", seconds,
                usage.ru_maxrss, code);
    return code;
}

Options parse(int argc, char** argv) {
    if (argc < 3) {
        std::fputs("usage: pyio_bench WORKLOAD PEER --file PATH [--encoding ENC] [--out PATH]\n"
                   "                  [--runs N] [--max-seconds S] [--verify]\n",
                   stderr);
        std::exit(64);
    }
    Options o;
    o.workload = argv[1];
    o.peer = argv[2];
    for (int i = 3; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--file") o.file = value();
        else if (a == "--encoding") o.encoding = value();
        else if (a == "--out") o.out = value();
        else if (a == "--runs") o.runs = std::atoi(value().c_str());
        else if (a == "--max-seconds") o.max_seconds = std::atof(value().c_str());
        else if (a == "--verify") o.verify = true;
        else die("unknown option " + std::string(a));
    }
    if (o.file.empty() && o.workload != "idle") die("--file is required");
    if (o.runs < 1) die("--runs must be at least 1");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "spawn") return spawn(argc, argv);
    Options o = parse(argc, argv);
    Body body = make_body(o);
    std::vector<double> seconds;
    Tally last;
    double total = 0;
    for (int run = 0; run < o.runs && (o.max_seconds <= 0 || total < o.max_seconds); ++run) {
        Tally t;
        auto start = std::chrono::steady_clock::now();
        body(t);
        auto stop = std::chrono::steady_clock::now();
        seconds.push_back(std::chrono::duration<double>(stop - start).count());
        total += seconds.back();
        last = t;
    }
    if (o.verify) {
        Tally t;
        t.verify = true;
        body(t);
        if (o.workload == "write" || o.workload == "text_write") verify_output(o, t);
        if (t.lines != last.lines || t.units != last.units || t.aux != last.aux)
            die("the verifying run saw other counts than the timed runs");
        last = t;
    }
    std::printf("{\"workload\": \"%s\", \"peer\": \"%s\", \"seconds\": [", o.workload.c_str(),
                o.peer.c_str());
    for (size_t i = 0; i < seconds.size(); ++i) std::printf("%s%.6f", i ? ", " : "", seconds[i]);
    std::printf("], \"lines\": %llu, \"units\": %llu, \"aux\": %llu",
                static_cast<unsigned long long>(last.lines),
                static_cast<unsigned long long>(last.units),
                static_cast<unsigned long long>(last.aux));
    if (o.verify) std::printf(", \"crc\": %lu", static_cast<unsigned long>(last.crc.value()));
    std::printf(", \"maxrss_kib\": %ld", peak_rss_kib());
    std::printf("}\n");
    return 0;
}
