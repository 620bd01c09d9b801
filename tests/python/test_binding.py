"""Tests of the Python binding, bindings/python/libpyio.

Where io has the same class, a test runs the same code against io and
libpyio and expects the same results and the same exceptions (class and
message).  Run with `python3 -m unittest` from this directory or directly;
LIBPYIO names the library (else the build tree is searched).

    python3 test_binding.py --million    # the leak loop with 1,000,000 cycles
"""

import _pyio
import array
import gc
import io
import os
import pathlib
import pickle
import socket
import sys
import tempfile
import threading
import traceback
import unittest
import warnings
import weakref

try:
    import libpyio
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    os.pardir, os.pardir, "bindings", "python"))
    import libpyio

from libpyio import _errors, _lib

MODULES = (io, libpyio)


def outcome(call):
    """What a call did: ("ok", result) or ("raise", class, message).  Two
    differences are ironed out: the library's one deliberate message change
    (FileIO's closed-file message has its full stop, as every other class's)
    and the module in class names ("'_io.BytesIO' object has no ...")."""
    try:
        return ("ok", call())
    except Exception as exc:
        message = str(exc).replace("'_io.", "'")
        if message == "I/O operation on closed file":
            message += "."
        return ("raise", type(exc), message)


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name="file", data=None):
        p = os.path.join(self.dir.name, name)
        if data is not None:
            with open(p, "wb") as f:
                f.write(data)
        return p

    def same(self, make, *steps):
        """Runs make(module) and then each step(stream) on io and libpyio and
        checks the outcomes match; returns libpyio's outcomes."""
        results = {}
        for module in MODULES:
            made = outcome(lambda: make(module))
            seen = [made]
            if made[0] == "ok":
                stream = made[1]
                seen = [("ok", None)] + [outcome(lambda: step(stream)) for step in steps]
                if hasattr(stream, "close"):
                    outcome(stream.close)
            results[module] = seen
        self.assertEqual(results[io], results[libpyio])
        return results[libpyio]


# ---------------------------------------------------------------------------
# The module
# ---------------------------------------------------------------------------

