"""One line describing the machine a benchmark ran on (for the results files in bench/results)."""
from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def describe(*packages: str) -> str:
    """OS, CPU model, logical CPUs, Python and the versions of ``packages``."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{platform.system()} {platform.release()}", cpu, f"{os.cpu_count()} logical CPUs",
             f"Python {platform.python_version()}"]
    for p in packages:
        try:
            parts.append(f"{p} {version(p)}")
        except PackageNotFoundError:
            parts.append(f"{p} (not installed)")
    return ", ".join(x for x in parts if x)
