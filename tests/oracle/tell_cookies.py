"""TextIOWrapper.tell() cookies, value for value, against CPython's io.

tell() cookies are opaque, but a program may store them (in an index file,
say) and expect the ones Python wrote to mean the same thing: libpyio
computes them with CPython's algorithm, and takes shortcuts where it can
prove the result is the same (tell() after readline() with UTF-8 is O(1)).
This test holds those shortcuts to that: random texts, encodings, error
handlers, newline modes, chunk sizes and reads; after every read, the cookie
from libpyio (through the C API, with ctypes) must equal io's, and seeking
to it must give back the same rest of the text.

    python3 tell_cookies.py /path/to/libpyio.so [cases [seed]]
"""

import ctypes
import io
import random
import sys
from ctypes import POINTER, Structure, c_char_p, c_int, c_int64, c_uint32, c_void_p


class Cookie(Structure):
    _fields_ = [("start_pos", c_int64), ("dec_flags", c_uint32), ("bytes_to_feed", c_uint32),
                ("chars_to_skip", c_uint32), ("need_eof", c_uint32)]

    def packed(self):
        return (self.start_pos | self.dec_flags << 64 | self.bytes_to_feed << 96
                | self.chars_to_skip << 128 | self.need_eof << 160)


def load(path):
    lib = ctypes.CDLL(path)
    lib.pyio_bytesio_new.restype = c_void_p
    lib.pyio_bytesio_new.argtypes = [c_char_p, c_int64]
    lib.pyio_textiowrapper_new.restype = c_void_p
    lib.pyio_textiowrapper_new.argtypes = [c_void_p, c_char_p, c_char_p, c_char_p, c_int, c_int]
    lib.pyio_release.argtypes = [c_void_p]
    lib.pyio_free.argtypes = [c_void_p]
    lib.pyio_error_message.restype = c_char_p
    for name in ("pyio_read", "pyio_readline"):
        getattr(lib, name).restype = c_int64
        getattr(lib, name).argtypes = [c_void_p, c_int64, POINTER(c_void_p)]
    lib.pyio_text_tell.argtypes = [c_void_p, POINTER(Cookie)]
    lib.pyio_text_seek.argtypes = [c_void_p, POINTER(Cookie), c_int, POINTER(Cookie)]
    lib.pyio_text_set_chunk_size.argtypes = [c_void_p, c_int64]
    return lib


class Pyio:
    """The same operations as io.TextIOWrapper, on libpyio's."""

    def __init__(self, lib, data, encoding, errors, newline, chunk):
        self.lib = lib
        raw = lib.pyio_bytesio_new(data, len(data))
        self.t = lib.pyio_textiowrapper_new(raw, encoding.encode(), errors.encode(),
                                            None if newline is None else newline.encode(), 0, 0)
        lib.pyio_release(raw)
        if not self.t:
            raise RuntimeError(lib.pyio_error_message().decode())
        lib.pyio_text_set_chunk_size(self.t, chunk)

    def close(self):
        self.lib.pyio_release(self.t)

    def _text(self, fn, n):
        out = c_void_p()
        length = fn(self.t, n, ctypes.byref(out))
        if length < 0:
            raise RuntimeError(self.lib.pyio_error_message().decode())
        text = ctypes.string_at(out, length).decode("utf-8", "surrogatepass")
        self.lib.pyio_free(out)
        return text

    def read(self, n):
        return self._text(self.lib.pyio_read, n)

    def readline(self, n):
        return self._text(self.lib.pyio_readline, n)

    def tell(self):
        c = Cookie()
        if self.lib.pyio_text_tell(self.t, ctypes.byref(c)):
            raise RuntimeError(self.lib.pyio_error_message().decode())
        return c.packed()

    def seek(self, packed):
        mask = (1 << 32) - 1
        c = Cookie(packed & ((1 << 64) - 1), packed >> 64 & mask, packed >> 96 & mask,
                   packed >> 128 & mask, packed >> 160 & mask)
        if self.lib.pyio_text_seek(self.t, ctypes.byref(c), 0, None):
            raise RuntimeError(self.lib.pyio_error_message().decode())


