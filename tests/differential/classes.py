"""The classes under test: for each, how a sequence's stream is set up and
the table of operations its generator draws from.

A ClassSpec has
  - params(rng): the setup's parameters (which file, mode, initial bytes);
  - setup(params): a diffio.Setup (prepare / construct / finals / cleanup);
  - context(params): what the op generators may know (a write budget...);
  - table: (weight, generator) pairs; a generator takes (rng, ctx) and
    returns an Op.
The tables are built from the shared groups below (reading, writing,
positioning, state), so a class of a later layer (BufferedReader,
TextIOWrapper) is mostly a new setup plus a few groups of its own.

Each group mixes valid calls with misuse (wrong types, negative and
oversized values, calls on a closed stream); the weights keep most steps
valid enough to move the stream somewhere interesting.
"""

from __future__ import annotations

import bisect
import itertools

import prelude
from diffio import Blob, Encoded, Op, Sequence, Setup, Src, Text

DEFAULT_BUFFER_SIZE = 128 * 1024

# Arguments of the wrong kind, for any integer parameter.
MISUSED_INTS = ["1", 1.5, b"1", [], Src("Idx(2)"), True, 2**63, -2**63, -2**63 - 1, 2**64]
ALPHABETS = [b"ab\n", b"ab\n", b"abcdefgh", b"\n", b"x\n\n\r\x00\xff"]


def pick(rng, weighted):
    """One value from [(weight, value), ...]."""
    total = sum(w for w, _ in weighted)
    x = rng.uniform(0, total)
    for w, v in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][1]


def blob(rng, n):
    return Blob(rng.randrange(1 << 30), n, rng.choice(ALPHABETS))


def content(rng, cap=None):
    """Initial contents: mostly short, sometimes around the default buffer."""
    n = pick(rng, [(10, 0), (50, rng.randint(1, 100)), (25, rng.randint(100, 5000)),
                   (10, rng.randint(DEFAULT_BUFFER_SIZE - 2000, DEFAULT_BUFFER_SIZE + 9000)),
                   (5, rng.randint(250_000, 300_000))])
    return blob(rng, n if cap is None else min(n, cap))


# ---------------------------------------------------------------------------
# Argument generators
# ---------------------------------------------------------------------------

def size(rng, ctx):
    """read(n)-style sizes: None/-1, 0, 1, 2, small, default-ish, large."""
    r = rng.random()
    if r < 0.05:
        return rng.choice(MISUSED_INTS)
    if r < 0.15:
        return rng.choice([None, -1, -2, Src("Idx(3)")])
    if r < 0.60:
        return pick(rng, [(3, 0), (6, 1), (5, 2), (10, rng.randint(3, 20))])
    if r < 0.78:
        return rng.randint(21, 5000)
    if r < 0.97:
        return rng.choice([4095, 4096, 4097, 8192, 65536, DEFAULT_BUFFER_SIZE - 1,
                           DEFAULT_BUFFER_SIZE, DEFAULT_BUFFER_SIZE + 1, 1 << 20])
    return rng.choice(ctx["huge_sizes"]) if ctx["huge_sizes"] else 1 << 20


def buffer_size(rng, ctx):
    """A readinto buffer's length."""
    return pick(rng, [(3, 0), (6, 1), (5, 2), (15, rng.randint(3, 20)), (8, rng.randint(21, 5000)),
                      (5, rng.choice([4096, DEFAULT_BUFFER_SIZE - 1, DEFAULT_BUFFER_SIZE,
                                      DEFAULT_BUFFER_SIZE + 1, 300_000]))])


def limit(rng, ctx):
    """readline's limit."""
    r = rng.random()
    if r < 0.05:
        return rng.choice(MISUSED_INTS + [2**62])
    if r < 0.30:
        return rng.choice([None, -1, -5, 0])
    return pick(rng, [(5, 1), (5, 2), (10, rng.randint(3, 30)), (4, rng.randint(31, 2000)),
                      (2, DEFAULT_BUFFER_SIZE), (1, 1 << 20)])


def hint(rng, ctx):
    """readlines' hint."""
    if rng.random() < 0.05:
        return rng.choice(MISUSED_INTS)
    return rng.choice([None, -1, 0, 1, 2, 3, 5, 10, 50, 1000, 100_000])


def offset(rng, ctx):
    """seek's offset: around the start, the end, past the end, huge."""
    n = ctx["length"]
    r = rng.random()
    if r < 0.04 and ctx["misuse"]:
        return rng.choice(MISUSED_INTS + [Src("1.0")])
    if r < 0.10:
        return rng.choice(ctx["huge_offsets"])
    return pick(rng, [(8, 0), (10, rng.randint(1, 20)), (6, -rng.randint(1, 20)),
                      (6, n + rng.randint(-10, 10)), (3, -n - rng.randint(0, 5)),
                      (3, n + rng.randint(11, 5000)), (2, rng.randint(0, max(n, 1)))])


def whence(rng, ctx):
    r = rng.random()
    if r < 0.88:
        return rng.choice([0, 0, 1, 1, 2, 2])
    if r < 0.94 and ctx["extra_whence"]:
        return rng.choice([3, 4])  # SEEK_DATA, SEEK_HOLE
    if not ctx["misuse"]:
        return rng.choice([-1, 3, 5])
    return rng.choice([-1, 3, 5, 2**31, 2**63, "0", None, Src("1.0"), Src("Idx(1)")])


def truncate_size(rng, ctx):
    n = ctx["length"]
    r = rng.random()
    if r < 0.05 and ctx["misuse"]:
        return rng.choice(MISUSED_INTS)
    if r < 0.12:
        return rng.choice([-1, -2**63, 2**40, 2**62])
    return pick(rng, [(4, None), (6, 0), (8, rng.randint(1, 30)), (6, n + rng.randint(-10, 10)),
                      (3, n + rng.randint(11, 200_000)), (3, rng.randint(0, max(n, 1)))])


def data_size(rng, ctx):
    n = pick(rng, [(10, 0), (45, rng.randint(1, 20)), (30, rng.randint(21, 2000)),
                   (12, rng.randint(2001, 20_000)), (3, rng.randint(DEFAULT_BUFFER_SIZE - 100,
                                                                    DEFAULT_BUFFER_SIZE + 9000))])
    if ctx["budget"] is not None:
        n = min(n, ctx["budget"])
        ctx["budget"] -= n
    return n


def data(rng, ctx):
    return blob(rng, data_size(rng, ctx))


# ---------------------------------------------------------------------------
# Op groups
# ---------------------------------------------------------------------------

def op(template, *arg_gens):
    """A generator of Op(template, args) with each arg drawn from arg_gens."""
    def gen(rng, ctx):
        return Op(template, tuple(g(rng, ctx) for g in arg_gens))
    return gen


def choice_of(*templates):
    """A generator picking one of several argument-less templates."""
    def gen(rng, ctx):
        return Op(rng.choice(templates))
    return gen


def const(value):
    return lambda rng, ctx: value


def _readinto_slice(rng, ctx):
    n = buffer_size(rng, ctx)
    return Op("(f.readinto(m := memoryview(bytearray({0}))[{1}:]), bytes(m))",
              (n, rng.randint(0, min(n, 3))))


def _readinto_wide(rng, ctx):
    # Buffers whose items are wider than a byte: the count is in bytes.
    n = rng.randint(0, 40)
    return rng.choice([
        Op("(f.readinto(a := array.array('i', [0] * {0})), a.tobytes())", (n,)),
        Op("(f.readinto(m := memoryview(bytearray({0})).cast('I')), m.tobytes())", (4 * n,)),
    ])


def _readinto_misuse(rng, ctx):
    return Op("f.readinto({0})", (rng.choice([
        b"abc", "abc", None, 3, Src("memoryview(b'ab')"),
        Src("memoryview(bytearray(6))[::2]"), Src("[0, 0]")]),))


def reading(readall: bool):
    """read, readinto, readline(s) and iteration: IOBase / RawIOBase."""
    group = [
        (9, op("f.read({0})", size)),
        (1, choice_of("f.read()")),
        (4, op("(f.readinto(b := bytearray({0})), bytes(b))", buffer_size)),
        (2, _readinto_slice),
        (1, _readinto_wide),
        (1, _readinto_misuse),
        (4, op("f.readline({0})", limit)),
        (1, choice_of("f.readline()")),
        (2, op("f.readlines({0})", hint)),
        (1, choice_of("f.readlines()", "list(f)")),
        (3, choice_of("next(f)")),
        (1, choice_of("iter(f)")),
    ]
    if readall:
        group.append((3, choice_of("f.readall()")))
    return group


def buffered_reading():
    """read1 and readinto1: BufferedIOBase."""
    return [
        (3, op("f.read1({0})", size)),
        (1, choice_of("f.read1()")),
        (2, op("(f.readinto1(b := bytearray({0})), bytes(b))", buffer_size)),
    ]


def _write_array(rng, ctx):
    n = data_size(rng, ctx) // 2 * 2
    return Op("f.write(array.array('H', {0}))", (blob(rng, n),))


def _write_view_slice(rng, ctx):
    d = data(rng, ctx)
    return Op("f.write(memoryview({0})[{1}:])", (d, rng.randint(0, min(d.n, 3))))


def _write_misuse(rng, ctx):
    return rng.choice([
        Op("f.write({0})", (rng.choice(["abc", "", None, 1, Src("[1]"),
                                        Src("memoryview(b'abcdef')[::2]")]),)),
        Op("f.write()"),
    ])


def _writelines(rng, ctx):
    lines = [data(rng, ctx) for _ in range(rng.randint(0, 4))]
    return rng.choice([Op("f.writelines({0})", (lines,)),
                       Op("f.writelines(iter({0}))", (lines,)),
                       Op("f.writelines(map(bytearray, {0}))", (lines,))])