class ModuleTest(unittest.TestCase):
    def test_names_of_existing_layers(self):
        for name in ["IOBase", "RawIOBase", "BufferedIOBase", "TextIOBase", "FileIO",
                     "BytesIO", "BufferedReader", "BufferedWriter", "BufferedRandom",
                     "BufferedRWPair", "open", "UnsupportedOperation", "BlockingIOError",
                     "DEFAULT_BUFFER_SIZE", "SEEK_SET", "SEEK_CUR", "SEEK_END", "StringIO",
                     "TextIOWrapper", "IncrementalNewlineDecoder", "text_encoding"]:
            self.assertTrue(hasattr(libpyio, name), name)
            self.assertIn(name, libpyio.__all__)
            self.assertIn(name, dir(io))
        self.assertEqual(sorted(libpyio.__all__), sorted(set(libpyio.__all__)))

    def test_names_not_in_the_library_are_absent(self):
        for name in ["open_code"]:
            self.assertFalse(hasattr(libpyio, name), name)
            self.assertNotIn(name, libpyio.__all__)

    def test_exceptions_are_ios_own(self):
        self.assertIs(libpyio.UnsupportedOperation, io.UnsupportedOperation)
        self.assertIs(libpyio.BlockingIOError, BlockingIOError)

    def test_constants(self):
        self.assertEqual(libpyio.DEFAULT_BUFFER_SIZE, 131072)
        self.assertEqual((libpyio.SEEK_SET, libpyio.SEEK_CUR, libpyio.SEEK_END), (0, 1, 2))

    def test_library_named_by_LIBPYIO_is_loaded(self):
        if not os.environ.get("LIBPYIO"):
            self.skipTest("LIBPYIO not set")
        self.assertEqual(libpyio._library_path, os.environ["LIBPYIO"])

    def test_bad_LIBPYIO_is_an_ImportError_naming_it(self):
        import subprocess
        env = dict(os.environ, LIBPYIO="/nonexistent/libpyio.so")
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(libpyio.__file__))
        result = subprocess.run([sys.executable, "-c", "import libpyio"], env=env,
                                capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("ImportError: cannot load libpyio from LIBPYIO='/nonexistent/libpyio.so'",
                      result.stderr)

    def test_sanitizer_builds_are_skipped_in_the_build_tree(self):
        with tempfile.TemporaryDirectory() as build:
            library = os.path.join(build, "libpyio.so.0")
            with open(library, "wb") as f:
                f.write(b"\x7fELF plain")
            self.assertFalse(_lib._is_sanitized(build, library))
            with open(os.path.join(build, "CMakeCache.txt"), "w") as f:
                f.write("PYIO_SANITIZE:BOOL=ON\n")
            self.assertTrue(_lib._is_sanitized(build, library))
            os.unlink(os.path.join(build, "CMakeCache.txt"))
            with open(library, "ab") as f:
                f.write(b"...__asan_init...")
            self.assertTrue(_lib._is_sanitized(build, library))

    def test_version_is_the_loaded_librarys(self):
        number = _lib.lib.pyio_version_number()
        self.assertEqual(libpyio.__version__,
                         f"{number // 10000}.{number // 100 % 100}.{number % 100}")

    def test_classes_are_registered_with_ios_abcs(self):
        raw = libpyio.FileIO(os.devnull)
        self.addCleanup(raw.close)
        self.assertIsInstance(raw, io.RawIOBase)
        self.assertIsInstance(raw, io.IOBase)
        self.assertIsInstance(libpyio.BytesIO(), io.BufferedIOBase)

    def test_hierarchy(self):
        self.assertTrue(issubclass(libpyio.FileIO, libpyio.RawIOBase))
        self.assertTrue(issubclass(libpyio.BytesIO, libpyio.BufferedIOBase))
        for cls in (libpyio.RawIOBase, libpyio.BufferedIOBase, libpyio.TextIOBase,
                    libpyio.FileIO, libpyio.BytesIO):
            self.assertTrue(issubclass(cls, libpyio.IOBase), cls)

    def test_reprs_and_module_names(self):
        self.assertEqual(libpyio.FileIO.__module__, "libpyio")
        self.assertTrue(repr(libpyio.BytesIO()).startswith("<libpyio.BytesIO object at "))


# ---------------------------------------------------------------------------
# Error translation
# ---------------------------------------------------------------------------

class ErrorTranslationTest(unittest.TestCase):
    def recorded(self, kind, message):
        _lib.lib.pyio_error_set(kind, message.encode())
        return _errors.error()

    def test_simple_kinds_become_the_builtin_with_the_message(self):
        for kind, cls in [(_lib.ERR_VALUE, ValueError), (_lib.ERR_TYPE, TypeError),
                          (_lib.ERR_ATTRIBUTE, AttributeError),
                          (_lib.ERR_RUNTIME, RuntimeError), (_lib.ERR_MEMORY, MemoryError),
                          (_lib.ERR_BUFFER, BufferError), (_lib.ERR_OVERFLOW, OverflowError),
                          (_lib.ERR_LOOKUP, LookupError), (_lib.ERR_UNICODE, UnicodeError)]:
            exc = self.recorded(kind, "the message")
            self.assertIs(type(exc), cls)
            self.assertEqual(str(exc), "the message")

    def test_unsupported_operation(self):
        exc = self.recorded(_lib.ERR_UNSUPPORTED_OPERATION, "seek")
        self.assertIs(type(exc), io.UnsupportedOperation)
        self.assertEqual(exc.args, ("seek",))

    def test_oserror_with_errno_is_the_errno_subclass_with_filename(self):
        _lib.lib.pyio_error_set_oserror(2, b"some name")
        exc = _errors.error()
        self.assertIs(type(exc), FileNotFoundError)
        self.assertEqual((exc.errno, exc.strerror, exc.filename),
                         (2, os.strerror(2), "some name"))
        self.assertEqual(str(exc), str(FileNotFoundError(2, os.strerror(2), "some name")))

    def test_oserror_without_filename(self):
        _lib.lib.pyio_error_set_oserror(21, None)
        exc = _errors.error()
        self.assertIs(type(exc), IsADirectoryError)
        self.assertIsNone(exc.filename)
        self.assertEqual(str(exc), f"[Errno 21] {os.strerror(21)}")

    def test_undecodable_filename_round_trips(self):
        _lib.lib.pyio_error_set_oserror(13, b"caf\xe9")
        exc = _errors.error()
        self.assertIs(type(exc), PermissionError)
        self.assertEqual(exc.filename, os.fsdecode(b"caf\xe9"))

    def test_oserror_without_errno_keeps_the_message(self):
        exc = self.recorded(_lib.ERR_OS, "raw readinto() returned invalid length 5")
        self.assertIs(type(exc), OSError)
        self.assertIsNone(exc.errno)
        self.assertEqual(str(exc), "raw readinto() returned invalid length 5")

    def test_blocking_io_error(self):
        exc = self.recorded(_lib.ERR_BLOCKING_IO, "would block")
        self.assertIs(type(exc), BlockingIOError)

    def test_unicode_errors_best_effort(self):
        exc = self.recorded(_lib.ERR_UNICODE_DECODE, "invalid start byte")
        self.assertIs(type(exc), UnicodeDecodeError)
        self.assertEqual(exc.object, b"")
        exc = self.recorded(_lib.ERR_UNICODE_ENCODE, "ordinal not in range")
        self.assertIs(type(exc), UnicodeEncodeError)
        self.assertEqual(exc.object, "")

    def test_a_real_failure_is_read_from_the_record(self):
        b = libpyio.BytesIO()
        self.assertIsNone(_lib.lib.pyio_mode(b._pyio_handle))
        exc = _errors.error()
        self.assertIs(type(exc), AttributeError)
        self.assertEqual(str(exc), "'BytesIO' object has no attribute 'mode'")


# ---------------------------------------------------------------------------
# FileIO
# ---------------------------------------------------------------------------

class FileIOTest(Case):
    def test_write_then_read_back(self):
        p = self.path()
        with libpyio.FileIO(p, "w") as f:
            self.assertEqual(f.write(b"hello\nworld\n"), 12)
        with libpyio.FileIO(p) as f:
            self.assertEqual(f.read(5), b"hello")
            self.assertEqual(f.read(), b"\nworld\n")
            self.assertEqual(f.read(), b"")

    def test_same_as_io_for_a_session(self):
        self.same(lambda m: m.FileIO(self.path(data=b"line one\nline two\nthree"), "r+"),
                  lambda f: f.read(4), lambda f: f.readline(), lambda f: f.tell(),
                  lambda f: f.seek(0), lambda f: f.readlines(), lambda f: f.seek(-3, 2),
                  lambda f: f.readall(), lambda f: f.seek(0), lambda f: list(f),
                  lambda f: f.seek(2), lambda f: f.write(b"NE"), lambda f: f.truncate(),
                  lambda f: f.seek(0, 2), lambda f: f.truncate(3), lambda f: f.tell(),
                  lambda f: f.seek(0), lambda f: f.readall(), lambda f: f.readable(),
                  lambda f: f.writable(), lambda f: f.seekable(), lambda f: f.isatty(),
                  lambda f: f.mode, lambda f: f.closefd, lambda f: f.closed,
                  lambda f: f.readline(None), lambda f: f.readline(-5),
                  lambda f: f.readlines(None), lambda f: f.flush())

    def test_readinto_and_return_types(self):
        p = self.path(data=b"0123456789")
        with libpyio.FileIO(p) as f:
            buf = bytearray(4)
            self.assertEqual(f.readinto(buf), 4)
            self.assertEqual(buf, b"0123")
            self.assertEqual(f.readinto(memoryview(buf)[1:3]), 2)
            self.assertEqual(buf, b"0453")
            a = array.array("b", [0, 0, 0])
            self.assertEqual(f.readinto(a), 3)
            self.assertEqual(a.tobytes(), b"678")
            self.assertEqual(f.readinto(bytearray(10)), 1)
            self.assertEqual(f.readinto(bytearray(10)), 0)
            self.assertIsInstance(f.read(1), bytes)

    def test_modes(self):
        p = self.path()
        for mode in ["w", "wb", "w+", "r", "rb+", "a", "a+", "r+b"]:
            self.same(lambda m: m.FileIO(p, mode), lambda f: f.mode, lambda f: f.tell(),
                      lambda f: f.readable(), lambda f: f.writable())
        for mode in ["x", "xb+"]:
            self.same(lambda m: (os.unlink(p) if os.path.exists(p) else None,
                                 m.FileIO(p, mode))[1], lambda f: f.mode)

    def test_append_mode_writes_at_the_end(self):
        p = self.path(data=b"abc")
        with libpyio.FileIO(p, "a") as f:
            self.assertEqual(f.tell(), 3)
            f.write(b"def")
        with libpyio.FileIO(p) as f:
            self.assertEqual(f.read(), b"abcdef")

    def test_bad_modes_and_arguments(self):
        p = self.path(data=b"")
        for args, kwargs in [((p, "rw"), {}), ((p, "z"), {}), ((p, ""), {}),
                             ((p, "r++"), {}), ((p, b"r"), {}), ((p, None), {}),
                             ((p, "r\0"), {}), ((p, "r", "x"), {}), ((p, "r", 1.0), {}),
                             ((p, "r", 2 ** 40), {}), ((p, "r", False), {}),
                             ((p + "\0",), {}), ((None,), {}), ((1.5,), {}),
                             ((2 ** 40,), {}), ((-1,), {}), ((-2 ** 40,), {}),
                             ((p,), {"opener": lambda n, fl: "x"}),
                             ((p,), {"opener": lambda n, fl: -1}),
                             ((p,), {"opener": lambda n, fl: 2 ** 40})]:
            with self.subTest(args=args, kwargs=kwargs):
                self.same(lambda m: m.FileIO(*args, **kwargs))

    def test_wrong_arguments_are_TypeError(self):
        # The messages are Python's own for a function, not argument clinic's.
        for args, kwargs in [((os.devnull,), {"bogus": 1}), ((os.devnull, "r", True, None, 1), {}),
                             ((), {})]:
            with self.assertRaises(TypeError):
                libpyio.FileIO(*args, **kwargs)

    def test_missing_file_is_FileNotFoundError_naming_the_original_object(self):
        missing = os.path.join(self.dir.name, "missing")
        for name in [missing, os.fsencode(missing), pathlib.Path(missing)]:
            with self.subTest(name=name):
                with self.assertRaises(FileNotFoundError) as cm:
                    libpyio.FileIO(name)
                exc = cm.exception
                self.assertEqual(exc.errno, 2)
                self.assertIs(exc.filename, name)
                try:
                    io.FileIO(name)
                except FileNotFoundError as expected:
                    self.assertEqual(str(exc), str(expected))

    def test_directory_is_IsADirectoryError(self):
        with self.assertRaises(IsADirectoryError) as cm:
            libpyio.FileIO(self.dir.name)
        self.assertEqual(cm.exception.filename, self.dir.name)
        fd = os.open(self.dir.name, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        self.same(lambda m: m.FileIO(fd))
        with self.assertRaises(IsADirectoryError) as cm:
            libpyio.FileIO(fd)
        self.assertEqual(cm.exception.filename, fd)

    def test_exclusive_create_of_existing_file(self):
        p = self.path(data=b"")
        with self.assertRaises(FileExistsError) as cm:
            libpyio.FileIO(p, "x")
        self.assertEqual(cm.exception.filename, p)

    def test_permission_denied(self):
        if os.geteuid() == 0:
            self.skipTest("root may open anything")
        p = self.path(data=b"")
        os.chmod(p, 0)
        self.same(lambda m: m.FileIO(p))

    def test_bad_descriptor(self):
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        self.same(lambda m: m.FileIO(r))

    def test_name_is_the_object_passed(self):
        p = self.path(data=b"x")
        for name in [p, os.fsencode(p), pathlib.Path(p)]:
            with libpyio.FileIO(name) as f:
                self.assertIs(f.name, name)
        fd = os.open(p, os.O_RDONLY)
        with libpyio.FileIO(fd) as f:
            self.assertEqual(f.name, fd)
            self.assertEqual(f.fileno(), fd)
        f = libpyio.FileIO(p)
        f.name = "renamed"
        self.assertEqual(f.name, "renamed")
        f.close()
        self.assertEqual(f.name, "renamed")

    def test_read_only_attributes(self):
        f = libpyio.FileIO(os.devnull)
        self.addCleanup(f.close)
        for attribute in ["mode", "closefd", "closed"]:
            with self.assertRaises(AttributeError):
                setattr(f, attribute, 1)

    def test_descriptor_with_closefd(self):
        p = self.path(data=b"abc")
        fd = os.open(p, os.O_RDONLY)
        f = libpyio.FileIO(fd, closefd=False)
        self.assertFalse(f.closefd)
        f.close()
        self.assertEqual(os.read(fd, 3), b"abc")    # still open
        f = libpyio.FileIO(fd)
        f.close()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_opener_gets_the_original_name_and_flags(self):
        p = pathlib.Path(self.path(data=b"data"))
        seen = []

        def opener(name, flags):
            seen.append((name, flags))
            return os.open(name, flags)

        with libpyio.FileIO(p, opener=opener) as f:
            self.assertEqual(f.read(), b"data")
        with io.FileIO(p, opener=opener):
            pass
        self.assertIs(seen[0][0], p)
        self.assertEqual(seen[0], seen[1])

    def test_opener_exception_reaches_the_caller_intact(self):
        boom = KeyError("boom")

        def opener(name, flags):
            raise boom

        try:
            libpyio.FileIO(self.path(), "w", opener=opener)
        except KeyError as exc:
            self.assertIs(exc, boom)
            self.assertEqual(traceback.extract_tb(exc.__traceback__)[-1].name, "opener")
        else:
            self.fail("no exception")

    def test_opener_returning_a_directory_closes_it(self):
        fds = []

        def opener(name, flags):
            fds.append(os.open(self.dir.name, os.O_RDONLY))
            return fds[-1]

        with self.assertRaises(IsADirectoryError):
            libpyio.FileIO(self.path(), opener=opener)
        with self.assertRaises(OSError):
            os.fstat(fds[0])

    def test_bool_is_a_descriptor_as_in_io(self):
        with libpyio.FileIO(False, closefd=False) as f:
            self.assertIs(f.name, False)
            self.assertEqual(f.fileno(), 0)

    def test_reinit_releases_the_previous_file(self):
        p = self.path(data=b"first")
        q = self.path("second", data=b"second")
        f = libpyio.FileIO(p)
        fd = f.fileno()
        f.__init__(q)
        self.assertEqual(f.read(), b"second")
        self.assertEqual(f.name, q)
        f.close()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_size_arguments(self):
        p = self.path(data=b"abc\ndef\n")

        class Index:
            def __index__(self):
                return 2

        for value in [None, -1, -2 ** 63, 0, 2, True, Index(), "x", 1.5, 2 ** 63, 2 ** 70,
                      -2 ** 64, b"1"]:
            with self.subTest(value=value):
                self.same(lambda m: m.FileIO(p), lambda f: f.read(value),
                          lambda f: f.readline(value), lambda f: f.readlines(value))

    def test_seek_and_truncate_arguments(self):
        p = self.path(data=b"abcdef")
        for args in [(1,), (1, 0), (1, 1), (-1, 2), (-1,), (0, 7), ("x",), (1.0,),
                     (0, "x"), (0, 1.0), (2 ** 63,), (0, 2 ** 31), (True, True)]:
            with self.subTest(seek=args):
                self.same(lambda m: m.FileIO(p, "r+"), lambda f: f.seek(*args))
        for size in [None, 3, 0, -1, "x", 1.0, 2 ** 63, 2 ** 70, 10]:
            with self.subTest(truncate=size):
                self.same(lambda m: m.FileIO(self.path("t", data=b"abcdef"), "r+"),
                          lambda f: f.seek(2), lambda f: f.truncate(size), lambda f: f.tell())

    def test_stream_checks_come_before_argument_checks_where_io_has_them(self):
        p = self.path(data=b"abc")

        def closed(m):
            f = m.FileIO(p, "r+")
            f.close()
            return f

        self.same(closed, lambda f: f.seek("x"), lambda f: f.seek(2 ** 70),
                  lambda f: f.seek(0, "x"), lambda f: f.truncate("x"), lambda f: f.read("x"),
                  lambda f: f.write("x"), lambda f: f.readinto(b"x"))
        self.same(lambda m: m.FileIO(p), lambda f: f.truncate("x"), lambda f: f.truncate(1.5))
        self.same(lambda m: m.FileIO(p, "w"), lambda f: f.truncate("x"))

    def test_truncate_int64_min_is_a_size_not_None(self):
        with libpyio.FileIO(self.path(data=b"abc"), "r+") as f:
            f.seek(1)
            with self.assertRaises(OSError) as cm:
                f.truncate(-2 ** 63)
            self.assertEqual(cm.exception.errno, 22)

    def test_bytes_like_arguments(self):
        p = self.path()
        for data in [b"ab", bytearray(b"ab"), memoryview(b"ab"), array.array("h", [1, 2]),
                     memoryview(b"abcdef")[::2], "ab", 3, None, memoryview(bytearray(b"xyz"))]:
            with self.subTest(data=data):
                self.same(lambda m: m.FileIO(p, "w+"), lambda f: f.write(data),
                          lambda f: f.seek(0), lambda f: f.read())
        for buffer in [b"ab", "ab", bytearray(2), memoryview(b"ab"),
                       memoryview(bytearray(6))[::2], array.array("i", [0]), None]:
            with self.subTest(buffer=buffer):
                self.same(lambda m: m.FileIO(self.path("r", data=b"12345678")),
                          lambda f: f.readinto(buffer))

    def test_unsupported_operations(self):
        p = self.path(data=b"abc")
        self.same(lambda m: m.FileIO(p, "w"), lambda f: f.read(), lambda f: f.readinto(bytearray(1)),
                  lambda f: f.readline(), lambda f: f.readall(), lambda f: f.readlines())
        self.same(lambda m: m.FileIO(p), lambda f: f.write(b"x"), lambda f: f.truncate(),
                  lambda f: f.writelines([b"x"]), lambda f: f.seek(-1))

    def test_methods_ios_fileio_lacks_are_absent(self):
        f = libpyio.FileIO(os.devnull)
        self.addCleanup(f.close)
        for name in ["read1", "readinto1", "peek", "detach", "getvalue", "getbuffer"]:
            self.assertFalse(hasattr(f, name), name)

    def test_closed_file(self):
        p = self.path(data=b"abc\n")
        steps = [lambda f: f.read(), lambda f: f.readall(), lambda f: f.readinto(bytearray(1)),
                 lambda f: f.write(b"x"), lambda f: f.seek(0), lambda f: f.tell(),
                 lambda f: f.truncate(), lambda f: f.readline(), lambda f: f.readlines(),
                 lambda f: f.writelines([]), lambda f: f.flush(), lambda f: f.fileno(),
                 lambda f: f.isatty(), lambda f: f.readable(), lambda f: f.writable(),
                 lambda f: f.seekable(), lambda f: iter(f), lambda f: next(f),
                 lambda f: f.__enter__(), lambda f: f.closed, lambda f: f.mode,
                 lambda f: f.closefd, lambda f: f.name == p, lambda f: f.close()]

        def closed(m):
            f = m.FileIO(p, "r+")
            f.close()
            return f

        self.same(closed, *steps)

    def test_close_is_idempotent_and_closes_the_descriptor(self):
        f = libpyio.FileIO(os.devnull)
        fd = f.fileno()
        f.close()
        f.close()
        self.assertTrue(f.closed)
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_context_manager(self):
        with libpyio.FileIO(os.devnull) as f:
            self.assertFalse(f.closed)
        self.assertTrue(f.closed)
        with self.assertRaises(ValueError):
            with f:
                pass

    def test_iteration(self):
        p = self.path(data=b"a\nbb\n\nccc")
        with libpyio.FileIO(p) as f:
            self.assertIs(iter(f), f)
            self.assertEqual(list(f), [b"a\n", b"bb\n", b"\n", b"ccc"])
            with self.assertRaises(StopIteration):
                next(f)

    def test_readlines_hint(self):
        p = self.path(data=b"a\nbb\nccc\ndddd\n")
        for hint in range(-1, 12):
            self.same(lambda m: m.FileIO(p), lambda f: f.readlines(hint))

    def test_writelines(self):
        p = self.path()
        self.same(lambda m: m.FileIO(p, "w+"),
                  lambda f: f.writelines([b"a", bytearray(b"b"), memoryview(b"c")]),
                  lambda f: f.writelines(iter([b"d"])), lambda f: f.writelines([b"e", "f"]),
                  lambda f: f.writelines(3), lambda f: f.seek(0), lambda f: f.read())

    def test_repr(self):
        p = self.path(data=b"")
        f = libpyio.FileIO(p)
        self.assertEqual(repr(f), f"<libpyio.FileIO name={p!r} mode='rb' closefd=True>")
        del f.name
        self.assertEqual(repr(f), f"<libpyio.FileIO fd={f.fileno()} mode='rb' closefd=True>")
        f.close()
        self.assertEqual(repr(f), "<libpyio.FileIO [closed]>")

    def test_repr_of_a_name_containing_the_file_is_an_error(self):
        f = libpyio.FileIO(os.devnull)
        self.addCleanup(f.close)
        f.name = f
        with self.assertRaises(RuntimeError):
            repr(f)

    def test_not_picklable(self):
        with libpyio.FileIO(os.devnull) as f:
            with self.assertRaises(TypeError):
                pickle.dumps(f)

    def test_collection_closes_the_descriptor_with_a_ResourceWarning(self):
        f = libpyio.FileIO(os.devnull)
        fd = f.fileno()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del f
            gc.collect()
        with self.assertRaises(OSError):
            os.fstat(fd)
        self.assertEqual([w.category for w in caught], [ResourceWarning])
        self.assertIn("unclosed file <libpyio.FileIO name=", str(caught[0].message))

    def test_blksize(self):
        with libpyio.FileIO(self.path(data=b"")) as f, io.FileIO(f.name) as g:
            self.assertEqual(f._blksize, g._blksize)

    def test_fileno_and_isatty(self):
        with libpyio.FileIO(os.devnull, "w") as f:
            self.assertIsInstance(f.fileno(), int)
            self.assertFalse(f.isatty())

    def test_large_offsets(self):
        with libpyio.FileIO(self.path(), "w+") as f:
            self.assertEqual(f.seek(5 * 2 ** 30), 5 * 2 ** 30)
            self.assertEqual(f.tell(), 5 * 2 ** 30)


# ---------------------------------------------------------------------------
# Non-blocking descriptors
# ---------------------------------------------------------------------------

class NonBlockingTest(unittest.TestCase):
    def pipe(self):
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        reader, writer = libpyio.FileIO(r), libpyio.FileIO(w, "w")
        self.addCleanup(reader.close)
        self.addCleanup(writer.close)
        return reader, writer

    def test_reads_return_None_when_there_is_no_data(self):
        reader, writer = self.pipe()
        self.assertIsNone(reader.read(1))
        self.assertIsNone(reader.read())
        self.assertIsNone(reader.readall())
        self.assertIsNone(reader.readinto(bytearray(4)))
        writer.write(b"ab")
        self.assertEqual(reader.readall(), b"ab")

    def test_readline_with_no_data_is_ios_OSError(self):
        reader, _ = self.pipe()
        with self.assertRaises(OSError) as cm:
            reader.readline()
        self.assertEqual(str(cm.exception),
                         "read() should have returned a bytes object, not 'NoneType'")

    def test_write_returns_None_when_the_pipe_is_full(self):
        _, writer = self.pipe()
        chunk = b"x" * 65536
        results = [writer.write(chunk) for _ in range(64)]
        self.assertIsNone(results[-1])
        self.assertTrue(all(r is None or 0 < r <= len(chunk) for r in results))

    def test_pipe_cannot_seek(self):
        reader, _ = self.pipe()
        self.assertFalse(reader.seekable())
        with self.assertRaises(OSError) as cm:
            reader.seek(0)
        self.assertEqual(cm.exception.errno, 29)


# ---------------------------------------------------------------------------
# BytesIO
# ---------------------------------------------------------------------------

class BytesIOTest(Case):
    def test_same_as_io_for_a_session(self):
        self.same(lambda m: m.BytesIO(b"hello\nworld\n"),
                  lambda b: b.read(3), lambda b: b.read1(2), lambda b: b.readline(),
                  lambda b: b.tell(), lambda b: b.seek(0), lambda b: b.readlines(),
                  lambda b: b.seek(2), lambda b: b.write(b"XY"), lambda b: b.getvalue(),
                  lambda b: b.seek(20), lambda b: b.write(b"!"), lambda b: b.getvalue(),
                  lambda b: b.truncate(5), lambda b: b.tell(), lambda b: b.getvalue(),
                  lambda b: b.seek(-2, 2), lambda b: b.read(), lambda b: b.seek(-100, 1),
                  lambda b: b.seek(0, 3), lambda b: b.seek(-1), lambda b: b.truncate(-1),
                  lambda b: b.truncate(), lambda b: b.readable(), lambda b: b.writable(),
                  lambda b: b.seekable(), lambda b: b.isatty(), lambda b: b.fileno(),
                  lambda b: b.detach(), lambda b: b.flush(), lambda b: b.closed,
                  lambda b: b.read1(), lambda b: b.read1(None))

    def test_constructor(self):
        for args, kwargs in [((), {}), ((b"abc",), {}), ((bytearray(b"abc"),), {}),
                             ((memoryview(b"abc"),), {}), ((array.array("h", [1]),), {}),
                             ((None,), {}), (("abc",), {}), ((3,), {}),
                             ((), {"initial_bytes": b"x"})]:
            with self.subTest(args=args, kwargs=kwargs):
                self.same(lambda m: m.BytesIO(*args, **kwargs),
                          lambda b: b.getvalue(), lambda b: b.tell())

    def test_wrong_arguments_are_TypeError(self):
        for args, kwargs in [((), {"initial": b"x"}), ((b"a", b"b"), {})]:
            with self.assertRaises(TypeError):
                libpyio.BytesIO(*args, **kwargs)

    def test_initial_bytes_are_copied(self):
        data = bytearray(b"abc")
        b = libpyio.BytesIO(data)
        data[0] = ord("X")
        self.assertEqual(b.getvalue(), b"abc")

    def test_readinto_variants(self):
        for target in [bytearray(4), memoryview(bytearray(4)), array.array("b", [0] * 4),
                       b"xxxx", "xxxx", memoryview(bytearray(8))[::2]]:
            with self.subTest(target=target):
                self.same(lambda m: m.BytesIO(b"abcdef"), lambda b: b.readinto(target),
                          lambda b: b.readinto1(target), lambda b: bytes(target)
                          if not isinstance(target, str) else target)

    def test_argument_conventions(self):
        for value in [None, -1, 2, "x", 1.5, 2 ** 70, True]:
            with self.subTest(value=value):
                self.same(lambda m: m.BytesIO(b"a\nbb\nccc\n"), lambda b: b.read(value),
                          lambda b: b.read1(value), lambda b: b.readline(value),
                          lambda b: b.readlines(value), lambda b: b.seek(value),
                          lambda b: b.truncate(value), lambda b: b.getvalue())
        for data in ["x", 1, None, memoryview(b"abcd")[::2], bytearray(b"ok")]:
            with self.subTest(data=data):
                self.same(lambda m: m.BytesIO(), lambda b: b.write(data),
                          lambda b: b.writelines([data]), lambda b: b.getvalue())

    def test_readlines_hint_stops_when_reached(self):
        for hint in range(-1, 12):
            self.same(lambda m: m.BytesIO(b"a\nbb\nccc\ndddd\n"), lambda b: b.readlines(hint))

    def test_closed(self):
        def closed(m):
            b = m.BytesIO(b"abc")
            b.close()
            return b

        self.same(closed, lambda b: b.getvalue(), lambda b: b.getbuffer(), lambda b: b.read(),
                  lambda b: b.read1(), lambda b: b.readinto(bytearray(1)),
                  lambda b: b.readline(), lambda b: b.readlines(), lambda b: b.write(b"x"),
                  lambda b: b.writelines([]), lambda b: b.seek(0), lambda b: b.tell(),
                  lambda b: b.truncate(), lambda b: b.readable(), lambda b: b.writable(),
                  lambda b: b.seekable(), lambda b: b.isatty(), lambda b: b.flush(),
                  lambda b: b.fileno(), lambda b: b.detach(), lambda b: iter(b) is b,
                  lambda b: next(b), lambda b: b.__enter__(), lambda b: b.__getstate__(),
                  lambda b: b.closed, lambda b: b.close())

    def test_stream_checks_come_before_argument_checks_where_io_has_them(self):
        def closed(m):
            b = m.BytesIO(b"abc")
            b.close()
            return b

        self.same(closed, lambda b: b.write("x"), lambda b: b.writelines(["x"]),
                  lambda b: b.readlines("x"), lambda b: b.seek("x"), lambda b: b.read("x"),
                  lambda b: b.truncate("x"), lambda b: b.readinto(b"x"))

        def exported(m):
            b = m.BytesIO(b"abc")
            b.view = b.getbuffer()
            return b

        for m in MODULES:
            b = exported(m)
            for call in [lambda: b.write("x"), lambda: b.writelines(["x"])]:
                with self.assertRaises(BufferError):
                    call()
            with self.assertRaises(TypeError):
                b.truncate("x")
            b.view.release()

    def test_iteration_and_context_manager(self):
        with libpyio.BytesIO(b"x\ny\nz") as b:
            self.assertEqual(list(b), [b"x\n", b"y\n", b"z"])
        self.assertTrue(b.closed)

    def test_writelines(self):
        b = libpyio.BytesIO()
        b.writelines([b"a", bytearray(b"b"), memoryview(b"c")])
        self.assertEqual(b.getvalue(), b"abc")

    def test_pickle_round_trip_keeps_contents_position_and_attributes(self):
        b = libpyio.BytesIO(b"contents")
        b.seek(3)
        b.extra = 42
        c = pickle.loads(pickle.dumps(b))
        self.assertEqual((c.getvalue(), c.tell(), c.extra), (b"contents", 3, 42))
        self.assertIsNot(c._pyio_handle, b._pyio_handle)
        self.assertEqual(libpyio.BytesIO(b"x").__getstate__(), (b"x", 0, None))

    def test_setstate_validation(self):
        for state in [1, (1, 2), (b"x", "a", None), (b"x", -1, None), (b"x", 0, 5),
                      ("x", 0, None), (b"xyz", 5, {"a": 1})]:
            with self.subTest(state=state):
                results = [outcome(lambda: (m.BytesIO(b"abc").__setstate__(state), None)[1])
                           for m in MODULES]
                self.assertEqual(results[0][:2], results[1][:2])

    def test_reinit_starts_over(self):
        b = libpyio.BytesIO(b"abcdef")
        b.read(2)
        b.__init__(b"xy")
        self.assertEqual((b.getvalue(), b.tell()), (b"xy", 0))

    def test_vars_is_empty(self):
        self.assertEqual(vars(libpyio.BytesIO(b"x")), {})

    def test_unknown_attributes(self):
        self.same(lambda m: m.BytesIO(), lambda b: b.name, lambda b: b.mode,
                  lambda b: b.readall)

    def test_threads_writing_one_bytesio(self):
        b = libpyio.BytesIO()

        def work():
            for _ in range(500):
                b.write(b"0123456789")

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(b.getvalue()), 8 * 500 * 10)


class GetBufferTest(unittest.TestCase):
    def test_view_is_the_contents_and_writes_through(self):
        b = libpyio.BytesIO(b"hello")
        view = b.getbuffer()
        self.assertEqual((view.format, view.itemsize, view.readonly, view.nbytes),
                         ("B", 1, False, 5))
        self.assertEqual(bytes(view), b"hello")
        view[0] = ord("J")
        self.assertEqual(b.getvalue(), b"Jello")
        view.release()

    def test_resizing_is_BufferError_while_a_view_exists(self):
        for module in MODULES:
            b = module.BytesIO(b"hello")
            view = b.getbuffer()
            for attempt in [lambda: b.write(b"x"), lambda: b.truncate(0), b.close,
                            lambda: b.writelines([b"x"])]:
                with self.assertRaises(BufferError) as cm:
                    attempt()
                self.assertEqual(str(cm.exception),
                                 "Existing exports of data: object cannot be re-sized")
            self.assertFalse(b.closed)
            self.assertEqual(b.read(2), b"he")        # reading and seeking are fine
            self.assertEqual(b.seek(0), 0)
            del view
            self.assertEqual(b.write(b"J"), 1)

    def test_reinit_is_BufferError_while_a_view_exists(self):
        # (io's __init__ empties the stream before it finds the view.)
        b = libpyio.BytesIO(b"hello")
        view = b.getbuffer()
        with self.assertRaises(BufferError):
            b.__init__(b"x")
        view.release()
        b.__init__(b"x")
        self.assertEqual(b.getvalue(), b"x")

    def test_release_ends_the_view(self):
        b = libpyio.BytesIO(b"abc")
        view = b.getbuffer()
        view.release()
        b.write(b"x")
        b.close()

    def test_a_slice_keeps_the_export_alive(self):
        b = libpyio.BytesIO(b"abcdef")
        view = b.getbuffer()
        part = view[1:3]
        del view
        gc.collect()
        with self.assertRaises(BufferError):
            b.write(b"x")
        self.assertEqual(bytes(part), b"bc")
        del part
        b.write(b"x")

    def test_view_outlives_the_bytesio_object(self):
        b = libpyio.BytesIO(b"still here")
        view = b.getbuffer()
        del b
        gc.collect()
        self.assertEqual(bytes(view), b"still here")
        view[0] = ord("S")
        self.assertEqual(bytes(view), b"Still here")
        view.release()

    def test_several_views(self):
        b = libpyio.BytesIO(b"ab")
        v1, v2 = b.getbuffer(), b.getbuffer()
        v1.release()
        with self.assertRaises(BufferError):
            b.write(b"x")
        v2.release()
        b.write(b"x")

    def test_empty_bytesio(self):
        b = libpyio.BytesIO()
        view = b.getbuffer()
        self.assertEqual(view.nbytes, 0)
        view.release()
        b.write(b"x")

    def test_closed_bytesio_has_no_buffer(self):
        b = libpyio.BytesIO()
        b.close()
        with self.assertRaises(ValueError):
            b.getbuffer()


# ---------------------------------------------------------------------------
# Subclassing the abstract bases
# ---------------------------------------------------------------------------

def raw_reader_class(module):
    class Reader(module.RawIOBase):
        """A raw stream implementing readinto only, two bytes at a time."""

        def __init__(self, data):
            self.data = data
            self.pos = 0

        def readable(self):
            return True

        def readinto(self, b):
            n = min(len(b), len(self.data) - self.pos, 2)
            b[:n] = self.data[self.pos:self.pos + n]
            self.pos += n
            return n

    return Reader


class SubclassTest(unittest.TestCase):
    def same(self, make, *steps):
        Case.same(self, make, *steps)

    def test_raw_subclass_with_readinto_only_gets_the_rest(self):
        data = b"first\nsecond\n\nlast"
        for steps in [[lambda r: r.read(5), lambda r: r.read(), lambda r: r.read(3)],
                      [lambda r: r.readall()], [lambda r: r.readline(), lambda r: r.readline(3)],
                      [lambda r: list(r)], [lambda r: r.readlines(7)],
                      [lambda r: r.read(None)], [lambda r: r.read(-1)],
                      [lambda r: r.read("x")], [lambda r: r.readline("x")],
                      [lambda r: r.readlines(1.5)], [lambda r: r.write(b"x")],
                      [lambda r: r.seek(0)], [lambda r: r.tell()], [lambda r: r.truncate()],
                      [lambda r: r.fileno()], [lambda r: r.isatty()],
                      [lambda r: r.writable()], [lambda r: r.seekable()],
                      [lambda r: r.flush()], [lambda r: r.closed],
                      [lambda r: r.close(), lambda r: r.closed, lambda r: r.flush(),
                       lambda r: r.isatty(), lambda r: iter(r), lambda r: r.__enter__(),
                       lambda r: r.writelines([]), lambda r: r.readlines(),
                       lambda r: r.read(1)]]:
            self.same(lambda m: raw_reader_class(m)(data), *steps)

    def test_raw_base_defaults(self):
        self.same(lambda m: m.RawIOBase(), lambda r: r.read(1), lambda r: r.read(),
                  lambda r: r.readall(), lambda r: r.readinto(bytearray(1)),
                  lambda r: r.write(b""), lambda r: r.readline(), lambda r: r.readable(),
                  lambda r: r.seek(0), lambda r: r.truncate(), lambda r: r.fileno())

    def test_read_returning_None_and_bad_types(self):
        def reader(m, result):
            class R(m.RawIOBase):
                def readinto(self, b):
                    return result
            return R()

        for result in [None, "x", 1.5]:
            self.same(lambda m: reader(m, result), lambda r: r.read(2))
        self.same(lambda m: reader(m, None), lambda r: r.readall(), lambda r: r.readline())

    def test_buffered_base_defaults(self):
        self.same(lambda m: m.BufferedIOBase(), lambda b: b.read(), lambda b: b.read1(),
                  lambda b: b.readinto(bytearray(1)), lambda b: b.readinto1(bytearray(1)),
                  lambda b: b.write(b""), lambda b: b.detach(), lambda b: b.readline())

    def test_buffered_subclass_readinto_through_read(self):
        def make(m):
            class B(m.BufferedIOBase):
                def read(self, size=-1):
                    return b"xyz"[:size]

                def read1(self, size=-1):
                    return b"xy"
            return B()

        for target in [bytearray(2), bytearray(5), array.array("b", [0] * 4), b"ab",
                       memoryview(bytearray(4))[::2]]:
            self.same(make, lambda b: b.readinto(target), lambda b: b.readinto1(target))

    def test_text_base_defaults(self):
        self.same(lambda m: m.TextIOBase(), lambda t: t.read(), lambda t: t.readline(),
                  lambda t: t.write(""), lambda t: t.truncate(), lambda t: t.detach(),
                  lambda t: t.encoding, lambda t: t.newlines, lambda t: t.errors,
                  lambda t: t.seek(0), lambda t: t.readable())

    def test_iobase_defaults(self):
        self.same(lambda m: m.IOBase(), lambda s: s.seek(0), lambda s: s.tell(),
                  lambda s: s.truncate(), lambda s: s.fileno(), lambda s: s.isatty(),
                  lambda s: s.readable(), lambda s: s.writable(), lambda s: s.seekable(),
                  lambda s: s.flush(), lambda s: s.read(), lambda s: s.readline(),
                  lambda s: s._checkClosed(), lambda s: s._checkReadable(),
                  lambda s: s._checkWritable(), lambda s: s._checkSeekable(),
                  lambda s: s.close(), lambda s: s.closed, lambda s: s.flush(),
                  lambda s: s.__enter__(), lambda s: s.writelines([]))

    def test_readline_uses_peek_when_there_is_one(self):
        def make(m):
            class P(m.IOBase):
                def __init__(self):
                    self.data, self.calls = b"abc\ndef", []

                def peek(self, n):
                    return self.data[:5]

                def read(self, n):
                    self.calls.append(n)
                    out, self.data = self.data[:n], self.data[n:]
                    return out
            return P()

        self.same(make, lambda p: p.readline(), lambda p: p.calls, lambda p: p.readline(2))

    def test_close_flushes_once_and_finalizer_closes(self):
        def make(m):
            class S(m.RawIOBase):
                log = []

                def flush(self):
                    self.log.append("flush")
                    super().flush()

                def close(self):
                    self.log.append("close")
                    super().close()
            return S

        for m in MODULES:
            cls = make(m)
            s = cls()
            s.close()
            s.close()
            self.assertEqual(cls.log, ["close", "flush", "close"])
            cls.log.clear()
            s = cls()
            del s
            gc.collect()
            self.assertEqual(cls.log, ["close", "flush"])

    def test_flush_failure_still_closes(self):
        def make(m):
            class S(m.RawIOBase):
                def flush(self):
                    raise OSError("flush failed")
            return S()

        self.same(make, lambda s: s.close(), lambda s: s.closed)

    def test_fileio_subclass_readline_calls_its_read(self):
        with tempfile.NamedTemporaryFile() as tmp:
            tmp.write(b"ab\ncd\n")
            tmp.flush()

            def make(m):
                class F(m.FileIO):
                    calls = 0

                    def read(self, size=-1):
                        type(self).calls += 1
                        return super().read(size)
                return F(tmp.name)

            self.same(make, lambda f: f.readline(), lambda f: type(f).calls,
                      lambda f: f.readlines(), lambda f: type(f).calls)

    def test_fileio_subclass_readline_override_drives_iteration(self):
        def make(m):
            class F(m.FileIO):
                def readline(self, size=-1):
                    line = super().readline(size)
                    return line.upper()
            return F(__file__)

        self.same(make, lambda f: next(f), lambda f: f.readlines(40) != [])

    def test_fileio_subclass_close_calls_its_flush(self):
        def make(m):
            class F(m.FileIO):
                flushed = 0

                def flush(self):
                    type(self).flushed += 1
                    super().flush()
            return F(os.devnull)

        self.same(make, lambda f: f.close(), lambda f: type(f).flushed, lambda f: f.closed)

    def test_bytesio_subclass_iteration_uses_its_readline(self):
        def make(m):
            class B(m.BytesIO):
                def readline(self, size=-1):
                    return super().readline(size).upper()
            return B(b"ab\ncd\n")

        self.same(make, lambda b: list(b))

    def test_bytesio_subclass_close_called_at_finalization(self):
        for m in MODULES:
            log = []

            class B(m.BytesIO):
                def close(self):
                    log.append("close")
                    super().close()

            b = B()
            del b
            gc.collect()
            self.assertEqual(log, ["close"], m)

    def test_bytesio_subclass_without_init(self):
        for m in MODULES:
            class B(m.BytesIO):
                def __init__(self):
                    pass

            b = B()
            b.write(b"ok")
            self.assertEqual(b.getvalue(), b"ok")

    def test_isinstance(self):
        r = raw_reader_class(libpyio)(b"")
        self.assertIsInstance(r, libpyio.RawIOBase)
        self.assertIsInstance(r, io.RawIOBase)
        self.assertIsInstance(r, io.IOBase)
        self.assertNotIsInstance(r, libpyio.BufferedIOBase)


# ---------------------------------------------------------------------------
# Python raw objects driven by the library (callback raw streams)
# ---------------------------------------------------------------------------

class Raising(libpyio.RawIOBase):
    """A raw stream whose every method raises the exception it is given."""

    def __init__(self, exc):
        self.exc = exc

    def readinto(self, b):
        raise self.exc

    def write(self, b):
        raise self.exc

    def seek(self, pos, whence=0):
        raise self.exc

    def tell(self):
        raise self.exc

    def truncate(self, size=None):
        raise self.exc

    def readable(self):
        raise self.exc

    def writable(self):
        raise self.exc

    def seekable(self):
        raise self.exc

    def isatty(self):
        raise self.exc

    def fileno(self):
        raise self.exc

    def flush(self):
        raise self.exc


class Memory(libpyio.RawIOBase):
    """A complete raw stream over a bytearray, recording the calls made."""

    def __init__(self, data=b""):
        self.data = bytearray(data)
        self.pos = 0
        self.calls = []

    def readable(self):
        return True

    def writable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, b):
        self.calls.append(("readinto", len(b)))
        n = min(len(b), len(self.data) - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def write(self, b):
        self.calls.append(("write", bytes(b)))
        self.data[self.pos:self.pos + len(b)] = b
        self.pos += len(b)
        return len(b)

    def seek(self, pos, whence=0):
        self.pos = [pos, self.pos + pos, len(self.data) + pos][whence]
        return self.pos

    def tell(self):
        return self.pos

    def truncate(self, size=None):
        del self.data[size:]
        return size

    def close(self):
        self.calls.append(("close",))
        super().close()


class CallbackTest(unittest.TestCase):
    def test_library_drives_a_python_raw_object(self):
        m = Memory(b"one\ntwo\nthree")
        h = libpyio._raw_handle(m)
        self.assertTrue(libpyio._lib.lib.pyio_isinstance(h._pyio_handle,
                                                         _lib.CLASS_CALLBACKRAWIO))
        self.assertEqual(h.read(3), b"one")
        self.assertEqual(h.readline(), b"\n")
        self.assertEqual(h.readline(), b"two\n")
        self.assertEqual(h.readall(), b"three")
        self.assertEqual(h.seek(0), 0)
        self.assertEqual(h.readlines(), [b"one\n", b"two\n", b"three"])
        self.assertEqual(h.seek(0, 2), 13)
        self.assertEqual(h.write(b"!"), 1)
        self.assertEqual(h.tell(), 14)
        self.assertEqual(h.truncate(4), 4)
        self.assertEqual(bytes(m.data), b"one\n")
        buf = bytearray(10)
        h.seek(0)
        self.assertEqual(h.readinto(buf), 4)
        self.assertEqual(buf[:4], b"one\n")
        self.assertTrue(h.readable() and h.writable() and h.seekable())
        self.assertFalse(h.isatty())
        h.writelines([b"a", b"b"])
        self.assertEqual(bytes(m.data), b"one\nab")
        h.close()
        self.assertTrue(h.closed)
        self.assertIn(("close",), m.calls)
        self.assertTrue(m.closed)

    def test_readinto_only_subclass_through_the_library(self):
        r = raw_reader_class(libpyio)(b"ab\ncd\nef")
        h = libpyio._raw_handle(r)
        self.assertEqual(h.read(5), b"ab")
        self.assertEqual(h.readline(), b"\n")
        self.assertEqual(h.readall(), b"cd\nef")
        with self.assertRaises(io.UnsupportedOperation):
            h.seek(0)
        with self.assertRaises(NotImplementedError):
            h.write(b"x")

    def test_exceptions_reach_the_caller_intact(self):
        calls = [lambda h: h.read(3), lambda h: h.readinto(bytearray(2)), lambda h: h.readall(),
                 lambda h: h.readline(), lambda h: h.write(b"x"), lambda h: h.seek(1),
                 lambda h: h.tell(), lambda h: h.truncate(0), lambda h: h.readable(),
                 lambda h: h.writable(), lambda h: h.seekable(), lambda h: h.isatty(),
                 lambda h: h.fileno(), lambda h: h.flush(), lambda h: h.close()]
        for exc in [ZeroDivisionError("zero"), KeyError("key"), ValueError("value"),
                    FileNotFoundError(2, "No such file", "x"), BlockingIOError(11, "busy", 3),
                    io.UnsupportedOperation("nope"), OSError("plain"), MemoryError(),
                    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), RecursionError("deep")]:
            for call in calls:
                h = libpyio._raw_handle(Raising(exc))
                with self.subTest(exc=exc, call=call):
                    try:
                        call(h)
                    except BaseException as got:
                        self.assertIs(got, exc)
                        frames = [f.name for f in traceback.extract_tb(got.__traceback__)]
                        self.assertIn(frames[-1], {
                            "readinto", "write", "seek", "tell", "truncate", "readable",
                            "writable", "seekable", "isatty", "fileno", "flush"})
                    else:
                        self.fail("no exception")
                exc.__traceback__ = None

    def test_exception_traceback_shows_the_raising_line(self):
        class R(libpyio.RawIOBase):
            def readinto(self, b):
                raise LookupError("from readinto")

        try:
            libpyio._raw_handle(R()).read(1)
        except LookupError as exc:
            frames = traceback.extract_tb(exc.__traceback__)
            self.assertEqual(frames[-1].name, "readinto")
            self.assertEqual(frames[-1].line, 'raise LookupError("from readinto")')
            self.assertEqual(frames[0].name, "test_exception_traceback_shows_the_raising_line")

    def test_library_sees_the_exception_kind(self):
        # What a C caller of the stream would see: the record mirrors the class.
        h = libpyio._raw_handle(Raising(FileNotFoundError(2, "gone", "f")))
        self.assertEqual(_lib.lib.pyio_seek(h._pyio_handle, 0, 0), -1)
        self.assertEqual(_lib.lib.pyio_error_kind(), _lib.ERR_OS)
        self.assertEqual(_lib.lib.pyio_error_errno(), 2)
        self.assertEqual(_lib.lib.pyio_error_filename(), b"f")
        _errors.error()     # consume what the callback stashed

    def test_returning_None_is_would_block(self):
        class Blocked(libpyio.RawIOBase):
            def readinto(self, b):
                return None

            def write(self, b):
                return None

        h = libpyio._raw_handle(Blocked())
        self.assertIsNone(h.read(4))
        self.assertIsNone(h.readall())
        self.assertIsNone(h.readinto(bytearray(4)))
        self.assertIsNone(h.write(b"abc"))
        with self.assertRaises(OSError):
            h.readline()

    def test_would_block_after_some_data(self):
        class Trickle(libpyio.RawIOBase):
            chunks = [b"ab", b"c", None]

            def readinto(self, b):
                chunk = self.chunks.pop(0) if self.chunks else None
                if chunk is None:
                    return None
                b[:len(chunk)] = chunk
                return len(chunk)

        self.assertEqual(libpyio._raw_handle(Trickle()).readall(), b"abc")

    def test_invalid_results(self):
        cases = [(lambda b: len(b) + 1, lambda h: h.read(4),
                  OSError, "raw readinto() returned invalid length 5 (should have been between 0 and 4)"),
                 (lambda b: -1, lambda h: h.read(4),
                  OSError, "raw readinto() returned invalid length -1 (should have been between 0 and 4)"),
                 (lambda b: "x", lambda h: h.read(4),
                  TypeError, "'str' object cannot be interpreted as an integer")]
        for result, call, cls, message in cases:
            class R(libpyio.RawIOBase):
                def readinto(self, b):
                    return result(b)

            with self.assertRaises(cls) as cm:
                call(libpyio._raw_handle(R()))
            self.assertEqual(str(cm.exception), message)

        class S(libpyio.RawIOBase):
            def seek(self, pos, whence=0):
                return -5

            def write(self, b):
                return 10

        h = libpyio._raw_handle(S())
        with self.assertRaises(OSError) as cm:
            h.seek(0)
        self.assertEqual(str(cm.exception), "Raw stream returned invalid position -5")
        with self.assertRaises(OSError) as cm:
            h.write(b"ab")
        self.assertEqual(str(cm.exception),
                         "raw write() returned invalid length 10 (should have been between 0 and 2)")

    def test_duck_typed_object_gets_library_defaults(self):
        class Duck:
            def readinto(self, b):
                b[:1] = b"d"
                return 1

        h = libpyio._raw_handle(Duck())
        self.assertEqual(h.read(5), b"d")
        self.assertTrue(h.readable())
        self.assertFalse(h.writable())
        self.assertFalse(h.seekable())
        for call, message in [(lambda: h.write(b"x"), "File or stream is not writable."),
                              (lambda: h.seek(0), "seek"), (lambda: h.fileno(), "fileno"),
                              (lambda: h.truncate(), "truncate")]:
            with self.assertRaises(io.UnsupportedOperation) as cm:
                call()
            self.assertEqual(str(cm.exception), message)
        h.close()
        with self.assertRaises(ValueError):
            h.read(1)

    def test_bytesio_subclass_overrides_are_called(self):
        class Counting(libpyio.BytesIO):
            reads = 0

            def readinto(self, b):
                type(self).reads += 1
                return super().readinto(b)

        b = Counting(b"hello")
        h = libpyio._raw_handle(b)
        self.assertNotEqual(h._pyio_handle, b._pyio_handle)
        self.assertEqual(h.readall(), b"hello")
        self.assertGreater(Counting.reads, 0)

    def test_fileio_subclass_overrides_are_called(self):
        class Upper(libpyio.FileIO):
            def readinto(self, b):
                n = super().readinto(b)
                b[:n] = bytes(b[:n]).upper()
                return n

        with Upper(__file__) as f:
            h = libpyio._raw_handle(f)
            self.assertEqual(h.read(6), b'"""TES')

    def test_library_objects_share_their_handle(self):
        b = libpyio.BytesIO(b"shared")
        h = libpyio._raw_handle(b)
        self.assertEqual(h._pyio_handle, b._pyio_handle)
        self.assertEqual(h.read(3), b"sha")
        self.assertEqual(b.read(), b"red")
        with libpyio.FileIO(os.devnull) as f:
            self.assertEqual(libpyio._raw_handle(f).fileno(), f.fileno())

    def test_name_passes_through(self):
        class Named(Memory):
            name = "the name"

        self.assertEqual(libpyio._raw_handle(Named()).name, "the name")
        with self.assertRaises(AttributeError):
            libpyio._raw_handle(Memory()).name

    def test_object_lives_as_long_as_the_handle(self):
        m = Memory(b"x")
        ref = weakref.ref(m)
        h = libpyio._raw_handle(m)
        del m
        gc.collect()
        self.assertIsNotNone(ref())
        self.assertEqual(h.read(), b"x")
        del h
        self.assertIsNone(ref())

    def test_cycle_through_the_object_is_collected(self):
        class Keeper(Memory):
            pass

        m = Keeper()
        m.handle = libpyio._raw_handle(m)
        ref = weakref.ref(m)
        del m
        gc.collect()
        self.assertIsNone(ref())

    def test_library_keeps_the_object_while_it_holds_the_stream(self):
        m = Memory(b"kept")
        ref = weakref.ref(m)
        h = libpyio._raw_handle(m)
        handle = _lib.lib.pyio_retain(h._pyio_handle)    # as a buffered layer would
        del m, h
        gc.collect()
        self.assertIsNotNone(ref())
        out = __import__("ctypes").c_void_p()
        n = _lib.lib.pyio_read(handle, -1, __import__("ctypes").byref(out))
        self.assertEqual(libpyio._args.take_bytes(out, n), b"kept")
        _lib.lib.pyio_release(handle)
        self.assertIsNone(ref())

    def test_release_closes_the_object(self):
        m = Memory()
        h = libpyio._raw_handle(m)
        del h
        self.assertTrue(m.closed)

    def test_errors_during_release_are_discarded(self):
        h = libpyio._raw_handle(Raising(ValueError("at release")))
        del h
        gc.collect()
        self.assertEqual(_errors._pending(), [])

    def test_the_callbacks_failure_wins_and_nested_failures_do_not_disturb_it(self):
        first, second = KeyError("flush"), KeyError("close")

        class Both(libpyio.RawIOBase):
            def flush(self):
                raise first

            def close(self):
                try:
                    libpyio.BytesIO().seek(-1)      # a nested failing call, handled
                except ValueError:
                    pass
                raise second

        # The object's close() is its whole close (the library does not
        # flush it first), and it never got as far as closing.
        raw = Both()
        h = libpyio._raw_handle(raw)
        try:
            h.close()
        except KeyError as exc:
            self.assertIs(exc, second)
        else:
            self.fail("no exception")
        self.assertFalse(h.closed)
        self.assertEqual(_errors._pending(), [])
        raw.close = lambda: libpyio.RawIOBase.close(raw)   # let the finaliser close it
        raw.flush = lambda: None

    def test_finaliser_between_a_failure_and_its_report(self):
        exc = KeyError("k")
        h = libpyio._raw_handle(Raising(exc))
        self.assertEqual(_lib.lib.pyio_seek(h._pyio_handle, 0, 0), -1)

        class Failing(libpyio.BytesIO):
            def close(self):
                super().close()
                libpyio.BytesIO().seek(-1)   # fails inside the finaliser

        f = Failing()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            del f                            # as if the collector ran here
        self.assertIs(_errors.error(), exc)

    def test_callback_may_call_the_library(self):
        inner = libpyio.BytesIO(b"nested")

        class Delegate(libpyio.RawIOBase):
            def readinto(self, b):
                return inner.readinto(b)

            def seek(self, pos, whence=0):
                return inner.seek(pos, whence - 10)     # the library refuses the whence

        h = libpyio._raw_handle(Delegate())
        self.assertEqual(h.readall(), b"nested")
        with self.assertRaises(ValueError) as cm:
            h.seek(0)
        self.assertIn("invalid whence", str(cm.exception))


