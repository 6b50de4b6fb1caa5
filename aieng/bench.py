"""``aieng bench`` / ``make bench``: run every ``bench/*_bench.py`` script.

Benchmarks print figures; they never assert timings. Each script has a
``main(quick=False)``; the figures go into ``docs/benchmarks.md`` by hand,
quoted with the machine they were measured on.
"""

from __future__ import annotations

import runpy
import time

from aieng.settings import repo_root


def run_all(quick: bool = False) -> int:
    scripts = sorted((repo_root() / "bench").glob("*_bench.py"))
    if not scripts:
        print("no benchmark scripts found under bench/")
        return 1
    status = 0
    for script in scripts:
        print(f"\n== {script.stem} ==", flush=True)
        start = time.perf_counter()
        namespace = runpy.run_path(str(script), run_name="aieng_bench")
        status |= namespace["main"](quick=quick) or 0
        print(f"({script.stem}: {time.perf_counter() - start:.1f} s)", flush=True)
    return status
