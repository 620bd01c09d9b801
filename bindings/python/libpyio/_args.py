"""Arguments as io takes them: integers, optional sizes and buffers.

Each converter raises what CPython's argument parsing raises for the same
parameter of the same io method, message included.
"""

import ctypes
import operator
from ctypes import POINTER, Structure, c_int, c_ssize_t, c_void_p, py_object

from ._lib import INT64_MAX, INT64_MIN, INT_MAX, INT_MIN, lib


def type_name(value):
    """How CPython's argument errors name the type of a bad argument."""
    return "None" if value is None else type(value).__name__


# ---- integers -------------------------------------------------------------

def optional_size(value, none=-1):
    """A size that may be None (`none` is then returned) or anything with
    __index__, as io's read(size), readline(size), truncate(size) take it."""
    if value is None:
        return none
    if type(value) is not int:
        if not hasattr(type(value), "__index__"):
            raise TypeError(f"argument should be integer or None, not '{type(value).__name__}'")
        value = operator.index(value)
    if not INT64_MIN <= value <= INT64_MAX:
        raise OverflowError("cannot fit 'int' into an index-sized integer")
    return value


def _integer(value, low, high, c_type):
    if type(value) is not int:
        value = operator.index(value)   # TypeError "'str' object cannot be interpreted ..."
    if not low <= value <= high:
        raise OverflowError(f"Python int too large to convert to C {c_type}")
    return value


def c_long(value):
    return _integer(value, INT64_MIN, INT64_MAX, "long")


def c_ssize(value):
    return _integer(value, INT64_MIN, INT64_MAX, "ssize_t")


def c_int_(value):
    return _integer(value, INT_MIN, INT_MAX, "int")


def hint_int(value):
    """BytesIO.readlines' hint: an int proper or None, nothing else."""
    if value is None:
        return -1
    if not isinstance(value, int):
        raise TypeError(f"integer argument expected, got '{type(value).__name__}'")
    return c_ssize(value)


# ---- text -----------------------------------------------------------------

def text_or_none(value, function, name):
    """A str-or-None argument, or io's TypeError naming it."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{function}() argument '{name}' must be str or None, "
                        f"not {type_name(value)}")
    return value


def optional_text(value, function, name):
    """An encoding/errors/newline argument as io's functions take it: str or
    None, no NUL; as the C API's UTF-8 (None is NULL)."""
    if text_or_none(value, function, name) is None:
        return None
    if "\0" in value:
        raise ValueError("embedded null character")
    return utf8(value)


def utf8(text):
    """A str as the C API's text: generalized UTF-8, lone surrogates kept."""
    return text.encode("utf-8", "surrogatepass")


def take_text(out, n):
    """The str of a `char **out` text result (n >= 0), freeing the C copy."""
    return take_bytes(out, n).decode("utf-8", "surrogatepass")


# ---- buffers --------------------------------------------------------------

class Py_buffer(Structure):
    _fields_ = [
        ("buf", c_void_p), ("obj", c_void_p), ("len", c_ssize_t), ("itemsize", c_ssize_t),
        ("readonly", c_int), ("ndim", c_int), ("format", c_void_p), ("shape", c_void_p),
        ("strides", c_void_p), ("suboffsets", c_void_p), ("internal", c_void_p),
    ]


_PyBUF_SIMPLE = 0
_PyBUF_WRITABLE = 0x0001
_PyBUF_READ = 0x100
_PyBUF_WRITE = 0x200

_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.restype = c_int
_get_buffer.argtypes = (py_object, POINTER(Py_buffer), c_int)
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.restype = None
_release_buffer.argtypes = (POINTER(Py_buffer),)
_memory_view = ctypes.pythonapi.PyMemoryView_FromMemory
_memory_view.restype = py_object
_memory_view.argtypes = (c_void_p, c_ssize_t, c_int)


def read_buffer(data):
    """A contiguous read-only view of a bytes-like object, as io's "y*"
    arguments take it (a str is "a bytes-like object is required, not 'str'").
    Release it with release()."""
    view = Py_buffer()
    _get_buffer(data, view, _PyBUF_SIMPLE)
    return view


def write_buffer(data, method, argument="argument"):
    """A contiguous writable view, as io's "w*" arguments (readinto) take it;
    `argument` names it in the message ("argument 1" for socket's)."""
    view = Py_buffer()
    try:
        _get_buffer(data, view, _PyBUF_WRITABLE)
    except (TypeError, BufferError):
        raise TypeError(f"{method}() {argument} must be read-write bytes-like object, "
                        f"not {type_name(data)}") from None
    return view


def release(view):
    _release_buffer(view)


def writable_bytes_view(data, method):
    """A writable memoryview of bytes over `data`, for the readinto of the
    pure-Python classes; the same errors as write_buffer."""
    try:
        view = memoryview(data)
    except TypeError:
        view = None
    if view is None or view.readonly or not view.c_contiguous:
        raise TypeError(f"{method}() argument must be read-write bytes-like object, "
                        f"not {type_name(data)}")
    return view.cast("B")


def memory(address, size, writable):
    """A memoryview over C memory the library lends for the duration of a
    callback; the caller releases it when the callback returns."""
    return _memory_view(address, size, _PyBUF_WRITE if writable else _PyBUF_READ)


# ---- results --------------------------------------------------------------

def take_bytes(out, n):
    """The bytes of a `char **out` result (n >= 0), freeing the C copy."""
    try:
        return ctypes.string_at(out.value, n) if n else b""
    finally:
        lib.pyio_free(out)
