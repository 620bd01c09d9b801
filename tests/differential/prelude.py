"""What every generated sequence runs on top of, harness and snippet alike.

The harness executes this file's text, then a generated `run(mod)` function,
in a fresh namespace for each side; a failure's snippet pastes the same text
and the same function, so a snippet does exactly what the harness did.  Keep
it free of imports from the harness and of anything either side under test
provides: files are written and read back with os-level calls only.
"""

import array
import errno
import io
import operator
import os
import random
import select
import socket
import warnings
from io import UnsupportedOperation


def blob(seed, n, alphabet=b"ab\n"):
    """n reproducible pseudo-random bytes drawn from alphabet."""
    table = bytes(alphabet[i % len(alphabet)] for i in range(256))
    return random.Random(seed).randbytes(n).translate(table)


class Idx:
    """An integer-like object with only __index__, as numpy's integers."""

    def __init__(self, n):
        self.n = n

    def __index__(self):
        return self.n

    def __repr__(self):
        return f"Idx({self.n})"


# ---- files and descriptors, without the io module ----

def put(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def slurp(path):
    """The file's contents as os.read sees them; None if there is no file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def reader_pipe(data, keep_writer, nonblocking):
    """A pipe holding data (which must fit, < 64 KiB): (read end, write end
    or None).  A blocking read end always has its writer closed, so a read
    cannot wait forever."""
    r, w = os.pipe()
    if data:
        os.write(w, data)
    if not keep_writer:
        os.close(w)
        w = None
    os.set_blocking(r, not nonblocking)
    return r, w


def writer_pipe(keep_reader, nonblocking):
    """An empty pipe: (read end or None, write end).  Without a reader a
    write is EPIPE (Python ignores SIGPIPE)."""
    r, w = os.pipe()
    if not keep_reader:
        os.close(r)
        r = None
    os.set_blocking(w, not nonblocking)
    return r, w


def make_opener(kind, seen, tmp):
    """An opener that records what it is given and then: opens the path
    (plain), returns -1 (negative), raises (raise) or opens a directory."""
    def opener(path, flags):
        seen.append((type(path).__name__, flags))
        if kind == "negative":
            return -1
        if kind == "raise":
            raise PermissionError(13, "the opener says no")
        if kind == "directory":
            return os.open(tmp, os.O_RDONLY)
        return os.open(path, flags, 0o666)
    return opener


def drain(fd, settle=0.0):
    """Everything a pipe's read end holds, without waiting; with `settle`,
    until nothing more arrives for that many seconds (a terminal passes
    what was written to its other side on asynchronously)."""
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            if settle and select.select([fd], [], [], settle)[0]:
                continue
            break
        except OSError as exc:  # a terminal whose other side is closed
            if exc.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def fd_is_open(fd):
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def close_quietly(*fds):
    for fd in fds:
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass


def open_fd_count():
    return len(os.listdir("/proc/self/fd"))


# ---- a raw stream implemented in Python ----

INT64_MAX = 2**63 - 1


def _int64(value):
    """An argument as a C raw stream takes an int64_t."""
    value = operator.index(value)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise OverflowError("Python int too large to convert to C long")
    return value


def _buffer(b, writable):
    """A buffer argument as a C raw stream takes it (Py_buffer, contiguous)."""
    view = memoryview(b)
    if writable and (view.readonly or not view.contiguous):
        raise TypeError(f"readinto() argument must be read-write bytes-like object, "
                        f"not {type(b).__name__}")
    if not view.contiguous:
        raise BufferError("memoryview: underlying buffer is not C-contiguous")
    return view.cast("B")


def _c_int(value):
    value = operator.index(value)
    if not -2**31 <= value < 2**31:
        raise OverflowError("Python int too large to convert to C int")
    return value


class RawPrimitives:
    """What a raw stream must implement (readinto, write, seek, tell,
    truncate and the three predicates), over a bytearray, checking closed
    and its arguments as a C stream would.  Every `block_every`-th transfer
    (readinto or write) would block (None), every `fail_every`-th raises
    OSError(EIO); `chunk` caps what one transfer moves."""

    def __init__(self, data, readable, writable, seekable, chunk, block_every, fail_every):
        self.data = bytearray(data)
        self.pos = 0
        self.flags = (readable, writable, seekable)
        self.chunk, self.block_every, self.fail_every = chunk, block_every, fail_every
        self.transfers = 0

    def _check(self, capability=None, message=""):
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if capability is not None and not self.flags[capability]:
            raise UnsupportedOperation(message)

    def _transfer(self):
        """False when this transfer would block."""
        self.transfers += 1
        if self.fail_every and self.transfers % self.fail_every == 0:
            raise OSError(errno.EIO, "simulated failure")
        return not (self.block_every and self.transfers % self.block_every == 0)

    def _limit(self, n):
        return min(n, self.chunk) if self.chunk else n

    def readinto(self, b):
        view = _buffer(b, True)
        self._check(0, "File not open for reading")
        if not self._transfer():
            return None
        n = self._limit(max(0, min(len(view), len(self.data) - self.pos)))
        view[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def write(self, b):
        view = _buffer(b, False)
        self._check(1, "File not open for writing")
        if not self._transfer():
            return None
        n = self._limit(len(view))
        if self.pos > len(self.data):
            self.data.extend(bytes(self.pos - len(self.data)))
        self.data[self.pos:self.pos + n] = view[:n]
        self.pos += n
        return n

    def seek(self, pos, whence=0):
        whence = _c_int(whence)
        self._check()
        pos = _int64(pos)
        if not self.flags[2]:
            raise UnsupportedOperation("seek")
        if whence not in (0, 1, 2):
            raise OSError(errno.EINVAL, "Invalid argument")
        new = pos + (0, self.pos, len(self.data))[whence]
        if not 0 <= new <= INT64_MAX:
            raise OSError(errno.EINVAL, "Invalid argument")
        self.pos = new
        return new

    def tell(self):
        self._check()
        if not self.flags[2]:
            raise OSError(errno.ESPIPE, "Illegal seek")
        return self.pos

    def truncate(self, size=None):
        # None is the position, found first, as a C raw stream finds it.
        size = self.tell() if size is None else _int64(size)
        self._check(1, "File not open for writing")
        if size < 0:
            raise OSError(errno.EINVAL, "Invalid argument")
        if size > 1 << 24:
            raise OSError(errno.EFBIG, "File too large")
        del self.data[size:]
        self.data.extend(bytes(size - len(self.data)))
        return size

    def readable(self):
        self._check()
        return self.flags[0]

    def writable(self):
        self._check()
        return self.flags[1]

    def seekable(self):
        self._check()
        return self.flags[2]


class DuckRaw(RawPrimitives):
    """RawPrimitives as a plain object, for a module that adds the rest of
    RawIOBase itself (libpyio's _raw_handle): it keeps its own closed flag."""

    closed = False

    def close(self):
        self.closed = True


def raw_stream(mod, via, *args):
    """A RawIOBase over RawPrimitives(*args) whose other methods (read,
    readall, readline, close...) are the module's: a subclass of
    mod.RawIOBase, or with via="handle" and a module that has one (libpyio),
    the library's own raw stream calling the primitives back."""
    if via == "handle" and hasattr(mod, "_raw_handle"):
        return mod._raw_handle(DuckRaw(*args))
    return type("MemoryRaw", (RawPrimitives, mod.RawIOBase), {})(*args)


def raw_of(f):
    """The RawPrimitives behind a raw_stream()."""
    return getattr(f, "raw", f)


# ---- raw streams for the buffered classes ----

# Current CPython's io.DEFAULT_BUFFER_SIZE (3.11's is 8 KiB): sizes are
# always passed explicitly, so that both sides buffer alike.
DEFAULT_BUFFER_SIZE = 128 * 1024


def raw_module(mod, source):
    """Where a raw stream for mod's buffered classes comes from: mod itself,
    or io on both sides (then only the buffered layer differs)."""
    return io if source == "io" else mod


def memory_raw(mod, source, *args):
    """A RawIOBase over RawPrimitives(*args): a subclass of the raw module's
    RawIOBase, so that what is not a primitive is that module's own."""
    base = raw_module(mod, source).RawIOBase
    return type("MemoryRaw", (RawPrimitives, base), {})(*args)


def open_(mod, warned, *args, **kwargs):
    """mod.open(*args, **kwargs), recording the classes of the warnings it
    gives in `warned`.  On io's side, a binary open with the default
    buffering (-1, any negative, or 1, which binary mode takes as the
    default) is given current CPython's size, the larger of 128 KiB and
    st_blksize (at most 8 MiB), where 3.11 takes st_blksize alone: the
    buffered object io made is rebuilt over the same raw stream."""
    names = ("file", "mode", "buffering", "encoding", "errors", "newline", "closefd", "opener")
    given = dict(zip(names, args), **kwargs)
    buffering = given.get("buffering", -1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            f = mod.open(*args, **kwargs)
        finally:
            warned.extend(w.category.__name__ for w in caught)
    if (mod is io and type(buffering) is int and (buffering < 0 or buffering == 1)
            and type(f) in (io.BufferedReader, io.BufferedWriter, io.BufferedRandom)):
        raw = f.detach()
        size = max(min(os.fstat(raw.fileno()).st_blksize, 8 << 20), DEFAULT_BUFFER_SIZE)
        f = type(f)(raw, size)
    elif (mod is io and type(buffering) is int and buffering < 0 and type(f) is io.TextIOWrapper
            and type(f.buffer) in (io.BufferedReader, io.BufferedWriter, io.BufferedRandom)):
        # The same for a text open: what a write that fails reaches (and
        # when it fails) depends on the buffer's size.
        settings = dict(encoding=f.encoding, errors=f.errors, newline=given.get("newline"),
                        line_buffering=f.line_buffering, write_through=f.write_through)
        text_mode = f.mode
        buffered = f.detach()
        raw = buffered.detach()
        size = max(min(os.fstat(raw.fileno()).st_blksize, 8 << 20), DEFAULT_BUFFER_SIZE)
        f = io.TextIOWrapper(type(buffered)(raw, size), **settings)
        f.mode = text_mode
    return f


def sock_io(mod, sock, mode):
    """The raw stream over a socket: socket.SocketIO for io, the module's
    own SocketIO otherwise."""
    if mod is io:
        return socket.SocketIO(sock, mode)
    return mod.SocketIO(sock, mode)


def peer_socket(content, shutdown, nonblocking):
    """A connected pair (ours, peer): the peer has sent content (which must
    fit the socket buffers, < 100 KB) and, with shutdown, said EOF; ours is
    non-blocking on request."""
    ours, peer = socket.socketpair()
    if content:
        peer.sendall(content)
    if shutdown:
        peer.shutdown(socket.SHUT_WR)
    ours.setblocking(not nonblocking)
    return ours, peer


def sock_drain(sock):
    """Everything that has arrived at sock, without waiting."""
    sock.setblocking(False)
    chunks = []
    while True:
        try:
            chunk = sock.recv(1 << 16)
        except (BlockingIOError, ConnectionResetError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# ---- values the ops produce or take ----

def shown(name, fd):
    """A FileIO's name with this side's own descriptor number abstracted."""
    if type(name) is int and name == fd:
        return "<fd>"
    return name


def vset(view, data):
    """Writes data over the start of a view (as much as fits)."""
    n = min(len(view), len(data))
    view[:n] = data[:n]


def drop(views):
    """Forgets the newest view without releasing it: the exporter must see
    the export end when the last reference goes, as CPython's does."""
    views.pop()


def release_all(views):
    n = len(views)
    while views:
        views.pop().release()
    return n


def norm(value, f, tmp):
    """A comparable, picklable form of a result: type and value, with this
    side's stream, temporary directory and Path objects abstracted."""
    if f is not None and value is f:
        return ("<self>",)
    if value is None or isinstance(value, (bool, int, float)):
        return (type(value).__name__, value)
    if isinstance(value, str):
        return ("str", value.replace(tmp, "<tmp>"))
    if isinstance(value, bytes):
        return ("bytes", value.replace(os.fsencode(tmp), b"<tmp>"))
    if isinstance(value, bytearray):
        return ("bytearray", bytes(value))
    if isinstance(value, (list, tuple)):
        if all(type(v) is bytes for v in value):  # readlines(): a fast path
            return (type(value).__name__, tuple(("bytes", v) for v in value))
        if all(type(v) is str for v in value):
            return (type(value).__name__, tuple(("str", v) for v in value))
        return (type(value).__name__, tuple(norm(v, f, tmp) for v in value))
    if isinstance(value, Idx):
        return ("Idx", value.n)
    if isinstance(value, Cookie):
        return ("cookie", value.index)
    if isinstance(value, os.PathLike):
        return (type(value).__name__, norm(os.fspath(value), f, tmp))
    return ("object", type(value).__name__)


def raised(exc):
    """The comparable form of an exception: its class name, errno for an
    OSError, and the built-in classes it derives from (so that an
    UnsupportedOperation must still be an OSError and a ValueError)."""
    cls = type(exc)
    bases = tuple(c.__name__ for c in cls.__mro__ if c.__module__ == "builtins"
                  and c not in (Exception, BaseException, object))
    errnum = exc.errno if isinstance(exc, OSError) else None
    return ("raise", cls.__name__, errnum, bases)


class Log:
    """One side's record: an entry per construction, step and final check.

    Each entry is (label, outcome, message, closed, tell): outcome is
    ("ok", norm(value)) or raised(exc); message is the exception's text
    (kept for the report, never compared); closed and tell are the stream's
    state after a step (None where not probed)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.entries = []
        # A text stream's Cookies: tell() after a step is then kept there
        # and compared as the cookie it is, not by value.
        self.cookies = None
        self.fds_before = open_fd_count()

    def _call(self, fn, f):
        try:
            value = fn()
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}".replace(self.tmp, "<tmp>")
            return None, raised(exc), message
        return value, ("ok", norm(value, f, self.tmp)), None

    def _state(self, f, probe_tell):
        _, closed, _ = self._call(lambda: f.closed, f)
        tell = None
        if probe_tell and closed == ("ok", ("bool", False)):
            if self.cookies is None:
                _, tell, _ = self._call(f.tell, f)
            else:
                _, tell, _ = self._call(lambda: self.cookies.keep(f.tell()), f)
        return closed, tell

    def construct(self, label, fn, kind=None):
        """Builds the stream; `kind`, when given, stands for its class name
        (for a construction whose classes differ by design)."""
        value, outcome, message = self._call(fn, None)
        if kind is not None and outcome[0] == "ok":
            outcome = ("ok", ("object", kind))
        self.entries.append((label, outcome, message, None, None))
        return value

    def step(self, label, f, fn, probe_tell):
        _, outcome, message = self._call(fn, f)
        closed, tell = self._state(f, probe_tell)
        self.entries.append((label, outcome, message, closed, tell))

    def final(self, label, f, fn):
        _, outcome, message = self._call(fn, f)
        self.entries.append((label, outcome, message, None, None))

    def finish(self):
        leaked = open_fd_count() - self.fds_before
        self.entries.append(("descriptors left open", ("ok", ("int", leaked)), None, None, None))
        return self.entries


# ---- the text layer ----

# Token alphabets for generated text, by index (0 is the simplest, which is
# where the shrinker takes them): line endings of every kind, multibyte and
# astral characters, what the CJK codecs and UTF-7 treat specially, the
# line breaks that str.splitlines knows and universal newlines do not, and
# lone surrogates (the surrogateescape of undecodable bytes).
TEXT_ALPHABETS = (
    ("a", "b", "\n"),
    ("a", "b", "\r\n", "\n", "\r", "\r", "\r\n\r"),
    ("a", "é", "€", "日", "本", "\n", "\r\n", "ß"),
    ("😀", "𝄞", "a", "\r", "\n", "\r\n"),
    ("a", "\r", "\n", "ü", "\x00", "\x85", "\u2028", "\x0c", "\t", " "),
    ("a", "日本語", "ｶﾀ", "\u00a5", "\u203e", "\r\n", "~", "\\", "\n", "가"),
    ("a", "+", "-", "+-", "é", "\n", "日", "\r", "~"),
    ("a", "\udcff", "\udc80", "\n", "\ud800", "é", "\r\n"),
)

# Bytes that the text layer's decoders trip over, spliced into encoded text.
JUNK = (b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\x1b$B", b"\x1b(J", b"+", b"\x00",
        b"\xfe", b"\xe6\x97", b"\x8e", b"\r")

BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def text(seed, n, alphabet=0):
    """n reproducible tokens of TEXT_ALPHABETS[alphabet], as one str."""
    rng = random.Random(seed)
    tokens = TEXT_ALPHABETS[alphabet % len(TEXT_ALPHABETS)]
    return "".join(rng.choice(tokens) for _ in range(n))


def encoded(seed, n, alphabet, encoding, junk=0):
    """text(seed, n, alphabet) in encoding (what cannot be encoded becomes
    an undecodable byte where surrogateescape can, '?' otherwise), spoilt
    on request: junk 1 splices a few JUNK bytes in anywhere (inside
    multibyte sequences too), 2 puts a BOM (any) in front, 3 does both and
    cuts the last byte off."""
    value = text(seed, n, alphabet)
    try:
        data = value.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        data = value.encode(encoding, "replace")
    rng = random.Random(seed + 1)
    if junk in (1, 3):
        data = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(data))
            data[at:at] = rng.choice(JUNK)
        data = bytes(data)
    if junk in (2, 3):
        data = rng.choice(BOMS) + data
    if junk == 3:
        data = data[:-1]
    return data


class Cookie:
    """A TextIOWrapper position as a sequence sees it: the k-th int that
    tell() or seek() returned on this side.  Cookies are opaque, so two
    sides compare what seeking to them does, not their values."""

    def __init__(self, index):
        self.index = index


class Cookies(list):
    """The cookies one side's text stream has returned, in order."""

    def keep(self, value):
        """tell()'s or seek()'s result, with an int kept as a Cookie."""
        if type(value) is not int:
            return value
        self.append(value)
        return Cookie(len(self) - 1)

    def at(self, k):
        """The k-th cookie kept (from the end when negative, modulo how
        many there are), or 0 before any."""
        return self[k % len(self)] if self else 0


def text_wrapper(mod, buffer, *args, chunk=None, **kwargs):
    """mod.TextIOWrapper(buffer, *args, **kwargs), with _CHUNK_SIZE set to
    chunk when given.  An encoding of None is utf-8 on every side: libpyio's
    default (PEP 686), where 3.11's io takes the locale's."""
    f = mod.TextIOWrapper(buffer, *_encoding_given(mod, args, 0, kwargs), **kwargs)
    if chunk is not None:
        f._CHUNK_SIZE = chunk
    return f


def default_encoding(mod):
    """None (the module's own default) for libpyio, utf-8 for io and _pyio."""
    return None if mod.__name__ == "libpyio" else "utf-8"


def _encoding_given(mod, args, at, kwargs):
    """args with the encoding (positional at `at`, or a keyword) of None
    replaced by default_encoding(mod)."""
    if len(args) > at:
        if args[at] is None:
            args = args[:at] + (default_encoding(mod),) + args[at + 1:]
    elif kwargs.get("encoding") is None:
        kwargs["encoding"] = default_encoding(mod)
    return args


def open_text(mod, warned, *args, chunk=None, **kwargs):
    """open_(...) in a text mode, encoding None made utf-8 as in
    text_wrapper, _CHUNK_SIZE set to chunk when given and the stream has one."""
    f = open_(mod, warned, *_encoding_given(mod, args, 3, kwargs), **kwargs)
    if chunk is not None and hasattr(f, "_CHUNK_SIZE"):
        f._CHUNK_SIZE = chunk
    return f


def newline_decoder(mod, encoding, errors, translate):
    """mod.IncrementalNewlineDecoder over the codec's incremental decoder
    (None: str in, str out)."""
    import codecs
    inner = codecs.getincrementaldecoder(encoding)(errors) if encoding else None
    return mod.IncrementalNewlineDecoder(inner, translate)


def split_bytes(data):
    """data a byte at a time."""
    return [data[i:i + 1] for i in range(len(data))]