# ---------------------------------------------------------------------------
# The buffered layer
# ---------------------------------------------------------------------------

SIZES = [1, 2, 7, None]     # None: the class's default buffer size
TEXT = b"first line\nsecond\n\nthird line is longer\nlast"


def memory_raw_class(module):
    """A complete seekable raw stream over a bytearray, written in Python on
    the module's RawIOBase: a libpyio buffered object drives it through the
    library's callbacks."""

    class MemoryRaw(module.RawIOBase):
        name = "memory"

        def __init__(self, data=b"", mode="rb+"):
            self.data = bytearray(data)
            self.pos = 0
            self.mode = mode

        def readable(self):
            self._checkClosed()
            return "r" in self.mode or "+" in self.mode

        def writable(self):
            self._checkClosed()
            return "r" not in self.mode or "+" in self.mode

        def seekable(self):
            self._checkClosed()
            return True

        def readinto(self, b):
            self._checkClosed()
            n = max(0, min(len(b), len(self.data) - self.pos))
            b[:n] = self.data[self.pos:self.pos + n]
            self.pos += n
            return n

        def write(self, b):
            self._checkClosed()
            b = bytes(b)
            if self.pos > len(self.data):
                self.data.extend(bytes(self.pos - len(self.data)))
            self.data[self.pos:self.pos + len(b)] = b
            self.pos += len(b)
            return len(b)

        def seek(self, pos, whence=0):
            self._checkClosed()
            pos = [pos, self.pos + pos, len(self.data) + pos][whence]
            if pos < 0:
                raise ValueError(f"negative seek position {pos}")
            self.pos = pos
            return pos

        def tell(self):
            self._checkClosed()
            return self.pos

        def truncate(self, size=None):
            self._checkClosed()
            size = self.pos if size is None else size
            if size < 0:
                raise ValueError(f"negative size value {size}")
            del self.data[size:]
            return size

    return MemoryRaw