def _writelines_misuse(rng, ctx):
    return Op("f.writelines({0})", (rng.choice([
        [data(rng, ctx), "str", data(rng, ctx)], "ab", None, b"ab", [None]]),))


def writing():
    return [
        (7, op("f.write({0})", data)),
        (2, op("f.write(bytearray({0}))", data)),
        (2, _write_view_slice),
        (1, _write_array),
        (1, _write_misuse),
        (2, _writelines),
        (1, _writelines_misuse),
    ]


def positioning():
    return [
        (6, op("f.seek({0}, {1})", offset, whence)),
        (1, op("f.seek({0})", offset)),
        (1, choice_of("f.seek()")),
        (3, choice_of("f.tell()")),
        (3, op("f.truncate({0})", truncate_size)),
        (1, choice_of("f.truncate()")),
    ]


def state():
    """IOBase's state and capability queries, closing and the context manager."""
    return [
        (2, choice_of("f.flush()")),
        (1, choice_of("f.close()")),
        (1, choice_of("f.closed")),
        (2, choice_of("f.readable()", "f.writable()", "f.seekable()", "f.isatty()")),
        (1, choice_of("isinstance(f.fileno(), int)")),
        (1, choice_of("f.__enter__()", "f.__exit__(None, None, None)")),
    ]


