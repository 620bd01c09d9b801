/*
 * pyio.h -- the C API of libpyio: Python's io stack (PEP 3116, with the
 * behaviour of CPython's io module) for programs in any language.
 *
 * This is the only public header.  It is valid C99 and C++.
 *
 * ---------------------------------------------------------------------------
 * Conventions (every function follows them)
 * ---------------------------------------------------------------------------
 *
 * Handles.  Every stream, whatever its class (FileIO, BytesIO, a callback raw
 * stream, and the buffered and text layers as they land), is a `pyio_stream *`.
 * Any handle can be passed to any function that takes a stream; a function
 * that the stream's class does not have fails with AttributeError, exactly as
 * the method call would fail in Python.  pyio_isinstance() answers which
 * classes a handle belongs to.
 *
 * Ownership.  A constructor returns a handle holding one reference, owned by
 * the caller.  pyio_retain() adds a reference, pyio_release() drops one; both
 * are safe to call from several threads at once.  A stream that wraps another
 * holds its own reference to it.  Closing and releasing are distinct:
 * pyio_close() has Python's semantics (idempotent; flushes first where there
 * is something to flush) and leaves the handle valid, so that e.g.
 * pyio_closed() can still be asked; the last pyio_release() of a stream that
 * is still open closes it first, as Python's finaliser does, and discards any
 * error that close reports (call pyio_close() first to see it).
 *
 * Memory.  Functions that hand out bytes they allocated (`char **out`
 * parameters) transfer ownership to the caller, who frees them with
 * pyio_free().  Such buffers are always followed by a NUL byte that is not
 * counted in the returned length, for convenience; the data itself may
 * contain NUL bytes.  Every success sets *out, even an empty result at EOF;
 * failure and PYIO_WOULD_BLOCK set it to NULL; so pyio_free(*out) after any
 * call is always right.  `const char *` results owned by a stream stay valid
 * until the stream's last reference is released.
 *
 * Results.
 *   - int status functions return 0 on success and -1 on failure;
 *   - predicates return 1 (true) or 0 (false), and -1 on failure;
 *   - size and position functions return a value >= 0 on success, -1 on
 *     failure and, where documented, PYIO_WOULD_BLOCK when a non-blocking
 *     stream has nothing to give or take right now (Python returns None);
 *   - constructors return a new handle, or NULL on failure.
 *
 * Errors.  On failure a function sets the calling thread's error record,
 * read with pyio_error_kind(), pyio_error_message() and the other
 * pyio_error_* accessors.  The kind mirrors the exception Python's io module
 * raises for the same situation, and where CPython has a message the message
 * reads the same ("I/O operation on closed file.", "invalid mode: 'rw'", ...).
 * A successful call does not report through the record (and may or may not
 * clear it; calls that reach a callback stream clear it first): read it only
 * after a call has reported failure.  A NULL handle or pointer argument is an error (TypeError),
 * never a crash.  No C++ exception ever crosses this API.
 *
 * Threads.  Reference counting and the error record are thread-safe.  As in
 * CPython, raw streams (FileIO, callback streams) are not locked: calls on
 * one raw stream from several threads interleave as the system calls do.
 * BytesIO is internally locked, so concurrent calls behave as if made one
 * after another.
 *
 * Sizes and offsets are 64-bit everywhere (int64_t): files over 4 GiB work.
 *
 * Optional integer arguments (Python's `None`) are passed as PYIO_NONE.
 */
#ifndef PYIO_PYIO_H
#define PYIO_PYIO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------- */
/* Version                                                                   */
/* ------------------------------------------------------------------------- */

#define PYIO_VERSION_MAJOR 0
#define PYIO_VERSION_MINOR 1
#define PYIO_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH, comparable with pyio_version_number(). */
#define PYIO_VERSION_NUMBER \
    (PYIO_VERSION_MAJOR * 10000 + PYIO_VERSION_MINOR * 100 + PYIO_VERSION_PATCH)
#define PYIO_VERSION_STRING "0.1.0"

#if defined(PYIO_BUILDING) && defined(__GNUC__)
#define PYIO_API __attribute__((visibility("default")))
#else
#define PYIO_API
#endif

/* The version of the library actually loaded (PYIO_VERSION_NUMBER form). */
PYIO_API unsigned pyio_version_number(void);
/* The version of the library actually loaded, as "MAJOR.MINOR.PATCH".
 * Static storage; never NULL. */
PYIO_API const char *pyio_version_string(void);

/* ------------------------------------------------------------------------- */
/* Constants                                                                 */
/* ------------------------------------------------------------------------- */

/* io.DEFAULT_BUFFER_SIZE of current CPython: 128 KiB. */
#define PYIO_DEFAULT_BUFFER_SIZE 131072

/* whence values, as io.SEEK_SET / SEEK_CUR / SEEK_END. */
#define PYIO_SEEK_SET 0
#define PYIO_SEEK_CUR 1
#define PYIO_SEEK_END 2

/* Python's None for an optional int64_t argument (truncate's size, ...). */
#define PYIO_NONE INT64_MIN

/* Returned by reads and writes of a non-blocking stream that can neither
 * give nor take data right now (Python's None); distinct from EOF (0) and
 * from failure (-1).  The error record is not set. */
#define PYIO_WOULD_BLOCK (-2)

/* ------------------------------------------------------------------------- */
/* Errors                                                                    */
/* ------------------------------------------------------------------------- */