def recording_raw_class(module):
    """MemoryRaw recording the calls a buffered object makes."""

    base = memory_raw_class(module)

    class Recording(base):
        def __init__(self, data=b"", mode="rb+"):
            super().__init__(data, mode)
            self.calls = []

        def readinto(self, b):
            n = super().readinto(b)
            self.calls.append(("readinto", len(b), n))
            return n

        def write(self, b):
            self.calls.append(("write", bytes(b)))
            return super().write(b)

        def seek(self, pos, whence=0):
            self.calls.append(("seek", pos, whence))
            return super().seek(pos, whence)

    return Recording


def detached(b):
    """b.detach(), the raw stream closed (but not forgotten)."""
    raw = b.detach()
    raw.close()
    return raw


class BufferedCase(Case):
    def raws(self, data, mode="rb+"):
        """Raw stream makers, name -> make(module): the module's FileIO (the
        library's own for libpyio), io.FileIO (a Python object to libpyio,
        reached through callbacks), the module's BytesIO, and a raw stream
        written in Python."""
        file_mode = mode.replace("b", "")

        def fileio(m):
            return m.FileIO(self.path("raw", data=data), file_mode)

        def io_fileio(m):
            return io.FileIO(self.path("raw", data=data), file_mode)

        return {"FileIO": fileio, "io.FileIO": io_fileio,
                "BytesIO": lambda m: m.BytesIO(data),
                "RawIOBase subclass": lambda m: memory_raw_class(m)(data, mode)}

    def buffered(self, cls, make_raw, size):
        def make(m):
            raw = make_raw(m)
            return getattr(m, cls)(raw) if size is None else getattr(m, cls)(raw, size)
        return make

    def each(self, cls, data, mode="rb+", sizes=SIZES):
        """(subtest label, make) for every buffer size and raw stream."""
        return [(dict(cls=cls, raw=raw_name, size=size), self.buffered(cls, make_raw, size))
                for raw_name, make_raw in self.raws(data, mode).items() for size in sizes]


