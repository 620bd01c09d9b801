"""Loading libpyio.so and declaring the C API (include/pyio/pyio.h) to ctypes.

Where the library comes from, first match wins:
  1. the path in the environment variable LIBPYIO;
  2. the repository's build trees, <repo>/build*/libpyio.so.0 ("build"
     first), skipping sanitizer builds, which only load into a process that
     preloads the sanitizer runtime;
  3. the system loader: ctypes.util.find_library("pyio"), then "libpyio.so.0".
"""

import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int64,
                    c_size_t, c_uint, c_uint32, c_uint64, c_void_p)

# ---- constants of pyio.h --------------------------------------------------

PYIO_NONE = -(2 ** 63)          # INT64_MIN: Python's None for an int64_t argument
PYIO_WOULD_BLOCK = -2
DEFAULT_BUFFER_SIZE = 131072    # PYIO_DEFAULT_BUFFER_SIZE
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2

INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1

# pyio_errkind
ERR_NONE = 0
ERR_OS = 1
ERR_BLOCKING_IO = 2
ERR_UNSUPPORTED_OPERATION = 3
ERR_VALUE = 4
ERR_UNICODE_DECODE = 5
ERR_UNICODE_ENCODE = 6
ERR_LOOKUP = 7
ERR_TYPE = 8
ERR_ATTRIBUTE = 9
ERR_RUNTIME = 10
ERR_MEMORY = 11
ERR_BUFFER = 12
ERR_OVERFLOW = 13
ERR_UNICODE = 14

# pyio_class
CLASS_IOBASE = 0
CLASS_RAWIOBASE = 1
CLASS_BUFFEREDIOBASE = 2
CLASS_TEXTIOBASE = 3
CLASS_FILEIO = 4
CLASS_BYTESIO = 5
CLASS_CALLBACKRAWIO = 6
CLASS_BUFFEREDREADER = 7
CLASS_BUFFEREDWRITER = 8
CLASS_BUFFEREDRANDOM = 9
CLASS_BUFFEREDRWPAIR = 10
CLASS_SOCKETIO = 11
CLASS_TEXTIOWRAPPER = 12
CLASS_STRINGIO = 13

# pyio_text_newlines bits
NEWLINE_LF, NEWLINE_CR, NEWLINE_CRLF = 1, 2, 4


class pyio_slice(Structure):
    _fields_ = [("data", c_void_p), ("size", c_int64)]


class pyio_text_cookie(Structure):
    _fields_ = [("start_pos", c_int64), ("dec_flags", c_uint32), ("bytes_to_feed", c_uint32),
                ("chars_to_skip", c_uint32), ("need_eof", c_uint32)]


# The callback signatures of pyio_rawio_callbacks and pyio_opener.
READINTO_FN = CFUNCTYPE(c_int64, c_void_p, c_void_p, c_int64)
WRITE_FN = CFUNCTYPE(c_int64, c_void_p, c_void_p, c_int64)
SEEK_FN = CFUNCTYPE(c_int64, c_void_p, c_int64, c_int)
TELL_FN = CFUNCTYPE(c_int64, c_void_p)
TRUNCATE_FN = CFUNCTYPE(c_int64, c_void_p, c_int64)
INT_FN = CFUNCTYPE(c_int, c_void_p)
DESTROY_FN = CFUNCTYPE(None, c_void_p)
OPENER_FN = CFUNCTYPE(c_int, c_char_p, c_int, c_void_p)


class pyio_rawio_callbacks(Structure):
    _fields_ = [
        ("struct_size", c_size_t),
        ("readinto", READINTO_FN),
        ("write", WRITE_FN),
        ("seek", SEEK_FN),
        ("tell", TELL_FN),
        ("truncate", TRUNCATE_FN),
        ("flush", INT_FN),
        ("close", INT_FN),
        ("readable", INT_FN),
        ("writable", INT_FN),
        ("seekable", INT_FN),
        ("isatty", INT_FN),
        ("fileno", INT_FN),
        ("destroy", DESTROY_FN),
        ("closed", INT_FN),
    ]


# ---- finding the library ---------------------------------------------------

_SONAME = "libpyio.so.0"


