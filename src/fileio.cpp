#include "fileio.h"

#include "fdio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <memory>
#include <utility>

namespace pyio {

// Invariant: fd_ >= 0 exactly while the object holds a descriptor, from a
// successful construction until close().  A construction that fails deletes
// the half-built object: its destructor closes what open() opened, and
// from_fd() resets fd_ first, since the caller's descriptor is not ours.

// Positions travel as int64_t from the C API straight into lseek/ftruncate.
static_assert(sizeof(off_t) == sizeof(int64_t), "libpyio needs a 64-bit off_t");

namespace {

constexpr const char* kBadMode =
    "Must have exactly one of create/read/write/append mode and at most one plus";

// CPython's FileIO says "File not open for reading/writing", unlike the
// generic kNotReadable/kNotWritable of the abstract classes.
constexpr const char* kNotOpenForReading = "File not open for reading";
constexpr const char* kNotOpenForWriting = "File not open for writing";


// The mode argument is a Python str parsed with "s", which refuses NUL
// before anything else about the call is looked at.
void check_mode_argument(std::string_view mode) {
    if (mode.find('\0') != std::string_view::npos) throw value_error("embedded null character");
}

int open_path(const std::string& path, int flags) {
    int fd;
    do fd = ::open(path.c_str(), flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) throw os_error(errno, path);
    return fd;
}

// Python makes whatever descriptor the opener returned non-inheritable
// (PEP 446): the opener may have dropped O_CLOEXEC from the flags.
void make_non_inheritable(int fd) {
    int fdflags = ::fcntl(fd, F_GETFD);
    if (fdflags < 0) throw os_error(errno);
    if (!(fdflags & FD_CLOEXEC) && ::fcntl(fd, F_SETFD, fdflags | FD_CLOEXEC) < 0)
        throw os_error(errno);
}

// OSError naming a descriptor: Python's filename is then the integer, which
// its message prints without quotes ("[Errno 21] Is a directory: 3").
Error os_error_for_fd(int errnum, int fd) {
    ErrorInfo info = os_error(errnum).info();
    info.filename = std::to_string(fd);
    info.message += ": " + *info.filename;
    return Error(std::move(info));
}

// lseek(2) that, like CPython's portable_lseek, lets the first lseek of any
// kind decide `seekable` (-1 until then): a failed seek(0, 5) on a regular
// file makes io.FileIO.seekable() False too.  Returns -1 with errno set.
int64_t lseek_noting(int fd, int64_t pos, int whence, int& seekable) {
    off_t result = ::lseek(fd, static_cast<off_t>(pos), whence);
    if (seekable < 0) seekable = result >= 0 ? 1 : 0;
    return result;
}

// O_APPEND alone would move to the end only at the first write; Python seeks
// now so that tell() is the end from the start.  A pipe cannot seek and
// needs no seeking: ESPIPE is ignored, as CPython ignores it.
void seek_to_end(int fd, int& seekable) {
    if (lseek_noting(fd, 0, SEEK_END, seekable) < 0 && errno != ESPIPE) throw os_error(errno);
}

// One read(2) into buffer; nullopt when a non-blocking descriptor has nothing.
std::optional<size_t> read_some(int fd, std::span<char> buffer) {
    return transfer([&] { return ::read(fd, buffer.data(), transfer_size(buffer.size())); });
}

// One byte more than the rest of a regular file, so the read that finds EOF
// needs no growth; a default buffer when the size says nothing (pipes,
// /proc files that report 0).
size_t initial_readall_size(int fd) {
    struct stat st;
    off_t pos = ::lseek(fd, 0, SEEK_CUR);
    if (::fstat(fd, &st) == 0 && st.st_size > 0 && pos >= 0 && st.st_size >= pos)
        return static_cast<size_t>(st.st_size - pos) + 1;
    return static_cast<size_t>(kDefaultBufferSize);
}

// Python's FileIO.mode: it forgets 'w' once the file is open, so "w+" reads
// back as "rb+".
std::string reported_mode(bool created, bool appending, bool readable, bool writable) {
    if (created) return readable ? "xb+" : "xb";
    if (appending) return readable ? "ab+" : "ab";
    if (readable) return writable ? "rb+" : "rb";
    return "wb";
}

// Growth for readall's buffer beyond the size fstat predicted: by half, but
// never by less than a default buffer, so small reads stay few.
size_t grown_size(size_t current) {
    return current + std::max<size_t>(current / 2, static_cast<size_t>(kDefaultBufferSize));
}

}  // namespace

// ---- construction ----

Ref<FileIO> FileIO::open(std::string_view path, std::string_view mode, bool closefd,
                         const Opener& opener) {
    check_mode_argument(mode);
    if (path.find('\0') != std::string_view::npos) throw value_error("embedded null byte");
    // Until adopted by a Ref, deleting the object is the cleanup: ~FileIO
    // closes the descriptor this function opened.
    std::unique_ptr<FileIO> f(new FileIO);
    int flags = f->parse_mode(mode);
    if (!closefd) throw value_error("Cannot use closefd=False with file name");
    f->name_.path = std::string(path);
    if (opener) {
        int fd = opener(f->name_.path.c_str(), flags);
        if (fd < 0) throw value_error("opener returned " + std::to_string(fd));
        f->fd_ = fd;
        make_non_inheritable(fd);
    } else {
        f->fd_ = open_path(f->name_.path, flags);
    }
    f->check_opened_fd(&f->name_.path);
    if (f->appending_) seek_to_end(f->fd_, f->seekable_);
    return Ref<FileIO>::adopt(f.release());
}

Ref<FileIO> FileIO::from_fd(int fd, std::string_view mode, bool closefd) {
    check_mode_argument(mode);
    if (fd < 0) throw value_error("negative file descriptor");
    std::unique_ptr<FileIO> f(new FileIO);
    f->parse_mode(mode);
    f->closefd_ = closefd;
    f->name_.is_fd = true;
    f->name_.fd = fd;
    f->fd_ = fd;
    try {
        f->check_opened_fd(nullptr);
        if (f->appending_) seek_to_end(f->fd_, f->seekable_);
    } catch (...) {
        f->fd_ = -1;  // the caller's descriptor: a failed construction leaves it open
        throw;
    }
    return Ref<FileIO>::adopt(f.release());
}

FileIO::~FileIO() {
    // Only reached with the descriptor held when construction failed: the
    // last decref closes an open stream before deleting it.
    if (fd_ >= 0 && closefd_) ::close(fd_);
}

// CPython's scan: the first offending character decides the message, so
// "rwq" is a bad combination while "qrw" is an invalid mode.
int FileIO::parse_mode(std::string_view mode) {
    bool rwa = false, plus = false;
    auto one_of_rwxa = [&] {
        if (rwa) throw value_error(kBadMode);
        rwa = true;
    };
    int flags = 0;
    for (char c : mode) {
        switch (c) {
        case 'r':
            one_of_rwxa();
            readable_ = true;
            break;
        case 'w':
            one_of_rwxa();
            writable_ = true;
            flags |= O_CREAT | O_TRUNC;
            break;
        case 'x':
            one_of_rwxa();
            writable_ = created_ = true;
            flags |= O_CREAT | O_EXCL;
            break;
        case 'a':
            one_of_rwxa();
            writable_ = appending_ = true;
            flags |= O_CREAT | O_APPEND;
            break;
        case '+':
            if (plus) throw value_error(kBadMode);
            plus = readable_ = writable_ = true;
            break;
        case 'b':
            break;
        default:
            throw value_error("invalid mode: " + std::string(mode.substr(0, 200)));
        }
    }
    if (!rwa) throw value_error(kBadMode);
    mode_ = reported_mode(created_, appending_, readable_, writable_);
    flags |= readable_ && writable_ ? O_RDWR : readable_ ? O_RDONLY : O_WRONLY;
    return flags | O_CLOEXEC;
}

void FileIO::check_opened_fd(const std::string* filename) {
    struct stat st;
    if (::fstat(fd_, &st) < 0) {
        // Only EBADF is fatal, as in CPython (bpo-25717: some filesystems
        // fail fstat on descriptors that work).
        if (errno == EBADF) throw os_error(EBADF);
        return;
    }
    // open(2) happily opens a directory for reading; a FileIO never holds one.
    if (S_ISDIR(st.st_mode))
        throw filename ? os_error(EISDIR, *filename) : os_error_for_fd(EISDIR, fd_);
    if (st.st_blksize > 1) blksize_ = st.st_blksize;
}

// ---- closing ----

void FileIO::close() {
    if (closed()) return;
    run_all([&] { RawIOBase::close(); },
            [&] {
                // Not retried on EINTR: Linux has released the descriptor by
                // then, and a retry could close one another thread just opened.
                int fd = std::exchange(fd_, -1);
                if (closefd_ && fd >= 0 && ::close(fd) < 0) throw os_error(errno);
            });
}

// ---- queries ----

bool FileIO::readable() {
    check_closed();
    return readable_;
}

bool FileIO::writable() {
    check_closed();
    return writable_;
}

bool FileIO::seekable() {
    check_closed();
    if (seekable_ < 0) lseek_noting(fd_, 0, SEEK_CUR, seekable_);
    return seekable_ == 1;
}

bool FileIO::isatty() {
    check_closed();
    return ::isatty(fd_) == 1;
}

int FileIO::fileno() {
    check_closed();
    return fd_;
}

// ---- positioning ----

int64_t FileIO::seek(int64_t pos, int whence) {
    check_closed();
    // whence goes to the kernel as it is: SEEK_DATA and SEEK_HOLE work, and
    // the kernel's EINVAL is Python's error for anything else.
    int64_t result = lseek_noting(fd_, pos, whence, seekable_);
    if (result < 0) throw os_error(errno);
    return result;
}

int64_t FileIO::tell() {
    check_closed();
    int64_t result = lseek_noting(fd_, 0, SEEK_CUR, seekable_);
    if (result < 0) throw os_error(errno);
    return result;
}

int64_t FileIO::truncate(std::optional<int64_t> size) {
    check_closed();
    if (!writable_) throw unsupported_operation(kNotOpenForWriting);
    int64_t target = size ? *size : tell();
    int rc;
    do rc = ::ftruncate(fd_, static_cast<off_t>(target));
    while (rc < 0 && errno == EINTR);
    if (rc < 0) throw os_error(errno);
    return target;
}

// ---- reading and writing ----

std::optional<Bytes> FileIO::read(int64_t size) {
    check_closed();
    if (!readable_) throw unsupported_operation(kNotOpenForReading);
    // RawIOBase::read: readall() for size < 0, else one readinto().
    return RawIOBase::read(size);
}

// Deliberately no readable() check: CPython's readall goes straight to
// read(2), so on a write-only FileIO it is OSError EBADF.
std::optional<Bytes> FileIO::readall() {
    check_closed();
    Bytes all;
    all.reserve(initial_readall_size(fd_));
    for (;;) {
        if (all.size() == all.capacity()) all.reserve(grown_size(all.capacity()));
        size_t room = all.capacity() - all.size();
        std::optional<size_t> n = read_some(fd_, std::span<char>(all.data() + all.size(), room));
        if (!n) {
            // Would block: what arrived so far is the result; only nothing is None.
            if (all.empty()) return std::nullopt;
            break;
        }
        if (*n == 0) break;
        all.resize_uninitialized(all.size() + *n);
    }
    all.shrink_to_fit();
    return all;
}

std::optional<size_t> FileIO::readinto(std::span<char> buffer) {
    check_closed();
    if (!readable_) throw unsupported_operation(kNotOpenForReading);
    return read_some(fd_, buffer);
}

std::optional<size_t> FileIO::readinto_split(std::span<char> first, std::span<char> second) {
    check_closed();
    if (!readable_) throw unsupported_operation(kNotOpenForReading);
    size_t head = transfer_size(first.size());
    struct iovec parts[2] = {{first.data(), head},
                             {second.data(), std::min(second.size(), static_cast<size_t>(kMaxRawTransfer) - head)}};
    return transfer([&] { return ::readv(fd_, parts, 2); });
}

size_t FileIO::read_at(std::span<char> buffer, int64_t offset) {
    check_closed();
    std::optional<size_t> n = transfer(
        [&] { return ::pread(fd_, buffer.data(), transfer_size(buffer.size()), offset); });
    // A regular file does not "would block"; anything else is not seekable
    // and has no buffer to seek back in.
    if (!n) throw os_error(EAGAIN);
    return *n;
}

std::optional<size_t> FileIO::write(std::span<const char> data) {
    check_closed();
    if (!writable_) throw unsupported_operation(kNotOpenForWriting);
    return transfer([&] { return ::write(fd_, data.data(), transfer_size(data.size())); });
}

}  // namespace pyio