class BufferedReaderTest(BufferedCase):
    def test_reading_session_at_every_buffer_size(self):
        steps = [lambda b: b.read(3), lambda b: b.peek(), lambda b: b.read1(2),
                 lambda b: b.read1(), lambda b: b.tell(), lambda b: b.readline(),
                 lambda b: b.readline(3), lambda b: b.peek(1), lambda b: b.tell(),
                 lambda b: b.seek(0), lambda b: list(b), lambda b: b.seek(1),
                 lambda b: b.readlines(), lambda b: b.seek(5), lambda b: b.readlines(10),
                 lambda b: b.seek(-4, 2), lambda b: b.read(None), lambda b: b.read(),
                 lambda b: b.read1(), lambda b: b.peek(), lambda b: b.seek(2),
                 lambda b: b.read(0), lambda b: b.read1(0), lambda b: b.seek(-3, 1),
                 lambda b: b.read(-1), lambda b: b.seek(7), lambda b: b.read(10 ** 6),
                 lambda b: b.seek(3), lambda b: b.read(1), lambda b: b.seek(1, 1),
                 lambda b: b.read(2), lambda b: b.tell(), lambda b: b.seek(0, 2),
                 lambda b: b.tell(), lambda b: b.readline(), lambda b: b.seek(40),
                 lambda b: b.readline(-1), lambda b: b.seek(100), lambda b: b.read(),
                 lambda b: b.tell()]
        for label, make in self.each("BufferedReader", TEXT):
            with self.subTest(**label):
                self.same(make, *steps)

    def test_readinto_and_readinto1(self):
        def into(method, target):
            def step(b):
                n = getattr(b, method)(target)
                return n, bytes(target)
            return step

        for label, make in self.each("BufferedReader", TEXT):
            with self.subTest(**label):
                self.same(make, into("readinto", bytearray(4)), into("readinto1", bytearray(3)),
                          into("readinto", memoryview(bytearray(10))),
                          into("readinto1", array.array("b", [0] * 5)),
                          into("readinto", bytearray(100)), into("readinto", bytearray(1)),
                          into("readinto1", bytearray(1)), lambda b: b.seek(1),
                          into("readinto1", bytearray(30)), into("readinto", bytearray(0)))

    def test_peek_does_not_advance(self):
        for label, make in self.each("BufferedReader", TEXT):
            with self.subTest(**label):
                self.same(make, lambda b: b.peek(), lambda b: b.peek(100), lambda b: b.tell(),
                          lambda b: b.read(1), lambda b: b.peek(1), lambda b: b.peek(-5),
                          lambda b: b.tell(), lambda b: b.read(2), lambda b: b.seek(0, 2),
                          lambda b: b.peek(), lambda b: b.tell())
        b = libpyio.BufferedReader(libpyio.BytesIO(TEXT), 7)
        for _ in range(3):
            self.assertEqual(b.peek(), TEXT[:7])
            self.assertEqual(b.tell(), 0)
        self.assertEqual(b.read(7), TEXT[:7])

    def test_capabilities_and_attributes(self):
        p = self.path(data=TEXT)
        for make in [lambda m: m.BufferedReader(m.FileIO(p)),
                     lambda m: m.BufferedReader(io.FileIO(p))]:
            self.same(make, lambda b: b.readable(), lambda b: b.writable(),
                      lambda b: b.seekable(), lambda b: b.isatty(),
                      lambda b: b.fileno() > 2, lambda b: b.name, lambda b: b.mode,
                      lambda b: b.closed, lambda b: b.flush(), lambda b: b.truncate(),
                      lambda b: b.write(b"x"), lambda b: b.writelines([b"x"]),
                      lambda b: b.__enter__() is b, lambda b: iter(b) is b,
                      lambda b: b.readline(), lambda b: next(b), lambda b: b.close(),
                      lambda b: b.closed)
        self.same(lambda m: m.BufferedReader(m.BytesIO(TEXT)), lambda b: b.name,
                  lambda b: b.mode, lambda b: b.fileno(), lambda b: b.isatty())

    def test_argument_conventions(self):
        class Index:
            def __index__(self):
                return 2

        for value in [None, -1, -2, -2 ** 63, 0, 2, True, Index(), "x", 1.5, 2 ** 63, 2 ** 70]:
            with self.subTest(value=value):
                self.same(lambda m: m.BufferedReader(m.BytesIO(TEXT), 4),
                          lambda b: b.read(value), lambda b: b.read1(value),
                          lambda b: b.peek(value), lambda b: b.readline(value),
                          lambda b: b.readlines(value), lambda b: b.tell())
        for target in [b"ab", "ab", None, bytearray(2), memoryview(b"ab"),
                       memoryview(bytearray(6))[::2], array.array("i", [0])]:
            with self.subTest(target=target):
                self.same(lambda m: m.BufferedReader(m.BytesIO(TEXT), 4),
                          lambda b: b.readinto(target), lambda b: b.readinto1(target))

    def test_closed_reader(self):
        def closed(m):
            b = m.BufferedReader(m.FileIO(self.path(data=TEXT)), 4)
            b.read(1)
            b.close()
            return b

        self.same(closed, lambda b: b.read(), lambda b: b.read(1), lambda b: b.read1(),
                  lambda b: b.peek(), lambda b: b.readinto(bytearray(1)),
                  lambda b: b.readinto1(bytearray(1)), lambda b: b.readline(),
                  lambda b: b.readlines(), lambda b: b.seek(0), lambda b: b.seek("x"),
                  lambda b: b.seek(0, 9), lambda b: b.tell(), lambda b: b.truncate(),
                  lambda b: b.truncate("x"), lambda b: b.flush(), lambda b: b.fileno(),
                  lambda b: b.isatty(), lambda b: b.readable(), lambda b: b.writable(),
                  lambda b: b.seekable(), lambda b: b.closed, lambda b: b.mode,
                  lambda b: iter(b), lambda b: next(b), lambda b: b.__enter__(),
                  lambda b: b.write(b"x"), lambda b: b.detach() is not None,
                  lambda b: b.close())

    def test_constructor_errors(self):
        p = self.path(data=b"")
        for args in [("not a raw",), (None,), (5,)]:
            with self.subTest(args=args):
                self.same(lambda m: m.BufferedReader(*args))
        for args, kwargs in [((), {}), ((libpyio.BytesIO(), 1, 2), {}),
                             ((libpyio.BytesIO(),), {"size": 1})]:
            with self.assertRaises(TypeError):
                libpyio.BufferedReader(*args, **kwargs)
        for make_raw in [lambda m: m.FileIO(p, "w"), lambda m: m.BytesIO(),
                         lambda m: io.FileIO(p, "w")]:
            for size in [0, -1, -2 ** 63, "x", 1.5, 2 ** 70, None]:
                with self.subTest(size=size):
                    raws = []

                    def make(m, keyword=False):
                        raws.append(make_raw(m))
                        if keyword:
                            return m.BufferedReader(raws[-1], buffer_size=size)
                        return m.BufferedReader(raws[-1], size)

                    self.same(make)
                    self.same(lambda m: make(m, keyword=True))
                    for raw in raws:
                        self.assertFalse(raw.closed)
                        raw.close()
        self.same(lambda m: m.BufferedReader(raw_reader_class(m)(b"abc"), 2),
                  lambda b: b.read(), lambda b: b.seek(0))

    def test_duck_typed_raw(self):
        def duck(m):
            class Duck:
                """What io's BufferedReader needs of a raw object."""
                data = b"duck\ndata"

                def readable(self):
                    return True

                def readall(self):
                    data, self.data = self.data, b""
                    return data

                def flush(self):
                    pass

                def readinto(self, b):
                    n = min(len(b), len(self.data))
                    b[:n], self.data = self.data[:n], self.data[n:]
                    return n

                closed = False

                def close(self):
                    Duck.closed = True
            return m.BufferedReader(Duck(), 3)

        self.same(duck, lambda b: b.readline(), lambda b: b.read(), lambda b: b.closed,
                  lambda b: b.close(), lambda b: b.raw.closed)


class BufferedWriterTest(BufferedCase):
    def contents(self, b):
        raw = b.raw
        if hasattr(raw, "getvalue"):
            return raw.getvalue()
        if hasattr(raw, "data"):
            return bytes(raw.data)
        with open(self.path("raw"), "rb") as f:
            return f.read()

    def test_writing_session_at_every_buffer_size(self):
        for label, make in self.each("BufferedWriter", b"0123456789", mode="wb"):
            with self.subTest(**label):
                self.same(make, lambda b: b.write(b"abc"), lambda b: b.tell(),
                          lambda b: self.contents(b), lambda b: b.write(bytearray(b"defgh")),
                          lambda b: b.write(memoryview(b"ij")), lambda b: b.tell(),
                          lambda b: b.write(b""), lambda b: b.write(b"k" * 20),
                          lambda b: self.contents(b), lambda b: b.flush(),
                          lambda b: self.contents(b), lambda b: b.writelines([b"l", b"mn"]),
                          lambda b: b.seek(2), lambda b: b.write(b"XY"), lambda b: b.tell(),
                          lambda b: b.seek(0, 2), lambda b: b.seek(-1, 1), lambda b: b.write(b"!"),
                          lambda b: b.truncate(12), lambda b: b.tell(), lambda b: self.contents(b),
                          lambda b: b.write(memoryview(b"abcdefgh")[::2]), lambda b: b.flush(),
                          lambda b: self.contents(b), lambda b: b.seek(30),
                          lambda b: b.write(b"far"),
                          lambda b: b.flush(), lambda b: self.contents(b))

    def test_raw_calls_match_ios(self):
        # Which raw writes a buffered writer makes is its buffering policy.
        for size in [1, 2, 7, 16]:
            for lengths in [[1, 1, 1, 1, 1], [3, 5, 7, 9], [20, 1, 20], [7, 7, 7, 0, 14]]:
                seen = []
                for m in MODULES:
                    raw = recording_raw_class(m)(b"", "wb")
                    b = m.BufferedWriter(raw, size)
                    for i, n in enumerate(lengths):
                        b.write(bytes([65 + i]) * n)
                    b.flush()
                    seen.append((raw.calls, bytes(raw.data)))
                self.assertEqual(seen[0], seen[1], (size, lengths))

    def test_reading_methods_are_bufferediobases(self):
        self.same(lambda m: m.BufferedWriter(m.BytesIO()), lambda b: b.read(),
                  lambda b: b.read("x"), lambda b: b.read1(), lambda b: b.readinto(bytearray(2)),
                  lambda b: b.readinto1(bytearray(2)), lambda b: b.readline(),
                  lambda b: b.readlines(), lambda b: next(b), lambda b: b.readable(),
                  lambda b: b.writable(), lambda b: hasattr(b, "peek"))

    def test_argument_conventions(self):
        for data in [b"ab", bytearray(b"ab"), memoryview(b"ab"), array.array("h", [1, 2]),
                     memoryview(b"abcdef")[::2], "ab", 3, None]:
            with self.subTest(data=data):
                self.same(lambda m: m.BufferedWriter(m.BytesIO(), 4), lambda b: b.write(data),
                          lambda b: b.writelines([data]), lambda b: b.flush(),
                          lambda b: b.raw.getvalue())
        for args in [(1,), (1, 0), (0, 2), (-1,), (0, 7), (0, 5), ("x",), (1.0,), (0, "x"),
                     (2 ** 63,), (2 ** 70,), (0, 2 ** 31), (True, True)]:
            with self.subTest(seek=args):
                self.same(lambda m: m.BufferedWriter(m.BytesIO(b"abcdef"), 4),
                          lambda b: b.write(b"xy"), lambda b: b.seek(*args), lambda b: b.tell())
        for size in [None, 3, 0, -1, "x", 1.5, 2 ** 63, 2 ** 70, -2 ** 63, 10, True]:
            with self.subTest(truncate=size):
                self.same(lambda m: m.BufferedWriter(m.BytesIO(b"abcdef"), 4),
                          lambda b: b.seek(2), lambda b: b.write(b"Z"),
                          lambda b: b.truncate(size), lambda b: b.tell(),
                          lambda b: b.raw.getvalue())
                self.same(lambda m: m.BufferedWriter(m.FileIO(self.path(data=b"abcdef"), "r+")),
                          lambda b: b.write(b"Z"), lambda b: b.truncate(size))

    def test_closed_writer(self):
        def closed(m):
            b = m.BufferedWriter(m.FileIO(self.path(), "w"), 4)
            b.write(b"pending")
            b.close()
            return b

        self.same(closed, lambda b: b.write(b"x"), lambda b: b.write("x"),
                  lambda b: b.writelines([b"x"]), lambda b: b.flush(), lambda b: b.seek(0),
                  lambda b: b.seek(2 ** 70), lambda b: b.tell(), lambda b: b.truncate(),
                  lambda b: b.truncate(1.5), lambda b: b.fileno(), lambda b: b.isatty(),
                  lambda b: b.writable(), lambda b: b.readable(), lambda b: b.seekable(),
                  lambda b: b.closed, lambda b: b.close())
        with open(self.path(), "rb") as f:
            self.assertEqual(f.read(), b"pending")

    def test_close_flushes_then_closes_the_raw_stream(self):
        for label, make in self.each("BufferedWriter", b"", mode="wb", sizes=[4]):
            with self.subTest(**label):
                self.same(make, lambda b: b.write(b"abcdef"), lambda b: b.write(b"gh"),
                          lambda b: b.close(), lambda b: (b.closed, b.raw.closed),
                          lambda b: b.close())
        for m in MODULES:
            raw = recording_raw_class(m)(b"", "wb")
            b = m.BufferedWriter(raw, 100)
            b.write(b"kept")
            b.close()
            self.assertEqual(bytes(raw.data), b"kept")
            self.assertTrue(raw.closed)


