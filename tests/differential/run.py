#!/usr/bin/env python3
"""Differential test of libpyio against CPython's io.

Generates seeded random sequences of operations for each class, runs each
on io (the oracle) and on the module under test, and reports every
divergence shrunk to a minimal, runnable snippet.  Exit status: 0 when
everything agreed, 1 on a divergence, 77 when libpyio's binding is not there
to test, 2 on bad arguments.  See README.md.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BINDING = HERE.parent.parent / "bindings" / "python"
sys.path.insert(0, str(HERE))

import diffio  # noqa: E402
from classes import CLASSES  # noqa: E402

SKIP = 77
# Sequences generated at a time.
BATCH = 25


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    ap.add_argument("--fresh-seed", action="store_true",
                    help="draw a new base seed (printed, so a failure can be replayed)")
    ap.add_argument("--sequences", type=int, default=100,
                    help="sequences per class (default 100; the costlier classes of the "
                         "buffered layer run a share of them, see classes.py)")
    ap.add_argument("--start", type=int, default=0,
                    help="index of the first sequence (replay one with --start I --sequences 1)")
    ap.add_argument("--length", type=int, default=40, help="most operations in a sequence (default 40)")
    ap.add_argument("--classes", default=",".join(CLASSES),
                    help=f"comma-separated, of: {', '.join(CLASSES)} (default all)")
    ap.add_argument("--module-under-test", default="libpyio",
                    help="libpyio (default), or a stand-in such as _pyio")
    ap.add_argument("--oracle", default="io", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, default=0,
                    help="stop starting sequences after this many seconds (0: no limit)")
    ap.add_argument("--max-failures", type=int, default=3,
                    help="distinct divergences to report per class before moving on (default 3)")
    ap.add_argument("--ignore", action="append", default=[], metavar="TEXT",
                    help="leave out divergences whose summary line contains TEXT, e.g. "
                         "'outcome of f.read (raise TypeError' for a known bug (repeatable)")
    ap.add_argument("--no-shrink", action="store_true", help="report failures as generated")
    ap.add_argument("--no-isolate", action="store_true",
                    help="run in this process instead of a forked child per sequence "
                         "(faster to debug; a crash then ends the run)")
    ap.add_argument("--save", metavar="DIR", help="also write each failure's snippet to DIR")
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per sequence")
    args = ap.parse_args(argv)
    args.classes = [c for c in args.classes.split(",") if c]
    unknown = [c for c in args.classes if c not in CLASSES]
    if unknown:
        ap.error(f"unknown class(es): {', '.join(unknown)}")
    if args.fresh_seed:
        args.seed = random.SystemRandom().randrange(1, 1 << 31)
    return args


def import_under_test(name):
    if name == "libpyio" and str(BINDING) not in sys.path:
        sys.path.append(str(BINDING))
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if name == "libpyio" and not (BINDING / "libpyio").exists():
            print(f"SKIP: no Python binding at {BINDING / 'libpyio'} ({exc})")
            sys.exit(SKIP)
        raise


def main(argv=None) -> int:
    args = parse_args(argv)
    oracle = importlib.import_module(args.oracle)
    under_test = import_under_test(args.module_under_test)
    other = args.module_under_test
    diffio.limit_resources()

    def setup_of(seq):
        return CLASSES[seq.cls].setup(seq.params)

    pair = diffio.Pair(oracle, under_test, setup_of, isolate=not args.no_isolate)
    shrinker = diffio.Shrinker(pair, lambda seq: CLASSES[seq.cls].valid(seq.params))
    print(f"differential: {args.oracle} vs {other}, seed {args.seed}, "
          f"{args.sequences} sequence(s) of up to {args.length} ops per class: "
          f"{', '.join(args.classes)}", flush=True)
    library = getattr(under_test, "_library_path", None)
    if library:
        print(f"{other} uses {library}", flush=True)

    started = time.monotonic()
    failures = []   # (class, signature, origins)
    ran = ignored = 0
    for cls in args.classes:
        spec = CLASSES[cls]
        missing = [name for name in spec.requires if not hasattr(under_test, name)]
        if missing:  # a layer the module does not have yet: not a failure
            print(f"{cls}: skipped, {other} has no {', '.join(missing)}", flush=True)
            continue
        seen = {}
        end = args.start + spec.sequences(args.sequences)
        for first in range(args.start, end, BATCH):
            if args.time_limit and time.monotonic() - started > args.time_limit:
                break
            batch = [spec.generate(diffio.seeded(args.seed, cls, i), args.length,
                                   f"{args.seed}/{cls}/{i}")
                     for i in range(first, min(first + BATCH, end))]
            results = [pair.check(seq) for seq in batch]
            ran += len(batch)
            for seq, div in zip(batch, results):
                if args.verbose:
                    print(f"  {seq.origin}: {len(seq.ops)} ops, {seq.params.get('kind', '')} "
                          f"{'DIVERGES' if div else 'ok'}", flush=True)
                if div is None or len(seen) >= args.max_failures:
                    continue
                origin = seq.origin
                sig = div.signature()
                if any(text in summary(sig) for text in args.ignore):
                    ignored += 1
                    continue
                if sig in seen:  # shrinking keeps the signature: nothing new
                    seen[sig].append(origin)
                    continue
                # A hang costs PAIR_TIMEOUT a try: not worth shrinking.
                if not args.no_shrink and div.field != "error" and "blocked" not in div.detail:
                    seq, div = shrinker.shrink(seq, div)
                seen[sig] = [origin]
                failures.append((cls, sig, seen[sig]))
                report(seq, div, args, other, len(failures))
            if len(seen) >= args.max_failures:
                print(f"{cls}: {len(seen)} distinct divergences; moving on", flush=True)
                break

    pair.close()
    elapsed = time.monotonic() - started
    print(f"\n{ran} sequence(s), {pair.runs} pair run(s) in {elapsed:.1f} s; seed {args.seed}")
    if ignored:
        print(f"{ignored} sequence(s) diverged as --ignore says")
    if pair.oracle_crashes:
        print(f"{len(pair.oracle_crashes)} sequence(s) crash or hang {args.oracle} by itself, not compared: "
              f"{', '.join(pair.oracle_crashes[:5])}{' ...' if len(pair.oracle_crashes) > 5 else ''}")
    if not failures:
        print("no divergence")
        return 0
    print(f"{len(failures)} distinct divergence(s):")
    for cls, sig, origins in failures:
        more = f" (+{len(origins) - 1} more)" if len(origins) > 1 else ""
        print(f"  {cls}: {summary(sig)}  first in {origins[0]}{more}")
    print(f"replay one: {Path(sys.argv[0]).name} --seed {args.seed} --classes CLASS "
          f"--start I --sequences 1 --module-under-test {other}")
    return 1


def summary(sig):
    """A divergence's signature as the summary prints it."""
    return f"{sig[0]} of {sig[1]} ({sig[2]} / {sig[3]})"


def report(seq, div, args, other, number):
    setup = CLASSES[seq.cls].setup(seq.params)
    print(f"\n=== divergence {number}: {seq.origin} ({seq.cls}) ===")
    print(diffio.describe(div, args.oracle, other))
    text = diffio.snippet(seq, setup, div, other,
                          str(BINDING) if other == "libpyio" else None)
    print("--- snippet ---")
    print(text)
    print("--- end of snippet ---", flush=True)
    if args.save:
        os.makedirs(args.save, exist_ok=True)
        name = seq.origin.replace("/", "_") + ".py"
        Path(args.save, name).write_text(text)
        print(f"(saved as {Path(args.save, name)})")


if __name__ == "__main__":
    sys.exit(main())
