"""BytesIO: io.BytesIO over the library's pyio_bytesio_new."""

import copyreg
import ctypes
import weakref
from ctypes import byref, c_void_p

from ._args import (c_ssize, hint_int, optional_size, read_buffer, release,
                    take_bytes)
from ._errors import error
from ._handle import _HandleStream, type_name
from ._iobase import BufferedIOBase
from ._lib import lib


def _end_view(handle, _releasebuffer=lib.pyio_releasebuffer):
    _releasebuffer(handle)


class BytesIO(_HandleStream, BufferedIOBase):
    """A binary stream in memory, as io.BytesIO."""

    __slots__ = ("_pyio_initialized",)
    _pyio_native = True
    _pyio_offset = staticmethod(c_ssize)

    def __new__(cls, *args, **kwargs):
        # The stream exists from __new__ on, as io's does, so that a subclass
        # skipping __init__ (or unpickling) still has an empty BytesIO.
        self = super().__new__(cls)
        handle = lib.pyio_bytesio_new(None, 0)
        if not handle:
            raise error()
        self._pyio_handle = handle
        self._pyio_initialized = False
        return self

    def __init__(self, initial_bytes=b""):
        self._reset(initial_bytes)

    def _reset(self, initial_bytes):
        handle = self._pyio_handle
        if self._pyio_initialized and lib.pyio_closed(handle) == 1:
            # io's BytesIO.__init__ reopens a closed stream; the library's
            # cannot reopen, so this object moves to a fresh one.  (A closed
            # stream holds no views: close refuses while they exist.)
            fresh = lib.pyio_bytesio_new(None, 0)
            if not fresh:
                raise error()
            self._pyio_handle, handle = fresh, handle
            lib.pyio_release(handle)
            handle = fresh
        elif self._pyio_initialized:
            # __init__ again starts over (BufferError while views exist).
            if lib.pyio_truncate(handle, 0) < 0 or lib.pyio_seek(handle, 0, 0) < 0:
                raise error()
        self._pyio_initialized = True
        if initial_bytes is not None:
            self._write(initial_bytes)
            if lib.pyio_seek(handle, 0, 0) < 0:
                raise error()

    # ---- contents ----

    def getvalue(self):
        return self._pyio_out(lib.pyio_getvalue)

    def getbuffer(self):
        """A writable memoryview of the contents, without copying.  While it
        (or any view made from it) is alive the BytesIO cannot be resized or
        closed: write, truncate and close raise BufferError."""
        handle = self._pyio_handle
        data = c_void_p()
        n = lib.pyio_getbuffer(handle, byref(data))
        if n < 0:
            raise error()
        try:
            # The exporter is an array over the library's storage; the view
            # ends when the last memoryview over it lets it go.  Its type is
            # made afresh so that ctypes' cache of array types does not grow
            # with every size ever seen.
            exporter_type = type("_BytesIOBuffer", (ctypes.Array,),
                                 {"_type_": ctypes.c_ubyte, "_length_": n})
            exporter = exporter_type.from_address(data.value or 0)
            view = memoryview(exporter).cast("B")
        except BaseException:
            lib.pyio_releasebuffer(handle)
            raise
        weakref.finalize(exporter, _end_view, handle)
        return view

    # ---- reading ----

    def read1(self, size=-1):
        out = c_void_p()
        n = lib.pyio_read1(self._pyio_handle, optional_size(size), byref(out))
        if n < 0:
            raise error()
        return take_bytes(out, n)

    def readinto1(self, b):
        return self._readinto(b, "readinto1", lib.pyio_readinto1)

    def readline(self, size=-1):
        return self._readline(optional_size(size))

    def readlines(self, size=None):
        # io's BytesIO checks closed before it looks at the hint.
        try:
            hint = hint_int(size)
        except (TypeError, OverflowError):
            self._check_open()
            raise
        return self._readlines(hint)

    def __iter__(self):
        return self

    def __next__(self):
        # io's BytesIO iterates by itself, whatever a subclass's readline does.
        line = self._readline(-1)
        if not line:
            raise StopIteration
        return line

    # ---- writing ----

    def write(self, b):
        return self._write(b)

    def _write(self, b):
        if type(b) is bytes:
            n = lib.pyio_write(self._pyio_handle, b, len(b))
        else:
            try:
                view = read_buffer(b)
            except (TypeError, BufferError):
                # io's BytesIO checks closed and exports before the data: an
                # empty write checks exactly that and changes nothing.
                if lib.pyio_write(self._pyio_handle, b"", 0) < 0:
                    raise error() from None
                raise
            try:
                n = lib.pyio_write(self._pyio_handle, view.buf, view.len)
            finally:
                release(view)
        if n < 0:
            raise error()
        return n

    def writelines(self, lines):
        # io's BytesIO writes each line itself, whatever a subclass's write does.
        self._checkClosed()
        for line in lines:
            self._write(line)

    # ---- positioning ----

    def truncate(self, size=None):
        return self._truncate(size, optional_size)   # io converts size first here

    def detach(self):
        handle = lib.pyio_detach(self._pyio_handle)
        if not handle:
            raise error()
        lib.pyio_release(handle)   # never reached: a BytesIO has nothing to detach
        raise RuntimeError("BytesIO.detach returned a stream")

    # ---- pickling, as io's BytesIO: (contents, position, __dict__) ----

    def __getstate__(self):
        value = self.getvalue()
        return (value, self.tell(), self.__dict__.copy() if self.__dict__ else None)

    def __setstate__(self, state):
        if not isinstance(state, tuple) or len(state) < 3:
            raise TypeError(f"{type_name(type(self))}.__setstate__ argument should be "
                            f"3-tuple, got {type(state).__name__}")
        value, position, attributes = state[:3]
        if not isinstance(position, int):
            raise TypeError(f"second item of state must be an integer, not "
                            f"{type(position).__name__}")
        if position < 0:
            raise ValueError("position value cannot be negative")
        if attributes is not None and not isinstance(attributes, dict):
            raise TypeError(f"third item of state should be a dict, got a "
                            f"{type(attributes).__name__}")
        self._reset(value)
        if lib.pyio_seek(self._pyio_handle, c_ssize(position), 0) < 0:
            raise error()
        if attributes:
            self.__dict__.update(attributes)

    def __reduce_ex__(self, protocol):
        return (copyreg.__newobj__, (type(self),), self.__getstate__())


BytesIO.__module__ = "libpyio"
