"""Where the time goes: summarise py-spy's folded stacks (``fanout.py --profile`` writes them).

    python bench/profile_top.py bench/results/<run>.meetings_hub.r0.200.folded [...]

Prints the functions with the most samples of their own (self) and including callees
(inclusive). Samples of aiosqlite's worker threads waiting for work are left out: py-spy counts
a thread blocked in ``queue.get`` as busy, which would hide the event loop's real share.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

IDLE_DB_THREAD = "(aiosqlite/core.py:59)"


def summarise(paths: list[Path], top: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or stack.endswith(IDLE_DB_THREAD):
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            own[frames[-1]] += n
            for name in {frame.split(" (")[0] for frame in frames}:
                inclusive[name] += n
    lines = [f"{total} samples (idle database threads left out)", "", "self:"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive:"]
    lines += [f"{n / total:6.1%}  {name}" for name, n in inclusive.most_common(top * 3)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folded", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    print(summarise(args.folded, args.top))


if __name__ == "__main__":
    main()
