/* A program built against an installed libpyio, by tests/install/run.sh. */
#include <pyio/pyio.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    pyio_stream *s;
    char *out = NULL;
    int64_t n;

    if (pyio_version_number() != PYIO_VERSION_NUMBER) {
        fprintf(stderr, "consumer: header is %d but the library is %u\n",
                PYIO_VERSION_NUMBER, pyio_version_number());
        return 1;
    }
    s = pyio_bytesio_new("hello", 5);
    if (s == NULL) {
        fprintf(stderr, "consumer: pyio_bytesio_new: %s\n", pyio_error_message());
        return 1;
    }
    n = pyio_read(s, -1, &out);
    if (n != 5 || memcmp(out, "hello", 5) != 0) {
        fprintf(stderr, "consumer: pyio_read returned %ld: %s\n", (long)n,
                n < 0 ? pyio_error_message() : "unexpected data");
        pyio_free(out);
        pyio_release(s);
        return 1;
    }
    printf("consumer ok: %s\n", out);
    pyio_free(out);
    pyio_release(s);
    return 0;
}
