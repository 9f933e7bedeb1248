"""The machine a benchmark ran on, printed beside every figure: CPU model, cores, RAM, Python, platform."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def describe() -> str:
    """One line: CPU, cores, RAM, Python, platform."""
    m = machine()
    return f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM, Python {m['python']} ({m['platform']})"


def print_machine() -> None:
    for key, value in machine().items():
        print(f"  {key:<13} {value}")


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (0-100) of ``values``: the figure the benchmark READMEs report."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]