class ClassSpec:
    name = ""
    table: list = []
    # Names the module under test must have for this class to be tested
    # (skipped otherwise: libpyio's binding grows a layer at a time).
    requires: tuple = ()
    # The part of --sequences this class runs: the classes of the buffered
    # layer cost more a sequence (two layers, often Python raw streams).
    share = 1.0
    # Whether exception messages are compared too (diffio.normal_message).
    compare_messages = False

    def sequences(self, requested: int) -> int:
        return max(1, round(requested * self.share)) if requested > 0 else 0

    def params(self, rng) -> dict:
        raise NotImplementedError

    def setup(self, params: dict) -> Setup:
        raise NotImplementedError

    def context(self, params: dict) -> dict:
        raise NotImplementedError

    def valid(self, params: dict) -> bool:
        """Whether params (simplified by the shrinker) still make sense."""
        return True

    def generate(self, rng, length: int, origin: str) -> Sequence:
        params = self.params(rng)
        ctx = self.context(params)
        weights = list(itertools.accumulate(w for w, _ in self.table))
        ops = []
        for _ in range(rng.randint(max(1, length // 2), max(1, length))):
            i = bisect.bisect_right(weights, rng.uniform(0, weights[-1]))
            ops.append(self.table[min(i, len(self.table) - 1)][1](rng, ctx))
        return Sequence(self.name, params, ops, rng.random() < 0.75, origin,
                        self.compare_messages)


# ---------------------------------------------------------------------------
# FileIO
# ---------------------------------------------------------------------------

FILE_MODES = ["r", "rb", "w", "wb", "x", "xb", "a", "ab", "r+", "rb+", "r+b", "w+", "wb+",
              "a+", "ab+", "x+", "xb+", "+r", "br", "bw+"]
BAD_MODES = ["", "rw", "rr", "r++", "rt", "U", "q", "ab+x", "b", "+", "wx", "r\0", "rbx"]
# os.open flags matching each mode letter, for FileIO(fd, mode).
FD_FLAGS = {"r": "os.O_RDONLY", "w": "os.O_WRONLY | os.O_TRUNC", "x": "os.O_WRONLY",
            "a": "os.O_WRONLY | os.O_APPEND"}


def _fd_cleanup(closefd, *others):
    """Closes what the harness still owns: the other ends it made, and the
    stream's descriptor unless the stream took it over."""
    own = "close_quietly(fd)" if not closefd else "close_quietly(fd) if f is None else None"
    return [f"close_quietly({other})" for other in others] + [own]


def _flags_for(mode, rng):
    if rng.random() < 0.2:  # a descriptor that does not match the mode
        return rng.choice(["os.O_RDONLY", "os.O_WRONLY", "os.O_RDWR", "os.O_RDWR | os.O_APPEND"])
    letter = next(c for c in mode if c in "rwxa")
    flags = FD_FLAGS[letter]
    if "+" in mode:
        flags = flags.replace("os.O_RDONLY", "os.O_RDWR").replace("os.O_WRONLY", "os.O_RDWR")
    return flags


class FileIOSpec(ClassSpec):
    name = "fileio"
    KINDS = [(50, "path"), (15, "fd"), (5, "opener"), (9, "pipe_r"), (7, "pipe_w"),
             (3, "devnull"), (2, "proc"), (3, "tty"), (8, "bad")]
    BAD = ["directory", "directory_w", "directory_fd", "missing", "missing_dir", "bad_mode",
           "closefd_path", "negative_fd", "closed_fd", "float", "none", "mode_type", "nul_path",
           "opener_type", "huge_fd", "exists_x"]
    # Files whose size says 0 although they have contents (the same for
    # both sides, which run in one process).
    PROC_FILES = ["/proc/version", "/proc/self/cmdline"]

    table = (reading(readall=True) + writing() + positioning() + state() + [
        (1, choice_of("shown(f.name, fd)", "f.mode", "f.closefd")),
        (1, choice_of("f.read1(1)", "f.readinto1(bytearray(1))", "f.getvalue()",
                      "f.detach()", "f.peek(1)", "f.getbuffer()")),
    ])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind}
        if kind in ("path", "fd", "opener"):
            mode = p["mode"] = rng.choice(FILE_MODES)
            fresh = "x" in mode and kind != "fd"
            p["exists"] = (rng.random() < 0.9) if mode.strip("b+") == "r" else (not fresh or rng.random() < 0.1)
            p["content"] = content(rng)
            if kind == "path":
                p["path_type"] = pick(rng, [(6, "str"), (1, "bytes"), (1, "Path")])
                p["keywords"] = rng.random() < 0.15
            elif kind == "fd":
                p["flags"] = Src(_flags_for(mode, rng))
                p["closefd"] = rng.random() < 0.6
            else:
                p["opener"] = pick(rng, [(6, "plain"), (1, "negative"), (1, "raise"),
                                         (1, "directory")])
        elif kind == "pipe_r":
            p["nonblocking"] = rng.random() < 0.5
            p["keep_writer"] = p["nonblocking"] and rng.random() < 0.7
            p["content"] = content(rng, cap=60_000)
            p["mode"] = pick(rng, [(8, "rb"), (1, "r+"), (1, "w"), (1, "a")])
            p["closefd"] = rng.random() < 0.6
        elif kind == "pipe_w":
            p["nonblocking"] = rng.random() < 0.5
            p["keep_reader"] = rng.random() < 0.8
            p["mode"] = pick(rng, [(8, "wb"), (1, "r"), (1, "a"), (1, "w+")])
            p["closefd"] = rng.random() < 0.6
        elif kind == "devnull":
            p["mode"] = rng.choice(FILE_MODES)
        elif kind == "proc":
            p["mode"] = pick(rng, [(8, "rb"), (1, "r+"), (1, "w")])
            p["path"] = rng.choice(self.PROC_FILES)
        elif kind == "tty":
            p["mode"] = rng.choice(["rb", "wb", "rb+", "ab"])
            p["closefd"] = rng.random() < 0.6
        else:
            p["variant"] = rng.choice(self.BAD)
            p["mode"] = rng.choice(BAD_MODES if p["variant"] == "bad_mode" else FILE_MODES)
        return p

    def context(self, p):
        kind = p["kind"]
        budget = None
        if kind == "pipe_w" and not p["nonblocking"]:
            budget = 32_768  # a blocking write must never wait for a reader
        elif kind == "tty":
            budget = 2_000
        c = p.get("content")
        return {"length": c.n if isinstance(c, Blob) else 0, "budget": budget,
                # Not past 0x7ffff000: CONFORMANCE.md, "Not generated".
                "huge_sizes": [2**31], "extra_whence": True, "views": 0, "misuse": True,
                "huge_offsets": [2**31, 2**40, 2**62, 2**63 - 1, -2**63, -(2**31)]}

    def setup(self, p):
        kind = p["kind"]
        mode = p["mode"]
        if kind in ("path", "fd", "opener"):
            prepare = ["path = os.path.join(tmp, 'file')"]
            if p["exists"] or kind == "fd":
                prepare.append(f"put(path, {p['content']!r})")
            finals = ["f.close()", "slurp(path)"]
            if kind == "path":
                name = {"str": "path", "bytes": "os.fsencode(path)",
                        "Path": "pathlib.Path(path)"}[p["path_type"]]
                if p.get("keywords"):
                    return Setup(prepare, f"mod.FileIO(file={name}, mode={mode!r}, closefd=True, "
                                          f"opener=None)", finals)
                return Setup(prepare, f"mod.FileIO({name}, {mode!r})", finals)
            if kind == "fd":
                closefd = p["closefd"]
                prepare.append(f"fd = os.open(path, {p['flags']!r})")
                return Setup(prepare, f"mod.FileIO(fd, {mode!r}, closefd={closefd})",
                             ["f.close()", "fd_is_open(fd)", "slurp(path)"], _fd_cleanup(closefd))
            prepare += ["seen = []", f"opener = make_opener({p['opener']!r}, seen, tmp)"]
            return Setup(prepare, f"mod.FileIO(path, {mode!r}, opener=opener)",
                         finals + ["seen"])
        if kind == "pipe_r":
            closefd = p["closefd"]
            prepare = [f"fd, other = reader_pipe({p['content']!r}, {p['keep_writer']}, "
                       f"{p['nonblocking']})"]
            return Setup(prepare, f"mod.FileIO(fd, {mode!r}, closefd={closefd})",
                         ["f.close()", "fd_is_open(fd)", "drain(fd) if fd_is_open(fd) else None"],
                         _fd_cleanup(closefd, "other"))
        if kind == "pipe_w":
            closefd = p["closefd"]
            prepare = [f"other, fd = writer_pipe({p['keep_reader']}, {p['nonblocking']})"]
            return Setup(prepare, f"mod.FileIO(fd, {mode!r}, closefd={closefd})",
                         ["f.close()", "fd_is_open(fd)", "drain(other) if other is not None else None"],
                         _fd_cleanup(closefd, "other"))
        if kind == "devnull":
            return Setup([], f"mod.FileIO('/dev/null', {mode!r})", ["f.close()"])
        if kind == "proc":
            return Setup([], f"mod.FileIO({p['path']!r}, {mode!r})", ["f.close()"])
        if kind == "tty":
            closefd = p["closefd"]
            # The terminal side, non-blocking: reads find nothing and say so.
            prepare = ["other, fd = os.openpty()", "os.set_blocking(fd, False)"]
            return Setup(prepare, f"mod.FileIO(fd, {mode!r}, closefd={closefd})",
                         ["f.close()", "fd_is_open(fd)", "drain(other, 0.05)"],
                         _fd_cleanup(closefd, "other"))
        return self._bad_setup(p["variant"], mode)

    @staticmethod
    def _bad_setup(variant, mode):
        """Constructions that must fail (or succeed) exactly as io's do."""
        prepare = ["path = os.path.join(tmp, 'file')", "put(path, b'abc\\n')"]
        construct = {
            "directory": "mod.FileIO(tmp, 'r')",
            "directory_w": f"mod.FileIO(tmp, {mode!r})",
            "directory_fd": f"mod.FileIO(fd, {mode!r}, closefd=True)",
            "missing": "mod.FileIO(os.path.join(tmp, 'missing'), 'r')",
            "missing_dir": f"mod.FileIO(os.path.join(tmp, 'no', 'file'), {mode!r})",
            "bad_mode": f"mod.FileIO(path, {mode!r})",
            "closefd_path": f"mod.FileIO(path, {mode!r}, closefd=False)",
            "negative_fd": f"mod.FileIO(-1, {mode!r})",
            "closed_fd": f"mod.FileIO(fd, {mode!r})",
            "float": "mod.FileIO(1.5)",
            "none": "mod.FileIO(None)",
            "mode_type": "mod.FileIO(path, 1)",
            "nul_path": "mod.FileIO(path + '\\0x')",
            "opener_type": "mod.FileIO(path, 'r', opener=5)",
            "huge_fd": "mod.FileIO(2**40)",
            "exists_x": f"mod.FileIO(path, {mode.replace('r', 'x').replace('w', 'x').replace('a', 'x')!r})",
        }[variant]
        finals, cleanup = ["f.close()", "slurp(path)"], []
        if variant == "closed_fd":
            prepare += ["fd = os.open(path, os.O_RDONLY)", "os.close(fd)"]
        elif variant == "directory_fd":
            # A failed construction must leave the descriptor open.
            prepare.append("fd = os.open(tmp, os.O_RDONLY)")
            finals.append("fd_is_open(fd)")
            cleanup = _fd_cleanup(True)
        return Setup(prepare, construct, finals, cleanup)


# ---------------------------------------------------------------------------
# BytesIO
# ---------------------------------------------------------------------------

def _if_views(template, *arg_gens):
    """A view operation; only generated while a view is (probably) held."""
    def gen(rng, ctx):
        if ctx["views"] <= 0:
            return Op("views.append(f.getbuffer())")
        if template.startswith(("views.pop", "drop")):
            ctx["views"] -= 1
        return Op(template, tuple(g(rng, ctx) for g in arg_gens))
    return gen


def _getbuffer(rng, ctx):
    ctx["views"] += 1
    return Op("views.append(f.getbuffer())")


def _small_data(rng, ctx):
    return blob(rng, rng.randint(0, 12))


class BytesIOSpec(ClassSpec):
    name = "bytesio"
    CONSTRUCTORS = [(8, "mod.BytesIO({0!r})"), (2, "mod.BytesIO()"),
                    (1, "mod.BytesIO(bytearray({0!r}))"), (1, "mod.BytesIO(memoryview({0!r}))"),
                    (1, "mod.BytesIO(initial_bytes={0!r})"), (1, "mod.BytesIO(None)"),
                    (1, "mod.BytesIO(array.array('B', {0!r}))"), (1, "mod.BytesIO('abc')"),
                    (1, "mod.BytesIO(5)"), (1, "mod.BytesIO(b'', 1)")]

    table = (reading(readall=False) + buffered_reading() + writing() + positioning() + state() + [
        (3, choice_of("f.getvalue()")),
        (1.5, _getbuffer),
        (2, _if_views("views.pop().release()")),
        (1, _if_views("drop(views)")),
        (1, _if_views("bytes(views[-1])")),
        (1, _if_views("vset(views[-1], {0})", _small_data)),
        (1, choice_of("len(f.getbuffer())")),
        (1, choice_of("f.detach()", "f.readall()", "f.fileno()", "f.name", "f.mode",
                      "f.closefd", "f.peek(1)")),
        (0.5, op("f.__init__({0})", _small_data)),
    ])

    def params(self, rng):
        return {"construct": pick(rng, self.CONSTRUCTORS), "content": content(rng)}

    def context(self, p):
        return {"length": p["content"].n, "budget": None, "huge_sizes": [2**31, 2**40, 2**62],
                "extra_whence": False, "views": 0, "misuse": True,
                # Not 2**31: a write there would really zero-fill 2 GiB.
                "huge_offsets": [2**40, 2**62, 2**63 - 1, -2**63, -(2**31)]}

    def setup(self, p):
        return Setup([], p["construct"].format(p["content"]),
                     ["release_all(views)", "f.getvalue()", "f.tell()", "f.close()"])


# ---------------------------------------------------------------------------
# RawIOBase over a raw stream implemented in Python
# ---------------------------------------------------------------------------

class RawIOSpec(ClassSpec):
    """RawIOBase's own methods (read, readall, readline(s), iteration,
    writelines, close, the context manager...) over primitives written in
    Python (prelude.RawPrimitives): io.RawIOBase's on one side; on libpyio's
    either the library's callback raw stream (via _raw_handle: the library's
    RawIOBase) or a subclass of libpyio.RawIOBase (the binding's)."""
    name = "rawio"

    table = reading(readall=True) + writing() + positioning() + state()

    def params(self, rng):
        p = {"via": pick(rng, [(3, "handle"), (1, "subclass")]),
             "content": content(rng, cap=20_000),
             "readable": rng.random() < 0.85, "writable": rng.random() < 0.7,
             "seekable": rng.random() < 0.8, "chunk": 0, "block_every": 0, "fail_every": 0}
        if rng.random() < 0.5:
            p["chunk"] = rng.randint(1, 7)
            # Only with a chunk: then both sides make the same transfers
            # whatever buffer sizes they use, and count them alike.
            if rng.random() < 0.5:
                p["block_every"] = rng.randint(2, 6)
            if rng.random() < 0.2:
                p["fail_every"] = rng.randint(3, 9)
        return p

    def valid(self, p):
        return p["chunk"] > 0 or not (p["block_every"] or p["fail_every"])

    def context(self, p):
        return {"length": p["content"].n, "budget": None,
                # Past 0x7ffff000 only by the library's documented choice;
                # and io would zero-fill a bytearray that large.
                "huge_sizes": [], "extra_whence": False, "views": 0,
                "huge_offsets": [2**40, 2**62, 2**63 - 1, -2**63],
                # seek and truncate are the primitives' own, on io's side:
                # what they make of a bad argument is the test double's
                # choice, not io's, so only read & co. get misused.
                "misuse": False}

    def setup(self, p):
        args = ", ".join(repr(p[k]) for k in ("via", "content", "readable", "writable",
                                             "seekable", "chunk", "block_every", "fail_every"))
        return Setup([], f"raw_stream(mod, {args})",
                     ["f.close()", "bytes(raw_of(f).data)", "raw_of(f).pos", "raw_of(f).closed"],
                     kind="RawIOBase")


# ---------------------------------------------------------------------------
# The buffered classes
# ---------------------------------------------------------------------------

def buffer_size_param(rng):
    """Mostly tiny buffers, so that reads, peeks and lines cross their
    boundaries all the time; sometimes a few KiB or the default."""
    return pick(rng, [(10, rng.randint(1, 16)), (2, rng.choice([17, 31, 64, 100])),
                      (1, 4096), (2, DEFAULT_BUFFER_SIZE)])


def peeking():
    return [(3, op("f.peek({0})", size)), (1, choice_of("f.peek()"))]


def raw_ops():
    """What is done to the raw stream behind the buffered object's back, and
    the buffered object's view of it."""
    return [
        (0.5, choice_of("raw.close()")),
        (0.7, choice_of("f.raw is raw", "raw.closed", "shown(f.name, fd)", "f.mode")),
        (0.4, choice_of("f.detach() is raw")),
    ]


# Where each buffered class finds its raw stream, by weight.
RAW_KINDS = {
    "BufferedReader": [(5, "file"), (4, "memory"), (2, "pipe_r"), (1, "bytesio"), (1, "bad")],
    "BufferedWriter": [(5, "file"), (4, "memory"), (2, "pipe_w"), (1, "bytesio"), (1, "bad")],
    "BufferedRandom": [(6, "file"), (5, "memory"), (1, "pipe_r"), (1, "bytesio"), (1, "bad")],
}
FILE_MODES_FOR = {
    "BufferedReader": [(6, "rb"), (2, "r+b"), (1, "w+b"), (1, "wb")],
    "BufferedWriter": [(4, "wb"), (2, "ab"), (2, "r+b"), (1, "a+b"), (1, "xb"), (1, "rb")],
    "BufferedRandom": [(4, "r+b"), (3, "w+b"), (2, "a+b"), (1, "x+b"), (1, "rb"), (1, "wb")],
}
BAD_BUFFERED = ["size_zero", "size_negative", "size_type", "size_huge", "raw_none", "raw_str",
                "raw_closed", "raw_detached_keyword"]


def _memory_args(p):
    return ", ".join(repr(p[k]) for k in ("content", "readable", "writable", "seekable",
                                           "chunk", "block_every", "fail_every"))


def _memory_params(rng, p, cls):
    """A raw stream written in Python (prelude.RawPrimitives) with short
    transfers, "would block" and EIO failures, capped in size: every
    transfer is a call into Python on both sides."""
    p["source"] = rng.choice(["mod", "mod", "io"])
    p["readable"] = rng.random() < (0.95 if cls != "BufferedWriter" else 0.3)
    p["writable"] = rng.random() < (0.95 if cls != "BufferedReader" else 0.3)
    p["seekable"] = rng.random() < (0.9 if cls == "BufferedRandom" else 0.6)
    p["chunk"] = p["block_every"] = p["fail_every"] = 0
    if rng.random() < 0.5:
        p["chunk"] = rng.randint(1, 7)
        if rng.random() < 0.4:
            p["block_every"] = rng.randint(2, 6)
        if rng.random() < 0.25:
            p["fail_every"] = rng.randint(3, 9)
    p["content"] = content(rng, cap=1500 if p["chunk"] else 4000)


def _valid_memory(p):
    return p.get("kind") != "memory" or p["chunk"] > 0 or not (p["block_every"] or p["fail_every"])


class BufferedSpec(ClassSpec):
    """BufferedReader, BufferedWriter or BufferedRandom over FileIO (a file
    in a suitable mode, by path or descriptor), a raw stream written in
    Python (the library reaches it through its callback raw stream), a
    pipe, a BytesIO, and constructions that must fail."""
    share = 0.7
    compare_messages = True

    def __init__(self, cls):
        self.cls = cls
        self.name = cls.lower()
        # What a class does not have is io's refusal: generated, less often.
        reads = 1 if cls != "BufferedWriter" else 0.3
        writes = 1 if cls != "BufferedReader" else 0.25
        self.table = ([(w * reads, g) for w, g in reading(False) + buffered_reading() + peeking()]
                      + [(w * writes, g) for w, g in writing()]
                      + positioning() + state() + raw_ops())

    def params(self, rng):
        kind = pick(rng, RAW_KINDS[self.cls])
        p = {"kind": kind, "size": buffer_size_param(rng), "keyword": rng.random() < 0.1}
        if kind == "file":
            p["mode"] = pick(rng, FILE_MODES_FOR[self.cls])
            p["content"] = content(rng)
            p["source"] = rng.choice(["mod", "mod", "io"])
            if rng.random() < 0.2:  # FileIO over a descriptor opened to match
                flags = _flags_for(p["mode"].replace("b", ""), rng)
                p["flags"] = Src(flags + (" | os.O_CREAT" if "x" in p["mode"] else ""))
        elif kind == "memory":
            _memory_params(rng, p, self.cls)
        elif kind == "pipe_r":
            p["nonblocking"] = rng.random() < 0.5
            p["keep_writer"] = p["nonblocking"] and rng.random() < 0.7
            p["content"] = content(rng, cap=60_000)
        elif kind == "pipe_w":
            p["nonblocking"] = rng.random() < 0.5
            p["keep_reader"] = rng.random() < 0.85
        elif kind == "bytesio":
            p["content"] = content(rng, cap=20_000)
        else:
            p["variant"] = rng.choice(BAD_BUFFERED)
        return p

    def valid(self, p):
        return _valid_memory(p) and (not isinstance(p.get("size"), int) or p["size"] >= 1
                                     or p["kind"] == "bad")

    def context(self, p):
        c = p.get("content")
        budget = None
        if p["kind"] == "pipe_w" and not p["nonblocking"]:
            budget = 32_768  # a blocking write must never wait for a reader
        elif p["kind"] == "memory" and p["chunk"]:
            budget = 3_000   # each transfer of at most `chunk` bytes is a Python call
        return {"length": c.n if isinstance(c, Blob) else 0, "budget": budget,
                "huge_sizes": [2**31] if p["kind"] != "memory" else [],
                "extra_whence": p["kind"] == "file", "views": 0,
                "misuse": p["kind"] != "memory",
                # Not 2**31 over a raw stream in memory: a write there would
                # really zero-fill 2 GiB of its bytearray or BytesIO.
                "huge_offsets": ([2**40, 2**62, 2**63 - 1, -2**63]
                                 if p["kind"] in ("memory", "bytesio") else
                                 [2**31, 2**40, 2**62, 2**63 - 1, -2**63, -(2**31)])}

    def _construct(self, p, raw="raw"):
        size = p["size"]
        if p.get("keyword"):
            return f"mod.{self.cls}({raw}, buffer_size={size!r})"
        return f"mod.{self.cls}({raw}, {size!r})"

    def setup(self, p):
        kind = p["kind"]
        finals = ["f.close()", "raw.closed"]
        cleanup = []
        if kind == "file":
            prepare = ["path = os.path.join(tmp, 'file')"]
            if "x" not in p["mode"]:
                prepare.append(f"put(path, {p['content']!r})")
            rawmod = f"raw_module(mod, {p['source']!r})"
            if "flags" in p:
                prepare.append(f"fd = os.open(path, {p['flags']!r}, 0o666)")
                prepare.append(f"raw = {rawmod}.FileIO(fd, {p['mode']!r})")
            else:
                prepare.append(f"raw = {rawmod}.FileIO(path, {p['mode']!r})")
            finals.append("slurp(path)")
        elif kind == "memory":
            prepare = [f"raw = memory_raw(mod, {p['source']!r}, {_memory_args(p)})"]
            finals += ["bytes(raw.data)", "raw.pos"]
        elif kind == "pipe_r":
            prepare = [f"fd, other = reader_pipe({p['content']!r}, {p['keep_writer']}, "
                       f"{p['nonblocking']})", "raw = mod.FileIO(fd, 'rb')"]
            finals.append("drain(fd) if fd_is_open(fd) else None")
            cleanup = ["close_quietly(other)"]
        elif kind == "pipe_w":
            prepare = [f"other, fd = writer_pipe({p['keep_reader']}, {p['nonblocking']})",
                       "raw = mod.FileIO(fd, 'wb')"]
            finals.append("drain(other) if other is not None else None")
            cleanup = ["close_quietly(other)"]
        elif kind == "bytesio":
            prepare = [f"raw = mod.BytesIO({p['content']!r})"]
            finals = ["f.close()", "raw.closed", "raw.getvalue() if not raw.closed else None"]
        else:
            return self._bad_setup(p)
        # A construction that fails leaves the raw stream to the harness.
        cleanup.append("raw.close() if f is None else None")
        return Setup(prepare, self._construct(p), finals, cleanup)

    def _bad_setup(self, p):
        prepare = ["path = os.path.join(tmp, 'file')", "put(path, b'ab\\ncd\\n')",
                   "raw = mod.FileIO(path, 'r+')"]
        variant = p["variant"]
        construct = {
            "size_zero": f"mod.{self.cls}(raw, 0)",
            "size_negative": f"mod.{self.cls}(raw, -1)",
            "size_type": f"mod.{self.cls}(raw, '8')",
            "size_huge": f"mod.{self.cls}(raw, 2**63)",
            "raw_none": f"mod.{self.cls}(None, 8)",
            "raw_str": f"mod.{self.cls}('abc', 8)",
            "raw_closed": f"mod.{self.cls}(raw, 8)",
            "raw_detached_keyword": f"mod.{self.cls}(raw=raw, buffer_size=8)",
        }[variant]
        if variant == "raw_closed":
            prepare.append("raw.close()")
        return Setup(prepare, construct, ["f.close()", "raw.closed", "slurp(path)"],
                     ["raw.close() if f is None else None"])


class RWPairSpec(ClassSpec):
    """BufferedRWPair over two raw streams: a pipe's two ends (what is
    written comes back once flushed), two independent pipes, two raw streams
    written in Python, and constructions that must fail."""
    share = 0.7
    compare_messages = True
    name = "bufferedrwpair"
    KINDS = [(4, "loop"), (2, "pipes"), (3, "memory"), (1, "bad")]

    table = (reading(readall=False) + buffered_reading() + peeking() + writing()
             + positioning() + state() + [
                 (0.5, choice_of("reader.close()", "writer.close()")),
                 (0.5, choice_of("f.raw", "f.name", "f.mode", "f.detach()", "f.closed")),
             ])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind, "size": buffer_size_param(rng)}
        if kind in ("loop", "pipes"):
            p["nonblocking"] = rng.random() < 0.6
            p["content"] = content(rng, cap=30_000)
        elif kind == "memory":
            _memory_params(rng, p, "BufferedReader")
            p["readable"], p["writable"] = True, True
        else:
            p["variant"] = rng.choice(["unreadable", "unwritable", "size_zero", "size_type",
                                       "closed_reader"])
        return p

    def valid(self, p):
        return _valid_memory(p)

    def context(self, p):
        c = p.get("content")
        budget = 3_000 if p["kind"] == "memory" and p["chunk"] else None
        if p["kind"] in ("loop", "pipes") and not p["nonblocking"]:
            budget = 16_384  # the pipe must never fill up under a blocking writer
        return {"length": c.n if isinstance(c, Blob) else 0, "budget": budget,
                "huge_sizes": [], "extra_whence": False, "views": 0, "misuse": True,
                "huge_offsets": [2**40]}

    def setup(self, p):
        kind, size = p["kind"], p["size"]
        finals = ["f.close()", "reader.closed", "writer.closed"]
        if kind == "loop":
            # The writer's pipe is the reader's: written bytes come back.  The
            # writer stays, so reads must not block; writes may.
            prepare = [f"fd, w = reader_pipe({p['content']!r}, True, True)",
                       f"os.set_blocking(w, {not p['nonblocking']})",
                       "reader = mod.FileIO(fd, 'rb')", "writer = mod.FileIO(w, 'wb')"]
            finals.append("drain(fd) if fd_is_open(fd) else None")
        elif kind == "pipes":
            prepare = [f"fd, other = reader_pipe({p['content']!r}, {p['nonblocking']}, "
                       f"{p['nonblocking']})",
                       f"peer, w = writer_pipe(True, {p['nonblocking']})",
                       "reader = mod.FileIO(fd, 'rb')", "writer = mod.FileIO(w, 'wb')"]
            finals.append("drain(peer)")
            return Setup(prepare, f"mod.BufferedRWPair(reader, writer, {size!r})", finals,
                         ["close_quietly(other, peer)",
                          "(reader.close(), writer.close()) if f is None else None"])
        elif kind == "memory":
            prepare = [f"reader = memory_raw(mod, {p['source']!r}, {_memory_args(p)})",
                       f"writer = memory_raw(mod, {p['source']!r}, b'', True, True, False, "
                       f"{p['chunk']!r}, {p['block_every']!r}, {p['fail_every']!r})"]
            finals += ["bytes(writer.data)", "reader.pos"]
        else:
            prepare = ["path = os.path.join(tmp, 'file')", "put(path, b'ab\\n')",
                       "reader = mod.FileIO(path, 'r')", "writer = mod.FileIO(path, 'r+')"]
            construct = {
                "unreadable": "mod.BufferedRWPair(mod.FileIO(path, 'a'), writer, 8)",
                "unwritable": "mod.BufferedRWPair(reader, reader, 8)",
                "size_zero": "mod.BufferedRWPair(reader, writer, 0)",
                "size_type": "mod.BufferedRWPair(reader, writer, None)",
                "closed_reader": "(reader.close(), mod.BufferedRWPair(reader, writer, 8))[1]",
            }[p["variant"]]
            return Setup(prepare, construct, finals,
                         ["(reader.close(), writer.close()) if f is None else None"])
        return Setup(prepare, f"mod.BufferedRWPair(reader, writer, {size!r})", finals,
                     ["(reader.close(), writer.close()) if f is None else None"])


# ---------------------------------------------------------------------------
# open() in binary modes
# ---------------------------------------------------------------------------

OPEN_MODES = ["rb", "wb", "ab", "xb", "r+b", "w+b", "a+b", "x+b", "br", "b+w", "+ab", "rb+"]
OPEN_BAD_MODES = ["", "rw", "rbb", "rbt", "tb", "q", "rb+x", "b", "+b", "wab", "r\0b", "rbU", 5]


def _open_file_params(rng, p, bad, bad_modes):
    """What open() is given as its file for p["kind"]: a path's type, a
    descriptor's flags (to match the mode, mostly), an opener, or which of
    `bad` arguments (a bad mode from `bad_modes`)."""
    kind = p["kind"]
    if kind == "path":
        p["path_type"] = pick(rng, [(5, "str"), (1, "bytes"), (1, "Path")])
    elif kind == "fd":
        p["closefd"] = rng.random() < 0.6
        mode = p["mode"].replace("t", "")
        p["flags"] = Src(_flags_for(mode, rng) + (" | os.O_CREAT" if "x" in mode else ""))
    elif kind == "opener":
        p["opener"] = pick(rng, [(5, "plain"), (1, "raise"), (1, "negative")])
    else:
        p["variant"] = rng.choice(bad)
        if p["variant"] == "mode":
            p["mode"] = rng.choice(bad_modes)


class OpenSpec(ClassSpec):
    """io.open in binary modes: by path (str, bytes, Path), descriptor
    (closefd True/False) or opener; buffering 0 (the FileIO itself), -1
    and 1 (the default size: current CPython's on io's side, see
    prelude.open_), tiny and larger sizes; and arguments that must fail."""
    share = 0.7
    compare_messages = True
    name = "open"
    KINDS = [(6, "path"), (2, "fd"), (1, "opener"), (2, "bad")]
    BAD = ["mode", "encoding", "errors", "newline", "buffering_type", "buffering_huge",
           "closefd_path", "directory", "missing", "negative_fd", "closed_fd", "exists_x",
           "file_type", "opener_negative", "nul_path"]

    table = (reading(readall=True) + buffered_reading() + peeking() + writing() + positioning()
             + state() + [(1, choice_of("shown(f.name, fd)", "f.mode", "f.raw.closefd",
                                        "type(f.raw).__name__")),
                          (0.3, choice_of("f.detach().close()"))])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind, "mode": rng.choice(OPEN_MODES), "content": content(rng),
             "buffering": pick(rng, [(3, 0), (3, -1), (1, 1), (1, -7), (5, rng.randint(2, 16)),
                                     (1, rng.choice([64, 4096, DEFAULT_BUFFER_SIZE]))])}
        p["exists"] = "x" not in p["mode"] or rng.random() < 0.1
        _open_file_params(rng, p, self.BAD, OPEN_BAD_MODES)
        if kind == "path":
            p["keywords"] = rng.random() < 0.3
        return p

    def context(self, p):
        return {"length": p["content"].n, "budget": None, "huge_sizes": [2**31],
                "extra_whence": True, "views": 0, "misuse": True,
                "huge_offsets": [2**31, 2**40, 2**62, 2**63 - 1, -2**63]}

    def setup(self, p):
        kind, mode, buffering = p["kind"], p["mode"], p["buffering"]
        prepare = ["path = os.path.join(tmp, 'file')", "warned = []"]
        if p["exists"]:
            prepare.append(f"put(path, {p['content']!r})")
        finals = ["f.close()", "slurp(path)", "warned"]
        cleanup = []
        if kind == "path":
            name = {"str": "path", "bytes": "os.fsencode(path)", "Path": "pathlib.Path(path)"}[
                p["path_type"]]
            if p["keywords"]:
                construct = (f"open_(mod, warned, file={name}, mode={mode!r}, "
                             f"buffering={buffering!r}, closefd=True, opener=None)")
            else:
                construct = f"open_(mod, warned, {name}, {mode!r}, {buffering!r})"
        elif kind == "fd":
            prepare.append(f"fd = os.open(path, {p['flags']!r}, 0o666)")
            construct = (f"open_(mod, warned, fd, {mode!r}, {buffering!r}, "
                         f"closefd={p['closefd']})")
            finals.insert(1, "fd_is_open(fd)")
            cleanup = _fd_cleanup(p["closefd"])
        elif kind == "opener":
            prepare += ["seen = []", f"opener = make_opener({p['opener']!r}, seen, tmp)"]
            construct = f"open_(mod, warned, path, {mode!r}, {buffering!r}, opener=opener)"
            finals.append("seen")
        else:
            return self._bad_setup(p, prepare, finals)
        return Setup(prepare, construct, finals, cleanup)

    @staticmethod
    def _bad_setup(p, prepare, finals):
        mode, variant = p["mode"], p["variant"]
        cleanup = []
        construct = {
            "mode": f"open_(mod, warned, path, {mode!r})",
            "encoding": f"open_(mod, warned, path, {mode!r}, encoding='utf-8')",
            "errors": f"open_(mod, warned, path, {mode!r}, errors='strict')",
            "newline": f"open_(mod, warned, path, {mode!r}, newline='')",
            "buffering_type": f"open_(mod, warned, path, {mode!r}, buffering='8')",
            "buffering_huge": f"open_(mod, warned, path, {mode!r}, buffering=2**40)",
            "closefd_path": f"open_(mod, warned, path, {mode!r}, closefd=False)",
            "directory": f"open_(mod, warned, tmp, {mode!r})",
            "missing": f"open_(mod, warned, os.path.join(tmp, 'no', 'file'), {mode!r})",
            "negative_fd": f"open_(mod, warned, -1, {mode!r})",
            "closed_fd": f"open_(mod, warned, fd, {mode!r})",
            "exists_x": f"open_(mod, warned, path, 'xb')",
            "file_type": f"open_(mod, warned, 1.5, {mode!r})",
            "opener_negative": f"open_(mod, warned, path, {mode!r}, opener=lambda p, fl: -1)",
            "nul_path": f"open_(mod, warned, path + '\\0', {mode!r})",
        }[variant]
        if variant == "closed_fd":
            prepare += ["fd = os.open(path, os.O_RDONLY | os.O_CREAT)", "os.close(fd)"]
        if variant == "exists_x":
            prepare.append("put(path, b'x')")
        return Setup(prepare, construct, finals, cleanup)