def _is_sanitized(build_dir, library):
    cache = os.path.join(build_dir, "CMakeCache.txt")
    try:
        with open(cache, "rb") as f:
            if b"PYIO_SANITIZE:BOOL=ON" in f.read():
                return True
    except OSError:
        pass
    # No cache to ask (a copied tree): look for the ASan runtime's entry point.
    try:
        with open(library, "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return True


def _build_tree_candidates():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    try:
        names = sorted(n for n in os.listdir(repo) if n.startswith("build"))
    except OSError:
        return []
    if "build" in names:
        names.remove("build")
        names.insert(0, "build")
    found = []
    for name in names:
        build_dir = os.path.join(repo, name)
        library = os.path.join(build_dir, _SONAME)
        if os.path.isfile(library) and not _is_sanitized(build_dir, library):
            found.append(library)
    return found


def _load():
    explicit = os.environ.get("LIBPYIO")
    if explicit:
        try:
            return ctypes.CDLL(explicit)
        except OSError as exc:
            raise ImportError(f"cannot load libpyio from LIBPYIO={explicit!r}: {exc}") from None
    tried = []
    system = ctypes.util.find_library("pyio")
    for candidate in _build_tree_candidates() + [system, _SONAME]:
        if not candidate or candidate in tried:
            continue
        tried.append(candidate)
        try:
            return ctypes.CDLL(candidate)
        except OSError:
            continue
    raise ImportError("cannot find libpyio: set LIBPYIO to the path of libpyio.so, or build "
                      "the repository into build/ (tried: " + ", ".join(tried) + ")")


lib = _load()


# ---- prototypes -----------------------------------------------------------

def _declare(name, restype, *argtypes):
    try:
        function = getattr(lib, name)
    except AttributeError:
        raise ImportError(f"{lib._name} has no {name}: it is older than this binding") from None
    function.restype = restype
    function.argtypes = argtypes


_OUT = POINTER(c_void_p)
_H = c_void_p

for _name, _restype, _argtypes in [
    ("pyio_version_number", c_uint, ()),
    ("pyio_version_string", c_char_p, ()),
    ("pyio_error_kind", c_int, ()),
    ("pyio_error_kind_name", c_char_p, (c_int,)),
    ("pyio_error_matches", c_int, (c_int,)),
    ("pyio_error_message", c_char_p, ()),
    ("pyio_error_errno", c_int, ()),
    ("pyio_error_filename", c_char_p, ()),
    ("pyio_error_characters_written", c_int64, ()),
    ("pyio_error_encoding", c_char_p, ()),
    ("pyio_error_start", c_int64, ()),
    ("pyio_error_end", c_int64, ()),
    ("pyio_error_reason", c_char_p, ()),
    ("pyio_error_clear", None, ()),
    ("pyio_error_set", c_int, (c_int, c_char_p)),
    ("pyio_error_set_oserror", c_int, (c_int, c_char_p)),
    ("pyio_retain", c_void_p, (_H,)),
    ("pyio_release", None, (_H,)),
    ("pyio_free", None, (c_void_p,)),
    ("pyio_isinstance", c_int, (_H, c_int)),
    ("pyio_class_name", c_char_p, (_H,)),
    ("pyio_close", c_int, (_H,)),
    ("pyio_closed", c_int, (_H,)),
    ("pyio_flush", c_int, (_H,)),
    ("pyio_readable", c_int, (_H,)),
    ("pyio_writable", c_int, (_H,)),
    ("pyio_seekable", c_int, (_H,)),
    ("pyio_isatty", c_int, (_H,)),
    ("pyio_fileno", c_int, (_H,)),
    ("pyio_seek", c_int64, (_H, c_int64, c_int)),
    ("pyio_tell", c_int64, (_H,)),
    ("pyio_truncate", c_int64, (_H, c_int64)),
    ("pyio_readline", c_int64, (_H, c_int64, _OUT)),
    ("pyio_readlines", c_int64, (_H, c_int64, POINTER(POINTER(pyio_slice)))),
    ("pyio_writelines", c_int, (_H, POINTER(pyio_slice), c_int64)),
    ("pyio_read", c_int64, (_H, c_int64, _OUT)),
    ("pyio_readall", c_int64, (_H, _OUT)),
    ("pyio_read1", c_int64, (_H, c_int64, _OUT)),
    ("pyio_readinto", c_int64, (_H, c_void_p, c_int64)),
    ("pyio_readinto1", c_int64, (_H, c_void_p, c_int64)),
    ("pyio_write", c_int64, (_H, c_void_p, c_int64)),
    ("pyio_detach", c_void_p, (_H,)),
    ("pyio_name", c_int, (_H, POINTER(c_char_p), POINTER(c_int64))),
    ("pyio_mode", c_char_p, (_H,)),
    ("pyio_closefd", c_int, (_H,)),
    # The opener as an address, so that None can stand for NULL.
    ("pyio_fileio_open", c_void_p, (c_char_p, c_char_p, c_int, c_void_p, c_void_p)),
    ("pyio_fileio_fdopen", c_void_p, (c_int, c_char_p, c_int)),
    ("pyio_bytesio_new", c_void_p, (c_void_p, c_int64)),
    ("pyio_getvalue", c_int64, (_H, _OUT)),
    ("pyio_getbuffer", c_int64, (_H, _OUT)),
    ("pyio_releasebuffer", c_int, (_H,)),
    ("pyio_rawio_new", c_void_p, (POINTER(pyio_rawio_callbacks), c_void_p, c_char_p)),
    ("pyio_socketio_new", c_void_p, (c_int, c_char_p, c_int)),
    ("pyio_peek", c_int64, (_H, c_int64, _OUT)),
    ("pyio_peek_view", c_int64, (_H, POINTER(c_void_p))),
    ("pyio_bufferedreader_new", c_void_p, (_H, c_int64)),
    ("pyio_bufferedwriter_new", c_void_p, (_H, c_int64)),
    ("pyio_bufferedrandom_new", c_void_p, (_H, c_int64)),
    ("pyio_bufferedrwpair_new", c_void_p, (_H, _H, c_int64)),
    ("pyio_raw", c_void_p, (_H,)),
    ("pyio_buffer_size", c_int64, (_H,)),
    ("pyio_open", c_void_p, (c_char_p, c_char_p, c_int64, c_char_p, c_char_p, c_char_p, c_int,
                             c_void_p, c_void_p)),
    ("pyio_open_fd", c_void_p, (c_int, c_char_p, c_int64, c_char_p, c_char_p, c_char_p, c_int)),
    # The text layer: text is generalized UTF-8 with byte lengths.
    ("pyio_next", c_int64, (_H, _OUT)),
    ("pyio_textiowrapper_new", c_void_p, (_H, c_char_p, c_char_p, c_char_p, c_int, c_int)),
    ("pyio_stringio_new", c_void_p, (c_void_p, c_int64, c_char_p)),
    ("pyio_text_tell", c_int, (_H, POINTER(pyio_text_cookie))),
    ("pyio_text_seek", c_int, (_H, POINTER(pyio_text_cookie), c_int, POINTER(pyio_text_cookie))),
    ("pyio_text_encoding", c_int, (_H, POINTER(c_char_p))),
    ("pyio_text_errors", c_int, (_H, POINTER(c_char_p))),
    ("pyio_text_newlines", c_int, (_H,)),
    ("pyio_text_line_buffering", c_int, (_H,)),
    ("pyio_text_write_through", c_int, (_H,)),
    ("pyio_text_buffer", c_void_p, (_H,)),
    ("pyio_text_chunk_size", c_int64, (_H,)),
    ("pyio_text_set_chunk_size", c_int, (_H, c_int64)),
    ("pyio_text_reconfigure", c_int, (_H, c_char_p, c_char_p, c_int, c_char_p, c_int, c_int)),
    ("pyio_newline_decoder_new", c_void_p, (c_char_p, c_char_p, c_int)),
    ("pyio_newline_decoder_free", None, (c_void_p,)),
    ("pyio_newline_decoder_decode", c_int64, (c_void_p, c_void_p, c_int64, c_int, _OUT)),
    ("pyio_newline_decoder_getstate", c_int, (c_void_p, _OUT, POINTER(c_int64),
                                              POINTER(c_uint64))),
    ("pyio_newline_decoder_setstate", c_int, (c_void_p, c_void_p, c_int64, c_uint64)),
    ("pyio_newline_decoder_reset", c_int, (c_void_p,)),
    ("pyio_newline_decoder_newlines", c_int, (c_void_p,)),
]:
    _declare(_name, _restype, *_argtypes)

VERSION = lib.pyio_version_string().decode("ascii")
PATH = lib._name
