/*
 * pyio-example: a tour of the libpyio C API.
 *
 * Writes a few lines to a temporary file with FileIO, reads them back line by
 * line, builds a value in a BytesIO and shows what a failure looks like.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp */

#include <pyio/pyio.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prints the calling thread's last error, as Python would show the exception. */
static int report(const char *what)
{
    fprintf(stderr, "pyio-example: %s: %s: %s\n", what,
            pyio_error_kind_name(pyio_error_kind()), pyio_error_message());
    return -1;
}

/* A raw write may take fewer bytes than offered: loop until all are written. */
static int write_all(pyio_stream *stream, const char *data)
{
    int64_t left = (int64_t)strlen(data);
    while (left > 0) {
        int64_t n = pyio_write(stream, data, left);
        if (n <= 0)
            return report("write");
        data += n;
        left -= n;
    }
    return 0;
}

static int file_demo(const char *path)
{
    static const char *const lines[] = {"first line\n", "second line\n", "last line\n"};
    pyio_stream *f = pyio_fileio_open(path, "w", 1, NULL, NULL);
    size_t i;
    int status = -1;

    if (f == NULL)
        return report("open for writing");
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (write_all(f, lines[i]) != 0)
            goto done;
    if (pyio_close(f) != 0) {
        report("close");
        goto done;
    }
    pyio_release(f);

    f = pyio_fileio_open(path, "r", 1, NULL, NULL);
    if (f == NULL)
        return report("open for reading");
    printf("FileIO %s:\n", path);
    for (;;) {
        char *line;
        int64_t n = pyio_readline(f, -1, &line);
        if (n < 0) {
            report("readline");
            goto done;
        }
        if (n == 0) { /* EOF: the empty line is still ours to free */
            pyio_free(line);
            break;
        }
        printf("  %" PRId64 " bytes: %s", n, line);
        pyio_free(line);
    }
    status = 0;
done:
    pyio_release(f); /* closes the file if it is still open */
    return status;
}

static int bytesio_demo(void)
{
    pyio_stream *b = pyio_bytesio_new(NULL, 0);
    char *value;
    int64_t n;

    if (b == NULL)
        return report("BytesIO");
    if (write_all(b, "Hello, ") != 0 || write_all(b, "BytesIO!") != 0) {
        pyio_release(b);
        return -1;
    }
    n = pyio_getvalue(b, &value);
    if (n < 0) {
        report("getvalue");
        pyio_release(b);
        return -1;
    }
    printf("BytesIO.getvalue(): %" PRId64 " bytes: %s\n", n, value);
    pyio_free(value);
    pyio_release(b);
    return 0;
}

static int error_demo(void)
{
    pyio_stream *f = pyio_fileio_open("/nonexistent/pyio-example.txt", "r", 1, NULL, NULL);
    if (f != NULL) {
        fprintf(stderr, "pyio-example: opening a missing file succeeded\n");
        pyio_release(f);
        return -1;
    }
    printf("Opening a missing file fails with %s (errno %d): %s\n",
           pyio_error_kind_name(pyio_error_kind()), pyio_error_errno(),
           pyio_error_message());
    return pyio_error_kind() == PYIO_ERR_OS ? 0 : -1;
}

int main(void)
{
    char path[] = "/tmp/pyio-example-XXXXXX";
    int fd = mkstemp(path);
    int status;

    if (fd < 0) {
        perror("pyio-example: mkstemp");
        return 1;
    }
    close(fd);

    printf("libpyio %s\n", pyio_version_string());
    status = file_demo(path);
    remove(path);
    if (status == 0)
        status = bytesio_demo();
    if (status == 0)
        status = error_demo();
    return status == 0 ? 0 : 1;
}