# ---------------------------------------------------------------------------
# SocketIO, raw and buffered
# ---------------------------------------------------------------------------

class SocketIOSpec(ClassSpec):
    """socket.SocketIO over one end of a socketpair, as the raw stream
    itself and buffered: BufferedReader, BufferedWriter, BufferedRWPair over
    the socket's two directions (as makefile('rwb')) and over both ends of
    the pair (what is written arrives back); the peer sends, shuts down,
    closes or just drains at the end."""
    share = 0.7
    compare_messages = True
    name = "socketio"
    KINDS = [(3, "raw"), (3, "reader"), (2, "writer"), (3, "loop"), (2, "makefile"), (1, "bad")]
    MODES = ["rb", "wb", "rwb", "r", "w", "rw"]

    table = (reading(readall=True) + buffered_reading() + peeking() + writing()
             + positioning() + state() + [
                 (1, choice_of("shown(f.name, ours.fileno())", "f.mode", "f.closed")),
             ])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind, "size": buffer_size_param(rng),
             "content": content(rng, cap=60_000),
             "nonblocking": rng.random() < 0.5,
             "peer": pick(rng, [(5, "shutdown"), (3, "open"), (1, "closed")])}
        if kind == "loop":  # the peer writes what ours reads: reads must not wait
            p["nonblocking"], p["peer"] = True, "open"
            p["peer_nonblocking"] = rng.random() < 0.5
        elif not p["nonblocking"] and p["peer"] == "open":
            p["peer"] = "shutdown"  # a blocking read must never wait
        p["mode"] = rng.choice(self.MODES) if kind == "raw" else None
        if kind == "bad":
            p["mode"] = rng.choice(["", "rb+", "br", "wr", "x", "rt", 5, None])
        return p

    def context(self, p):
        budget = None if p["nonblocking"] else 32_768
        if p["kind"] == "loop":  # the writing end is the peer
            budget = None if p["peer_nonblocking"] else 32_768
        return {"length": p["content"].n, "budget": budget, "huge_sizes": [],
                "extra_whence": False, "views": 0, "misuse": True, "huge_offsets": [2**40]}

    def setup(self, p):
        kind, size = p["kind"], p["size"]
        shutdown = p["peer"] != "open"
        prepare = [f"ours, peer = peer_socket({p['content']!r}, {shutdown}, {p['nonblocking']})"]
        if p["peer"] == "closed":
            prepare.append("peer.close()")
        if p.get("peer_nonblocking"):
            prepare.append("peer.setblocking(False)")
        construct = {
            "raw": f"sock_io(mod, ours, {p['mode']!r})",
            "reader": f"mod.BufferedReader(sock_io(mod, ours, 'rb'), {size!r})",
            "writer": f"mod.BufferedWriter(sock_io(mod, ours, 'wb'), {size!r})",
            "makefile": f"mod.BufferedRWPair(s := sock_io(mod, ours, 'rwb'), s, {size!r})",
            # Written through peer, read through ours: buffered on both ends.
            "loop": f"mod.BufferedRWPair(sock_io(mod, ours, 'rb'), sock_io(mod, peer, 'wb'), "
                    f"{size!r})",
            "bad": f"sock_io(mod, ours, {p['mode']!r})",
        }[kind]
        finals = ["f.close()", "ours.fileno() >= 0"]
        # What reached the other end: the peer's, or ours in a loop.
        finals.append("sock_drain(ours)" if kind == "loop" else
                      "sock_drain(peer) if peer.fileno() >= 0 else None")
        return Setup(prepare, construct, finals, ["ours.close()", "peer.close()"])


