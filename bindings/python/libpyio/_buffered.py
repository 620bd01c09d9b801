"""BufferedReader, BufferedWriter, BufferedRandom and BufferedRWPair: io's
buffered classes over the library's pyio_buffered*_new.

The raw stream may be a library stream (FileIO, BytesIO: the library buffers
it directly) or any Python object with the raw interface (a RawIOBase
subclass, io.FileIO, a duck-typed object), which the library calls back
through _callback's _RawHandle; what such an object raises reaches the caller
as the same exception object.  `raw` is the object that was passed and
detach() hands it back.  Where io asks the raw object itself (closed, name,
mode, the finaliser's _dealloc_warn) the object is asked here too.

While a buffered object lives it keeps the _RawHandle, so that a cycle
through the raw object stays visible to the garbage collector.  When it lets
go of the raw object without closing it (detach, a failed construction), the
_RawHandle is disowned: the library's eventual close of its callback stream
then leaves the object alone, as io leaves a raw stream it no longer buffers.
"""

import operator
import threading
from ctypes import byref, c_void_p

from io import UnsupportedOperation

from ._args import c_int_, c_ssize, optional_size, take_bytes
from ._callback import _raw_handle
from ._errors import error, forget_stale
from ._handle import _HandleStream, dealloc_warn, type_name
from ._iobase import BufferedIOBase, IOBase
from ._lib import (CLASS_RAWIOBASE, DEFAULT_BUFFER_SIZE, INT64_MAX, INT64_MIN, PYIO_NONE,
                   PYIO_WOULD_BLOCK, lib)

_DETACHED = "raw stream has been detached"
_UNINITIALIZED = "I/O operation on uninitialized object"
_NOT_SEEKABLE = "File or stream is not seekable."


def _buffer_size(value):
    """buffer_size as io takes it (a C ssize_t).  INT64_MIN is the C API's
    None (the default size); as an explicit size it is merely not positive."""
    size = c_ssize(value)
    return -1 if size == PYIO_NONE else size


def _attach(raw, asks):
    """The library stream for the raw object.  io's constructors begin by
    calling the object's capability methods (`asks`): one it lacks is io's
    AttributeError, not the library's default."""
    for method in asks:
        getattr(raw, method)
    return _raw_handle(raw)


def _offset(pos):
    """A seek target as io's buffered seek converts it (PyNumber_AsOff_t)."""
    value = operator.index(pos)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"cannot fit '{type(pos).__name__}' into an offset-sized integer")
    return value


class _BufferedBase(_HandleStream, BufferedIOBase):
    """What the four classes share."""

    # _pyio_read_all_by_chunks: the raw stream (the reader's) has no
    # readall() (see _Reads._pyio_read_all).
    __slots__ = ("_pyio_read_all_by_chunks",)
    _pyio_native = True
    # Finalised through close() in Python, as io's finaliser does: it asks
    # the raw object whether it is closed and lets a FileIO warn.
    _pyio_warns_unclosed = True
    _finalizing = False

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._pyio_read_all_by_chunks = False
        return self

    def _pyio_check_readall(self, stream):
        if lib.pyio_isinstance(stream._pyio_handle, CLASS_RAWIOBASE) != 1:
            self._pyio_read_all_by_chunks = True

    def __reduce_ex__(self, protocol):
        raise TypeError(f"cannot pickle {type_name(type(self))!r} object")


