#!/usr/bin/python3
"""`blocsim analyze`: KPIs per group with Student's t intervals, paired
differences against a baseline, recomputed here independently from the run
files (numpy), on a 2-topology x 3-replication sweep of tests/data/topo."""
import csv
import io
import math
import os
import subprocess
import tempfile

import h5py
import numpy as np

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
T975_2 = 4.302652729911275  # t(0.975, 2), for n = 3
_dir = None


def sweep_dir():
    global _dir
    if _dir:
        return _dir
    d = tempfile.mkdtemp()
    sw = os.path.join(d, "sweep.yaml")
    with open(sw, "w") as f:
        f.write(f"""sweep:
  base: {os.path.abspath(os.path.join(DATA, 'topo', 'blocs.yaml'))}
  seed: 5
  replications: 3
  parameters:
    topology: [arms-length, blocs]
  set:
    run.duration_s: 7200
    classes.meter.count: 300
    classes.tracker.count: 200
""")
    out = os.path.join(d, "out")
    p = subprocess.run([BLOCSIM, "sweep", sw, "-o", out, "-j", "2"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    _dir = out
    return out


def analyze(*args):
    p = subprocess.run([BLOCSIM, "analyze", *args], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def fl(v):
    return float(v) if v != "" else math.nan


def runs_by_topology(out):
    """KPIs read from each run file (not from the index), by topology."""
    got = {}
    with h5py.File(os.path.join(out, "index.h5"), "r") as f:
        for r in f["runs"][:]:
            rid = r["run_id"].decode()
            with h5py.File(os.path.join(out, "runs", rid + ".h5"), "r") as g:
                k = g["kpi"][0]
                got.setdefault(r["topology"].decode(), []).append(
                    (int(r["replication"]), k))
    return got


def test_csv_header_and_groups():
    out = analyze(os.path.join(sweep_dir(), "index.h5"), "--format", "csv")
    assert out.splitlines()[0].startswith(
        "group,kpi,n,mean,sd,ci95_low,ci95_high")
    groups = {r["group"] for r in rows(out) if r["kind"] == "value"}
    assert groups == {"topology=arms-length", "topology=blocs"}


def test_means_and_intervals_agree_with_the_run_files():
    out = sweep_dir()
    res = {(r["group"], r["kpi"]): r for r in rows(
        analyze(os.path.join(out, "index.h5"), "--by", "topology",
                "--format", "csv")) if r["kind"] == "value"}
    checked = 0
    for topo, runs in runs_by_topology(out).items():
        for kpi in ["usage_cost_per_device_month_eur", "availability",
                    "signalling_msgs_per_device_day",
                    "border_crossings_per_mobile_device_day"]:
            x = np.array([k[kpi] for _, k in runs])
            r = res[(topo, kpi)]
            assert int(r["n"]) == 3
            assert math.isclose(fl(r["mean"]), x.mean(), rel_tol=1e-9)
            sd = x.std(ddof=1)
            assert math.isclose(fl(r["sd"]), sd, rel_tol=1e-9, abs_tol=1e-12)
            half = (fl(r["ci95_high"]) - fl(r["ci95_low"])) / 2
            # n = 3: the half-width uses t(0.975, 2) = 4.303.
            assert math.isclose(half, T975_2 * sd / math.sqrt(3),
                                rel_tol=1e-6, abs_tol=1e-12)
            checked += 1
    assert checked == 8


def test_paired_differences_are_tighter_than_unpaired():
    out = sweep_dir()
    res = {(r["group"], r["kpi"]): r for r in rows(
        analyze(os.path.join(out, "index.h5"), "--by", "topology",
                "--baseline", "arms-length", "--format", "csv"))
        if r["kind"] == "paired-vs-arms-length"}
    runs = runs_by_topology(out)
    narrower = 0
    for kpi in ["usage_cost_per_device_month_eur", "signalling_msgs_per_device_day",
                "border_crossings_per_mobile_device_day"]:
        a = dict((rep, k[kpi]) for rep, k in runs["blocs"])
        b = dict((rep, k[kpi]) for rep, k in runs["arms-length"])
        d = np.array([a[rep] - b[rep] for rep in sorted(a)])
        r = res[("blocs", kpi)]
        assert math.isclose(fl(r["mean"]), d.mean(), rel_tol=1e-9,
                            abs_tol=1e-12)
        paired = (fl(r["ci95_high"]) - fl(r["ci95_low"])) / 2
        xa, xb = np.array(list(a.values())), np.array(list(b.values()))
        unpaired = T975_2 * math.sqrt(xa.var(ddof=1) / 3 + xb.var(ddof=1) / 3)
        narrower += paired < unpaired
    # Common random numbers: the pairing removes the shared variation.
    assert narrower >= 2, narrower


def test_a_single_run_has_no_interval():
    out = sweep_dir()
    with h5py.File(os.path.join(out, "index.h5"), "r") as f:
        rid = f["runs"][0]["run_id"].decode()
    text = analyze(os.path.join(out, "runs", rid + ".h5"), "--format", "csv")
    r = [x for x in rows(text) if x["kpi"] == "availability"][0]
    assert r["group"] == "run" and r["n"] == "1"
    assert r["ci95_low"] == "" and r["ci95_high"] == "" and r["sd"] == ""
    assert "net_balance_eur[" in text


def test_bad_input_exits_2():
    p = subprocess.run([BLOCSIM, "analyze", "/nonexistent.h5"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "not a readable HDF5 file" in p.stderr
    p = subprocess.run([BLOCSIM, "analyze", os.path.join(
        sweep_dir(), "index.h5"), "--by", "nope"], capture_output=True,
        text=True)
    assert p.returncode == 2 and "not a swept parameter" in p.stderr


def test_another_format_version_exits_2():
    d = tempfile.mkdtemp()
    a = os.path.join(d, "a.h5")
    p = subprocess.run([BLOCSIM, "run", os.path.join(DATA, "mini.yaml"),
                        "-o", a, "--quiet"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    analyze(a)
    with h5py.File(a, "r+") as f:
        f.attrs["format_version"] = np.int64(1)
    p = subprocess.run([BLOCSIM, "analyze", a], capture_output=True,
                       text=True)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "format_version 1, but this blocsim reads version 2" in p.stderr


def test_paired_differences_are_tighter_on_the_smoke_sweep():
    """The shipped smoke sweep (4 topologies x 2 replications): paired
    differences against arm's length, replication by replication, have
    narrower intervals than the unpaired difference of the group means."""
    root = os.path.abspath(os.path.join(DATA, "..", ".."))
    out = os.path.join(tempfile.mkdtemp(), "smoke")
    p = subprocess.run([BLOCSIM, "sweep", os.path.join(
        root, "scenarios", "sweep-smoke.yaml"), "-o", out, "-j", "2"],
        capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr
    text = analyze(os.path.join(out, "index.h5"), "--by", "topology",
                   "--baseline", "arms-length", "--format", "csv")
    val = {(r["group"], r["kpi"]): r for r in rows(text)
           if r["kind"] == "value"}
    par = {(r["group"], r["kpi"]): r for r in rows(text)
           if r["kind"] == "paired-vs-arms-length"}
    t = 12.706204736174698  # t(0.975, 1), n = 2 in both
    narrower = total = 0
    for g in ["blocs", "grand-alliance", "shared-platform"]:
        for kpi in ["usage_cost_per_device_month_eur",
                    "signalling_msgs_per_device_day",
                    "reattaches_per_border_crossing",
                    "border_crossings_per_mobile_device_day"]:
            a, b, d = val[(g, kpi)], val[("arms-length", kpi)], par[(g, kpi)]
            assert int(d["n"]) == 2
            paired = (fl(d["ci95_high"]) - fl(d["ci95_low"])) / 2
            unpaired = t * math.sqrt(fl(a["sd"]) ** 2 / 2 +
                                     fl(b["sd"]) ** 2 / 2)
            total += 1
            narrower += paired <= unpaired
    # Three may miss: with the network search after a loss (U(20, 120) s),
    # whether a re-attach happens in a short stay depends on the search
    # as much as on the topology, which pairing removes only in part; at
    # n = 2 reattaches_per_border_crossing then goes either way.
    assert narrower >= total - 3, (narrower, total)