PIECES = ["a", "line", " ", "é", "Жук", "日本語", "😀", "\n", "\r\n", "\r", "\r\r\n", "x" * 40]
CASES = [  # encoding, errors, what the content may hold besides text
    ("utf-8", "strict", b""), ("utf-8", "surrogateescape", b"\xff\xe2\x82"),
    ("utf-8", "replace", b"\x80\xf0\x9f"), ("utf-8", "ignore", b"\xc3"),
    ("utf-8", "surrogatepass", b"\xed\xa0\x80"), ("utf8", "strict", b""),
    ("utf-8-sig", "strict", b""), ("latin-1", "strict", b""), ("utf-16", "strict", b""),
    ("utf-16-le", "strict", b""), ("shift_jis", "replace", b""), ("cp1252", "replace", b"\x81"),
    ("cp1252", "backslashreplace", b"\x81\x8d"), ("cp1252", "ignore", b"\x81"),
    ("ascii", "ignore", b"\x80\xff"), ("ascii", "surrogateescape", b"\xe9"),
]


def content(rng, encoding, junk):
    text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 120)))
    data = text.encode(encoding, "replace")
    if junk:
        for _ in range(rng.randrange(0, 4)):
            at = rng.randrange(0, len(data) + 1)
            data = data[:at] + junk[:rng.randrange(1, len(junk) + 1)] + data[at:]
    return data


def outcome(fn, *args):
    try:
        return fn(*args)
    except (UnicodeError, RuntimeError) as e:
        return e


def run_case(lib, rng, index):
    encoding, errors, junk = rng.choice(CASES)
    newline = rng.choice([None, "", "\n", "\r", "\r\n"])
    chunk = rng.choice([1, 2, 3, 5, 16, 64, 8192])
    data = content(rng, encoding, junk)
    where = (f"case {index}: {data!r} encoding={encoding} errors={errors} newline={newline!r} "
             f"chunk={chunk}")
    ours = Pyio(lib, data, encoding, errors, newline, chunk)
    theirs = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors=errors, newline=newline)
    theirs._CHUNK_SIZE = chunk
    cookies = []
    try:
        for step in range(rng.randrange(1, 30)):
            op = rng.choice(["readline", "readline", "read"])
            n = rng.choice([-1, -1, 0, 1, 2, 5]) if op == "readline" else rng.choice([0, 1, 2, 7])
            want, got = outcome(getattr(theirs, op), n), outcome(getattr(ours, op), n)
            if isinstance(want, Exception) or isinstance(got, Exception):
                # A decoding error: both must fail, and then the position
                # is unspecified (CPython has already taken the chunk).
                if not (isinstance(want, Exception) and isinstance(got, Exception)):
                    return f"{where}: step {step} {op}({n}) gave {got!r}, io {want!r}"
                break
            if got != want:
                return f"{where}: step {step} {op}({n}) gave {got!r}, io {want!r}"
            want, got = theirs.tell(), ours.tell()
            if got != want:
                return f"{where}: step {step} tell() after {op}({n}) gave {got:#x}, io {want:#x}"
            cookies.append(want)
        for cookie in cookies:
            theirs.seek(cookie)
            ours.seek(cookie)
            want, got = outcome(theirs.read), outcome(ours.read, -1)
            if isinstance(want, Exception) and isinstance(got, Exception):
                continue
            if got != want:
                return f"{where}: read() after seek({cookie:#x}) gave {got!r}, io {want!r}"
    finally:
        ours.close()
    return None


def main():
    lib = load(sys.argv[1])
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261206)
    failures = [f for f in (run_case(lib, rng, i) for i in range(cases)) if f]
    for failure in failures[:10]:
        print(failure)
    print(f"{cases - len(failures)}/{cases} cases agree with io")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