class BufferedRandomTest(BufferedCase):
    def test_session_at_every_buffer_size(self):
        for label, make in self.each("BufferedRandom", TEXT):
            with self.subTest(**label):
                self.same(make, lambda b: b.read(3), lambda b: b.write(b"XY"), lambda b: b.tell(),
                          lambda b: b.peek(), lambda b: b.read(4), lambda b: b.seek(0),
                          lambda b: b.read1(5), lambda b: b.write(b"Z" * 9), lambda b: b.flush(),
                          lambda b: b.read1(3),
                          lambda b: b.readline(), lambda b: b.seek(-2, 1), lambda b: b.readline(),
                          lambda b: b.truncate(), lambda b: b.tell(), lambda b: b.seek(0, 2),
                          lambda b: b.write(b"end"), lambda b: b.seek(0), lambda b: b.read(),
                          lambda b: b.truncate(5), lambda b: b.tell(), lambda b: b.read(),
                          lambda b: b.seek(0), lambda b: b.readlines(), lambda b: b.readable(),
                          lambda b: b.writable(), lambda b: b.seekable())

    def test_mixed_operations_match_io(self):
        import random

        def operations(seed):
            rnd = random.Random(seed)
            ops = []
            for _ in range(60):
                kind = rnd.choice(["read", "read", "read1", "peek", "readline", "write",
                                   "write", "seek", "seek_cur", "seek_end", "tell",
                                   "truncate", "flush", "readinto", "readinto1"])
                n = rnd.choice([0, 1, 2, 3, 5, 8, 13, -1])
                data = bytes([97 + rnd.randrange(26)]) * rnd.choice([1, 2, 3, 7, 9, 20])
                ops.append((kind, n, data))
            return ops

        def step(kind, n, data, after_write):
            def run(b):
                if kind == "read1" and after_write:
                    b.flush()   # see test_read1_after_a_write_reads_what_was_written
                if kind in ("read", "read1", "peek", "readline"):
                    return getattr(b, kind)(n if kind != "peek" else max(n, 0))
                if kind in ("readinto", "readinto1"):
                    target = bytearray(max(n, 0))
                    return getattr(b, kind)(target), bytes(target)
                if kind == "write":
                    return b.write(data)
                if kind == "seek":
                    return b.seek(max(n, 0) * 3)
                if kind == "seek_cur":
                    return b.seek(n, 1)
                if kind == "seek_end":
                    return b.seek(-max(n, 0), 2)
                if kind == "truncate":
                    return b.truncate(None if n < 0 else n * 4)
                return getattr(b, kind)()
            return run

        for seed in range(6):
            ops = operations(seed)
            steps = [step(*op, i > 0 and ops[i - 1][0] == "write") for i, op in enumerate(ops)]
            steps += [lambda b: b.seek(0), lambda b: b.read()]
            for label, make in self.each("BufferedRandom", TEXT):
                with self.subTest(**label):
                    self.same(make, *steps)

    def test_read1_after_a_write_reads_what_was_written(self):
        # CPython 3.11's C BufferedRandom.read1 does not flush pending writes
        # first, so with nothing buffered it reads what the file held before
        # them; _pyio and the library write them out first.
        for m in [_pyio, libpyio]:
            b = m.BufferedRandom(m.BytesIO(TEXT))
            self.assertEqual(b.read1(5), b"first")
            b.write(b"Z" * 9)
            self.assertEqual(b.read1(3), b"ond")
            self.assertEqual(b.tell(), 17)
            b.seek(0)
            self.assertEqual(b.read(20), b"firstZZZZZZZZZond\n\nt")

    def test_constructor_needs_a_seekable_raw_stream(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)
        p = self.path(data=b"")
        for make_raw, size in [(lambda m: m.FileIO(r, "r", closefd=False), 4),
                               (lambda m: m.BytesIO(), 0), (lambda m: m.FileIO(p, "r"), 4),
                               (lambda m: m.FileIO(p, "w"), 4)]:
            raws = []

            def make(m):
                raws.append(make_raw(m))
                return m.BufferedRandom(raws[-1], size)

            self.same(make)
            for raw in raws:
                self.assertFalse(raw.closed)      # a failed construction leaves it open
                raw.close()


class SocketIOTest(Case):
    """libpyio.SocketIO against socket.SocketIO, over a socketpair."""

    def sock_io(self, m, mode, data=b"", shutdown=True, nonblocking=False):
        ours, peer = socket.socketpair()
        self.addCleanup(ours.close)
        self.addCleanup(peer.close)
        peer.sendall(data)
        if shutdown:
            peer.shutdown(socket.SHUT_WR)
        ours.setblocking(not nonblocking)
        self.peer = peer
        s = socket.SocketIO(ours, mode) if m is io else libpyio.SocketIO(ours, mode)
        return s

    def test_reads_writes_and_attributes(self):
        for mode in ("rb", "wb", "rwb", "r", "w", "rw"):
            with self.subTest(mode=mode):
                self.same(lambda m: self.sock_io(m, mode, b"hello\nworld\n"),
                          lambda s: s.read(3), lambda s: s.readline(),
                          lambda s: s.readinto(bytearray(4)), lambda s: s.write(b"xyz"),
                          lambda s: self.peer.recv(10) if s.writable() else None,
                          lambda s: s.readable(), lambda s: s.writable(), lambda s: s.seekable(),
                          lambda s: s.mode, lambda s: s.isatty(), lambda s: s.read(),
                          lambda s: s.closed, lambda s: s.close(), lambda s: s.closed,
                          lambda s: s.name, lambda s: s.readable(), lambda s: s.read(1))

    def test_python_order_of_checks(self):
        # SocketIO is a Python class: closed, then the capability, then the
        # argument; seek, tell and truncate are IOBase's refusals whatever
        # the arguments; read's size is converted first.
        self.same(lambda m: self.sock_io(m, "r"),
                  lambda s: s.write(0), lambda s: s.seek(), lambda s: s.seek(1, 2, 3),
                  lambda s: s.tell(), lambda s: s.truncate(5), lambda s: s.read(None),
                  lambda s: s.readinto(b"abc"), lambda s: s.close(), lambda s: s.readinto(b"abc"),
                  lambda s: s.write(b"x"), lambda s: s.read(None), lambda s: s.fileno())

    def test_invalid_modes(self):
        for mode in ("", "rb+", "br", "x", "rt"):
            with self.subTest(mode=mode):
                self.same(lambda m: self.sock_io(m, mode))

    def test_non_blocking_reads_and_writes(self):
        self.same(lambda m: self.sock_io(m, "rwb", shutdown=False, nonblocking=True),
                  lambda s: s.read(4), lambda s: s.readinto(bytearray(2)), lambda s: s.readall(),
                  lambda s: [s.write(b"x" * 65536) for _ in range(64)][-1])

    def test_empty_reads_ask_the_socket_nothing(self):
        self.same(lambda m: self.sock_io(m, "rb", shutdown=False, nonblocking=True),
                  lambda s: s.read(0), lambda s: s.readinto(bytearray(0)), lambda s: s.read(1))

    def test_close_leaves_the_socket_open(self):
        for m in MODULES:
            with self.subTest(module=m.__name__):
                s = self.sock_io(m, "rb")
                sock = s._sock if m is io else s._sock
                s.close()
                self.assertNotEqual(sock.fileno(), -1)

    def test_buffered_over_socket_io_both_ways(self):
        def loop(m):
            ours, peer = socket.socketpair()
            self.addCleanup(ours.close)
            self.addCleanup(peer.close)
            ours.setblocking(False)
            make = socket.SocketIO if m is io else libpyio.SocketIO
            return m.BufferedRWPair(make(ours, "rb"), make(peer, "wb"), 4)
        self.same(loop, lambda p: p.read(3), lambda p: p.write(b"hello\nthere\n"),
                  lambda p: p.read(3), lambda p: p.flush(), lambda p: p.peek()[:1],
                  lambda p: p.readline(), lambda p: p.read1(3), lambda p: p.read(10),
                  lambda p: p.close(), lambda p: p.closed)


class RefusalTest(Case):
    def test_io_refusals_take_any_arguments(self):
        # io's IOBase.seek/truncate and BufferedIOBase.read/read1/write
        # refuse whatever they are given (METH_VARARGS).
        self.same(lambda m: m.BufferedReader(m.BytesIO(b"abc"), 4),
                  lambda b: b.write(), lambda b: b.write(1, 2))
        self.same(lambda m: m.BufferedWriter(m.BytesIO(), 4),
                  lambda b: b.read(1, 2, 3), lambda b: b.read1(), lambda b: b.peek())
        self.same(lambda m: m.BufferedRWPair(m.BytesIO(), m.BytesIO(), 4),
                  lambda p: p.seek(), lambda p: p.seek(1, 2, 3), lambda p: p.truncate(1, 2),
                  lambda p: p.tell())


class BufferedRWPairTest(BufferedCase):
    def pair(self, m, size=None):
        r, w = os.pipe()
        raw_r, raw_w = m.FileIO(r, "r"), m.FileIO(w, "w")
        return m.BufferedRWPair(raw_r, raw_w) if size is None else \
            m.BufferedRWPair(raw_r, raw_w, size)

    def test_pipe_pair(self):
        for size in SIZES:
            with self.subTest(size=size):
                self.same(lambda m: self.pair(m, size), lambda p: p.write(b"hello\nworld\n"),
                          lambda p: p.flush(), lambda p: p.read(3), lambda p: p.peek(1)[:1],
                          lambda p: p.read1(1), lambda p: p.readline(),
                          lambda p: p.readinto(bytearray(3)), lambda p: p.write(b"more\n"),
                          lambda p: p.flush(), lambda p: p.readinto1(bytearray(8)),
                          lambda p: p.writelines([b"end", b"\n"]), lambda p: p.flush(),
                          lambda p: p.readline(), lambda p: p.readable(), lambda p: p.writable(),
                          lambda p: p.isatty(), lambda p: p.closed, lambda p: p.seekable(),
                          lambda p: p.seek(0), lambda p: p.tell(), lambda p: p.truncate(),
                          lambda p: p.fileno(), lambda p: p.detach(), lambda p: p.close(),
                          lambda p: p.closed, lambda p: p.read(1), lambda p: p.write(b"x"),
                          lambda p: p.flush(), lambda p: p.peek(), lambda p: p.close())

    def test_lines_and_iteration(self):
        self.same(lambda m: m.BufferedRWPair(m.BytesIO(TEXT), m.BytesIO(), 4),
                  lambda p: p.readline(), lambda p: next(p), lambda p: p.readlines(12),
                  lambda p: list(p), lambda p: p.write(b"w"), lambda p: p.writelines([b"x"]))
        self.same(lambda m: m.BufferedRWPair(m.BytesIO(TEXT), m.BytesIO(), 4),
                  lambda p: p.read(3), lambda p: p.read(), lambda p: p.read(), lambda p: p.read1())

    def test_attributes_io_lacks(self):
        for name in ["raw", "name", "mode", "peek", "readline", "__next__", "seek", "detach",
                     "read1", "readinto1", "fileno"]:
            self.assertEqual(hasattr(libpyio.BufferedRWPair, name),
                             hasattr(io.BufferedRWPair, name), name)

    def test_constructor(self):
        p = self.path(data=b"")
        for mode in ["w", "r"]:
            raws = []

            def make(m):
                raws.extend([m.FileIO(p, mode), m.FileIO(p, mode)])
                return m.BufferedRWPair(raws[-2], raws[-1])

            self.same(make)
            for raw in raws:
                self.assertFalse(raw.closed)
                raw.close()
        self.same(lambda m: m.BufferedRWPair(m.BytesIO(), m.BytesIO(), 0))
        self.same(lambda m: m.BufferedRWPair(None, m.BytesIO()))
        with self.assertRaises(TypeError):
            libpyio.BufferedRWPair(libpyio.BytesIO(), libpyio.BytesIO(), buffer_size=4)


class BufferedCommonTest(BufferedCase):
    CLASSES = [("BufferedReader", "rb"), ("BufferedWriter", "wb"), ("BufferedRandom", "rb+")]

    def test_detach_returns_the_raw_object_and_leaves_it_open(self):
        for cls, mode in self.CLASSES:
            for raw_name, make_raw in self.raws(TEXT, mode).items():
                with self.subTest(cls=cls, raw=raw_name):
                    raw = make_raw(libpyio)
                    b = getattr(libpyio, cls)(raw, 4)
                    self.assertIs(b.raw, raw)
                    if "r" in mode:
                        self.assertEqual(b.read(2), TEXT[:2])
                    else:
                        b.write(b"pending")
                    self.assertIs(b.detach(), raw)
                    self.assertIsNone(b.raw)
                    self.assertFalse(raw.closed)
                    gc.collect()
                    self.assertFalse(raw.closed)
                    raw.close()
        for cls, mode in self.CLASSES:
            for raw_name, make_raw in self.raws(TEXT, mode).items():
                with self.subTest(cls=cls, raw=raw_name):
                    # Where the raw stream is left: BufferedRandom gives its
                    # read-ahead back, BufferedReader does not, as in io.
                    self.same(lambda m: getattr(m, cls)(make_raw(m), 4),
                              lambda b: b.read(2) if "r" in mode else b.write(b"ab"),
                              lambda b: detached(b).tell())

    def test_after_detach(self):
        steps = [lambda b: b.detach() is not None, lambda b: b.raw, lambda b: b.closed,
                 lambda b: b.name, lambda b: b.mode, lambda b: repr(b).split()[0].split(".")[-1],
                 lambda b: b.read(1), lambda b: b.read("x"), lambda b: b.read(-5),
                 lambda b: b.read1(), lambda b: b.peek(), lambda b: b.readline(),
                 lambda b: b.readinto(bytearray(1)), lambda b: b.write(b"x"),
                 lambda b: b.seek(0), lambda b: b.seek("x"), lambda b: b.tell(),
                 lambda b: b.truncate(), lambda b: b.truncate("x"), lambda b: b.flush(),
                 lambda b: b.fileno(), lambda b: b.isatty(), lambda b: b.readable(),
                 lambda b: b.writable(), lambda b: b.seekable(), lambda b: b.detach(),
                 lambda b: b.close(), lambda b: b.__enter__()]
        for cls, mode in self.CLASSES:
            with self.subTest(cls=cls):
                self.same(lambda m: getattr(m, cls)(m.BytesIO(TEXT)), *steps)

    def test_seek_to_a_bad_target_after_the_raw_stream_closed(self):
        # io's CHECK_CLOSED lets a closed object through while its read
        # buffer holds bytes: then the raw stream's seekable() speaks ("I/O
        # operation on closed file"), else "seek of closed file"; the target
        # is looked at only after both.
        for cls, mode in self.CLASSES:
            for peeked in (False, True):
                if peeked and "r" not in mode:
                    continue
                with self.subTest(cls=cls, peeked=peeked):
                    def make(m):
                        raw = io.FileIO(self.path("seek", TEXT), mode)
                        b = getattr(m, cls)(raw, 4)
                        if peeked:
                            b.peek()
                        raw.close()
                        return b
                    self.same(make, lambda b: b.seek([], 0), lambda b: b.seek("x", 1))

    def test_raw_is_the_object_passed(self):
        for cls, mode in self.CLASSES:
            for raw_name, make_raw in self.raws(TEXT, mode).items():
                raw = make_raw(libpyio)
                with getattr(libpyio, cls)(raw) as b:
                    self.assertIs(b.raw, raw)
                self.assertTrue(raw.closed)

    def test_name_and_mode_are_the_raw_objects(self):
        p = self.path(data=b"x")
        for cls, mode in self.CLASSES:
            with self.subTest(cls=cls):
                self.same(lambda m: getattr(m, cls)(m.FileIO(p, mode)), lambda b: b.name,
                          lambda b: b.mode, lambda b: repr(b).split(".", 1)[1])
                raw = memory_raw_class(libpyio)(b"", mode)
                b = getattr(libpyio, cls)(raw)
                raw.name, raw.mode = pathlib.Path(p), "custom"
                self.assertIs(b.name, raw.name)
                self.assertEqual(b.mode, "custom")
                self.assertEqual(repr(b), f"<libpyio.{cls} name={raw.name!r}>")
                del raw.name
                del type(raw).name
                self.assertEqual(repr(b), f"<libpyio.{cls}>")

    def test_isinstance(self):
        b = libpyio.BufferedReader(libpyio.BytesIO())
        for cls in [io.BufferedIOBase, io.IOBase, libpyio.BufferedIOBase, libpyio.IOBase]:
            self.assertIsInstance(b, cls)
        self.assertNotIsInstance(b, io.RawIOBase)
        self.assertNotIsInstance(b, io.BufferedReader)
        for cls in ["BufferedReader", "BufferedWriter", "BufferedRandom", "BufferedRWPair"]:
            self.assertTrue(issubclass(getattr(libpyio, cls), libpyio.BufferedIOBase))
            self.assertTrue(issubclass(getattr(libpyio, cls), io.BufferedIOBase))
            self.assertEqual(getattr(libpyio, cls).__module__, "libpyio")

    def test_same_methods_as_io(self):
        names = ["read", "read1", "readinto", "readinto1", "peek", "readline", "readlines",
                 "write", "writelines", "flush", "seek", "tell", "truncate", "close", "detach",
                 "raw", "name", "mode", "fileno", "isatty", "readable", "writable", "seekable",
                 "closed", "__enter__", "__exit__", "__iter__", "__next__", "_dealloc_warn"]
        for cls in ["BufferedReader", "BufferedWriter", "BufferedRandom", "BufferedRWPair"]:
            for name in names:
                self.assertEqual(hasattr(getattr(libpyio, cls), name),
                                 hasattr(getattr(io, cls), name), (cls, name))

    def test_no_instance_dict_entries_and_no_pickling(self):
        b = libpyio.BufferedReader(libpyio.BytesIO())
        self.assertEqual(vars(b), {})
        with self.assertRaises(TypeError) as cm:
            pickle.dumps(b)
        self.assertEqual(str(cm.exception), "cannot pickle 'libpyio.BufferedReader' object")
        for attribute in ["raw", "closed", "name", "mode"]:
            with self.assertRaises(AttributeError):
                setattr(b, attribute, None)

    def test_context_manager_and_close(self):
        for cls, mode in self.CLASSES:
            with self.subTest(cls=cls):
                self.same(lambda m: getattr(m, cls)(m.BytesIO(TEXT)),
                          lambda b: b.__enter__() is b, lambda b: b.__exit__(None, None, None),
                          lambda b: b.closed, lambda b: b.raw.closed, lambda b: b.close(),
                          lambda b: b.__enter__())

    def test_raw_closed_behind_the_buffered_objects_back(self):
        for cls, mode in self.CLASSES:
            with self.subTest(cls=cls):
                self.same(lambda m: getattr(m, cls)(m.BytesIO(TEXT), 4),
                          lambda b: b.raw.close(), lambda b: b.closed, lambda b: b.close(),
                          lambda b: b.closed)

    def test_buffered_bytes_served_after_the_raw_stream_closed(self):
        # What is buffered is still served; then io's read() to EOF asks the
        # raw stream, whose own error ("I/O operation on closed file") is
        # seen, and the other reads say "read of closed file".
        for cls in ["BufferedReader", "BufferedRandom"]:
            for steps in ([lambda b: b.read()], [lambda b: b.read(1), lambda b: b.read(9)],
                          [lambda b: b.read1(9), lambda b: b.readline()]):
                with self.subTest(cls=cls, steps=len(steps)):
                    self.same(lambda m: getattr(m, cls)(m.BytesIO(TEXT), 2),
                              lambda b: b.peek(), lambda b: b.raw.close(), *steps,
                              lambda b: b.read())

    def test_subclass_overrides(self):
        def make(m):
            class Upper(m.BufferedReader):
                def readline(self, size=-1):
                    return super().readline(size).upper()
            return Upper(m.BytesIO(b"ab\ncd\n"), 2)

        self.same(make, lambda b: next(b), lambda b: list(b))

        def make_writer(m):
            class Counting(m.BufferedWriter):
                flushes = 0

                def flush(self):
                    type(self).flushes += 1
                    super().flush()
            return Counting(m.BytesIO())

        self.same(make_writer, lambda b: b.write(b"x"), lambda b: b.detach().getvalue(),
                  lambda b: type(b).flushes)
        self.same(make_writer, lambda b: b.close(), lambda b: type(b).flushes)

    def test_finaliser_closes_and_flushes(self):
        for m in MODULES:
            raw = recording_raw_class(m)(b"", "wb")
            b = m.BufferedWriter(raw, 100)
            b.write(b"unflushed")
            del b
            gc.collect()
            self.assertEqual(bytes(raw.data), b"unflushed", m)
            self.assertTrue(raw.closed, m)

    def test_unclosed_file_warns_with_the_buffered_objects_repr(self):
        p = self.path(data=b"x")
        for m in MODULES:
            f = m.open(p, "rb")
            fd = f.fileno()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                del f
                gc.collect()
            self.assertEqual([w.category for w in caught], [ResourceWarning], m)
            self.assertEqual(str(caught[0].message).replace("_io.", "libpyio."),
                             f"unclosed file <libpyio.BufferedReader name={p!r}>")
            with self.assertRaises(OSError):
                os.fstat(fd)

    def test_threads_writing_one_buffered_writer(self):
        raw = libpyio.BytesIO()
        b = libpyio.BufferedWriter(raw, 7)

        def work(index):
            for _ in range(300):
                b.write(b"%d" % index * 5)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        b.flush()
        value = raw.getvalue()
        self.assertEqual(len(value), 8 * 300 * 5)
        for i in range(8):
            self.assertEqual(value.count(b"%d" % i), 300 * 5)


