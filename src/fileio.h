// FileIO: the raw stream over an operating-system file descriptor, with the
// semantics of Python's io.FileIO.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "iobase.h"

namespace pyio {

class FileIO : public RawIOBase {
public:
    // Python's opener: (path, open(2) flags) -> descriptor.  A negative result
    // is ValueError("opener returned N"); an opener may also throw.
    using Opener = std::function<int(const char* path, int flags)>;

    // FileIO(path, mode, closefd, opener).  Throws OSError (naming the file),
    // ValueError for a bad mode, a NUL in the path or closefd=false; a
    // descriptor opened here is closed again when construction fails.
    static Ref<FileIO> open(std::string_view path, std::string_view mode, bool closefd,
                            const Opener& opener);
    // FileIO(fd, mode, closefd): never closes fd when construction fails.
    static Ref<FileIO> from_fd(int fd, std::string_view mode, bool closefd);

    ~FileIO() override;
    const char* type_name() const noexcept override { return "FileIO"; }

    void close() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    bool isatty() override;
    int fileno() override;
    int64_t seek(int64_t pos, int whence) override;
    int64_t tell() override;
    int64_t truncate(std::optional<int64_t> size) override;

    std::optional<Bytes> read(int64_t size) override;
    // Sizes its buffer from fstat and grows it; retries EINTR.
    std::optional<Bytes> readall() override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> write(std::span<const char> data) override;

    // Not io's: for the buffered layer over an exact FileIO.
    // readinto() filling `first` and then `second` in one readv(2), so that
    // BufferedReader.readinto can have the caller's part of a buffer fill
    // go straight to the caller.
    std::optional<size_t> readinto_split(std::span<char> first, std::span<char> second);
    // pread(2): up to buffer.size() bytes from `offset`, the position left
    // where it is; it gets back what readinto_split sent past the buffer
    // when a seek moves back over it.  OSError on failure.
    size_t read_at(std::span<char> buffer, int64_t offset);

    const StreamName& name() override { return name_; }
    const std::string& mode() override { return mode_; }
    bool closefd() const noexcept { return closefd_; }
    // st_blksize when the file was opened: the buffered layer's default size.
    int64_t blksize() const noexcept { return blksize_; }

private:
    FileIO() = default;
    // Parses a FileIO mode into the flags below; throws ValueError.
    int parse_mode(std::string_view mode);
    // fstat()s fd_: refuses a directory, records st_blksize.
    void check_opened_fd(const std::string* filename);

    int fd_ = -1;
    bool readable_ = false, writable_ = false, appending_ = false, created_ = false;
    bool closefd_ = true;
    int seekable_ = -1;  // -1 until first asked: lseek is only tried once
    int64_t blksize_ = kDefaultBufferSize;
    StreamName name_;
    std::string mode_;  // as Python reports it: "rb", "wb", "rb+", "ab+", "xb", ...
};

}  // namespace pyio
