#!/usr/bin/env python3
"""The benchmark suite of issue 7: libpyio against its peers, in one run.

    python3 bench/run.py BUILD_DIR [--quick] [--runs N] [--size-mib N]
                         [--data-dir DIR] [--out-dir DIR] [--only REGEX]

BUILD_DIR is a configured and built tree (RelWithDebInfo or Release); this
script builds nothing.  It generates the corpora deterministically into the
data directory (reused when already there), reads each into the page cache,
runs every workload for every peer (bench/pyio_bench for the C and C++ peers,
bench/cpython_peer.py for CPython's io, the iconv command against
pyio-recode), checks that every peer saw the same lines, bytes and
characters, and prints one table: throughput in MB/s (10**6 bytes of input a
second, the median of the runs) and the ratio of libpyio to each peer, each
target of the issue marked met or not.  The table goes to OUT_DIR/results.md
with the machine it ran on, the ratios to OUT_DIR/results.svg, every run's
seconds to OUT_DIR/results.json.

--quick: tiny corpora and one run, in seconds; times are meaningless, the
checks are not (ctest's bench_quick).  Exit status 1 if any check failed.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_VERSION = 1
SEEK_EVERY = 16          # as pyio_bench.cpp and cpython_peer.py
SEEK_STRIDE = 1000003
PEERS = ["raw", "stdio", "iostream", "cpython", "iconv"]

# ---------------------------------------------------------------------------
# The corpora
# ---------------------------------------------------------------------------

ASCII_WORDS = ("the quick brown fox jumps over lazy dog buffer stream reader writer text "
               "line codec newline decode encode cookie seek tell flush close open read "
               "write chunk byte 0 1 2 42 1024 65536 alpha beta gamma delta, end. (note)").split()
LATIN_WORDS = ("café naïve façade garçon Müller Straße ñandú àbc élan über Øre Ångström "
               "déjà vu señor").split()
LATIN1_EXTRA = "© ½ ¿qué? ¡olé! « » ± µ ß ÿ".split()
CP1252_EXTRA = "€ “quoted” ‘single’ — – … Œuvre šk ‰ ™ •".split()
CYRILLIC_WORDS = "привет мир поток чтение запись строка кодек буфер Ёлка щука".split()
CJK_WORDS = "中文 日本語 汉字 東京 한국어 文字列 改行 読み込み 書き込み".split()
EMOJI_WORDS = "😀 🚀 🎉 👍🏽 🇫🇷 ❤️ 🐍".split()
JAPANESE_WORDS = ("日本語 東京 ひらがな カタカナ 漢字 テスト こんにちは 世界 データ 読み込み "
                  "書き込み 文字列 改行 ファイル 「引用」 、 。").split()

# Each corpus: its file, the pools its words come from, its line ending and
# encoding (Python's name, for the text; None for the ASCII corpus's bytes).
CORPORA = {
    "ascii": ("ascii.txt", [ASCII_WORDS], "\n", "utf-8"),
    "mixed": ("mixed.txt", [ASCII_WORDS, LATIN_WORDS, CYRILLIC_WORDS, CJK_WORDS, EMOJI_WORDS],
              "\n", "utf-8"),
    "crlf": ("crlf.txt", [ASCII_WORDS, LATIN_WORDS, CYRILLIC_WORDS, CJK_WORDS, EMOJI_WORDS],
             "\r\n", "utf-8"),
    "utf16": ("utf16.txt", [ASCII_WORDS, LATIN_WORDS, CYRILLIC_WORDS, CJK_WORDS, EMOJI_WORDS],
              "\n", "utf-16"),
    "latin1": ("latin1.txt", [ASCII_WORDS, LATIN_WORDS, LATIN1_EXTRA], "\n", "latin-1"),
    "cp1252": ("cp1252.txt", [ASCII_WORDS, LATIN_WORDS, LATIN1_EXTRA, CP1252_EXTRA], "\n",
               "cp1252"),
    "sjis": ("sjis.txt", [ASCII_WORDS, JAPANESE_WORDS], "\n", "shift_jis"),
}


def line_pool(name, pools, count):
    """`count` distinct lines (without their ending) from a seeded generator."""
    rng = random.Random(f"pyio-bench-{name}")
    lines = []
    for _ in range(count):
        words = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(2, 18))]
        lines.append(" ".join(words))
    return lines


def generate(name, path, size):
    """Writes the corpus `name` of at least `size` bytes to `path` and
    returns what every peer must see in it:
      raw_bytes, raw_crc       the file's bytes;
      lines                    its lines;
      chars, text_bytes,       the decoded text with newlines translated
      text_crc                 (Python's universal newlines): characters,
                               UTF-8 bytes, CRC-32 of the UTF-8;
      tell_sum                 the sum of the byte offsets after each line;
      longest_line             in bytes of UTF-8;
      seek_lines, seek_bytes,  the lines the seek workload visits, their
      seek_chars, seek_crc     bytes, characters and CRC in visiting order.
    """
    _, pools, ending, encoding = CORPORA[name]
    texts = line_pool(name, pools, 20000)
    line_encoding = "utf-16-le" if encoding == "utf-16" else encoding
    pool = [(t + ending).encode(line_encoding) for t in texts]
    pool_text = [(t + "\n").encode("utf-8") for t in texts]
    pool_chars = [len(t) + 1 for t in texts]

    rng = random.Random(f"pyio-bench-order-{name}")
    m = dict(raw_bytes=0, raw_crc=0, lines=0, chars=0, text_bytes=0, text_crc=0, tell_sum=0,
             longest_line=max(len(t) for t in pool_text))
    selected = []
    with open(path, "wb") as f:
        bom = "\ufeff".encode("utf-16-le") if encoding == "utf-16" else b""
        f.write(bom)
        m["raw_bytes"] = len(bom)
        m["raw_crc"] = zlib.crc32(bom)
        while m["raw_bytes"] < size:
            block = [rng.randrange(len(pool)) for _ in range(4096)]
            raw = b"".join(pool[i] for i in block)
            text = b"".join(pool_text[i] for i in block)
            offset = m["raw_bytes"]
            for k, i in enumerate(block):
                offset += len(pool[i])
                m["tell_sum"] += offset
                if (m["lines"] + k) % SEEK_EVERY == 0:
                    selected.append(i)
            f.write(raw)
            m["raw_bytes"] += len(raw)
            m["raw_crc"] = zlib.crc32(raw, m["raw_crc"])
            m["text_bytes"] += len(text)
            m["text_crc"] = zlib.crc32(text, m["text_crc"])
            m["chars"] += sum(pool_chars[i] for i in block)
            m["lines"] += len(block)

    count = len(selected)
    order = [selected[j * SEEK_STRIDE % count] for j in range(count)]
    m["seek_lines"] = count
    m["seek_bytes"] = sum(len(pool[i]) for i in order)
    m["seek_chars"] = sum(pool_chars[i] for i in order)
    crc = 0
    for i in order:
        crc = zlib.crc32(pool_text[i], crc)
    m["seek_crc"] = crc
    return m


def prepare_data(data_dir, size):
    """The corpora and their metadata, generated unless already there."""
    data_dir.mkdir(parents=True, exist_ok=True)
    meta_path = data_dir / "meta.json"
    meta = {}
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("version") != DATA_VERSION or meta.get("size") != size:
            meta = {}
    meta.update(version=DATA_VERSION, size=size)
    for name, (file_name, *_rest) in CORPORA.items():
        path = data_dir / file_name
        known = meta.get(name)
        if known and path.exists() and path.stat().st_size == known["raw_bytes"]:
            continue
        log(f"generating {path} ({size / 2**20:g} MiB)")
        meta[name] = generate(name, path, size)
        meta_path.write_text(json.dumps(meta, indent=1))
    return meta


def warm(path):
    """Reads a file once so that it is in the page cache before any timing."""
    with open(path, "rb", buffering=0) as f:
        while f.read(1 << 20):
            pass


# ---------------------------------------------------------------------------
# The workloads
# ---------------------------------------------------------------------------

class Workload:
    """One row of the table: `bench` is the workload name pyio_bench and
    cpython_peer.py know; `work` the input bytes a run processes."""

    def __init__(self, label, bench, corpus, peers, targets, encoding="utf-8", work="raw_bytes"):
        self.label, self.bench, self.corpus = label, bench, corpus
        self.peers, self.targets, self.encoding, self.work = peers, targets, encoding, work


BYTE_PEERS = ["raw", "stdio", "iostream", "cpython"]
READ_ALL_PEERS = BYTE_PEERS + ["iconv"]

WORKLOADS = [
    Workload("binary readinto 64 KiB", "readinto", "ascii", BYTE_PEERS, [("raw", 0.95)]),
    Workload("binary readline", "readline", "mixed", BYTE_PEERS, [("stdio", 2.0)]),
    Workload("small writes (BufferedWriter)", "write", "ascii", BYTE_PEERS, [("stdio", 1.2)]),
    Workload("text lines, ASCII", "text_lines", "ascii", BYTE_PEERS,
             [("cpython", 5.0), ("iostream", 1.0)]),
    Workload("text lines, mixed UTF-8", "text_lines", "mixed", BYTE_PEERS,
             [("cpython", 5.0), ("iostream", 1.0)]),
    Workload("text lines, CRLF universal", "text_lines", "crlf", BYTE_PEERS,
             [("cpython", 5.0), ("iostream", 1.0)]),
    Workload("read-all utf-8", "read_all", "mixed", READ_ALL_PEERS, []),
    Workload("read-all latin-1", "read_all", "latin1", READ_ALL_PEERS, [("cpython", 3.0)],
             encoding="latin-1"),
    Workload("read-all cp1252", "read_all", "cp1252", READ_ALL_PEERS, [("cpython", 3.0)],
             encoding="cp1252"),
    Workload("read-all utf-16", "read_all", "utf16", READ_ALL_PEERS, [("cpython", 3.0)],
             encoding="utf-16"),
    # shift_jis is the one codec here that only iconv handles (libpyio calls it).
    Workload("read-all shift_jis", "read_all", "sjis", READ_ALL_PEERS, [("iconv", 0.9)],
             encoding="shift_jis"),
    Workload("text write utf-8", "text_write", "mixed", BYTE_PEERS, [("cpython", 10.0)]),
    Workload("readline + tell", "readline_tell", "mixed", BYTE_PEERS, [("cpython", 100.0)]),
    Workload("seek to cookie + readline", "seek", "mixed", BYTE_PEERS, [], work="seek_bytes"),
]

# pyio-recode against the iconv command: (label, corpus, Python name, iconv name).
RECODES = [
    ("pyio-recode cp1252 → utf-8", "cp1252", "cp1252", "CP1252"),
    ("pyio-recode utf-16 → utf-8", "utf16", "utf-16", "UTF-16"),
]


def kind_of(workload, peer):
    """In what units `peer` reports: 'raw' (the file's bytes), 'text' (UTF-8
    of the decoded, newline-translated text) or 'chars' (its characters)."""
    if peer == "cpython" and workload.bench in ("readinto", "readline", "write"):
        return "raw"
    if peer == "cpython":
        return "chars"
    if peer in ("libpyio", "iconv") and workload.bench in (
            "text_lines", "read_all", "readline_tell", "seek"):
        return "text"
    return "raw"


def expected(workload, peer, m):
    """(lines, units, aux, crc) that `peer` must report for `workload`."""
    kind = kind_of(workload, peer)
    if workload.bench == "seek":
        units = m["seek_chars"] if kind == "chars" else m["seek_bytes"]
        return m["seek_lines"], units, 0, m["seek_crc"]
    lines = 0 if workload.bench in ("readinto", "read_all") else m["lines"]
    aux = m["tell_sum"] if workload.bench == "readline_tell" else 0
    if kind == "raw":
        return lines, m["raw_bytes"], aux, m["raw_crc"]
    units = m["chars"] if kind == "chars" else m["text_bytes"]
    return lines, units, aux, m["text_crc"]


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def log(message):
    print(message, file=sys.stderr, flush=True)


def run_child(argv):
    """Runs argv to completion and returns its standard output."""
    p = subprocess.run([str(a) for a in argv], capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({p.returncode}):\n"
                           f"{p.stderr.decode(errors='replace')}")
    return p.stdout.decode()


def settle_output(out_path):
    """Removes the last run's output and has the kernel write back what is
    dirty, before the next run's clock starts.  Otherwise a run pays for the
    one before it (truncating a file whose pages are being written back
    waits for them): libpyio, which comes after CPython in each round, took
    0.21 s or 0.35 s a run by luck of timing."""
    out_path.unlink(missing_ok=True)
    os.sync()


def run_peer(args, workload, peer, data_dir, out_path, verify):
    """One timed run of `workload` by `peer`, and with `verify` one more that
    hashes what it saw."""
    corpus_file = data_dir / CORPORA[workload.corpus][0]
    common = ["--file", corpus_file, "--encoding", workload.encoding, "--runs", "1"]
    if verify:
        common.append("--verify")
    if workload.bench in ("write", "text_write"):
        settle_output(out_path)
        common += ["--out", out_path]
    if peer == "cpython":
        argv = [sys.executable, HERE / "cpython_peer.py", workload.bench] + common
    else:
        argv = [args.bench, workload.bench, peer] + common
    return json.loads(run_child(argv))


def run_recode(args, corpus_file, out_path, python_name, iconv_name, m):
    """Times pyio-recode and the iconv command, each `runs` times (through
    pyio_bench spawn, which also takes their peak RSS), and checks their
    outputs; returns {peer: (seconds, peak RSS in KiB)}."""
    commands = {
        "libpyio": [args.recode, "--from", python_name, "--to", "utf-8", corpus_file,
                    "-o", out_path],
        "iconv": ["iconv", "-f", iconv_name, "-t", "UTF-8", corpus_file, "-o", out_path],
    }
    results = {peer: ([], 0) for peer in commands}
    for _ in range(args.runs):  # in rounds, as the other workloads
        for peer, argv in commands.items():
            settle_output(out_path)
            r = json.loads(run_child([args.bench, "spawn"] + argv))
            data = out_path.read_bytes()
            if len(data) != m["text_bytes"] or zlib.crc32(data) != m["text_crc"]:
                raise Check(f"{peer} recode from {python_name}: {len(data)} bytes, "
                            f"expected {m['text_bytes']} (or another CRC)")
            seconds, rss = results[peer]
            results[peer] = (seconds + [r["seconds"]], max(rss, r["maxrss_kib"]))
            out_path.unlink()
    return results


class Check(Exception):
    """A peer did other work than expected."""


def check(workload, peer, result, m):
    want = expected(workload, peer, m)
    if "crc" not in result:  # a run without --verify
        want = want[:3]
    got = (result["lines"], result["units"], result["aux"], result.get("crc"))[:len(want)]
    if got != want:
        names = ("lines", "units", "aux", "crc")
        diff = ", ".join(f"{n} {g} (expected {w})" for n, g, w in zip(names, got, want) if g != w)
        raise Check(f"{workload.label} / {peer} [{kind_of(workload, peer)}]: {diff}")


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def machine(build_dir):
    cpu = "unknown CPU"
    flags = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and cpu == "unknown CPU":
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    simd = [f for f in ("avx2", "avx512f", "avx512bw") if f in flags]
    # The compiler and build type the tree was configured with.
    cache = {}
    try:
        for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                cache[key.split(":")[0]] = value
    except OSError:
        pass
    try:
        compiler = subprocess.run([cache.get("CMAKE_CXX_COMPILER", "c++"), "--version"],
                                  capture_output=True, text=True)
        compiler = compiler.stdout.splitlines()[0]
    except (OSError, IndexError):
        compiler = "unknown compiler"
    compiler += f", CMAKE_BUILD_TYPE={cache.get('CMAKE_BUILD_TYPE', '?')}"
    return {
        "CPU": f"{cpu} ({', '.join(simd) or 'no AVX2'})",
        "cores": str(os.cpu_count()),
        "kernel": f"{platform.system()} {platform.release()}",
        "compiler": compiler,
        "python": f"CPython {platform.python_version()}",
    }


def mbps(work, seconds):
    return work / statistics.median(seconds) / 1e6


def fmt_rate(rate):
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.1f}"


def fmt_ratio(ratio):
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:.0f}×"


def build_rows(results):
    """Rows of the table: (label, libpyio MB/s, {peer: (MB/s, ratio)},
    [(target text, met)])."""
    rows = []
    for label, rates, targets in results:
        mine = rates["libpyio"]
        peers = {p: (r, mine / r) for p, r in rates.items() if p != "libpyio"}
        verdicts = [(p, t, peers[p][1] >= t) for p, t in targets if p in peers]
        rows.append((label, mine, peers, verdicts))
    return rows


def markdown(rows, memory, info, args):
    out = []
    out.append(f"Run of {info['date']} ({'quick mode: times mean nothing' if args.quick else 'full'}"
               f"): {args.runs} run(s) each, median; corpora of "
               f"{args.size_mib:g} MiB; MB = 10^6 bytes of input.")
    out.append("")
    for key in ("CPU", "cores", "kernel", "compiler", "python"):
        out.append(f"- {key}: {info[key]}")
    out.append("")
    out.append("| workload | libpyio MB/s | " + " | ".join(PEERS) + " | targets |")
    out.append("|---|---:|" + "---:|" * len(PEERS) + "---|")
    for label, mine, peers, verdicts in rows:
        cells = []
        for p in PEERS:
            if p in peers:
                rate, ratio = peers[p]
                cells.append(f"{fmt_rate(rate)} ({fmt_ratio(ratio)})")
            else:
                cells.append("")
        target = "; ".join(f"≥ {goal:g}× {p}: {'**met**' if ok else '**not met**'}"
                           for p, goal, ok in verdicts)
        out.append(f"| {label} | {fmt_rate(mine)} | " + " | ".join(cells) + f" | {target} |")
    out.append("")
    out.append("Each peer cell: the peer's MB/s (libpyio's MB/s ÷ the peer's).")
    out.append("")
    out.append("| peak memory while streaming | peak RSS | over the idle process | budget | target |")
    out.append("|---|---:|---:|---:|---|")
    for label, rss, extra, budget in memory:
        verdict = ("" if budget is None else
                   ("**met**" if extra <= budget else "**not met**"))
        over = "" if budget is None else f"{extra / 1024:.1f} MiB"
        out.append(f"| {label} | {rss / 1024:.1f} MiB | {over} | "
                   + (f"{budget / 1024:.1f} MiB" if budget is not None else "")
                   + f" | {verdict} |")
    out.append("")
    return "\n".join(out)


def svg_chart(rows):
    """Horizontal bars of libpyio ÷ peer on a log scale, from 1× (even) to
    the right when libpyio is faster, to the left when slower; one group of
    bars a workload."""
    colors = {"raw": "#555555", "stdio": "#1f77b4", "iostream": "#2ca02c",
              "cpython": "#d62728", "iconv": "#9467bd"}
    lo, hi = 0.01, 1000.0
    left, width, bar, gap = 230, 560, 9, 8
    x = lambda r: left + width * (math.log10(min(max(r, lo), hi)) - math.log10(lo)) / (
        math.log10(hi) - math.log10(lo))
    parts, y = [], 40
    for label, _, peers, verdicts in rows:
        parts.append(f'<text x="{left - 8}" y="{y + bar}" text-anchor="end" '
                     f'font-size="11">{escape(label)}</text>')
        goals = {p: goal for p, goal, _ in verdicts}
        for p in PEERS:
            if p not in peers:
                continue
            ratio = peers[p][1]
            x0, x1 = sorted((x(1.0), x(ratio)))
            parts.append(f'<rect x="{x0:.1f}" y="{y}" width="{x1 - x0:.1f}" height="{bar}" '
                         f'fill="{colors[p]}"><title>{p}: {ratio:.3g}×</title></rect>')
            tx, anchor = (x1 + 3, "start") if ratio >= 1 else (x0 - 3, "end")
            parts.append(f'<text x="{tx:.1f}" y="{y + bar - 1}" font-size="8" '
                         f'text-anchor="{anchor}">{ratio:.3g}×</text>')
            if p in goals:
                gx = x(goals[p])
                parts.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{y - 1}" y2="{y + bar + 1}" '
                             f'stroke="black" stroke-width="2"/>')
            y += bar + 1
        y += gap
    height = y + 40
    axis = []
    for k in range(-2, 4):
        r = 10.0 ** k
        dash = "" if k == 0 else ' stroke-dasharray="4 3"'
        axis.append(f'<line x1="{x(r):.1f}" x2="{x(r):.1f}" y1="30" y2="{y}" stroke="#ccc"{dash}/>')
        axis.append(f'<text x="{x(r):.1f}" y="{y + 14}" text-anchor="middle" '
                    f'font-size="10">{r:g}×</text>')
    legend = []
    for i, p in enumerate(PEERS):
        lx = left + i * 110
        legend.append(f'<rect x="{lx}" y="{height - 18}" width="10" height="10" fill="{colors[p]}"/>'
                      f'<text x="{lx + 14}" y="{height - 9}" font-size="11">{p}</text>')
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" '
            f'height="{height}" font-family="sans-serif">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="10" y="18" font-size="13">libpyio throughput ÷ each peer\'s '
            f'(log scale; black ticks: the targets of issue 7)</text>\n')
    return head + "\n".join(axis + parts + legend) + "\n</svg>\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("build_dir", type=Path)
    p.add_argument("--quick", action="store_true", help="tiny corpora, one run")
    p.add_argument("--runs", type=int, help="timed runs per peer (default 5, quick 1)")
    p.add_argument("--size-mib", type=float, help="corpus size (default 128, quick 0.25)")
    p.add_argument("--data-dir", type=Path, help="default: BUILD_DIR/bench-data")
    p.add_argument("--out-dir", type=Path, default=HERE, help="results.md and results.svg")
    p.add_argument("--max-seconds", type=float, default=60,
                   help="a peer stops repeating after this long (default 60; 0: never)")
    p.add_argument("--only", help="run the workloads whose label matches this regex")
    p.add_argument("--bench", type=Path, help="default: BUILD_DIR/bench/pyio_bench")
    p.add_argument("--recode", help="default: BUILD_DIR/examples/pyio-recode; '' skips it")
    p.add_argument("--readme", type=Path,
                   help="also put the table in this file, between the lines "
                        f"{README_BEGIN!r} and {README_END!r}")
    args = p.parse_args()
    args.runs = args.runs or (1 if args.quick else 5)
    args.size_mib = args.size_mib or (0.25 if args.quick else 128)
    args.data_dir = args.data_dir or args.build_dir / "bench-data"
    args.bench = args.bench or args.build_dir / "bench" / "pyio_bench"
    if args.recode is None:
        args.recode = str(args.build_dir / "examples" / "pyio-recode")
    if not args.bench.exists():
        sys.exit(f"run.py: no {args.bench}: build the tree first")

    meta = prepare_data(args.data_dir, int(args.size_mib * 2**20))
    scratch = args.data_dir / "out.tmp"
    only = re.compile(args.only) if args.only else None
    failures = []
    notes = []
    raw_seconds = {}  # for results.json: every run's seconds, by workload and peer
    results = []
    memory = []

    for w in WORKLOADS:
        if only and not only.search(w.label):
            continue
        m = meta[w.corpus]
        warm(args.data_dir / CORPORA[w.corpus][0])
        # Rounds of one run of each peer, so that the load of a shared
        # machine falls on all of them alike; the first round also verifies.
        peers = ["libpyio"] + w.peers
        seconds = {peer: [] for peer in peers}
        for round in range(args.runs):
            for peer in list(peers):
                if round and args.max_seconds and sum(seconds[peer]) >= args.max_seconds:
                    continue
                log(f"{w.label}: {peer} (run {round + 1})")
                try:
                    r = run_peer(args, w, peer, args.data_dir, scratch, verify=round == 0)
                    check(w, peer, r, m)
                except (Check, RuntimeError, ValueError) as e:
                    failures.append(str(e))
                    log(f"  FAILED: {e}")
                    peers.remove(peer)
                    continue
                seconds[peer] += r["seconds"]
                if (peer == "libpyio" and w.bench == "text_lines" and w.corpus == "mixed"
                        and round == 0):
                    memory.append(("libpyio", r["maxrss_kib"], m["longest_line"]))
        rates = {}
        raw_seconds[w.label] = {"input_bytes": m[w.work], **seconds}
        for peer in peers:
            rates[peer] = mbps(m[w.work], seconds[peer])
            if len(seconds[peer]) < args.runs:
                notes.append(f"{w.label} / {peer}: {len(seconds[peer])} run(s), "
                             f"stopped by --max-seconds {args.max_seconds:g}")
        if "libpyio" in rates:
            results.append((w.label, rates, [t for t in w.targets if t[0] in rates]))

    for label, corpus, python_name, iconv_name in RECODES:
        if not args.recode or (only and not only.search(label)):
            continue
        m = meta[corpus]
        path = args.data_dir / CORPORA[corpus][0]
        warm(path)
        log(f"{label}")
        try:
            r = run_recode(args, path, scratch, python_name, iconv_name, m)
        except (Check, RuntimeError) as e:
            failures.append(str(e))
            log(f"  FAILED: {e}")
            continue
        rates = {peer: mbps(m["raw_bytes"], s) for peer, (s, _) in r.items()}
        raw_seconds[label] = {"input_bytes": m["raw_bytes"], **{p: s for p, (s, _) in r.items()}}
        results.append((label, rates, [("iconv", 2.0)]))
        memory.append((f"pyio-recode {python_name}", r["libpyio"][1], m["longest_line"]))
        memory.append((f"iconv command {iconv_name}", r["iconv"][1], None))

    memory_rows = memory_table(args, memory)
    info = machine(args.build_dir)
    info["date"] = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    rows = build_rows(results)
    table = markdown(rows, memory_rows, info, args)
    if notes:
        table += "\nFewer runs than asked:\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    if failures:
        table += "\nChecks that failed (those peers are left out above):\n\n" + "\n".join(
            f"- {f}" for f in failures) + "\n"
    print(table)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "results.md").write_text(table)
    (args.out_dir / "results.svg").write_text(svg_chart(rows))
    (args.out_dir / "results.json").write_text(json.dumps(
        {"machine": info, "runs": args.runs, "size_mib": args.size_mib,
         "seconds": raw_seconds, "notes": notes, "failures": failures}, indent=1) + "\n")
    if args.readme:
        put_in_readme(args.readme, table)
    if scratch.exists():
        scratch.unlink()
    if failures:
        log(f"run.py: {len(failures)} check(s) failed")
        return 1
    return 0


README_BEGIN = "<!-- bench results: begin (written by bench/run.py --readme) -->"
README_END = "<!-- bench results: end -->"


def put_in_readme(path, table):
    """Replaces what lies between the two marker lines of `path` by the table."""
    text = path.read_text()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"run.py: {path} has no {README_BEGIN!r} ... {README_END!r} lines")
    begin += len(README_BEGIN)
    path.write_text(text[:begin] + "\n\n" + table.rstrip("\n") + "\n\n" + text[end:])


def memory_table(args, memory):
    """(label, peak RSS, over the idle process, budget) in KiB.  The budget
    of issue 7: the buffers (open()'s 128 KiB, the text layer's 8 KiB chunk,
    pyio-recode's 256 KiB step), the longest line, and 4 MiB."""
    idle = json.loads(run_child([args.bench, "idle", "libpyio", "--runs", "1"]))["maxrss_kib"]
    rows = []
    for label, rss, longest in memory:
        budget = None if longest is None else (128 + 8 + 256 + 4096) + longest / 1024
        name = ("libpyio text lines, mixed UTF-8" if label == "libpyio" else label)
        rows.append((name, rss, rss - idle, budget))
    return rows


if __name__ == "__main__":
    sys.exit(main())