# ---------------------------------------------------------------------------
# The text layer: TextIOWrapper, open() in text modes, StringIO and
# IncrementalNewlineDecoder
# ---------------------------------------------------------------------------

# Python's names, and spellings of them that must be taken as they are.
ENCODINGS = [(12, "utf-8"), (3, "utf-8-sig"), (3, "utf-16"), (2, "utf-16-le"), (1, "utf-16-be"),
             (2, "utf-32"), (1, "utf-32-be"), (4, "latin-1"), (3, "ascii"), (3, "cp1252"),
             (2, "shift_jis"), (2, "euc-jp"), (2, "iso-2022-jp"), (2, "gb18030"), (2, "big5"),
             (2, "utf-7"), (1, "UTF8"), (1, "utf_16"), (1, "Latin-1"), (1, "iso8859-15"),
             (1, "cp437"), (1, "koi8-r")]
# The alphabets (prelude.TEXT_ALPHABETS) that suit an encoding best; any
# other is drawn now and then, and what cannot be encoded becomes junk.
ALPHABETS_FOR = {"shift_jis": 5, "euc-jp": 5, "iso-2022-jp": 5, "gb18030": 5, "big5": 5,
                 "utf-7": 6, "utf-16": 3, "utf-16-le": 3, "utf-32": 3}
