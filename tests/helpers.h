// Shared by the GoogleTest suites: temporary directories, owning wrappers for
// handles and library-allocated memory, and assertions on the error record.
#pragma once

#include <gtest/gtest.h>
#include <pyio/pyio.h>

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace pyio_test {

// Owns one reference to a stream.
struct StreamDeleter {
    void operator()(pyio_stream* s) const { pyio_release(s); }
};
using Stream = std::unique_ptr<pyio_stream, StreamDeleter>;

// Owns memory handed out by the library.
struct FreeDeleter {
    void operator()(void* p) const { pyio_free(p); }
};
using Owned = std::unique_ptr<char, FreeDeleter>;

// A fresh directory under $TMPDIR, removed with its contents afterwards.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "pyio-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// The whole contents of a file, read with stdio (independently of the library).
inline std::string slurp(const std::string& path) {
    std::string data;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
        std::fclose(f);
    }
    return data;
}

inline void spit(const std::string& path, const std::string& data) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    std::fclose(f);
}

// The number of descriptors this process has open.
inline int open_fd_count() {
    int n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (readdir(d)) ++n;
        closedir(d);
    }
    return n - 3;  // ".", ".." and the directory's own descriptor
}

// Reads everything pyio_read(stream, size) returns, as a std::string.
inline std::string read_str(pyio_stream* s, int64_t size = -1) {
    char* out = nullptr;
    int64_t n = pyio_read(s, size, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

inline std::string readline_str(pyio_stream* s, int64_t limit = -1) {
    char* out = nullptr;
    int64_t n = pyio_readline(s, limit, &out);
    Owned owned(out);
    if (n < 0) return "<" + std::to_string(n) + ">";
    return std::string(out, static_cast<size_t>(n));
}

inline int64_t write_str(pyio_stream* s, const std::string& data) {
    return pyio_write(s, data.data(), static_cast<int64_t>(data.size()));
}

}  // namespace pyio_test

// The last error is of `kind` with exactly `message`.
#define EXPECT_PYIO_ERROR(kind, message)                                   \
    do {                                                                   \
        EXPECT_EQ(pyio_error_kind_name(pyio_error_kind()),                 \
                  std::string(pyio_error_kind_name(kind)));                \
        EXPECT_STREQ(pyio_error_message(), (message));                     \
    } while (0)

// The last error is of `kind` (message unchecked).
#define EXPECT_PYIO_KIND(kind)                                             \
    EXPECT_EQ(pyio_error_kind_name(pyio_error_kind()),                     \
              std::string(pyio_error_kind_name(kind)))                     \
        << "message: " << pyio_error_message()
