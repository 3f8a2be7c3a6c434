#!/usr/bin/python3
"""Golden tests: CLI runs whose deterministic output is pinned in files.

Each NAME.args holds the arguments of one `blocsim` run; NAME.expected
holds `key=value` lines that the run's RESULT line must contain. The HOLD
checksum covers the (time, target) sequence of every executed event, so it
pins the engine's order, the random streams and the increment table at once;
each case also runs under every queue, which must all agree.
"""
import glob
import os
import shlex
import subprocess

BLOCSIM, GOLDEN = ARGS  # noqa: F821 (set by taprun.py)
QUEUES = (["--queue", "ladder"], ["--queue", "heap"], ["--queue", "baseline"])
# ns-3's schedulers fast enough for the golden sizes; a build without
# ns-3 must refuse them with exit status 2 and say why.
NS3 = (["--backend", "ns3", "--ns3-scheduler", "map"],
       ["--backend", "ns3", "--ns3-scheduler", "heap"],
       ["--backend", "ns3", "--ns3-scheduler", "priority"])


def result(args):
    p = subprocess.run([BLOCSIM, *args], capture_output=True, text=True,
                       timeout=240)
    if p.returncode == 2 and "this build has no ns-3" in p.stderr:
        return None
    assert p.returncode == 0, p.stderr
    last = p.stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), last
    return dict(kv.split("=", 1) for kv in last.split()[1:])


def check(name):
    with open(os.path.join(GOLDEN, name + ".args")) as f:
        args = shlex.split(f.read())
    with open(os.path.join(GOLDEN, name + ".expected")) as f:
        want = dict(line.strip().split("=", 1) for line in f
                    if line.strip() and not line.startswith("#"))
    for q in QUEUES + NS3:
        got = result(args + q)
        if got is None:
            assert q in NS3, "only ns-3 may be missing from a build"
            continue
        for k, v in want.items():
            assert got.get(k) == v, f"{name} queue {q}: {k}={got.get(k)}, " \
                                    f"expected {v}"


def _make(name):
    return lambda: check(name)


for _path in sorted(glob.glob(os.path.join(GOLDEN, "*.args"))):
    _name = os.path.basename(_path)[:-5]
    globals()["test_" + _name.replace("-", "_")] = _make(_name)