class _Reads:
    """The reading methods of the classes that read (io's BufferedWriter has
    none of them), with io's argument conventions."""

    __slots__ = ()
    _pyio_native = True

    def read(self, size=-1):
        n = optional_size(size)
        if n == PYIO_NONE:
            n = -2              # an explicit INT64_MIN is merely below -1
        elif n == -1 and self._pyio_read_all_by_chunks:
            return self._pyio_read_all()
        out = c_void_p()
        n = lib.pyio_read(self._pyio_handle, n, byref(out))
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                return None
            raise error()
        return take_bytes(out, n)

    def _pyio_read_all(self):
        """read() to EOF over a raw stream without readall() (a BytesIO): the
        library asks the raw stream for readall() and fails; io reads it
        with read() until it is exhausted.  read1() has the same effect:
        what is buffered, then one raw read at a time."""
        chunks = []
        while True:
            try:
                chunk = self.read1(DEFAULT_BUFFER_SIZE)
            except ValueError:
                if not chunks:
                    raise
                # The raw stream was closed behind our back and the buffer
                # is now taken: io asks the raw stream itself at this
                # point, so its error (a closed BytesIO's) is the one seen.
                chunk = self.raw.read()
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def read1(self, size=-1):
        out = c_void_p()
        n = lib.pyio_read1(self._pyio_handle, c_ssize(size), byref(out))
        if n < 0:
            raise error()
        return take_bytes(out, n)

    def readinto1(self, b):
        return self._readinto(b, "readinto1", lib.pyio_readinto1)

    def peek(self, size=0):
        out = c_void_p()
        n = lib.pyio_peek(self._pyio_handle, c_ssize(size), byref(out))
        if n < 0:
            raise error()
        return take_bytes(out, n)