TEXT_ERRORS = [(8, "strict"), (2, "ignore"), (2, "replace"), (3, "surrogateescape"),
               (2, "backslashreplace"), (1, "xmlcharrefreplace"), (1, "surrogatepass")]
NEWLINES = [(4, None), (2, ""), (2, "\n"), (2, "\r"), (2, "\r\n")]


def text_encoding(rng):
    return pick(rng, ENCODINGS)


def text_content(rng, encoding, cap=None):
    """Encoded initial contents: mostly short, in the stream's own
    encoding (sometimes another), spoilt with junk bytes and BOMs now and
    then (prelude.encoded)."""
    n = pick(rng, [(10, 0), (50, rng.randint(1, 60)), (30, rng.randint(60, 3000)),
                   (5, rng.randint(8000, 20000))])
    if cap is not None:
        n = min(n, cap)
    if rng.random() < 0.1:
        encoding = text_encoding(rng)
    alphabet = ALPHABETS_FOR.get(encoding, 0) if rng.random() < 0.4 else rng.randrange(8)
    junk = pick(rng, [(10, 0), (3, 1), (2, 2), (1, 3)])
    return Encoded(rng.randrange(1 << 30), n, alphabet, encoding.lower().replace("_", "-"), junk)


def chunk_param(rng):
    """_CHUNK_SIZE: the default (None) or tiny, so that '\\r\\n' and
    multibyte sequences straddle chunk boundaries."""
    return pick(rng, [(3, None), (4, rng.randint(1, 16)), (1, rng.choice([17, 64, 100, 4096]))])


def text_data(rng, ctx):
    n = pick(rng, [(10, 0), (50, rng.randint(1, 12)), (30, rng.randint(13, 300)),
                   (8, rng.randint(301, 5000)), (2, rng.randint(8000, 20000))])
    if ctx["budget"] is not None:
        n = min(n, ctx["budget"])
        ctx["budget"] -= n
    return Text(rng.randrange(1 << 30), n, rng.randrange(8))


def _text_write_misuse(rng, ctx):
    return rng.choice([
        Op("f.write({0})", (rng.choice([b"abc", None, 1, Src("bytearray(b'a')")]),)),
        Op("f.write()"),
        Op("f.write({0}, {0})", ("a",)),
    ])


def _text_writelines(rng, ctx):
    lines = [text_data(rng, ctx) for _ in range(rng.randint(0, 4))]
    return rng.choice([Op("f.writelines({0})", (lines,)), Op("f.writelines(iter({0}))", (lines,)),
                       Op("f.writelines({0})", (lines + [b"bytes"],)),
                       Op("f.writelines({0})", (rng.choice([None, 1, "ab"]),))])


def text_reading():
    """read, readline(s) and iteration, in characters."""
    return [
        (9, op("f.read({0})", size)),
        (2, choice_of("f.read()")),
        (5, op("f.readline({0})", limit)),
        (1, choice_of("f.readline()")),
        (2, op("f.readlines({0})", hint)),
        (1, choice_of("f.readlines()", "list(f)")),
        (3, choice_of("next(f)")),
        (0.5, choice_of("iter(f)", "f.read1(1)", "f.readinto(bytearray(2))")),
    ]


def text_writing():
    return [
        (7, op("f.write({0})", text_data)),
        (2, _text_writelines),
        (1, _text_write_misuse),
    ]


def _forged_cookie(rng, ctx):
    """A cookie no tell() returned: CPython's packing (start_pos |
    dec_flags << 64 | bytes_to_feed << 96 | chars_to_skip << 128 |
    need_eof << 160) with fields set at random, or too large for it."""
    if rng.random() < 0.2:
        return Src(rng.choice(["2**64", "2**161", "2**200", "-2**63"]))
    parts = [str(rng.randint(0, max(ctx["length"], 1)))]
    for shift, values in ((64, [1, 2, 3, 0x10000]), (96, [1, 2, 3, 7]),
                          (128, [1, 2, 5, 100]), (160, [1])):
        if rng.random() < 0.35:
            parts.append(f"{rng.choice(values)} << {shift}")
    return Src(" | ".join(parts))


def _text_seek(rng, ctx):
    """seek() of a TextIOWrapper: mostly to a cookie returned earlier (the
    k-th of this side's, from the end when negative), to 0, the current
    position and the end; byte positions nobody returned; forged cookies;
    relative seeks it refuses; misuse."""
    r = rng.random()
    k = rng.choice([-1, -1, -2, -3, rng.randint(-20, -4), rng.randint(0, 40)])
    if ctx["iso2022"] and r < 0.9:
        # CPython 3.11 crashes (SIGSEGV) decoding after a seek to a cookie
        # without decoder flags in ISO-2022: CONFORMANCE.md, "Not generated".
        return rng.choice([Op("cookies.keep(f.seek(0))"), Op("cookies.keep(f.seek(0, 2))")])
    if r < 0.40:
        return Op("cookies.keep(f.seek(cookies.at({0})))", (k,))
    if r < 0.45:
        return Op("cookies.keep(f.seek(cookies.at({0}), {1}))", (k, rng.choice([0, 1, 2])))
    if r < 0.68:
        return rng.choice([Op("cookies.keep(f.seek(0))"), Op("cookies.keep(f.seek(0, 1))"),
                           Op("cookies.keep(f.seek(0, 2))")])
    if r < 0.78:
        n = ctx["length"]
        return Op("cookies.keep(f.seek({0}))",
                  (pick(rng, [(6, rng.randint(0, n + 2)), (1, n + rng.randint(3, 100))]),))
    if r < 0.84:
        return Op("cookies.keep(f.seek({0}, {1}))", (rng.choice([1, -1, 5]), rng.choice([1, 2])))
    if r < 0.90:
        return Op("cookies.keep(f.seek({0}))", (_forged_cookie(rng, ctx),))
    return rng.choice([
        Op("f.seek({0})", (rng.choice([-1, -2**63, "0", None, Src("1.0"), Src("Idx(0)")]),)),
        Op("f.seek(0, {0})", (rng.choice([3, -1, 4, "0", None, 2**63]),)),
        Op("f.seek()"),
    ])