/* The kind of the last error: the Python exception class it mirrors.  The
 * comment gives Python's base classes, which pyio_error_matches() honours. */
typedef enum pyio_errkind {
    PYIO_ERR_NONE = 0,
    PYIO_ERR_OS = 1,                    /* OSError; errno and filename set */
    PYIO_ERR_BLOCKING_IO = 2,           /* BlockingIOError(OSError); characters_written */
    PYIO_ERR_UNSUPPORTED_OPERATION = 3, /* io.UnsupportedOperation(OSError, ValueError) */
    PYIO_ERR_VALUE = 4,                 /* ValueError */
    PYIO_ERR_UNICODE_DECODE = 5,        /* UnicodeDecodeError(ValueError); encoding, start, end, reason */
    PYIO_ERR_UNICODE_ENCODE = 6,        /* UnicodeEncodeError(ValueError); encoding, start, end, reason */
    PYIO_ERR_LOOKUP = 7,                /* LookupError */
    PYIO_ERR_TYPE = 8,                  /* TypeError: an argument of the wrong kind, a NULL pointer */
    PYIO_ERR_ATTRIBUTE = 9,             /* AttributeError: the stream's class has no such method */
    PYIO_ERR_RUNTIME = 10,              /* RuntimeError: e.g. a reentrant call */
    PYIO_ERR_MEMORY = 11,               /* MemoryError */
    PYIO_ERR_BUFFER = 12,               /* BufferError: resizing a BytesIO with exported views */
    PYIO_ERR_OVERFLOW = 13,             /* OverflowError(ArithmeticError): a position out of range */
    PYIO_ERR_UNICODE = 14               /* UnicodeError(ValueError), the base of the two above: e.g.
                                         * a utf-16/utf-32 stream without a BOM (since 0.1) */
} pyio_errkind;

/* The kind of the calling thread's last error (a pyio_errkind value), or
 * PYIO_ERR_NONE if no error has been recorded since the last clear. */
PYIO_API int pyio_error_kind(void);

/* Python's class name for a kind ("OSError", "UnsupportedOperation", ...);
 * "Unknown" for a value that is not a kind.  Static storage. */
PYIO_API const char *pyio_error_kind_name(int kind);

/* 1 if the last error is an instance of `kind` in Python's exception
 * hierarchy (an UnsupportedOperation matches PYIO_ERR_OS and PYIO_ERR_VALUE,
 * a BlockingIOError matches PYIO_ERR_OS, a Unicode*Error matches
 * PYIO_ERR_UNICODE and PYIO_ERR_VALUE), else 0. */
PYIO_API int pyio_error_matches(int kind);

/* The message, as str() of the Python exception would print it (for
 * OSError: "[Errno 2] No such file or directory: 'name'").  Never NULL ("" when
 * there is no error).  Valid until the next failing call on this thread. */
PYIO_API const char *pyio_error_message(void);

/* OSError / BlockingIOError: the errno value; 0 for other kinds. */
PYIO_API int pyio_error_errno(void);

/* OSError: the file name involved, or NULL when there is none.  Valid until
 * the next failing call on this thread. */
PYIO_API const char *pyio_error_filename(void);

/* BlockingIOError: how many bytes (or characters, for text) were written
 * before the stream would have blocked; 0 for other kinds. */
PYIO_API int64_t pyio_error_characters_written(void);

/* Unicode{Decode,Encode}Error: the encoding, the [start, end) range of the
 * offending input and the reason.  NULL / 0 for other kinds. */
PYIO_API const char *pyio_error_encoding(void);
PYIO_API int64_t pyio_error_start(void);
PYIO_API int64_t pyio_error_end(void);
PYIO_API const char *pyio_error_reason(void);

/* Clears the calling thread's error record (kind becomes PYIO_ERR_NONE). */
PYIO_API void pyio_error_clear(void);

/* For callbacks (see pyio_rawio_new and pyio_fileio_open's opener): record an
 * error of `kind` with `message` (NULL means ""), to be reported by the
 * library call that invoked the callback.  Returns -1, so that a callback can
 * `return pyio_error_set(...)`.  An out-of-range kind records RuntimeError. */
PYIO_API int pyio_error_set(int kind, const char *message);

/* Records OSError for `errnum` with Python's message "[Errno N] strerror" or,
 * when `filename` is not NULL, "[Errno N] strerror: 'filename'".  Returns -1.
 * An errnum of EAGAIN/EWOULDBLOCK still records OSError: to say "would block"
 * a raw callback returns PYIO_WOULD_BLOCK instead. */
PYIO_API int pyio_error_set_oserror(int errnum, const char *filename);

/* ------------------------------------------------------------------------- */
/* Streams: the handle, lifetime and class queries                           */
/* ------------------------------------------------------------------------- */

/* The one opaque handle type for every stream. */
typedef struct pyio_stream pyio_stream;

/* Adds a reference to `stream` and returns it (NULL for NULL). */
PYIO_API pyio_stream *pyio_retain(pyio_stream *stream);

/* Drops a reference.  The last one closes the stream if it is still open
 * (errors are discarded) and frees it.  NULL is ignored. */
PYIO_API void pyio_release(pyio_stream *stream);

/* Frees memory this library handed out through a `char **` or
 * `pyio_slice **` out-parameter.  NULL is ignored. */
PYIO_API void pyio_free(void *memory);

