"""The CPython io peer: the loop of each workload, timed inside Python.

    python3 cpython_peer.py WORKLOAD --file PATH [--encoding ENC] [--out PATH]
                            [--runs N] [--max-seconds S] [--verify]

Prints one line of JSON like pyio_bench's.  Each run is timed with
time.perf_counter from open() to close, so the interpreter's start-up is not
counted.  For text the units are characters (len of str), for bytes bytes.
--max-seconds stops the runs once they have taken that long in all (after
one at least).  --verify adds one run that is not timed and hashes what was
seen (zlib.crc32 of the text as UTF-8, or of the bytes), in the order it was
seen.
"""

import argparse
import json
import time
import zlib

CHUNK = 64 * 1024
SEEK_EVERY = 16
SEEK_STRIDE = 1000003  # as pyio_bench.cpp: index j * stride mod count


class Tally:
    def __init__(self, verify):
        self.verify = verify
        self.lines = 0
        self.units = 0
        self.aux = 0
        self.crc = 0

    def hash(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.crc = zlib.crc32(data, self.crc)


def readinto(a, t):
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    units = 0
    with open(a.file, "rb") as f:
        while n := f.readinto(buf):
            units += n
            if t.verify:
                t.hash(view[:n])
    t.units = units


def lines(a, t, mode):
    lines = units = 0
    with open(a.file, mode, encoding=None if "b" in mode else a.encoding) as f:
        for line in f:
            lines += 1
            units += len(line)
            if t.verify:
                t.hash(line)
    t.lines, t.units = lines, units


def write(a, t, mode):
    with open(a.file, "rb") as f:
        data = f.read()
    source = data.splitlines(keepends=True)
    if "b" not in mode:
        source = [line.decode(a.encoding) for line in source]
    lines = units = 0
    start = time.perf_counter()
    with open(a.out, mode, encoding=None if "b" in mode else a.encoding) as f:
        for line in source:
            f.write(line)
            lines += 1
            units += len(line)
    seconds = time.perf_counter() - start
    t.lines, t.units = lines, units
    if t.verify:
        with open(a.out, "rb") as f:
            t.hash(f.read())
    return seconds


def read_all(a, t):
    with open(a.file, encoding=a.encoding) as f:
        text = f.read()
    t.units = len(text)
    if t.verify:
        t.hash(text)


def readline_tell(a, t):
    lines = units = aux = 0
    with open(a.file, encoding=a.encoding) as f:
        while line := f.readline():
            lines += 1
            units += len(line)
            aux += f.tell()
            if t.verify:
                t.hash(line)
    t.lines, t.units, t.aux = lines, units, aux


def selected_cookies(a):
    cookies = []
    with open(a.file, encoding=a.encoding) as f:
        index = 0
        while True:
            cookie = f.tell()
            if not f.readline():
                break
            if index % SEEK_EVERY == 0:
                cookies.append(cookie)
            index += 1
    return cookies


def seek(a, t, cookies):
    count = len(cookies)
    lines = units = 0
    with open(a.file, encoding=a.encoding) as f:
        for j in range(count):
            f.seek(cookies[j * SEEK_STRIDE % count])
            line = f.readline()
            lines += 1
            units += len(line)
            if t.verify:
                t.hash(line)
    t.lines, t.units = lines, units


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload")
    p.add_argument("--file", required=True)
    p.add_argument("--encoding", default="utf-8")
    p.add_argument("--out")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--max-seconds", type=float, default=0)
    p.add_argument("--verify", action="store_true")
    a = p.parse_args()

    w = a.workload
    if w == "seek":
        cookies = selected_cookies(a)
    bodies = {
        "readinto": lambda t: readinto(a, t),
        "readline": lambda t: lines(a, t, "rb"),
        "text_lines": lambda t: lines(a, t, "r"),
        "write": lambda t: write(a, t, "wb"),
        "text_write": lambda t: write(a, t, "w"),
        "read_all": lambda t: read_all(a, t),
        "readline_tell": lambda t: readline_tell(a, t),
        "seek": lambda t: seek(a, t, cookies),
    }
    body = bodies[w]

    seconds = []
    last = None
    for _ in range(a.runs):
        if a.max_seconds > 0 and sum(seconds) >= a.max_seconds:
            break
        t = Tally(False)
        start = time.perf_counter()
        own = body(t)  # the write workloads time themselves, after loading
        seconds.append(own if own is not None else time.perf_counter() - start)
        last = t
    result = {"workload": w, "peer": "cpython", "seconds": seconds}
    if a.verify:
        t = Tally(True)
        body(t)
        if (t.lines, t.units, t.aux) != (last.lines, last.units, last.aux):
            raise SystemExit("cpython_peer: the verifying run saw other counts")
        last = t
    result.update(lines=last.lines, units=last.units, aux=last.aux)
    if a.verify:
        result["crc"] = last.crc
    print(json.dumps(result))


if __name__ == "__main__":
    main()
