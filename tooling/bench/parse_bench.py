"""Every parser path on pathological shapes, up to the 1 MiB file-size limit.

    python tooling/bench/parse_bench.py [--size BYTES] [--runs 3] [--shape NAME ...]

For each shape it builds one text of about ``--size`` bytes (default: just under the
loader's limit) and one of a quarter of that, and times, in this process:

* ``fast``: ``yamlparse.parse_fast`` (the pre-check, then yaml-rs when the pre-check allows it);
* ``strict``: ``yamlparse.parse`` (libyaml events, built in Python);
* ``positions``: ``yamlparse.parse(positions=True)`` (what a file with a problem costs);
* ``load``: ``loader.parse_document`` (what ``validate`` does with the file).

It prints the best of ``--runs`` for each, and the growth from the quarter size to the full
size: about 4x is linear, about 16x quadratic. The target is every figure under 1 s. The
cyclic garbage collector is paused, as ``pipeline.build`` pauses it for every command (with it
running, the shapes with a million nodes take two to three times longer).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prodops import loader, yamlparse
from prodops.schemas import load_schemas

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADER = "# yaml-language-server: $schema=../schemas/roadmap-item.schema.json\nid: bench\n"


def _repeat(unit: str, size: int, head: str = HEADER) -> str:
    return head + unit * max(1, (size - len(head)) // len(unit))


def _block_scalars(size: int) -> str:
    return _repeat("- |\n  x\n", size, HEADER + "items:\n")


def _block_scalars_blank_gaps(size: int) -> str:
    return _repeat("- >\n" + "\n" * 20 + "  x\n", size, HEADER + "items:\n")


def _empty_block_scalars(size: int) -> str:
    return _repeat("- |\n", size, HEADER + "items:\n")


def _deep_flow(size: int) -> str:
    return HEADER + "x: " + "[" * (size - len(HEADER) - 4) + "\n"


def _nested_flow_lines(size: int) -> str:
    return _repeat("- " + "[" * 30 + "]" * 30 + "\n", size, HEADER + "items:\n")


def _compact_nesting(size: int) -> str:
    return HEADER + "x:\n" + "- " * ((size - len(HEADER) - 6) // 2) + "x\n"


def _long_line(size: int) -> str:
    return HEADER + "problem: " + "x" * (size - len(HEADER) - 11) + "\n"


def _long_line_of_words(size: int) -> str:
    return HEADER + "problem: " + "ab 12 " * ((size - len(HEADER) - 11) // 6) + "\n"


def _long_quoted_line(size: int) -> str:
    return HEADER + 'problem: "' + "x" * (size - len(HEADER) - 13) + '"\n'


def _long_line_of_pipes(size: int) -> str:
    return HEADER + "problem: " + " |1x" * ((size - len(HEADER) - 11) // 4) + "\n"


def _many_keys(size: int) -> str:
    lines = []
    total = len(HEADER)
    index = 0
    while total < size - 40:
        line = f"k{index}: v\n"
        lines.append(line)
        total += len(line)
        index += 1
    return HEADER + "".join(lines)


def _many_short_lines(size: int) -> str:
    return _repeat("- a\n", size, HEADER + "items:\n")


def _many_numbers(size: int) -> str:
    return _repeat("- 12\n", size, HEADER + "items:\n")


def _many_double_quoted(size: int) -> str:
    return _repeat('- "a"\n', size, HEADER + "items:\n")


def _many_blank_space_lines(size: int) -> str:
    return _repeat("a: |\n  x\n \n", size, HEADER + "items:\n  - ")[: size - 1] + "\n"


def _long_flow_sequence(size: int) -> str:
    return HEADER + "x: [" + "a, " * ((size - len(HEADER) - 8) // 3) + "a]\n"


def _many_comments(size: int) -> str:
    return _repeat("# 0x1F 1_000 [ { | > - - - -\n", size)


SHAPES: dict[str, Callable[[int], str]] = {
    "block scalars (- |)": _block_scalars,
    "block scalars after blank lines": _block_scalars_blank_gaps,
    "empty block scalars": _empty_block_scalars,
    "deep flow ([[[...)": _deep_flow,
    "nested flow on many lines": _nested_flow_lines,
    "compact nesting (- - -)": _compact_nesting,
    "one long line": _long_line,
    "one long line of words": _long_line_of_words,
    "one long quoted line": _long_quoted_line,
    "one long line of ' |1x'": _long_line_of_pipes,
    "many keys": _many_keys,
    "many short lines": _many_short_lines,
    "many numbers": _many_numbers,
    "many double-quoted scalars": _many_double_quoted,
    "blank lines of spaces": _many_blank_space_lines,
    "long flow sequence": _long_flow_sequence,
    "many comments": _many_comments,
}


def _best(func: Callable[[str], object], text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func(text)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=loader.MAX_FILE_BYTES - 1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES), help="only these shapes")
    args = parser.parse_args()
    gc.disable()
    schemas = load_schemas(REPO_ROOT / "schemas")
    kind = schemas.kinds["roadmap-item"]
    paths: dict[str, Callable[[str], object]] = {
        "fast": yamlparse.parse_fast,
        "strict": yamlparse.parse,
        "positions": lambda text: yamlparse.parse(text, positions=True),
        "load": lambda text: loader.parse_document("roadmap/bench.yaml", kind, text, schemas),
    }
    print(f"{'shape':34} {'KiB':>5}  " + "  ".join(f"{name:>9}" for name in paths) + "   growth (1/4 -> full)")
    worst = 0.0
    for name, build in SHAPES.items():
        if args.shape and name not in args.shape:
            continue
        full, quarter = build(args.size), build(args.size // 4)
        assert len(full.encode()) <= loader.MAX_FILE_BYTES, name
        figures = {path: _best(func, full, args.runs) for path, func in paths.items()}
        small = {path: _best(func, quarter, args.runs) for path, func in paths.items()}
        growth = max((figures[p] / small[p] for p in paths if small[p] > 0.002), default=0.0)
        worst = max(worst, *figures.values())
        fast = "yaml-rs" if yamlparse.parse_fast(full) is not None else "declined"
        row = "  ".join(f"{figures[p]:9.3f}" for p in paths)
        print(f"{name:34} {len(full) // 1024:5}  {row}   {growth:4.1f}x  (fast path: {fast})")
    print(f"slowest figure: {worst:.3f} s (target: under 1 s)")


if __name__ == "__main__":
    main()