def text_positioning():
    return [
        (7, _text_seek),
        (4, choice_of("cookies.keep(f.tell())")),
        # A size given is returned as it is, None the position: a cookie.
        (2, op("f.truncate({0})", lambda rng, ctx: truncate_size(rng, ctx) or 0)),
        (1, choice_of("cookies.keep(f.truncate())")),
    ]


def _reconfigure(rng, ctx):
    args = []
    if rng.random() < 0.3:
        encoding = pick(rng, ENCODINGS + [(1, "bogus"), (1, None)])
        if not _iso2022(encoding):  # see _text_seek
            args.append(f"encoding={encoding!r}")
    if rng.random() < 0.3:
        args.append(f"errors={pick(rng, TEXT_ERRORS + [(1, None), (1, 5)])!r}")
    if rng.random() < 0.3:
        args.append(f"newline={pick(rng, NEWLINES + [(1, 'x'), (1, 5)])!r}")
    if rng.random() < 0.3:
        args.append(f"line_buffering={rng.choice([True, False, None, 'x'])!r}")
    if rng.random() < 0.3:
        args.append(f"write_through={rng.choice([True, False, None])!r}")
    if rng.random() < 0.05:
        args.insert(0, "'utf-8'")  # keywords only
    return Op(f"f.reconfigure({', '.join(args)})")


def text_state():
    """TextIOBase's attributes and the wrapper's own, closing, detach."""
    return state() + [
        (1.5, choice_of("f.encoding", "f.errors", "f.newlines", "f.line_buffering",
                        "f.write_through", "type(f.buffer).__name__", "f._CHUNK_SIZE")),
        (1.5, _reconfigure),
        (0.5, op("setattr(f, '_CHUNK_SIZE', {0})", lambda rng, ctx: pick(rng, [
            (6, rng.randint(1, 16)), (1, 8192), (1, 0), (1, -1), (1, "4")]))),
        (0.4, choice_of("type(f.detach()).__name__")),
    ]


def _text_context(length, budget=None, encoding=None):
    return {"length": length, "budget": budget, "huge_sizes": [], "extra_whence": False,
            "views": 0, "misuse": True, "huge_offsets": [2**40, 2**62, 2**63 - 1, -2**63],
            "iso2022": _iso2022(encoding)}


def _iso2022(encoding):
    return str(encoding).lower().replace("_", "-").startswith("iso-2022")


def _text_args(p, positional):
    """The arguments after the buffer (or file, mode, buffering): only the
    ones that differ from the defaults, as keywords or positionally."""
    names = ("encoding", "errors", "newline", "line_buffering", "write_through")
    defaults = {"encoding": None, "errors": None, "newline": None, "line_buffering": False,
                "write_through": False}
    given = [n for n in names if n in p and p[n] != defaults[n]]
    if positional:
        last = max((names.index(n) for n in given), default=-1)
        args = [repr(p.get(n, defaults[n])) for n in names[:last + 1]]
    else:
        args = [f"{n}={p[n]!r}" for n in given]
    if p.get("chunk") is not None:
        args.append(f"chunk={p['chunk']!r}")
    return args


def _text_params(rng, p):
    """encoding, errors, newline, line_buffering, write_through, chunk."""
    p["encoding"] = text_encoding(rng) if rng.random() < 0.95 else None
    p["errors"] = pick(rng, TEXT_ERRORS)
    p["newline"] = pick(rng, NEWLINES)
    p["line_buffering"] = rng.random() < 0.2
    p["write_through"] = rng.random() < 0.2
    p["chunk"] = chunk_param(rng)


TEXT_BUFFERS = {  # a file's mode: the buffered class over it
    "rb": "BufferedReader", "wb": "BufferedWriter", "ab": "BufferedWriter",
    "r+b": "BufferedRandom", "w+b": "BufferedRandom", "a+b": "BufferedRandom"}


class TextIOWrapperSpec(ClassSpec):
    """TextIOWrapper over a BytesIO, over BufferedReader, BufferedWriter and
    BufferedRandom on files (and a FileIO itself, unbuffered), over pipes
    (not seekable), in every encoding, error handler and newline mode, with
    tiny _CHUNK_SIZEs; and constructions that must fail.  tell() and
    seek() cookies are compared by what seeking to them does
    (prelude.Cookies)."""
    name = "textiowrapper"
    requires = ("TextIOWrapper",)
    share = 0.7
    compare_messages = True
    KINDS = [(5, "bytesio"), (6, "file"), (1, "fileio"), (1, "pipe_r"), (1, "pipe_w"), (1, "bad")]
    BAD = ["encoding_unknown", "encoding_type", "encoding_nul", "encoding_binary", "errors_type",
           "errors_unknown", "newline_value", "newline_type", "line_buffering_type",
           "buffer_none", "buffer_closed", "buffer_str"]

    table = (text_reading() + text_writing() + text_positioning() + text_state()
             + [(0.5, choice_of("shown(f.name, fd)", "f.mode"))])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind, "size": buffer_size_param(rng), "positional": rng.random() < 0.15}
        _text_params(rng, p)
        p["content"] = text_content(rng, p["encoding"] or "utf-8",
                                    cap=8000 if kind == "pipe_r" else None)
        if kind == "file":
            p["mode"] = pick(rng, [(4, "rb"), (2, "wb"), (1, "ab"), (4, "r+b"), (2, "w+b"),
                                   (1, "a+b")])
        elif kind == "fileio":
            p["mode"] = pick(rng, [(3, "rb"), (1, "wb"), (2, "r+b")])
        elif kind == "bad":
            p["variant"] = rng.choice(self.BAD)
        return p

    def context(self, p):
        budget = 16_000 if p["kind"] == "pipe_w" else None
        return _text_context(len(p["content"].value()), budget, p["encoding"])

    def setup(self, p):
        kind = p["kind"]
        prepare = ["cookies = log.cookies = Cookies()"]
        args = ", ".join(["buf"] + _text_args(p, p["positional"]))
        cleanup = []
        if kind == "bytesio":
            prepare.append(f"buf = mod.BytesIO({p['content']!r})")
            finals = ["f.flush()", "buf.getvalue() if not buf.closed else None", "f.close()",
                      "buf.closed"]
        elif kind in ("file", "fileio"):
            prepare += ["path = os.path.join(tmp, 'file')", f"put(path, {p['content']!r})"]
            if kind == "file":
                prepare.append(f"buf = mod.{TEXT_BUFFERS[p['mode']]}(mod.FileIO(path, "
                               f"{p['mode']!r}), {p['size']!r})")
            else:
                prepare.append(f"buf = mod.FileIO(path, {p['mode']!r})")
            finals = ["f.close()", "buf.closed", "buf.close()", "slurp(path)"]
        elif kind == "pipe_r":
            prepare += [f"fd, other = reader_pipe({p['content']!r}, False, False)",
                        f"buf = mod.BufferedReader(mod.FileIO(fd, 'rb'), {p['size']!r})"]
            finals = ["f.close()", "buf.closed", "buf.close()"]
        elif kind == "pipe_w":
            prepare += ["other, fd = writer_pipe(True, False)",
                        f"buf = mod.BufferedWriter(mod.FileIO(fd, 'wb'), {p['size']!r})"]
            finals = ["f.close()", "buf.closed", "buf.close()", "drain(other)"]
            cleanup = ["close_quietly(other)"]
        else:
            return self._bad_setup(p, prepare)
        return Setup(prepare, f"text_wrapper(mod, {args})", finals, cleanup)

    @staticmethod
    def _bad_setup(p, prepare):
        prepare.append("buf = mod.BytesIO(b'ab\\ncd\\n')")
        variant = p["variant"]
        construct = {
            "encoding_unknown": "text_wrapper(mod, buf, encoding='bogus')",
            "encoding_type": "text_wrapper(mod, buf, encoding=5)",
            "encoding_nul": "text_wrapper(mod, buf, encoding='utf-8\\0')",
            "encoding_binary": "text_wrapper(mod, buf, encoding='hex')",
            "errors_type": "text_wrapper(mod, buf, 'utf-8', 5)",
            "errors_unknown": "text_wrapper(mod, buf, 'utf-8', 'bogus')",
            "newline_value": "text_wrapper(mod, buf, 'utf-8', newline='x')",
            "newline_type": "text_wrapper(mod, buf, 'utf-8', newline=5)",
            "line_buffering_type": "text_wrapper(mod, buf, 'utf-8', line_buffering='x')",
            "buffer_none": "text_wrapper(mod, None, 'utf-8')",
            "buffer_closed": "(buf.close(), text_wrapper(mod, buf, 'utf-8'))[1]",
            "buffer_str": "text_wrapper(mod, 'abc', 'utf-8')",
        }[variant]
        return Setup(prepare, construct, ["f.read()", "f.close()", "buf.closed"])