class _Buffered(_BufferedBase):
    """BufferedReader, BufferedWriter and BufferedRandom: one raw stream."""

    __slots__ = ("_pyio_raw", "_pyio_stream")
    # Its close(), seek() and truncate() add io's argument conversions and
    # checks before the library's; called by the library itself (a
    # TextIOWrapper over this object) they are the library's own, so the
    # wrapper shares this object's handle and reads it with read1(), as
    # io's TextIOWrapper does, rather than through Python callbacks.
    _pyio_native = True
    _pyio_new = None        # the library's constructor
    _pyio_asks = ()         # the raw methods io's constructor calls first
    _pyio_writes = False

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._pyio_raw = None
        self._pyio_stream = None
        return self

    def __init__(self, raw, buffer_size=DEFAULT_BUFFER_SIZE):
        size = _buffer_size(buffer_size)
        self._pyio_let_go()
        stream = _attach(raw, self._pyio_asks)
        handle = self._pyio_new(stream._pyio_handle, size)
        if not handle:
            # Disowning touches no error record; and no local keeps the
            # exception, whose traceback would then keep `raw` alive.
            stream._pyio_disown()
            raise error()
        forget_stale()          # the library's raw.tell() may have failed
        self._pyio_handle = handle
        self._pyio_raw = raw
        self._pyio_stream = stream
        self._pyio_check_readall(stream)

    @classmethod
    def _pyio_wrap(cls, handle, raw):
        """An object for a handle the library made (open()), over `raw`,
        the Python object of its raw stream.  Takes over the reference."""
        self = cls.__new__(cls)
        self._pyio_handle = handle
        self._pyio_raw = raw
        return self

    def _pyio_let_go(self):
        """__init__ again: the previous raw stream is let go of as by
        detach() (io just forgets it; this flushes what was buffered)."""
        handle = self._pyio_handle
        if handle is None:
            return
        stream = self._pyio_stream
        self._pyio_handle = self._pyio_raw = self._pyio_stream = None
        old = lib.pyio_detach(handle)
        if old:
            lib.pyio_release(old)
        else:
            error()             # a failed flush, forgotten as io forgets the buffer
        lib.pyio_release(handle)
        if stream is not None:
            stream._pyio_disown()

    def _pyio_unattached(self):
        """The ValueError io raises once the raw stream is gone."""
        raise ValueError(_UNINITIALIZED if self._pyio_handle is None else _DETACHED)

    # ---- what io asks the raw object ----

    @property
    def raw(self):
        return self._pyio_raw

    @property
    def closed(self):
        raw = self._pyio_raw
        if raw is None:
            self._pyio_unattached()
        return raw.closed

    @property
    def name(self):
        raw = self._pyio_raw
        if raw is None:
            self._pyio_unattached()
        return raw.name

    @property
    def mode(self):
        raw = self._pyio_raw
        if raw is None:
            self._pyio_unattached()
        return raw.mode

    def _dealloc_warn(self, source):
        dealloc_warn(self._pyio_raw, source)

    # ---- closing and detaching ----

    def close(self):
        raw = self._pyio_raw
        if raw is None:
            self._pyio_unattached()
        if raw.closed:
            # Closed behind this object's back: as io, nothing is flushed
            # (the library asks the object too, through its closed callback).
            return
        if self._finalizing:
            self._dealloc_warn(self)
        _HandleStream.close(self)

    def detach(self):
        if self._pyio_flush_py and self._pyio_raw is not None:
            self.flush()        # io's detach calls self.flush()
        handle = lib.pyio_detach(self._pyio_handle)
        if not handle:
            raise error()
        lib.pyio_release(handle)
        raw, stream = self._pyio_raw, self._pyio_stream
        self._pyio_raw = self._pyio_stream = None
        if stream is not None:
            stream._pyio_disown()
        return raw

    # ---- positioning: io converts some arguments after its own checks ----

    def seek(self, pos, whence=0):
        whence = c_int_(whence)
        try:
            target = _offset(pos)
        except (TypeError, ValueError):
            if self._pyio_raw is None:
                self._pyio_unattached()
            if not 0 <= whence <= 4:
                raise ValueError(f"whence value {whence} unsupported") from None
            if self.closed and not self._pyio_serves_buffered():
                raise ValueError("seek of closed file") from None
            if not self.seekable():
                raise UnsupportedOperation(_NOT_SEEKABLE) from None
            raise
        result = lib.pyio_seek(self._pyio_handle, target, whence)
        if result < 0:
            raise error()
        return result

    def _pyio_serves_buffered(self):
        """CPython's CHECK_CLOSED: a closed buffered object whose read buffer
        still holds bytes is let through (its raw stream then speaks).
        read(0) asks the same check and nothing else (peek() would flush a
        BufferedRandom first)."""
        if not isinstance(self, _Reads):
            return False
        try:
            self.read(0)
        except ValueError:
            return False
        return True

    def truncate(self, pos=None):
        if pos is None:
            size = PYIO_NONE
        else:
            size = None
            if hasattr(type(pos), "__index__"):
                value = operator.index(pos)
                if INT64_MIN < value <= INT64_MAX:
                    size = value
            if size is None:
                # io hands `pos` to raw.truncate() as it is, after flushing:
                # the raw object's own error, as io reports it.
                return self._pyio_truncate_object(pos)
        result = lib.pyio_truncate(self._pyio_handle, size)
        if result < 0:
            raise error()
        return result

    def _pyio_truncate_object(self, pos):
        raw = self._pyio_raw
        if raw is None:
            self._pyio_unattached()
        if self.closed and not self._pyio_buffered_bytes():
            raise ValueError("truncate of closed file")
        if not self._pyio_writes:
            raise UnsupportedOperation("truncate")
        if lib.pyio_flush(self._pyio_handle) < 0:
            raise error()
        return raw.truncate(pos)

    def _pyio_buffered_bytes(self):
        """Whether bytes are still buffered for reading: io's closed checks
        let those be served after the raw stream closed.  read1(0) asks
        exactly that, with no raw call: "read of closed file" means none."""
        if not isinstance(self, _Reads):
            return False
        out = c_void_p()
        n = lib.pyio_read1(self._pyio_handle, 0, byref(out))
        if n < 0:
            error()     # consumed: the answer is "nothing buffered"
            return False
        take_bytes(out, n)
        return True

    def __repr__(self):
        name = type_name(type(self))
        try:
            file = self.name
        except (AttributeError, ValueError):
            return f"<{name}>"
        running = _repr_running.__dict__.setdefault("ids", set())
        if id(self) in running:
            raise RuntimeError(f"reentrant call inside {name}.__repr__")
        running.add(id(self))
        try:
            return f"<{name} name={file!r}>"
        finally:
            running.discard(id(self))