/* The classes a handle can be asked about; a stream is an instance of its
 * own class and of every base (a FileIO is a RAWIOBASE and an IOBASE). */
typedef enum pyio_class {
    PYIO_CLASS_IOBASE = 0,
    PYIO_CLASS_RAWIOBASE = 1,
    PYIO_CLASS_BUFFEREDIOBASE = 2,
    PYIO_CLASS_TEXTIOBASE = 3,
    PYIO_CLASS_FILEIO = 4,
    PYIO_CLASS_BYTESIO = 5,
    PYIO_CLASS_CALLBACKRAWIO = 6,
    PYIO_CLASS_BUFFEREDREADER = 7,
    PYIO_CLASS_BUFFEREDWRITER = 8,
    PYIO_CLASS_BUFFEREDRANDOM = 9,
    PYIO_CLASS_BUFFEREDRWPAIR = 10,
    PYIO_CLASS_SOCKETIO = 11,
    PYIO_CLASS_TEXTIOWRAPPER = 12,
    PYIO_CLASS_STRINGIO = 13
} pyio_class;

/* 1 if `stream` is an instance of `cls`, 0 if not; -1 (TypeError) for a NULL
 * handle, ValueError for an unknown class. */
PYIO_API int pyio_isinstance(pyio_stream *stream, int cls);

/* The stream's class name as Python spells it ("FileIO", "BytesIO", ...);
 * NULL (TypeError) for a NULL handle.  Static storage. */
