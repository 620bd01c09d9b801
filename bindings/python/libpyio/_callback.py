"""Python raw streams as library streams: pyio_rawio_new with ctypes callbacks.

_raw_handle(obj) gives the library a pyio_stream for any object with the raw
interface (readinto, write, seek, ...): a libpyio.RawIOBase subclass, a
BytesIO subclass with its own methods, a duck-typed object.  The library
calls back into the object; the layers built on raw streams use this to wrap
Python raw objects, as io's buffered classes wrap any raw object.

The fourteen callbacks are created once and shared by every stream.  A
stream's C context is the address of a _Context holding the object.  While
the Python wrapper (_RawHandle) lives, it alone keeps the context alive, as
an ordinary attribute, so that a cycle through the object (an exception it
keeps whose traceback holds the wrapper, say) is one the garbage collector
can see and free.  When the wrapper goes and the library may still use the
stream, the context passes to the library: it takes a reference, which the
destroy callback drops.  A callback that raises reports through
_errors.record_failure, so that the library call fails and the caller
receives the very exception the object raised.
"""

import ctypes
import operator
import os

from ._args import c_ssize, memory
from ._errors import enter_callback, error, leave_callback, record_failure
from ._handle import _RawHandleStream
from ._iobase import RawIOBase
from ._lib import (DESTROY_FN, INT64_MAX, INT_FN, INT_MAX, PYIO_WOULD_BLOCK, READINTO_FN,
                   SEEK_FN, TELL_FN, TRUNCATE_FN, WRITE_FN, lib, pyio_rawio_callbacks)

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = (ctypes.py_object,)
_incref.restype = None
_decref = ctypes.pythonapi.Py_DecRef
_decref.argtypes = (ctypes.py_object,)
_decref.restype = None


class _Context:
    """What a callback stream's C context points to.  `disowned`: the
    object is no longer the stream's to flush or close (a buffered object
    detached from it, or failed to wrap it); the library's close of the
    stream then leaves the object alone."""

    __slots__ = ("raw", "held_by_library", "disowned")

    def __init__(self, raw):
        self.raw = raw
        self.held_by_library = False
        self.disowned = False


def _context(key):
    return ctypes.cast(key, ctypes.py_object).value


def _target(key):
    """The Python object behind a callback's context."""
    return ctypes.cast(key, ctypes.py_object).value.raw


def _hand_to_library(context):
    """The wrapper is going: from now on the library's stream keeps the
    context alive, until destroy."""
    if not context.held_by_library:
        context.held_by_library = True
        _incref(context)


def _count(n, size, method):
    """A readinto/write result as the library takes it: None is "would
    block"; anything outside [0, size] is io's buffered layer's OSError."""
    if n is None:
        return PYIO_WOULD_BLOCK
    n = operator.index(n)
    if not 0 <= n <= size:
        raise OSError(f"raw {method}() returned invalid length {n} "
                      f"(should have been between 0 and {size})")
    return n


def _position(n):
    n = operator.index(n)
    if not 0 <= n <= INT64_MAX:
        raise OSError(f"Raw stream returned invalid position {n}")
    return n


def _callback(body, _enter=enter_callback, _leave=leave_callback, _fail=record_failure):
    """A callback around body: an exception becomes the failure the library
    reports (-1), stashed for the caller (see _errors)."""
    def call(*args):
        try:
            _enter()
        except BaseException:
            return -1
        try:
            return body(*args)
        except BaseException as exc:
            return _fail(exc)
        finally:
            _leave()
    return call


def _readinto(key, buffer, size):
    view = memory(buffer, size, writable=True) if size else memoryview(bytearray())
    try:
        n = _target(key).readinto(view)
    finally:
        _end(view)
    return _count(n, size, "readinto")


def _write(key, data, size):
    view = memory(data, size, writable=False) if size else memoryview(b"")
    try:
        n = _target(key).write(view)
    finally:
        _end(view)
    return _count(n, size, "write")


def _end(view):
    # The memory is the library's and lent for this call only.  A view the
    # object derived and kept (a slice) outlives this release, as it would
    # with io's buffered classes, which lend their buffer the same way.
    try:
        view.release()
    except BufferError:
        pass


def _seek(key, offset, whence):
    return _position(_target(key).seek(offset, whence))


def _tell(key):
    return _position(_target(key).tell())


def _truncate(key, size):
    result = _target(key).truncate(size)
    return size if result is None else _position(result)


def _status(method):
    def call(key):
        context = _context(key)
        if not context.disowned:
            getattr(context.raw, method)()
        return 0
    return call


def _predicate(method):
    def call(key):
        return 1 if getattr(_target(key), method)() else 0
    return call


def _closed(key):
    # An attribute, not a method: the object's own closed state, so that
    # one closed behind the library's back is closed for it too.
    return 1 if _target(key).closed else 0


def _fileno(key):
    fd = operator.index(_target(key).fileno())
    if not 0 <= fd <= INT_MAX:
        raise ValueError(f"fileno() returned an invalid descriptor {fd}")
    return fd


