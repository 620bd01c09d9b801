/*
 * pyio-recode: converts text from one encoding and newline convention to
 * another, streaming, in constant memory -- built only on libpyio's public C
 * API.
 *
 *   pyio-recode [--from ENC] [--to ENC] [--errors HANDLER]
 *               [--newline lf|crlf|cr] [-o OUTPUT] [INPUT]
 *
 * INPUT defaults to standard input, OUTPUT to standard output.  Encodings
 * are Python's names (utf-8, latin-1, cp1252, shift_jis, utf-16, ...) or any
 * the system's iconv knows; both default to utf-8.  --errors is a Python
 * error handler (strict by default) for both directions.  Without --newline
 * line endings pass through as they are; with it every kind of line ending
 * in the input ('\n', '\r\n', '\r') becomes the one named.
 *
 * How: the input is read as bytes (a BufferedReader from pyio_open) and fed
 * to an IncrementalNewlineDecoder, which knows exactly which bytes it has
 * consumed, so a strict decoding failure can name the offset of the
 * offending input byte; the text goes out through a TextIOWrapper (pyio_open
 * in text mode).  Memory is the buffers plus one chunk, whatever the input
 * size.  On a terminal, inputs of 64 MiB or more get a progress line.
 *
 * Exit status: 0 success, 64 usage, 65 undecodable or unencodable data,
 * 74 an I/O error (as sysexits.h names them).
 */
#define _POSIX_C_SOURCE 200809L

#include <pyio/pyio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_USAGE = 64, EXIT_DATA = 65, EXIT_IO = 74 };

/* Bytes read per step; the decoder holds at most a few of them back. */
#define CHUNK ((int64_t)1 << 18)
#define PROGRESS_MIN_SIZE ((int64_t)64 << 20)

struct options {
    const char *from, *to, *errors, *newline, *input, *output;
};

static void usage(FILE *to) {
    fputs("usage: pyio-recode [--from ENC] [--to ENC] [--errors HANDLER]\n"
          "                   [--newline lf|crlf|cr] [-o OUTPUT] [INPUT]\n",
          to);
}

/* Prints the error libpyio recorded, as Python would show the exception. */
static int fail(const char *what, int status) {
    fprintf(stderr, "pyio-recode: %s: %s: %s\n", what, pyio_error_kind_name(pyio_error_kind()),
            pyio_error_message());
    return status;
}

static int status_for_error(void) {
    if (pyio_error_matches(PYIO_ERR_UNICODE_DECODE) || pyio_error_matches(PYIO_ERR_UNICODE_ENCODE))
        return EXIT_DATA;
    if (pyio_error_matches(PYIO_ERR_OS)) return EXIT_IO;
    return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct options *o) {
    memset(o, 0, sizeof *o);
    o->from = "utf-8";
    o->to = "utf-8";
    o->errors = "strict";
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--from")) slot = &o->from;
        else if (!strcmp(a, "--to")) slot = &o->to;
        else if (!strcmp(a, "--errors")) slot = &o->errors;
        else if (!strcmp(a, "--newline")) slot = &o->newline;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) slot = &o->output;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "pyio-recode: unknown option %s\n", a);
            return -1;
        } else if (!o->input) {
            o->input = a;
            continue;
        } else {
            fprintf(stderr, "pyio-recode: more than one input\n");
            return -1;
        }
        if (++i == argc) {
            fprintf(stderr, "pyio-recode: %s needs a value\n", a);
            return -1;
        }
        *slot = argv[i];
    }
    if (o->newline) {
        static const char *const names[][2] = {{"lf", "\n"}, {"crlf", "\r\n"}, {"cr", "\r"}};
        const char *nl = NULL;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k)
            if (!strcmp(o->newline, names[k][0])) nl = names[k][1];
        if (!nl) {
            fprintf(stderr, "pyio-recode: --newline takes lf, crlf or cr, not %s\n", o->newline);
            return -1;
        }
        o->newline = nl;
    }
    return 0;
}

struct progress {
    int64_t total; /* 0: no progress line */
    struct timespec last;
};

static void progress_start(struct progress *p, pyio_stream *in) {
    struct stat st;
    p->total = 0;
    int fd = pyio_fileno(in);
    if (fd >= 0 && isatty(STDERR_FILENO) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size >= PROGRESS_MIN_SIZE)
        p->total = st.st_size;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
}

static void progress_show(struct progress *p, int64_t done, int final) {
    if (!p->total) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double since = (double)(now.tv_sec - p->last.tv_sec) + (now.tv_nsec - p->last.tv_nsec) / 1e9;
    if (!final && since < 0.2) return;
    p->last = now;
    fprintf(stderr, "\rpyio-recode: %3d%% (%lld of %lld MiB)%s", (int)(100.0 * done / p->total),
            (long long)(done >> 20), (long long)(p->total >> 20), final ? "\n" : "");
}

/* Whether `encoding` names Python's utf-16 or utf-32 (with a BOM), under any
 * of its spellings ("UTF-16", "utf_32", "u16", ...). */