PYIO_API const char *pyio_class_name(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* IOBase: what every stream has                                             */
/* ------------------------------------------------------------------------- */

/* Flushes (where there is something to flush) and closes.  Closing a closed
 * stream does nothing and succeeds.  The stream is closed afterwards even
 * when the flush or the underlying close failed; that failure is reported. */
PYIO_API int pyio_close(pyio_stream *stream);

/* 1 if closed, 0 if open. */
PYIO_API int pyio_closed(pyio_stream *stream);

/* Writes out buffered data.  ValueError on a closed stream. */
PYIO_API int pyio_flush(pyio_stream *stream);

/* Capability predicates, as Python's readable()/writable()/seekable().
 * Classes that check (FileIO, BytesIO) raise ValueError when closed. */
PYIO_API int pyio_readable(pyio_stream *stream);
PYIO_API int pyio_writable(pyio_stream *stream);
PYIO_API int pyio_seekable(pyio_stream *stream);

/* 1 if the stream is an interactive terminal. */
PYIO_API int pyio_isatty(pyio_stream *stream);

/* The underlying file descriptor; UnsupportedOperation("fileno") where
 * there is none. */
PYIO_API int pyio_fileno(pyio_stream *stream);

/* Moves to `offset` interpreted by `whence` (PYIO_SEEK_*) and returns the new
 * absolute position.  FileIO passes whence through to lseek (so SEEK_DATA and
 * SEEK_HOLE work and other values are OSError EINVAL); BytesIO accepts 0, 1
 * and 2 only (ValueError).  UnsupportedOperation("seek") where the stream
 * cannot seek. */
PYIO_API int64_t pyio_seek(pyio_stream *stream, int64_t offset, int whence);

/* The current position. */
PYIO_API int64_t pyio_tell(pyio_stream *stream);

/* Resizes the stream to `size` bytes (PYIO_NONE: the current position) and
 * returns the new size.  The position does not move. */
PYIO_API int64_t pyio_truncate(pyio_stream *stream, int64_t size);

/* A byte string with its length, for readlines / writelines. */
typedef struct pyio_slice {
    const char *data;
    int64_t size;
} pyio_slice;

/* Reads one line: up to and including b'\n', at most `limit` bytes
 * (limit < 0 or PYIO_NONE: no limit).  *out receives the line (owned by the
 * caller, pyio_free).  Returns its length; 0 at EOF; PYIO_WOULD_BLOCK if a
 * non-blocking stream had no data at all (a partial line is returned as it
 * is).  On failure and would-block *out is set to NULL. */
PYIO_API int64_t pyio_readline(pyio_stream *stream, int64_t limit, char **out);

/* Reads lines until EOF or until their total size passes `hint` (BytesIO:
 * reaches it, as CPython's do) (hint <= 0 or PYIO_NONE: no limit).  *lines receives an array of slices
 * in one allocation that also holds the data (free it once with pyio_free).
 * Returns the number of lines. */
PYIO_API int64_t pyio_readlines(pyio_stream *stream, int64_t hint, pyio_slice **lines);

/* Writes each of `count` slices with pyio_write's semantics.  ValueError on a
 * closed stream before anything is written. */
PYIO_API int pyio_writelines(pyio_stream *stream, const pyio_slice *lines, int64_t count);

/* ------------------------------------------------------------------------- */
/* Reading and writing bytes (RawIOBase, BufferedIOBase)                     */
/* ------------------------------------------------------------------------- */

/* read(size): size < 0 or PYIO_NONE reads to EOF.  A raw stream makes at most
 * one system call (it may return fewer bytes than asked); a buffered stream
 * returns `size` bytes unless EOF comes first.  *out receives the data (owned
 * by the caller, pyio_free).  Returns the length; 0 at EOF; PYIO_WOULD_BLOCK
 * on a non-blocking raw stream with no data. */
PYIO_API int64_t pyio_read(pyio_stream *stream, int64_t size, char **out);

/* RawIOBase.readall(): everything up to EOF.  PYIO_WOULD_BLOCK if a
 * non-blocking stream had no data at all. */
PYIO_API int64_t pyio_readall(pyio_stream *stream, char **out);

/* BufferedIOBase.read1(size): at most one read of the underlying raw stream. */
PYIO_API int64_t pyio_read1(pyio_stream *stream, int64_t size, char **out);

/* readinto(buffer): reads up to `size` bytes into the caller's `buffer`.
 * Returns the count; 0 at EOF (or for size 0); PYIO_WOULD_BLOCK as pyio_read.
 * A negative size is ValueError. */
PYIO_API int64_t pyio_readinto(pyio_stream *stream, void *buffer, int64_t size);

/* BufferedIOBase.readinto1(buffer). */
PYIO_API int64_t pyio_readinto1(pyio_stream *stream, void *buffer, int64_t size);

/* write(data): returns the number of bytes written.  A raw stream may write
 * fewer than `size` and returns PYIO_WOULD_BLOCK when a non-blocking stream
 * takes nothing; buffered streams and BytesIO take everything. */
PYIO_API int64_t pyio_write(pyio_stream *stream, const void *data, int64_t size);

/* BufferedReader.peek(size): a copy of the buffered bytes in *out
 * (pyio_free) without advancing; at least one byte unless at EOF or the raw
 * stream would block (then 0).  `size` is a hint, as in Python. */
PYIO_API int64_t pyio_peek(pyio_stream *stream, int64_t size, char **out);

/* peek without copying: *data points into the stream's buffer and stays
 * valid until the next call on the stream (from any thread).  Returns the
 * number of bytes there. */
PYIO_API int64_t pyio_peek_view(pyio_stream *stream, const char **data);

/* readline() without a copy: *data points at the line (not NUL-terminated),
 * owned by the stream and valid until the next call on it -- for a buffered
 * reader, straight into its buffer when the line is all there; for a
 * TextIOWrapper, into its decoded text (UTF-8) likewise.  Returns its
 * length, 0 at EOF, PYIO_WOULD_BLOCK as pyio_readline; on failure and would
 * block *data is NULL.  Not for several threads at once on one stream. */
PYIO_API int64_t pyio_readline_view(pyio_stream *stream, int64_t limit, const char **data);

/* BufferedIOBase.detach(): separates the underlying raw stream from the
 * buffer and returns it (a new reference).  UnsupportedOperation("detach")
 * where there is nothing to detach (BytesIO). */
PYIO_API pyio_stream *pyio_detach(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* Attributes                                                                */
/* ------------------------------------------------------------------------- */

/* The stream's `name`.  Python's name is either a path or an integer (a
 * FileIO opened from a descriptor): returns 0 and sets *path (owned by the
 * stream) for a path, returns 1 and sets *fd for an integer.  Either output
 * pointer may be NULL if not wanted.  AttributeError where the class has no
 * name (BytesIO). */
PYIO_API int pyio_name(pyio_stream *stream, const char **path, int64_t *fd);

/* The stream's `mode` ("rb", "wb", "rb+", "ab", "xb+", ...), owned by the
 * stream; NULL with AttributeError where the class has none (BytesIO). */
PYIO_API const char *pyio_mode(pyio_stream *stream);

/* FileIO.closefd: 1 if closing the stream closes its descriptor. */
PYIO_API int pyio_closefd(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* FileIO: the raw stream over a file descriptor                             */
/* ------------------------------------------------------------------------- */

/* An opener, as Python's `opener` argument: given the path and the open(2)
 * flags FileIO computed (O_CLOEXEC included), returns an open descriptor.
 * On failure it returns a negative value; if it recorded an error first
 * (pyio_error_set_oserror(errno, path), say), that error is reported,
 * otherwise ValueError("opener returned N") as in Python. */
typedef int (*pyio_opener)(const char *path, int flags, void *arg);

/* FileIO(path, mode, closefd, opener).  `path` is the file's name as bytes
 * (os.fsencode); `mode` is Python's: one of r, w, x, a, optionally '+', with
 * 'b' allowed and implied.  'w' truncates, 'x' fails if the file exists,
 * 'a' appends (O_APPEND) and starts at the end.  The descriptor is
 * non-inheritable (PEP 446).  A directory is refused (OSError EISDIR).
 * `closefd` must be 1 for a path (ValueError "Cannot use closefd=False with
 * file name").  `opener` may be NULL (open(2) is used); `opener_arg` is
 * passed through to it.  On failure the error names the file and nothing
 * leaks: a descriptor opened here is closed again. */
PYIO_API pyio_stream *pyio_fileio_open(const char *path, const char *mode, int closefd,
                                       pyio_opener opener, void *opener_arg);

/* FileIO(fd, mode, closefd): wraps an open descriptor (its inheritability is
 * left as it is).  A negative fd is ValueError("negative file descriptor"); a
 * descriptor that is not open is OSError EBADF.  If construction fails the
 * descriptor is not closed, whatever closefd says. */
PYIO_API pyio_stream *pyio_fileio_fdopen(int fd, const char *mode, int closefd);

/* ------------------------------------------------------------------------- */
/* BytesIO: an in-memory binary stream                                       */
/* ------------------------------------------------------------------------- */

/* BytesIO(initial_bytes): a copy of `size` bytes at `initial` (NULL is
 * allowed only with size 0), positioned at 0. */
PYIO_API pyio_stream *pyio_bytesio_new(const void *initial, int64_t size);

/* BytesIO.getvalue() and StringIO.getvalue(): a copy of the whole contents
 * in *out (pyio_free; UTF-8 for a StringIO).  Returns the length in bytes. */
PYIO_API int64_t pyio_getvalue(pyio_stream *stream, char **out);

/* BytesIO.getbuffer(): a view of the contents without copying.  *data points
 * into the stream and stays valid, readable and writable, until the matching
 * pyio_releasebuffer(); while any view is held, anything that would resize or
 * free the contents (a write, truncate, close) fails with BufferError and
 * changes nothing.  Like Python's memoryview, a view holds a reference to the
 * stream until it is released.  Returns the size of the view. */
PYIO_API int64_t pyio_getbuffer(pyio_stream *stream, void **data);

/* Ends one view taken with pyio_getbuffer().  BufferError if none is held. */
PYIO_API int pyio_releasebuffer(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* The buffered layer                                                        */
/* ------------------------------------------------------------------------- */

/* BufferedReader(raw, buffer_size), BufferedWriter(raw, buffer_size) and
 * BufferedRandom(raw, buffer_size): buffered binary streams over any raw
 * stream (FileIO, a callback stream, ...), of which they take a reference.
 * `buffer_size` PYIO_NONE means PYIO_DEFAULT_BUFFER_SIZE; other values <= 0
 * are ValueError("buffer size must be strictly positive").  The raw stream
 * must be readable (reader, random), writable (writer, random) and seekable
 * (random): UnsupportedOperation("File or stream is not readable.") etc.
 *
 * They behave as CPython's: read(n) returns n bytes unless EOF comes first
 * (a non-blocking raw stream: what is there, or PYIO_WOULD_BLOCK); a write
 * accepts everything, and when a non-blocking raw stream would block, fails
 * with BlockingIOError whose characters_written says how much of this call's
 * data was accepted (the rest was not), and whose errno is what the raw
 * stream left in errno (EAGAIN from a descriptor; a callback stream's is
 * cleared before the call, so 0 unless the callback sets it), as CPython's;
 * a later flush writes what is buffered.  Reads and writes share one buffer,
 * so a BufferedRandom keeps what it read ahead across writes.  Bytes still
 * buffered are served even after the raw stream was closed behind the
 * buffered object's back.  close flushes (a reader: the raw stream's flush),
 * closes the raw stream even if the flush failed, and reports the flush
 * failure -- or, when closing the raw stream fails too, that failure, as
 * CPython does.  As in CPython, when the raw stream would block: pyio_read
 * and pyio_readinto return what is there or PYIO_WOULD_BLOCK, pyio_readinto1
 * PYIO_WOULD_BLOCK, pyio_read1, pyio_peek and pyio_readline 0.  Unlike
 * CPython's, a BufferedRandom's pyio_read1 with nothing buffered sends
 * pending writes before it reads (CPython reads past them and then writes
 * them to the wrong place).  detach() must not race other calls on the same
 * object (its raw pointer is read unlocked by the attribute queries).
 * Every object is internally locked; a raw stream that calls back into the
 * buffered object calling it gets RuntimeError("reentrant call inside
 * <BufferedReader name='path'>"), naming it as Python's repr() does. */
PYIO_API pyio_stream *pyio_bufferedreader_new(pyio_stream *raw, int64_t buffer_size);
PYIO_API pyio_stream *pyio_bufferedwriter_new(pyio_stream *raw, int64_t buffer_size);
PYIO_API pyio_stream *pyio_bufferedrandom_new(pyio_stream *raw, int64_t buffer_size);

/* BufferedRWPair(reader, writer, buffer_size): reads from a buffered `reader`
 * and writes to a buffered `writer`, independently (a pipe pair, a socket's
 * two directions). */
PYIO_API pyio_stream *pyio_bufferedrwpair_new(pyio_stream *reader, pyio_stream *writer,
                                              int64_t buffer_size);

/* The `raw` attribute of a BufferedReader/Writer/Random: a new reference to
 * the raw stream.  ValueError("raw stream has been detached") after detach. */
PYIO_API pyio_stream *pyio_raw(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* Callback raw streams: a RawIOBase implemented by the caller               */
/* ------------------------------------------------------------------------- */

/* The operations of a raw stream, each taking the `context` given to
 * pyio_rawio_new().  Any may be NULL:
 *   readinto  NULL: reads are UnsupportedOperation("File or stream is not readable.")
 *   write     NULL: writes are UnsupportedOperation("File or stream is not writable.")
 *   seek      NULL: UnsupportedOperation("seek")
 *   tell      NULL: seek(0, SEEK_CUR)
 *   truncate  NULL: UnsupportedOperation("truncate")
 *   flush, close  NULL: nothing to do
 *   readable / writable / seekable  NULL: whether readinto / write / seek is set
 *   isatty    NULL: 0
 *   fileno    NULL: UnsupportedOperation("fileno")
 *   destroy   NULL: nothing to free
 *   closed    NULL: the library keeps the closed state (see below)
 * Results follow the library's conventions: readinto and write return a count
 * (0 <= n <= size), PYIO_WOULD_BLOCK for "would block", or -1 for failure;
 * seek, tell and truncate return a position or -1; the predicates return 1/0
 * or -1; flush and close return 0 or -1.  A callback that fails should first
 * record why with pyio_error_set() / pyio_error_set_oserror(); that error is
 * what the caller of the library sees.  A failure with no recorded error is
 * reported as OSError(EIO).
 *
 * Without a closed callback, the library keeps the closed state: the stream
 * is closed once pyio_close() has run, which calls flush, then close, each
 * at most once (if both fail, close's error is the one reported, as in
 * CPython), and the library checks for a closed stream before calling
 * anything but destroy, so callbacks never see a call after close.  With
 * one, the callbacks keep the state, as a Python object does: closed (1/0,
 * or -1 with a recorded error) is asked wherever the library's own methods
 * check (so a stream closed behind the library's back is seen as closed by
 * the buffered classes); the other callbacks are called whatever it says and
 * check for themselves, as a Python raw object's methods do; and
 * pyio_close(), while closed answers 0, calls close alone, which must flush
 * first itself if it buffers anything (as Python's close() does).  destroy
 * is called exactly once, when the last reference is released (after
 * close), and also when pyio_rawio_new() itself fails after reading a
 * struct_size large enough to include the destroy field. */
typedef struct pyio_rawio_callbacks {
    /* sizeof(pyio_rawio_callbacks) as the caller compiled it: fields past
     * this size (added by later versions) are taken as NULL. */
    size_t struct_size;
    int64_t (*readinto)(void *context, void *buffer, int64_t size);
    int64_t (*write)(void *context, const void *data, int64_t size);
    int64_t (*seek)(void *context, int64_t offset, int whence);
    int64_t (*tell)(void *context);
    int64_t (*truncate)(void *context, int64_t size);
    int (*flush)(void *context);
    int (*close)(void *context);
    int (*readable)(void *context);
    int (*writable)(void *context);
    int (*seekable)(void *context);
    int (*isatty)(void *context);
    int (*fileno)(void *context);
    void (*destroy)(void *context);
    /* Appended later: a struct_size that ends before a field leaves it NULL. */
    int (*closed)(void *context);
} pyio_rawio_callbacks;

/* A raw stream whose operations are `callbacks` (copied; the struct need not
 * outlive the call) applied to `context`.  `name` (may be NULL: no name
 * attribute) is copied and becomes the stream's name.  TypeError if
 * `callbacks` is NULL; ValueError if struct_size is smaller than the
 * struct_size field. */
PYIO_API pyio_stream *pyio_rawio_new(const pyio_rawio_callbacks *callbacks, void *context,
                                     const char *name);

/* ------------------------------------------------------------------------- */
/* SocketIO: the raw stream over a connected socket                          */
/* ------------------------------------------------------------------------- */

/* socket.SocketIO(sock, mode) over the socket descriptor `fd`, the raw object
 * that socket.makefile() buffers; wrap it with pyio_bufferedreader_new,
 * pyio_bufferedwriter_new or pyio_bufferedrwpair_new as makefile() does.
 * `mode` is one of "r", "w", "rw", "rb", "wb", "rwb" (anything else is
 * ValueError "invalid mode: 'rq'") and reads back with the 'b' added ("r" is
 * "rb").  A negative fd is ValueError("negative file descriptor"); a
 * descriptor that is not an open socket is OSError (EBADF, ENOTSOCK).
 *
 * Reads are one recv(2): 0 at orderly shutdown, PYIO_WOULD_BLOCK when the
 * socket is non-blocking and has nothing, or when a receive timeout
 * (SO_RCVTIMEO) expires; a read of 0 bytes is 0 without a recv(2), as
 * Python's recv_into().  Writes are one send(2), which may take less than
 * given, or nothing (PYIO_WOULD_BLOCK); they never raise SIGPIPE: a closed
 * peer is OSError EPIPE.  EINTR is retried.  The stream is not seekable
 * (seek, tell and truncate are UnsupportedOperation).  Its name is the
 * descriptor, -1 once closed.  As in Python, pyio_readable, pyio_writable
 * and pyio_seekable report ValueError("I/O operation on closed socket.")
 * after close, other calls "I/O operation on closed file.".
 *
 * Closing the stream closes the descriptor only if `closefd` is non-zero.  A
 * failed construction never closes it. */
PYIO_API pyio_stream *pyio_socketio_new(int fd, const char *mode, int closefd);

/* ------------------------------------------------------------------------- */
/* open()                                                                    */
/* ------------------------------------------------------------------------- */

/* Python's open(file, mode, buffering, encoding, errors, newline, closefd,
 * opener): opens `file` (a path, as bytes) and returns the stream Python
 * returns:
 *   buffering 0 (binary modes only): the FileIO itself;
 *   otherwise a BufferedRandom for '+' modes, a BufferedWriter for 'w', 'x'
 *   and 'a', a BufferedReader for 'r', over that FileIO;
 *   in a text mode, a TextIOWrapper over that buffered object.
 * `mode` NULL means "r".  Its characters must come from "rwxabt+" with none
 * repeated (ValueError "invalid mode: 'rq'"), and exactly one of r, w, x, a
 * ("must have exactly one of create/read/write/append mode"); 't' and 'b'
 * exclude each other ("can't have text and binary mode at once"); neither
 * means text.
 * `buffering` PYIO_NONE or any negative value: the file's st_blksize, at
 * least PYIO_DEFAULT_BUFFER_SIZE and at most 8 MiB; 1 in a binary mode: the
 * same (Python warns with a RuntimeWarning there; this library has no
 * warnings and says nothing); > 1: that size.  Python takes a C int here:
 * values beyond INT_MAX or below INT_MIN (other than PYIO_NONE) are
 * OverflowError.
 * `encoding`, `errors`, `newline`: NULL is None; a binary mode refuses any
 * other value ("binary mode doesn't take an encoding argument", ...).
 * `closefd` must be non-zero for a path (ValueError "Cannot use
 * closefd=False with file name"); `opener` (may be NULL) is as for
 * pyio_fileio_open.
 *
 * Errors are CPython's, checked in its order: the arguments above before the
 * file is opened, then what opening the file reports (OSError with errno and
 * filename), then the buffered class's own checks; a failure after the file was opened closes it again, so nothing
 * leaks.
 *
 * Text modes return a TextIOWrapper (see "Text streams" below) over the
 * buffered object, with line buffering when buffering is 1 or the file is a
 * terminal, and pyio_mode() giving the mode string as passed.  Unlike
 * CPython, which opens the file first, a text open checks `encoding`,
 * `errors`, `newline` and "can't have unbuffered text I/O" (buffering 0)
 * before the file is opened, so an open that cannot succeed never creates
 * or truncates a file. */
PYIO_API pyio_stream *pyio_open(const char *file, const char *mode, int64_t buffering,
                                const char *encoding, const char *errors, const char *newline,
                                int closefd, pyio_opener opener, void *opener_arg);

/* open(fd, ...): as pyio_open, over an open descriptor (wrapped as by
 * pyio_fileio_fdopen).  With closefd 0 the descriptor is never closed.  With
 * closefd 1 the stream owns it from the moment the FileIO exists, so if a
 * later step fails (say, BufferedRandom over a pipe: "File or stream is not
 * seekable.") the descriptor is closed, as Python closes it; a failure
 * before that (a bad mode, a descriptor that is not open) leaves it open. */
PYIO_API pyio_stream *pyio_open_fd(int fd, const char *mode, int64_t buffering,
                                   const char *encoding, const char *errors, const char *newline,
                                   int closefd);

/* The buffer size of a BufferedReader, BufferedWriter or BufferedRandom (the
 * buffer_size attribute of _pyio's classes, which io keeps private): what
 * pyio_open chose, say.  AttributeError for other classes. */
PYIO_API int64_t pyio_buffer_size(pyio_stream *stream);

/* ------------------------------------------------------------------------- */
/* Text streams: TextIOWrapper and StringIO                                  */
/* ------------------------------------------------------------------------- */

/* Text crosses this API as UTF-8 with explicit byte lengths, in both
 * directions.  The generic functions work on text streams with Python's
 * text semantics:
 *   - pyio_read(s, n, &out) returns n characters (code points), not bytes;
 *     the result's length is in bytes of UTF-8;
 *   - pyio_readline's limit and pyio_readlines' hint count characters;
 *   - pyio_write(s, text, size) takes `size` bytes of UTF-8 and returns the
 *     number of characters written;
 *   - pyio_seek/pyio_tell take and return plain positions; see
 *     pyio_text_tell for the full cookie.
 * Python strings can hold lone surrogates (U+D800..U+DFFF), which UTF-8 cannot;
 * here they travel in their 3-byte "generalized UTF-8" form (ED A0 80 ..
 * ED BF BF).  That is how the surrogateescape error handler carries
 * undecodable bytes (U+DC80..U+DCFF) out and back in, so arbitrary bytes
 * round-trip.  Text that is not valid (generalized) UTF-8 is refused with the
 * UnicodeDecodeError Python's UTF-8 decoder would raise.
 *
 * Encoding names are Python's (normalised as Python does: "UTF8", "utf_8",
 * "Latin-1" ...) and any other name the system's iconv knows; NULL is the
 * default, UTF-8; "locale" is the locale's codeset.  An unknown encoding is
 * LookupError("unknown encoding: NAME"), an unknown error handler
 * LookupError("unknown error handler name 'NAME'"), both before anything is
 * read or written (CPython checks the handler only when it is first needed).
 * Error handlers: strict, ignore, replace, backslashreplace, surrogateescape,
 * surrogatepass, xmlcharrefreplace and namereplace.
 *
 * `newline` arguments: NULL is Python's None (universal newlines, translated
 * to '\n' on input; '\n' written as is), "" (universal, untranslated), "\n",
 * "\r" or "\r\n" (lines end there; '\n' written becomes it); anything else is
 * ValueError("illegal newline value: ..."). */

/* io.TextIOWrapper(buffer, encoding, errors, newline, line_buffering,
 * write_through) over a binary stream (usually buffered; the wrapper holds
 * its own reference).  errors NULL is "strict". */
PYIO_API pyio_stream *pyio_textiowrapper_new(pyio_stream *buffer, const char *encoding,
                                             const char *errors, const char *newline,
                                             int line_buffering, int write_through);

/* io.StringIO(initial_value, newline): `size` bytes of UTF-8 (initial may be
 * NULL when size is 0).  Note that Python's default newline is "\n", not
 * None: pass "\n" for StringIO() as Python constructs it.  pyio_getvalue()
 * returns its contents. */
PYIO_API pyio_stream *pyio_stringio_new(const char *initial, int64_t size, const char *newline);

/* Python's iteration step, next(stream): the next line into *out (pyio_free);
 * returns its length, 0 at the end.  Like pyio_readline, except that a
 * TextIOWrapper refuses tell() while an iteration is under way, as Python's
 * does ("telling position disabled by next() call"), until it reaches the
 * end or the stream is flushed or seeked. */
PYIO_API int64_t pyio_next(pyio_stream *stream, char **out);

/* TextIOWrapper.tell()'s cookie, field for field.  Python packs it into one
 * int as start_pos | dec_flags << 64 | bytes_to_feed << 96 |
 * chars_to_skip << 128 | need_eof << 160 (CPython's C layout), and so do the
 * bindings.  When only start_pos is set it is a byte position, and
 * pyio_tell/pyio_seek can carry it alone. */
typedef struct pyio_text_cookie {
    int64_t start_pos;
    uint32_t dec_flags;
    uint32_t bytes_to_feed;
    uint32_t chars_to_skip;
    uint32_t need_eof;
} pyio_text_cookie;

/* tell() of a text stream, as the full cookie.  pyio_tell() on a text stream
 * returns the same position when the cookie is plain and fails with
 * OverflowError when it is not. */
PYIO_API int pyio_text_tell(pyio_stream *stream, pyio_text_cookie *cookie);

/* seek(cookie, whence) of a text stream.  whence 0: to a cookie tell()
 * returned (or a byte position); 1 and 2: only with a zero cookie (to the
 * current position, to the end), otherwise UnsupportedOperation as in
 * Python.  A cookie that no tell() produced is an error (ValueError,
 * OSError "can't restore logical file position", ...), never undefined
 * behaviour.  *result (may be NULL) receives Python's return value. */
PYIO_API int pyio_text_seek(pyio_stream *stream, const pyio_text_cookie *cookie, int whence,
                            pyio_text_cookie *result);

/* The encoding and errors attributes: *name is owned by the stream (valid
 * until its next reconfigure or its last release); NULL is Python's None
 * (StringIO).  AttributeError for binary streams. */
PYIO_API int pyio_text_encoding(pyio_stream *stream, const char **name);
PYIO_API int pyio_text_errors(pyio_stream *stream, const char **name);

/* The newlines attribute as bits: PYIO_NEWLINE_LF, _CR, _CRLF for each kind
 * of line ending read so far; 0 is Python's None (none seen, or a stream
 * that does not use universal newlines).  -1 on failure. */
enum {
    PYIO_NEWLINE_LF = 1,
    PYIO_NEWLINE_CR = 2,
    PYIO_NEWLINE_CRLF = 4
};
PYIO_API int pyio_text_newlines(pyio_stream *stream);

/* line_buffering and write_through attributes (predicates). */
PYIO_API int pyio_text_line_buffering(pyio_stream *stream);
PYIO_API int pyio_text_write_through(pyio_stream *stream);

/* The buffer attribute of a TextIOWrapper: a new reference (pyio_release). */
PYIO_API pyio_stream *pyio_text_buffer(pyio_stream *stream);

/* TextIOWrapper._CHUNK_SIZE: bytes asked of the buffer per read, and bytes
 * of encoded text gathered before a write goes to the buffer (default 8192;
 * must be > 0). */
PYIO_API int64_t pyio_text_chunk_size(pyio_stream *stream);
PYIO_API int pyio_text_set_chunk_size(pyio_stream *stream, int64_t size);

/* TextIOWrapper.reconfigure(): encoding and errors NULL keep the current
 * ones (a new encoding without errors resets errors to "strict", as Python
 * does); newline is used only when set_newline is non-zero (then NULL is
 * None); line_buffering and write_through -1 keep the current value.
 * Changing encoding or newline after the first read is UnsupportedOperation,
 * as in Python. */
PYIO_API int pyio_text_reconfigure(pyio_stream *stream, const char *encoding, const char *errors,
                                   int set_newline, const char *newline, int line_buffering,
                                   int write_through);

/* io.IncrementalNewlineDecoder over a decoder of `encoding` (NULL: the input
 * is already text, UTF-8) with the error handler `errors` (NULL: strict).
 * Not a stream: it has its own handle type, freed with
 * pyio_newline_decoder_free. */
typedef struct pyio_newline_decoder pyio_newline_decoder;
PYIO_API pyio_newline_decoder *pyio_newline_decoder_new(const char *encoding, const char *errors,
                                                        int translate);
PYIO_API void pyio_newline_decoder_free(pyio_newline_decoder *decoder);

/* decode(input, final): *out receives the text (UTF-8, pyio_free); returns
 * its length in bytes. */
PYIO_API int64_t pyio_newline_decoder_decode(pyio_newline_decoder *decoder, const void *input,
                                             int64_t size, int final, char **out);

/* getstate(): the pending bytes (*pending, pyio_free; *size their length)
 * and the flags.  setstate() restores them. */
PYIO_API int pyio_newline_decoder_getstate(pyio_newline_decoder *decoder, char **pending,
                                           int64_t *size, uint64_t *flags);
PYIO_API int pyio_newline_decoder_setstate(pyio_newline_decoder *decoder, const void *pending,
                                           int64_t size, uint64_t flags);
PYIO_API int pyio_newline_decoder_reset(pyio_newline_decoder *decoder);

/* The newlines attribute, as pyio_text_newlines. */
PYIO_API int pyio_newline_decoder_newlines(pyio_newline_decoder *decoder);

#ifdef __cplusplus
}
#endif

#endif /* PYIO_PYIO_H */