def _destroy(key, _cast=ctypes.cast, _object=ctypes.py_object, _decref=_decref):
    try:
        context = _cast(key, _object).value
        if context.held_by_library:
            context.held_by_library = False
            _decref(context)
    except BaseException:
        pass


# Field name -> (the object's method it needs, the C callback).
_THUNKS = {
    "readinto": ("readinto", READINTO_FN(_callback(_readinto))),
    "write": ("write", WRITE_FN(_callback(_write))),
    "seek": ("seek", SEEK_FN(_callback(_seek))),
    "tell": ("tell", TELL_FN(_callback(_tell))),
    "truncate": ("truncate", TRUNCATE_FN(_callback(_truncate))),
    "flush": ("flush", INT_FN(_callback(_status("flush")))),
    "close": ("close", INT_FN(_callback(_status("close")))),
    "readable": ("readable", INT_FN(_callback(_predicate("readable")))),
    "writable": ("writable", INT_FN(_callback(_predicate("writable")))),
    "seekable": ("seekable", INT_FN(_callback(_predicate("seekable")))),
    "isatty": ("isatty", INT_FN(_callback(_predicate("isatty")))),
    "fileno": ("fileno", INT_FN(_callback(_fileno))),
}
_DESTROY = DESTROY_FN(_destroy)
_CLOSED = INT_FN(_callback(_closed))

# The library may call these until the last stream is released, which can be
# during interpreter shutdown: they are never freed.
for _thunk in [t for _, t in _THUNKS.values()] + [_DESTROY, _CLOSED]:
    _incref(_thunk)


def _callback_stream(context, name):
    """A new handle on a callback raw stream calling the methods of the
    context's object.  A method the object lacks leaves its callback NULL:
    the library's default (UnsupportedOperation, or false for the
    predicates) applies."""
    callbacks = pyio_rawio_callbacks()
    callbacks.struct_size = ctypes.sizeof(pyio_rawio_callbacks)
    for field, (method, thunk) in _THUNKS.items():
        if callable(getattr(context.raw, method, None)):
            setattr(callbacks, field, thunk)
    if hasattr(context.raw, "closed"):
        # The object keeps its state and its close() is the whole close
        # (it flushes itself): the library asks it and calls close alone.
        callbacks.closed = _CLOSED
    callbacks.destroy = _DESTROY
    handle = lib.pyio_rawio_new(callbacks, id(context), name)
    if not handle:
        raise error()
    return handle


def _library_methods(obj):
    """The object's own library handle, when the object is a library stream
    whose raw methods no subclass replaced: the library can then call it
    directly instead of through Python."""
    handle = getattr(obj, "_pyio_handle", None)
    if handle is None:
        return None
    cls = type(obj)
    for method in ("readinto", "write", "seek", "tell", "truncate", "flush", "close",
                   "readable", "writable", "seekable", "isatty", "fileno", "readall", "read"):
        for klass in cls.__mro__:
            if method in klass.__dict__:
                if not klass.__dict__.get("_pyio_native", False):
                    return None
                break
    return handle


def _name_of(obj):
    name = getattr(obj, "name", None)
    if isinstance(name, (str, bytes, os.PathLike)):
        return os.fsencode(name)
    if isinstance(name, int) and not isinstance(name, bool):
        return str(name).encode("ascii")
    return None


class _RawHandle(_RawHandleStream, RawIOBase):
    """A library raw stream standing for a Python raw object: every method
    is the library's, reaching the object through the callbacks.  `raw` is
    the object; `_pyio_handle` the handle for the library's layers."""

    __slots__ = ()
    _pyio_native = True
    _pyio_context = None

    def read(self, size=-1):
        # io.RawIOBase.read takes an integer only: None is TypeError, and the
        # argument is converted before the stream is asked anything.
        return super().read(c_ssize(size))

    def __init__(self, raw):
        self.raw = raw
        shared = _library_methods(raw)
        if shared is not None:
            self._pyio_handle = lib.pyio_retain(shared)
        else:
            context = _Context(raw)
            self._pyio_handle = _callback_stream(context, _name_of(raw))
            self._pyio_context = context

    def _pyio_disown(self):
        """From now on the library's closing of this stream (when its last
        reference goes) neither flushes nor closes the object: the object
        stays as it is, as io leaves a raw stream it no longer buffers."""
        context = self._pyio_context
        if context is not None:
            context.disowned = True

    def __del__(self, _hand_to_library=_hand_to_library):
        context = self._pyio_context
        if context is not None and self._pyio_handle is not None:
            _hand_to_library(context)
        super().__del__()

    @property
    def name(self):
        path = ctypes.c_char_p()
        fd = ctypes.c_int64()
        kind = lib.pyio_name(self._pyio_handle, ctypes.byref(path), ctypes.byref(fd))
        if kind < 0:
            raise error()
        return fd.value if kind == 1 else os.fsdecode(path.value)

    def __repr__(self):
        return f"<libpyio._RawHandle raw={self.raw!r}>"


def _raw_handle(obj):
    """The library raw stream for `obj` (see the module comment)."""
    return _RawHandle(obj)
