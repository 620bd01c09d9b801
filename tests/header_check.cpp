// Compiled (never linked) by the header_cxx11 and header_cxx20 tests with
//   -std=c++NN -Wall -Wextra -Werror -pedantic -fsyntax-only
// pyio.h must be self-contained, warning-free C++ from C++11 on, and declare
// the API with C linkage and the signatures used here.
#include <pyio/pyio.h>
#include <pyio/pyio.h> // the include guard works

#include <climits>
#include <cstdint>
#include <type_traits>

static_assert(PYIO_NONE == INT64_MIN, "PYIO_NONE is Python's None for int64_t");
static_assert(PYIO_VERSION_NUMBER ==
                  PYIO_VERSION_MAJOR * 10000 + PYIO_VERSION_MINOR * 100 + PYIO_VERSION_PATCH,
              "PYIO_VERSION_NUMBER");
static_assert(std::is_standard_layout<pyio_rawio_callbacks>::value, "C struct");
static_assert(std::is_standard_layout<pyio_slice>::value, "C struct");

extern "C" {
typedef int64_t (*read_fn_t)(pyio_stream *, int64_t, char **);
typedef int64_t (*write_fn_t)(pyio_stream *, const void *, int64_t);
typedef pyio_stream *(*open_fn_t)(const char *, const char *, int, pyio_opener, void *);
typedef int (*error_set_fn_t)(int, const char *);
}

extern "C" int64_t check_readinto(void *context, void *buffer, int64_t size)
{
    (void)context;
    (void)buffer;
    (void)size;
    return PYIO_WOULD_BLOCK;
}

int main()
{
    read_fn_t read_fn = &pyio_read;
    write_fn_t write_fn = &pyio_write;
    open_fn_t open_fn = &pyio_fileio_open;
    error_set_fn_t error_set_fn = &pyio_error_set;

    pyio_rawio_callbacks callbacks = {};
    callbacks.struct_size = sizeof callbacks;
    callbacks.readinto = &check_readinto;
    pyio_slice slice = {"line\n", 5};
    std::int64_t none = PYIO_NONE;
    int kind = PYIO_ERR_BLOCKING_IO;
    pyio_class cls = PYIO_CLASS_FILEIO;
    int whence = PYIO_SEEK_CUR;

    (void)read_fn;
    (void)write_fn;
    (void)open_fn;
    (void)error_set_fn;
    (void)callbacks;
    (void)slice;
    (void)none;
    (void)kind;
    (void)cls;
    (void)whence;
    return 0;
}