class BufferedCallbackTest(unittest.TestCase):
    """Python raw objects under the library's buffered classes."""

    def test_exceptions_reach_the_caller_intact(self):
        class Armed(Raising):
            """Raising while armed; otherwise a readable, writable, seekable
            stream at position 0 that takes every write (for the
            constructors' checks, and to close quietly afterwards)."""
            armed = False
            harmless = {"readable": lambda: True, "writable": lambda: True,
                        "seekable": lambda: True, "tell": lambda: 0,
                        "seek": lambda pos, whence=0: 0, "flush": lambda: None,
                        "readinto": lambda b: 0, "write": len}

            def __getattribute__(self, name):
                harmless = type(self).harmless
                if name in harmless and not object.__getattribute__(self, "armed"):
                    return harmless[name]
                return super().__getattribute__(name)

        calls = [("BufferedReader", lambda b: b.read(3)), ("BufferedReader", lambda b: b.peek()),
                 ("BufferedReader", lambda b: b.read1(2)),
                 ("BufferedReader", lambda b: b.readinto(bytearray(2))),
                 ("BufferedReader", lambda b: b.readline()),
                 ("BufferedReader", lambda b: b.tell()),
                 ("BufferedReader", lambda b: b.seek(1)), ("BufferedReader", lambda b: b.fileno()),
                 ("BufferedReader", lambda b: b.isatty()), ("BufferedReader", lambda b: b.flush()),
                 ("BufferedReader", lambda b: b.readable()),
                 ("BufferedWriter", lambda b: (b.write(b"x"), b.flush())),
                 ("BufferedWriter", lambda b: b.write(b"x" * 100)),
                 ("BufferedWriter", lambda b: b.writable()),
                 ("BufferedWriter", lambda b: (b.write(b"x"), b.close())),
                 ("BufferedRandom", lambda b: b.truncate(0)),
                 ("BufferedRandom", lambda b: b.seekable())]
        for exc in [ZeroDivisionError("zero"), KeyError("key"), ValueError("value"),
                    FileNotFoundError(2, "No such file", "x"), OSError("plain"),
                    io.UnsupportedOperation("nope"), MemoryError()]:
            for index, (cls, call) in enumerate(calls):
                raw = Armed(exc)
                b = getattr(libpyio, cls)(raw, 4)
                raw.armed = True
                with self.subTest(exc=exc, cls=cls, call=index):
                    try:
                        call(b)
                    except BaseException as got:
                        self.assertIs(got, exc)
                        frames = [f.name for f in traceback.extract_tb(got.__traceback__)]
                        self.assertIn(frames[-1], {"readinto", "write", "seek", "tell",
                                                   "truncate", "isatty", "fileno", "flush",
                                                   "readable", "writable", "seekable"})
                    else:
                        self.fail("no exception")
                raw.armed = False
                b.close()
                exc.__traceback__ = None

    def test_exception_in_the_constructors_checks(self):
        exc = KeyError("readable")
        try:
            libpyio.BufferedReader(Raising(exc))
        except KeyError as got:
            self.assertIs(got, exc)
        else:
            self.fail("no exception")

    def test_readinto_returning_None_is_would_block(self):
        def blocked(m):
            class Blocked(m.RawIOBase):
                def readable(self):
                    return True

                def readinto(self, b):
                    return None
            return m.BufferedReader(Blocked(), 4)

        Case.same(self, blocked, lambda b: b.read(2), lambda b: b.read(), lambda b: b.read(-1),
                  lambda b: b.read1(3), lambda b: b.peek(), lambda b: b.readinto(bytearray(2)),
                  lambda b: b.readinto1(bytearray(2)), lambda b: b.readline())
        self.assertIsNone(blocked(libpyio).read(10))

    def test_would_block_after_some_data(self):
        def trickle(m):
            class Trickle(m.RawIOBase):
                chunks = [b"ab", None, b"cd\nef", None, b"", None]

                def readable(self):
                    return True

                def readinto(self, b):
                    chunk = self.chunks.pop(0) if self.chunks else b""
                    if chunk is None:
                        return None
                    b[:len(chunk)] = chunk
                    return len(chunk)
            return m.BufferedReader(Trickle(), 4)

        Case.same(self, trickle, lambda b: b.read(5), lambda b: b.read(5), lambda b: b.read(5),
                  lambda b: b.read(5))
        Case.same(self, trickle, lambda b: b.read(), lambda b: b.read(), lambda b: b.read())
        Case.same(self, trickle, lambda b: b.readline(), lambda b: b.readline(),
                  lambda b: b.readline(), lambda b: b.readline())

    def test_a_raw_object_closed_behind_the_buffer_is_closed_for_it(self):
        def counting(m):
            class Counting(m.RawIOBase):
                def writable(self):
                    return True

                def readable(self):
                    return True

                def readinto(self, b):
                    return 0

                def write(self, b):
                    return len(b)
            return Counting

        for m in MODULES:
            with self.subTest(module=m.__name__):
                raw = counting(m)()
                b = m.BufferedWriter(raw, 8)
                raw.close()
                self.assertTrue(b.closed)
                with self.assertRaisesRegex(ValueError, "^write to closed file$"):
                    b.write(b"x")
                with self.assertRaisesRegex(ValueError, "^flush of closed file$"):
                    b.flush()
                b.close()

    def test_truncate_of_an_odd_size_checks_closed_as_io(self):
        # A size C cannot take goes to the raw object as it is, after io's
        # checks: "closed" only once nothing is left buffered.
        class Raw(io.RawIOBase):
            def readable(self):
                return True

            def readinto(self, b):
                b[:2] = b"\nb"
                return 2

        for m in MODULES:
            with self.subTest(module=m.__name__):
                raw = Raw()
                b = m.BufferedReader(raw, 2)
                self.assertEqual(next(b), b"\n")
                raw.close()
                with self.assertRaisesRegex(io.UnsupportedOperation, "^truncate$"):
                    b.truncate(-2**63)
                self.assertEqual(b.read(1), b"b")
                with self.assertRaisesRegex(ValueError, "^truncate of closed file$"):
                    b.truncate(-2**63)

    def test_close_flushes_a_raw_object_as_io_does(self):
        # io: a writer's close() calls raw.close() only (which flushes the
        # raw object once); a reader's calls raw.flush() first.
        for m in MODULES:
            for cls, flushes in (("BufferedWriter", 1), ("BufferedReader", 2)):
                class Counting(m.RawIOBase):
                    count = 0

                    def readable(self):
                        return True

                    def writable(self):
                        return True

                    def readinto(self, b):
                        return 0

                    def write(self, b):
                        return len(b)

                    def flush(self):
                        type(self).count += 1
                        super().flush()
                with self.subTest(module=m.__name__, cls=cls):
                    b = getattr(m, cls)(Counting(), 8)
                    b.close()
                    self.assertEqual(Counting.count, flushes)

    def test_write_returning_None_is_BlockingIOError_with_characters_written(self):
        def blocked(m):
            class Blocked(m.RawIOBase):
                def writable(self):
                    return True

                def write(self, b):
                    return None
            return m.BufferedWriter(Blocked(), 4)

        for m in MODULES:
            b = blocked(m)
            self.assertEqual(b.write(b"ab"), 2)
            with self.assertRaises(BlockingIOError) as cm:
                b.write(b"cdefgh")
            self.assertEqual(cm.exception.characters_written, 2)
            self.assertEqual(cm.exception.strerror, "write could not complete without blocking")
            # No errno: the raw object said None without one.
            self.assertEqual(cm.exception.errno, 0)
            with self.assertRaises(BlockingIOError) as cm:
                b.flush()
            self.assertEqual(cm.exception.characters_written, 0)

    def test_invalid_raw_results(self):
        def bad(m, result):
            class Bad(m.RawIOBase):
                def readable(self):
                    return True

                def writable(self):
                    return True

                def seekable(self):
                    return True

                def readinto(self, b):
                    return result(b)

                def write(self, b):
                    return result(b)

                def seek(self, pos, whence=0):
                    return 0

                def tell(self):
                    return 0
            return m.BufferedRandom(Bad(), 4)

        for result in [lambda b: len(b) + 1, lambda b: -1]:
            Case.same(self, lambda m: bad(m, result), lambda b: b.read(2),
                      lambda b: b.write(b"abcdefgh"))

    def test_reentrant_call_is_RuntimeError(self):
        class Reentrant(libpyio.RawIOBase):
            buffered = None

            def readable(self):
                return True

            def readinto(self, b):
                return self.buffered.readinto(b)

        raw = Reentrant()
        raw.buffered = libpyio.BufferedReader(raw)
        with self.assertRaises(RuntimeError) as cm:
            raw.buffered.read(1)
        self.assertTrue(str(cm.exception).startswith("reentrant call inside <"))

    def test_raw_object_is_kept_and_collected(self):
        raw = memory_raw_class(libpyio)(b"kept")
        ref = weakref.ref(raw)
        b = libpyio.BufferedReader(raw)
        del raw
        gc.collect()
        self.assertEqual(b.read(), b"kept")
        b.raw.owner = b             # a cycle through the raw object
        del b
        gc.collect()
        self.assertIsNone(ref())

    def test_a_failure_the_library_deals_with_keeps_nothing_alive(self):
        # The constructor asks the raw object's tell(), which raises here;
        # the library carries on without a position.
        class NoTell(libpyio.RawIOBase):
            def readable(self):
                return True

            def readinto(self, b):
                return 0

        raw = NoTell()
        ref = weakref.ref(raw)
        b = libpyio.BufferedReader(raw)
        self.assertEqual(_errors._pending(), [])
        del raw, b
        gc.collect()
        self.assertIsNone(ref())

    def test_unclosed_writer_over_a_python_raw_object_is_flushed_at_exit(self):
        import subprocess
        with tempfile.TemporaryDirectory() as d:
            script = f"""if True:
                import libpyio
                f = libpyio.open({os.path.join(d, "a")!r}, "wb")
                f.write(b"file")

                class Raw(libpyio.RawIOBase):
                    def writable(self):
                        return True

                    def write(self, b, path={os.path.join(d, "b")!r}, _open=open):
                        with _open(path, "ab") as out:
                            return out.write(b)

                w = libpyio.BufferedWriter(Raw())
                w.write(b"raw")
                w.self = w
            """
            env = dict(os.environ)
            env["PYTHONPATH"] = os.path.dirname(os.path.dirname(libpyio.__file__))
            subprocess.run([sys.executable, "-c", script], env=env, check=True)
            for name, data in [("a", b"file"), ("b", b"raw")]:
                with open(os.path.join(d, name), "rb") as f:
                    self.assertEqual(f.read(), data)

    def test_failed_construction_leaves_the_raw_object_alone(self):
        for m in MODULES:
            raw = memory_raw_class(m)(b"", "wb")
            with self.assertRaises(io.UnsupportedOperation):
                m.BufferedReader(raw)
            with self.assertRaises(ValueError):
                m.BufferedWriter(raw, 0)
            gc.collect()
            self.assertFalse(raw.closed, m)


class NonBlockingBufferedTest(unittest.TestCase):
    def pipe(self, m, size=16):
        r, w = os.pipe()
        os.set_blocking(r, False)
        os.set_blocking(w, False)
        reader = m.BufferedReader(m.FileIO(r), size)
        writer = m.BufferedWriter(m.FileIO(w, "w"), size)
        self.addCleanup(reader.close)
        self.addCleanup(lambda: outcome(writer.close))
        return reader, writer

    def test_reader_with_nothing_to_read(self):
        Case.same(self, lambda m: self.pipe(m)[0], lambda b: b.read(5), lambda b: b.read(),
                  lambda b: b.read1(5), lambda b: b.peek(), lambda b: b.readinto(bytearray(3)),
                  lambda b: b.readinto1(bytearray(3)), lambda b: b.readline())

    def test_blocking_io_error_carries_characters_written(self):
        results = {}
        for m in MODULES:
            reader, writer = self.pipe(m)
            seen = []
            for chunk in [b"a" * 10, b"b" * 100000, b"c" * 10, b"d" * 40000]:
                try:
                    seen.append(("ok", writer.write(chunk)))
                except BlockingIOError as exc:
                    seen.append(("blocked", exc.errno, exc.characters_written, exc.strerror))
            drained = b""
            while True:
                data = reader.read(1 << 20)
                if not data:
                    break
                drained += data
            seen.append(len(drained))
            writer.flush()
            seen.append(len(reader.read(1 << 20) or b""))
            results[m] = seen
        self.assertEqual(results[io], results[libpyio])
        blocked = [s for s in results[libpyio] if isinstance(s, tuple) and s[0] == "blocked"]
        self.assertTrue(blocked)
        self.assertEqual(blocked[0][1], 11)
        self.assertGreater(blocked[0][2], 0)


