#!/usr/bin/python3
"""Every C source is formatted by the committed .clang-format."""
import os
import shutil
import subprocess

ROOT = ARGS[0]  # noqa: F821 (set by taprun.py)
DIRS = ("engine", "bench", "cli", "include", "tests", "model", "io", "ns3",
        "validate")


def sources():
    for d in DIRS:
        for base, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if f.endswith((".c", ".h", ".cc")):
                    yield os.path.join(base, f)


def test_c_sources_match_clang_format():
    exe = shutil.which("clang-format")
    assert exe, "clang-format is not installed (./run installs it)"
    files = sorted(sources())
    assert len(files) >= 10, files
    p = subprocess.run([exe, "--dry-run", "--Werror", *files],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr[:3000]