static int bom_by_hand(const char *encoding) {
    char name[8];
    size_t n = 0;
    for (const char *c = encoding ? encoding : ""; *c && n < sizeof name - 1; ++c) {
        if (*c >= 'A' && *c <= 'Z')
            name[n++] = (char)(*c - 'A' + 'a');
        else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
            name[n++] = *c;
        else if (*c != '-' && *c != '_' && *c != ' ')
            return 0;
    }
    name[n] = '\0';
    return !strcmp(name, "utf16") || !strcmp(name, "u16") || !strcmp(name, "utf32") ||
           !strcmp(name, "u32");
}

static int recode(const struct options *o) {
    int status = 0;
    pyio_stream *in = o->input ? pyio_open(o->input, "rb", PYIO_NONE, NULL, NULL, NULL, 1, NULL, NULL)
                               : pyio_open_fd(STDIN_FILENO, "rb", PYIO_NONE, NULL, NULL, NULL, 0);
    if (!in) return fail(o->input ? o->input : "<stdin>", status_for_error());
    /* Universal newlines, translated to '\n', when a convention is asked
     * for; otherwise the text keeps its own line endings. */
    pyio_newline_decoder *decoder = pyio_newline_decoder_new(o->from, o->errors, o->newline != NULL);
    if (!decoder) {
        status = fail("--from/--errors", status_for_error());
        pyio_release(in);
        return status;
    }
    const char *out_newline = o->newline ? o->newline : "";
    pyio_stream *out =
        o->output ? pyio_open(o->output, "w", PYIO_NONE, o->to, o->errors, out_newline, 1, NULL, NULL)
                  : pyio_open_fd(STDOUT_FILENO, "w", PYIO_NONE, o->to, o->errors, out_newline, 0);
    if (!out) {
        status = fail(o->output ? o->output : "<stdout>", status_for_error());
        pyio_newline_decoder_free(decoder);
        pyio_release(in);
        return status;
    }

    /* Python's TextIOWrapper writes utf-16 and utf-32 to an unseekable stream
     * (a pipe) without a BOM, and a reader then cannot tell the byte order:
     * write it here, as the first character, so that such output reads back
     * (the encoder is then in native order, the BOM's own). */
    if (!status && pyio_seekable(out) == 0 && bom_by_hand(o->to) && pyio_write(out, "\xef\xbb\xbf", 3) < 0)
        status = fail(o->output ? o->output : "<stdout>", status_for_error());

    struct progress progress;
    progress_start(&progress, in);
    int64_t consumed = 0; /* input bytes handed to the decoder so far */
    char *chunk = malloc((size_t)CHUNK);
    if (!chunk) {
        fprintf(stderr, "pyio-recode: out of memory\n");
        status = EXIT_IO;
    }
    for (int final = 0; !status && !final;) {
        int64_t n = pyio_readinto(in, chunk, CHUNK);
        if (n < 0) {
            status = fail(o->input ? o->input : "<stdin>", status_for_error());
            break;
        }
        final = n == 0;
        /* What the decoder holds back from earlier chunks comes first in
         * its error positions. */
        char *pending = NULL;
        int64_t pending_size = 0;
        uint64_t flags = 0;
        if (pyio_newline_decoder_getstate(decoder, &pending, &pending_size, &flags) != 0) {
            status = fail("decoder", EXIT_DATA);
            break;
        }
        pyio_free(pending);
        char *text = NULL;
        int64_t size = pyio_newline_decoder_decode(decoder, chunk, n, final, &text);
        if (size < 0) {
            if (pyio_error_matches(PYIO_ERR_UNICODE_DECODE)) {
                long long offset = (long long)(consumed - pending_size + pyio_error_start());
                fprintf(stderr, "pyio-recode: %s: cannot decode the input at byte offset %lld: %s\n",
                        o->input ? o->input : "<stdin>", offset, pyio_error_reason());
                status = EXIT_DATA;
            } else {
                status = fail("decoding", status_for_error());
            }
            break;
        }
        consumed += n;
        if (size > 0 && pyio_write(out, text, size) < 0) {
            if (pyio_error_matches(PYIO_ERR_UNICODE_ENCODE))
                fprintf(stderr, "pyio-recode: cannot encode to %s near input byte offset %lld: %s\n",
                        o->to, (long long)(consumed - n), pyio_error_message());
            else
                fail(o->output ? o->output : "<stdout>", 0);
            status = status_for_error();
        }
        pyio_free(text);
        progress_show(&progress, consumed, final || status);
    }
    free(chunk);
    if (pyio_close(out) != 0 && !status) status = fail(o->output ? o->output : "<stdout>", EXIT_IO);
    pyio_release(out);
    pyio_newline_decoder_free(decoder);
    pyio_release(in);
    return status;
}

int main(int argc, char **argv) {
    struct options o;
    if (parse(argc, argv, &o) != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    return recode(&o);
}