_repr_running = threading.local()


class BufferedReader(_Reads, _Buffered):
    """A buffered reader over a readable raw stream, as io.BufferedReader."""

    __slots__ = ()
    _pyio_native = True
    _pyio_new = lib.pyio_bufferedreader_new
    _pyio_asks = ("readable",)

    # What io's BufferedReader does not have: BufferedIOBase's and IOBase's.
    write = BufferedIOBase.write
    writable = IOBase.writable


class BufferedWriter(_Buffered):
    """A buffered writer over a writable raw stream, as io.BufferedWriter."""

    __slots__ = ()
    _pyio_native = True
    _pyio_new = lib.pyio_bufferedwriter_new
    _pyio_asks = ("writable",)
    _pyio_writes = True

    # What io's BufferedWriter does not have: BufferedIOBase's and IOBase's.
    read = BufferedIOBase.read
    read1 = BufferedIOBase.read1
    readline = IOBase.readline
    readlines = IOBase.readlines
    readable = IOBase.readable
    __next__ = IOBase.__next__

    def readinto(self, b):
        return BufferedIOBase._readinto(b, "readinto", self.read)

    def readinto1(self, b):
        return BufferedIOBase._readinto(b, "readinto1", self.read1)


class BufferedRandom(_Reads, _Buffered):
    """A buffered reader and writer over a seekable raw stream, as
    io.BufferedRandom."""

    __slots__ = ()
    _pyio_native = True
    _pyio_new = lib.pyio_bufferedrandom_new
    _pyio_asks = ("seekable", "readable", "writable")
    _pyio_writes = True


class BufferedRWPair(_Reads, _BufferedBase):
    """A buffered reader and a buffered writer over two raw streams (a
    pipe's two ends), as io.BufferedRWPair."""

    __slots__ = ("_pyio_reader", "_pyio_writer", "_pyio_streams")
    _pyio_native = True
    # io's BufferedRWPair has no readline: IOBase's reads through peek/read.
    _PYIO_READLINE_USES = ("read", "peek")

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._pyio_reader = self._pyio_writer = self._pyio_streams = None
        return self

    def __init__(self, reader, writer, buffer_size=DEFAULT_BUFFER_SIZE, /):
        size = _buffer_size(buffer_size)
        if self._pyio_handle is not None:
            # __init__ again: io forgets the previous pair; here it is
            # released, which closes it (Python raw objects are left alone).
            handle, self._pyio_handle = self._pyio_handle, None
            for stream in self._pyio_streams:
                stream._pyio_disown()
            lib.pyio_release(handle)
            self._pyio_reader = self._pyio_writer = self._pyio_streams = None
        streams = (_attach(reader, ("readable",)), _attach(writer, ("writable",)))
        handle = lib.pyio_bufferedrwpair_new(streams[0]._pyio_handle, streams[1]._pyio_handle,
                                             size)
        if not handle:
            for stream in streams:
                stream._pyio_disown()
            raise error()
        forget_stale()          # the library's raw.tell() may have failed
        self._pyio_handle = handle
        self._pyio_reader, self._pyio_writer = reader, writer
        self._pyio_streams = streams
        self._pyio_check_readall(streams[0])

    @property
    def closed(self):
        # io asks its writer, which asks the raw writer.
        writer = self._pyio_writer
        if writer is None:
            raise ValueError(_UNINITIALIZED)
        return writer.closed

    # What io's BufferedRWPair does not have: BufferedIOBase's and IOBase's.
    seek = IOBase.seek
    tell = IOBase.tell
    truncate = IOBase.truncate
    fileno = IOBase.fileno
    seekable = IOBase.seekable
    detach = BufferedIOBase.detach


for _cls in (BufferedReader, BufferedWriter, BufferedRandom, BufferedRWPair):
    _cls.__module__ = "libpyio"
