/*
 * Compiled (never linked) by the header_c99 test with
 *   -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only
 * pyio.h must be self-contained, warning-free C99, and declare the API with
 * the signatures used here.
 */
#include <pyio/pyio.h>
#include <pyio/pyio.h> /* the include guard works */

static int64_t check_readinto(void *context, void *buffer, int64_t size)
{
    (void)context;
    (void)buffer;
    (void)size;
    return PYIO_WOULD_BLOCK;
}

int main(void)
{
    /* Each pointer type is spelled out, so a changed signature is an error. */
    int64_t (*read_fn)(pyio_stream *, int64_t, char **) = &pyio_read;
    int64_t (*write_fn)(pyio_stream *, const void *, int64_t) = &pyio_write;
    pyio_stream *(*open_fn)(const char *, const char *, int, pyio_opener, void *) =
        &pyio_fileio_open;
    pyio_stream *(*rawio_fn)(const pyio_rawio_callbacks *, void *, const char *) =
        &pyio_rawio_new;
    const char *(*message_fn)(void) = &pyio_error_message;
    void (*release_fn)(pyio_stream *) = &pyio_release;

    pyio_rawio_callbacks callbacks = {
        .struct_size = sizeof(pyio_rawio_callbacks),
        .readinto = check_readinto,
    };
    pyio_slice slice = {"line\n", 5};
    int64_t none = PYIO_NONE;
    int kind = PYIO_ERR_UNSUPPORTED_OPERATION;
    pyio_class cls = PYIO_CLASS_BYTESIO;
    unsigned version = PYIO_VERSION_NUMBER;
    const char *version_string = PYIO_VERSION_STRING;
    int whence = PYIO_SEEK_END;
    int64_t buffer_size = PYIO_DEFAULT_BUFFER_SIZE;

    (void)read_fn;
    (void)write_fn;
    (void)open_fn;
    (void)rawio_fn;
    (void)message_fn;
    (void)release_fn;
    (void)callbacks;
    (void)slice;
    (void)none;
    (void)kind;
    (void)cls;
    (void)version;
    (void)version_string;
    (void)whence;
    (void)buffer_size;
    return 0;
}