# The text modes of open(), and spellings of them.
OPEN_TEXT_MODES = ["r", "w", "a", "x", "r+", "w+", "a+", "x+", "rt", "wt", "at", "xt", "rt+",
                   "+r", "tr", "t+w", "+at"]
OPEN_TEXT_BAD_MODES = ["rtb", "U", "rU", "tt", "t", "rw", "r\0", "+"]


class OpenTextSpec(ClassSpec):
    """open() in text modes: by path (str, bytes, Path) or descriptor, with
    buffering -1, 1 (line buffering), tiny and larger sizes; every encoding,
    error handler and newline; and arguments that must fail."""
    name = "opentext"
    requires = ("TextIOWrapper",)
    share = 0.7
    compare_messages = True
    KINDS = [(6, "path"), (2, "fd"), (1, "bad")]
    BAD = ["mode", "unbuffered", "encoding_unknown", "encoding_type", "errors_type",
           "newline_value", "newline_type", "missing", "directory", "exists_x", "closefd_path"]

    table = (text_reading() + text_writing() + text_positioning() + text_state()
             + [(1, choice_of("shown(f.name, fd)", "f.mode", "f.buffer.mode",
                              "type(f.buffer.raw).__name__"))])

    def params(self, rng):
        kind = pick(rng, self.KINDS)
        p = {"kind": kind, "mode": rng.choice(OPEN_TEXT_MODES),
             "buffering": pick(rng, [(4, -1), (2, 1), (4, rng.randint(2, 16)),
                                     (1, rng.choice([64, 4096, DEFAULT_BUFFER_SIZE]))]),
             "positional": rng.random() < 0.15}
        _text_params(rng, p)
        del p["line_buffering"], p["write_through"]
        p["content"] = text_content(rng, p["encoding"] or "utf-8")
        p["exists"] = "x" not in p["mode"]
        _open_file_params(rng, p, self.BAD, OPEN_TEXT_BAD_MODES)
        return p

    def context(self, p):
        return _text_context(len(p["content"].value()), encoding=p["encoding"])

    def setup(self, p):
        kind = p["kind"]
        prepare = ["cookies = log.cookies = Cookies()", "path = os.path.join(tmp, 'file')",
                   "warned = []"]
        if p["exists"]:
            prepare.append(f"put(path, {p['content']!r})")
        finals = ["f.close()", "slurp(path)", "warned"]
        cleanup = []
        if p["positional"]:  # open(file, mode, buffering, encoding, errors, newline)
            rest = [repr(p[k]) for k in ("buffering", "encoding", "errors", "newline")]
            if p["chunk"] is not None:
                rest.append(f"chunk={p['chunk']!r}")
        else:
            rest = _text_args(p, False)
            if p["buffering"] != -1:
                rest.insert(0, f"buffering={p['buffering']!r}")
        if kind == "path":
            name = {"str": "path", "bytes": "os.fsencode(path)", "Path": "pathlib.Path(path)"}[
                p["path_type"]]
        elif kind == "fd":
            prepare.append(f"fd = os.open(path, {p['flags']!r}, 0o666)")
            name = "fd"
            rest.append(f"closefd={p['closefd']}")
            finals.insert(1, "fd_is_open(fd)")
            cleanup = _fd_cleanup(p["closefd"])
        else:
            return self._bad_setup(p, prepare, finals)
        construct = f"open_text(mod, warned, {', '.join([name, repr(p['mode'])] + rest)})"
        return Setup(prepare, construct, finals, cleanup)

    @staticmethod
    def _bad_setup(p, prepare, finals):
        mode = p["mode"]
        construct = {
            "mode": f"open_text(mod, warned, path, {mode!r})",
            "unbuffered": f"open_text(mod, warned, path, {mode!r}, 0)",
            "encoding_unknown": f"open_text(mod, warned, path, {mode!r}, encoding='bogus')",
            "encoding_type": f"open_text(mod, warned, path, {mode!r}, encoding=5)",
            "errors_type": f"open_text(mod, warned, path, {mode!r}, errors=5)",
            "newline_value": f"open_text(mod, warned, path, {mode!r}, newline='x')",
            "newline_type": f"open_text(mod, warned, path, {mode!r}, newline=5)",
            "missing": f"open_text(mod, warned, os.path.join(tmp, 'no', 'file'), {mode!r})",
            "directory": f"open_text(mod, warned, tmp, {mode!r})",
            "exists_x": "open_text(mod, warned, path, 'x')",
            "closefd_path": f"open_text(mod, warned, path, {mode!r}, closefd=False)",
        }[p["variant"]]
        if p["variant"] == "exists_x":
            prepare.append("put(path, b'x')")
        return Setup(prepare, construct, finals)


class StringIOSpec(ClassSpec):
    """StringIO from an initial value (str, None, nothing, wrong types) in
    each newline mode: reading, writing, seeking anywhere (positions are
    plain character counts, compared by value), truncate, getvalue."""
    name = "stringio"
    requires = ("StringIO",)
    compare_messages = True
    NEWLINE_ARGS = [(4, ""), (2, ", None"), (2, ", ''"), (2, ", '\\n'"), (2, ", '\\r'"),
                    (2, ", '\\r\\n'"), (1, ", newline='\\r'"), (0.5, ", 'x'"), (0.5, ", 5")]

    table = (text_reading() + text_writing() + positioning() + state() + [
        (3, choice_of("f.getvalue()")),
        (1, choice_of("f.newlines", "f.line_buffering", "f.encoding", "f.errors", "f.closed")),
        (0.5, choice_of("f.detach()", "f.buffer", "f.fileno()", "f.name")),
        (0.3, op("f.__init__({0})", text_data)),
    ])

    def params(self, rng):
        initial = pick(rng, [(10, "value"), (1, "none"), (1, "absent"), (1, "keyword"),
                             (0.5, "bytes")])
        n = pick(rng, [(10, 0), (50, rng.randint(1, 60)), (30, rng.randint(60, 3000)),
                       (5, rng.randint(8000, 20000))])
        return {"initial": initial, "newline": pick(rng, self.NEWLINE_ARGS),
                "content": Text(rng.randrange(1 << 30), n, rng.randrange(8))}

    def context(self, p):
        return _text_context(p["content"].n)

    def setup(self, p):
        args = {"value": [repr(p["content"])], "none": ["None"], "absent": [],
                "keyword": [f"initial_value={p['content']!r}"], "bytes": ["b'ab'"]}[p["initial"]]
        newline = p["newline"][2:]
        if newline:  # positional only after a positional initial value
            keyword = "=" in newline or not args or "=" in args[0]
            args.append(newline if "=" in newline or not keyword else "newline=" + newline)
        return Setup([], f"mod.StringIO({', '.join(args)})",
                     ["f.getvalue()", "f.tell()", "f.close()", "f.closed"])


def _decode_input(rng, ctx):
    if ctx["encoding"] is None:
        return Text(rng.randrange(1 << 30), rng.randint(0, 12), rng.choice([0, 1, 1, 4, 7]))
    e = ctx["encoding"]
    return Encoded(rng.randrange(1 << 30), rng.randint(0, 12), rng.choice([0, 1, 1, 2, 3]),
                   e, pick(rng, [(6, 0), (2, 1), (1, 3)]))


def _decode(rng, ctx):
    final = rng.random() < 0.15
    args = "{0}" + (", True" if final else rng.choice(["", "", ", False", ", final=False"]))
    if ctx["encoding"] is not None and rng.random() < 0.3:
        # A byte at a time: '\\r' and '\\n' (and multibyte sequences) apart.
        return Op("[f.decode(b) for b in split_bytes({0})]", (_decode_input(rng, ctx),))
    return Op(f"f.decode({args})", (_decode_input(rng, ctx),))


class NewlineDecoderSpec(ClassSpec):
    """IncrementalNewlineDecoder over a codec's incremental decoder (or
    none: str in, str out), translating or not: decode in pieces, final,
    getstate, setstate to a state returned earlier, reset, newlines."""
    name = "newlinedecoder"
    requires = ("IncrementalNewlineDecoder",)
    compare_messages = True

    table = [
        (10, _decode),
        (2, choice_of("f.getstate()")),
        (2, op("f.setstate(states.at({0}))", lambda rng, ctx: rng.choice([-1, -2, 0, 3]))),
        (1, choice_of("states.append(f.getstate())")),
        (1, op("f.setstate({0})", lambda rng, ctx: rng.choice([
            (b"", 0), (b"", 1), (b"\r", 0), (b"a", 2), Src("(b'', -1)"), None, 5, (1, 2)]))),
        (1, choice_of("f.reset()", "f.newlines", "f.decode()", "f.decode(b'\\r', True)")),
    ]

    def params(self, rng):
        encoding = pick(rng, [(4, None), (6, "utf-8"), (1, "utf-16-le"), (1, "latin-1"),
                              (1, "shift_jis"), (1, "utf-7"), (1, "gb18030")])
        return {"encoding": encoding, "errors": pick(rng, TEXT_ERRORS[:4]),
                "translate": rng.random() < 0.5}

    def context(self, p):
        return {"encoding": p["encoding"]}

    def setup(self, p):
        return Setup(["states = Cookies()"],
                     f"newline_decoder(mod, {p['encoding']!r}, {p['errors']!r}, "
                     f"{p['translate']!r})", ["f.newlines", "f.getstate()"])

CLASSES = {spec.name: spec for spec in (
    FileIOSpec(), BytesIOSpec(), RawIOSpec(),
    BufferedSpec("BufferedReader"), BufferedSpec("BufferedWriter"),
    BufferedSpec("BufferedRandom"), RWPairSpec(), OpenSpec(), SocketIOSpec(),
    TextIOWrapperSpec(), OpenTextSpec(), StringIOSpec(), NewlineDecoderSpec())}