class OpenTest(Case):
    BINARY_MODES = ["rb", "wb", "ab", "xb", "r+b", "w+b", "a+b", "x+b", "br", "rb+", "+rb", "bw"]

    def test_every_binary_mode_and_buffering(self):
        p = self.path()
        for mode in self.BINARY_MODES:
            for buffering in [-1, 0, 2, 7, 4096, -5]:
                with self.subTest(mode=mode, buffering=buffering):
                    def make(m):
                        self.path(data=b"abc")
                        if "x" in mode:
                            os.unlink(p)
                        return m.open(p, mode, buffering)

                    self.same(make, lambda f: type(f).__name__, lambda f: f.name,
                              lambda f: f.mode, lambda f: f.readable(),
                              lambda f: f.writable(), lambda f: f.seekable(),
                              lambda f: f.tell(), lambda f: f.raw.name if buffering else None,
                              lambda f: type(f.raw).__name__ if buffering else None,
                              lambda f: f.write(b"12"), lambda f: f.seek(0),
                              lambda f: f.read(), lambda f: f.closed, lambda f: f.close(),
                              lambda f: f.closed)

    def test_classes_are_the_bindings(self):
        p = self.path(data=b"")
        for mode, buffering, cls in [("rb", -1, libpyio.BufferedReader),
                                     ("wb", -1, libpyio.BufferedWriter),
                                     ("r+b", -1, libpyio.BufferedRandom),
                                     ("ab", 0, libpyio.FileIO)]:
            with libpyio.open(p, mode, buffering) as f:
                self.assertIs(type(f), cls)
                if buffering:
                    self.assertIs(type(f.raw), libpyio.FileIO)
                    self.assertIs(f.raw.name, p)

    def test_buffer_size_is_currents_cpythons(self):
        p = self.path(data=b"")
        blksize = os.stat(p).st_blksize
        expected = max(min(blksize, 8 * 2 ** 20), libpyio.DEFAULT_BUFFER_SIZE)
        for buffering, size in [(-1, expected), (1, expected), (2, 2), (9999, 9999)]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f = libpyio.open(p, "rb", buffering)
            self.assertEqual(_lib.lib.pyio_buffer_size(f._pyio_handle), size)
            f.close()

    def test_name_is_the_file_as_io_names_it(self):
        p = self.path(data=b"x")
        for name in [p, os.fsencode(p), pathlib.Path(p)]:
            with self.subTest(name=name):
                self.same(lambda m: m.open(name, "rb"), lambda f: f.name,
                          lambda f: type(f.name).__name__)
                with libpyio.open(name, "rb") as f:
                    if not isinstance(name, pathlib.Path):
                        self.assertIs(f.name, name)
        fd = os.open(p, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        self.same(lambda m: (os.lseek(fd, 0, 0), m.open(fd, "rb", closefd=False))[1],
                  lambda f: f.name, lambda f: f.read(), lambda f: f.raw.closefd)
        self.same(lambda m: m.open(True, "rb", closefd=False), lambda f: f.name)
        os.fstat(fd)                                # still open

    def test_descriptor_with_closefd(self):
        p = self.path(data=b"abc")
        fd = os.open(p, os.O_RDONLY)
        f = libpyio.open(fd, "rb")
        self.assertEqual(f.read(), b"abc")
        f.close()
        with self.assertRaises(OSError):
            os.fstat(fd)

    def test_invalid_modes_and_arguments(self):
        p = self.path(data=b"")
        cases = [((p, "rw"), {}), ((p, "rq"), {}), ((p, "rbb"), {}), ((p, "r++"), {}),
                 ((p, "rtb"), {}), ((p, "b"), {}), ((p, ""), {}), ((p, "+b"), {}),
                 ((p, "é"), {}), ((p, "r\0b"), {}), ((p, b"rb"), {}), ((p, None), {}),
                 ((p, "rb", "x"), {}), ((p, "rb", 1.5), {}), ((p, "rb", 2 ** 31), {}),
                 ((p, "rb", -2 ** 31 - 1), {}), ((p, "rb", -1, "utf-8"), {}),
                 ((p, "rb", -1, None, "strict"), {}), ((p, "rb", -1, None, None, "\n"), {}),
                 ((p, "rb", -1, 5), {}), ((p, "rb", -1, "a\0"), {}),
                 ((p, "rb"), {"errors": 1}), ((p, "rb"), {"newline": b""}),
                 ((p, "rb"), {"closefd": False}), ((p, "rb"), {"closefd": "x"}),
                 ((p, "rb"), {"closefd": 2 ** 40}), ((p, "rb"), {"closefd": None}),
                 ((p, "rb"), {"opener": 5}),
                 ((None, "rb"), {}), ((None, "q"), {}), (([], "rb"), {}), ((1.5, "rb"), {}),
                 ((1.5, "q"), {}), ((2 ** 40, "rb"), {}), ((-1, "rb"), {}),
                 ((p + "\0", "rb"), {}), ((os.fsencode(p) + b"\0", "q"), {}),
                 ((os.path.join(self.dir.name, "missing"), "rb"), {}),
                 ((self.dir.name, "rb"), {}), ((self.dir.name, "r+b"), {}),
                 ((p, "wb", 0), {}), ((p, "rb", 0, "x"), {})]
        for args, kwargs in cases:
            with self.subTest(args=args, kwargs=kwargs):
                self.same(lambda m: m.open(*args, **kwargs), lambda f: type(f).__name__)
        # Python's wording for functions, not argument clinic's.
        for args, kwargs in [((), {}), ((p, "rb"), {"bogus": 1}), ((p,) * 9, {})]:
            with self.assertRaises(TypeError):
                libpyio.open(*args, **kwargs)

    def test_missing_file_names_the_path_as_io_does(self):
        missing = os.path.join(self.dir.name, "missing")
        for name in [missing, os.fsencode(missing), pathlib.Path(missing)]:
            errors = []
            for m in MODULES:
                with self.assertRaises(FileNotFoundError) as cm:
                    m.open(name, "rb")
                errors.append((cm.exception.errno, cm.exception.filename, str(cm.exception)))
            self.assertEqual(errors[0], errors[1])

    def test_exclusive_create_of_an_existing_file(self):
        p = self.path(data=b"kept")
        self.same(lambda m: m.open(p, "xb"))
        with open(p, "rb") as f:
            self.assertEqual(f.read(), b"kept")

    def test_pipe_as_BufferedRandom_closes_the_descriptor(self):
        for m in MODULES:
            r, w = os.pipe()
            self.addCleanup(os.close, w)
            with self.assertRaises(io.UnsupportedOperation) as cm:
                m.open(r, "r+b")
            self.assertEqual(str(cm.exception), "File or stream is not seekable.")
            with self.assertRaises(OSError):
                os.fstat(r)

    def test_unbuffered_text_is_refused_before_opening(self):
        # io creates the file first (a deliberate difference: see README).
        for m in (libpyio, io):
            p = self.path(f"text-{m.__name__}")
            with self.assertRaises(ValueError) as cm:
                m.open(p, "w", 0)
            self.assertEqual(str(cm.exception), "can't have unbuffered text I/O")
            self.assertEqual(os.path.exists(p), m is io)

    def test_opener(self):
        p = pathlib.Path(self.path(data=b"data"))
        seen = {}
        for m in MODULES:
            def opener(name, flags):
                seen.setdefault(m, []).append((name, type(name), flags))
                return os.open(name, flags)

            with m.open(p, "rb", opener=opener) as f:
                self.assertEqual(f.read(), b"data")
            with m.open(p, "r+b", 0, opener=opener) as f:
                self.assertEqual(f.read(), b"data")
        self.assertEqual(seen[io], seen[libpyio])

    def test_opener_exception_reaches_the_caller_intact(self):
        boom = KeyError("boom")

        def opener(name, flags):
            raise boom

        p = self.path("created")
        try:
            libpyio.open(p, "wb", opener=opener)
        except KeyError as exc:
            self.assertIs(exc, boom)
            self.assertEqual(traceback.extract_tb(exc.__traceback__)[-1].name, "opener")
        else:
            self.fail("no exception")
        self.same(lambda m: m.open(p, "rb", opener=lambda n, fl: -1))
        self.same(lambda m: m.open(p, "rb", opener=lambda n, fl: "x"))

    def test_line_buffering_warning(self):
        p = self.path(data=b"")
        for mode, buffering in [("rb", 1), ("wb", 1), ("r+b", 1), ("b", 1), ("rqb", 1),
                                ("rb", 2), ("rb", -1), ("rb", 0)]:
            with self.subTest(mode=mode, buffering=buffering):
                seen = []
                for m in MODULES:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        result = outcome(lambda: m.open(p, mode, buffering).close())
                    seen.append((result, [(w.category, str(w.message), w.filename)
                                          for w in caught]))
                self.assertEqual(seen[0], seen[1])
                self.assertEqual(bool(seen[1][1]), buffering == 1 and mode != "rqb")
                for _, _, filename in seen[1][1]:
                    self.assertEqual(filename, __file__)
        # As an error the warning comes before the file is opened.
        q = self.path("not created")
        for m in MODULES:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with self.assertRaises(RuntimeWarning):
                    m.open(q, "wb", 1)
            self.assertFalse(os.path.exists(q))

    def test_open_is_a_drop_in_for_a_session(self):
        self.same(lambda m: m.open(self.path(data=b"line 1\nline 2\n"), "r+b", 4),
                  lambda f: f.readline(), lambda f: f.peek(),
                  lambda f: f.write(b"LINE"), lambda f: f.seek(0), lambda f: list(f),
                  lambda f: f.truncate(3), lambda f: f.seek(0, 2), lambda f: f.write(b"!"),
                  lambda f: f.flush(), lambda f: f.seek(0), lambda f: f.read(),
                  lambda f: f.fileno() > 2, lambda f: f.isatty(), lambda f: detached(f).name)


# ---------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------

class ThreadTest(Case):
    def test_concurrent_use_keeps_errors_per_thread(self):
        failures = []
        barrier = threading.Barrier(8)

        def work(index):
            try:
                barrier.wait()
                p = self.path(f"t{index}")
                missing = self.path(f"missing{index}")
                for i in range(200):
                    with libpyio.FileIO(p, "w+") as f:
                        f.write(b"%d:%d\n" % (index, i))
                        f.seek(0)
                        assert f.readline() == b"%d:%d\n" % (index, i)
                    try:
                        libpyio.FileIO(missing)
                    except FileNotFoundError as exc:
                        assert exc.filename == missing, (exc.filename, missing)
                    exc = ValueError(index, i)
                    try:
                        libpyio._raw_handle(Raising(exc)).read(1)
                    except ValueError as got:
                        assert got is exc
                    b = libpyio.BytesIO(b"x" * index)
                    assert b.read() == b"x" * index
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])

    def test_blocking_read_does_not_hold_the_gil(self):
        r, w = os.pipe()
        reader = libpyio.FileIO(r)
        self.addCleanup(reader.close)
        result = []
        t = threading.Thread(target=lambda: result.append(reader.read(5)))
        t.start()
        # This thread runs while the other is blocked in read(2).
        os.write(w, b"hello")
        os.close(w)
        t.join(10)
        self.assertEqual(result, [b"hello"])


# ---------------------------------------------------------------------------
# Leaks
# ---------------------------------------------------------------------------

def leak_cycles():
    if "--million" in sys.argv:
        return 1_000_000
    return int(os.environ.get("PYIO_LEAK_CYCLES", "100000"))


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@unittest.skipUnless(os.path.isdir("/proc/self/fd"), "needs /proc")
class LeakTest(Case):
    def run_loop(self, cycles, body):
        for _ in range(min(cycles, 2000)):     # warm up allocator and caches
            body()
        gc.collect()
        fds, rss = open_fds(), rss_bytes()
        for _ in range(cycles):
            body()
        gc.collect()
        self.assertEqual(open_fds(), fds)
        growth = rss_bytes() - rss
        self.assertLess(growth, 10 * 2 ** 20, f"RSS grew by {growth} bytes in {cycles} cycles")

    def test_fileio_and_bytesio_cycles(self):
        p = self.path(data=b"some data\n")
        data = b"y" * 100

        def cycle():
            f = libpyio.FileIO(p)
            f.read(4)
            f.close()
            b = libpyio.BytesIO(data)
            b.read(10)

        self.run_loop(leak_cycles(), cycle)

    def test_a_failed_buffered_construction_frees_its_raw_stream_at_once(self):
        # io: the FileIO made for the call is closed as soon as the call
        # fails (no reference cycle keeps it until the collector runs).
        p = self.path(data=b"")
        for m in MODULES:
            with self.subTest(module=m.__name__), warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                writer = m.FileIO(p, "r+")
                before = open_fds()
                with self.assertRaises(io.UnsupportedOperation):
                    m.BufferedRWPair(m.FileIO(p, "a"), writer, 8)
                with self.assertRaises(io.UnsupportedOperation):
                    m.BufferedReader(m.FileIO(p, "a"), 8)
                self.assertEqual(open_fds(), before)
                writer.close()

    def test_a_failed_call_leaves_no_cycle_keeping_the_stream(self):
        # io's streams go as soon as the last reference does; an exception
        # the binding raised must not keep one alive through its traceback.
        p = self.path(data=b"abc")
        for m in MODULES:
            with self.subTest(module=m.__name__), warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                gc.disable()
                try:
                    before = open_fds()
                    f = m.FileIO(p, "r+")
                    b = m.BufferedRandom(m.FileIO(p, "r+"), 8)
                    # Not assertRaises, which clears the traceback's frames.
                    for call in (lambda: f.truncate(-2**63), lambda: b.truncate(-2**63)):
                        try:
                            call()
                        except OSError:
                            pass
                        else:
                            self.fail("truncate(-2**63) succeeded")
                    del f, b, call
                    self.assertEqual(open_fds(), before)
                finally:
                    gc.enable()

    def test_unclosed_fileio_cycles(self):
        p = self.path(data=b"")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            self.run_loop(leak_cycles() // 10, lambda: libpyio.FileIO(p))

    def test_callback_stream_and_getbuffer_cycles(self):
        def cycle():
            h = libpyio._raw_handle(Memory(b"abc"))
            h.read(2)
            b = libpyio.BytesIO(b"abc")
            b.getbuffer().release()
            try:
                libpyio._raw_handle(Raising(KeyError())).read(1)
            except KeyError:
                pass

        self.run_loop(leak_cycles() // 20, cycle)

    def test_open_and_buffered_cycles(self):
        p = self.path(data=b"some data\n" * 10)
        missing = self.path("missing")
        memory_raw = memory_raw_class(libpyio)

        def opener(name, flags):
            raise KeyError("opener")

        def cycle():
            with libpyio.open(p, "rb") as f:
                f.read(4)
            with libpyio.open(p, "r+b", 16) as f:
                f.write(b"x")
                f.read(2)
            libpyio.open(p, "ab", 0).close()
            for make in [lambda: libpyio.open(missing, "rb"),
                         lambda: libpyio.open(p, "rb", opener=opener)]:
                try:
                    make()
                except (FileNotFoundError, KeyError):
                    pass
            b = libpyio.BufferedReader(memory_raw(b"abc"), 2)
            b.read()
            b.close()
            w = libpyio.BufferedWriter(libpyio.BytesIO())
            w.write(b"x")
            w.detach()

        self.run_loop(leak_cycles() // 50, cycle)


if __name__ == "__main__":
    argv = [arg for arg in sys.argv if arg != "--million"]
    unittest.main(argv=argv)
