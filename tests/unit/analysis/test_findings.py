#!/usr/bin/python3
"""analysis/findings.py: Holm's correction by hand, paired differences
against the runs, and docs/findings.md's tables from a small sweep."""
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
BLOCSIM = os.path.abspath(BLOCSIM)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FINDINGS = os.path.join(ROOT, "analysis", "findings.py")
sys.path.insert(0, os.path.join(ROOT, "analysis"))

import findings  # noqa: E402
from blocsim_analysis.reader import Index  # noqa: E402


def test_holm_by_hand():
    # Sorted 0.01, 0.03, 0.04 (m = 3): 0.03, 0.06, 0.06 (monotone).
    adj = findings.holm([0.04, 0.01, math.nan, 0.03])
    assert math.isclose(adj[1], 0.03)
    assert math.isclose(adj[3], 0.06)
    assert math.isclose(adj[0], 0.06)
    assert math.isnan(adj[2])
    assert findings.holm([0.5, 0.9]) == [1.0, 1.0]


def test_paired_difference_by_hand():
    # d = 1, 2, 3: mean 2, sd 1, t(0.975, 2) = 4.3027: half 2.4842.
    m, hw, p, n = findings.paired({0: 3, 1: 5, 2: 7}, {0: 2, 1: 3, 2: 4})
    assert (m, n) == (2.0, 3)
    assert math.isclose(hw, 4.302652729749464 / math.sqrt(3), rel_tol=1e-9)
    assert 0 < p < 0.1


def test_findings_from_a_small_sweep():
    d = tempfile.mkdtemp()
    sweep = os.path.join(d, "s.yaml")
    with open(sweep, "w") as f:
        f.write(f"sweep:\n  base: {ROOT}/scenarios/default.yaml\n"
                "  seed: 3\n  replications: 3\n"
                "  parameters:\n    topology: [arms-length, blocs]\n"
                "  set:\n    run.sample_fraction: 0.0002\n"
                "    run.duration_s: 3600\n")
    out = os.path.join(d, "out")
    p = subprocess.run([BLOCSIM, "sweep", sweep, "-o", out, "-j", "2"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    md = os.path.join(d, "f.md")
    p = subprocess.run(["/usr/bin/python3", FINDINGS,
                        os.path.join(out, "index.h5"), "-o", md,
                        "--seconds", "1"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode in (0, 3), p.stderr
    text = open(md).read()
    assert "| KPI | unit | arms-length | blocs |" in text
    assert "#### blocs − arms-length (paired by replication)" in text
    # The table's reattaches per crossing is the runs' mean.
    ix = Index(os.path.join(out, "index.h5"))
    k = ix.kpi
    want = k[k.topology == "blocs"]["reattaches_per_border_crossing"].mean()
    row = [r for r in text.splitlines()
           if r.startswith("| `reattaches_per_border_crossing` | 1 |")]
    assert row, text
    got = float(row[0].split("|")[4].split("±")[0])
    assert math.isclose(got, want, rel_tol=1e-3), (got, want)
    # Steering exists only in the blocs: its difference is > 0.
    diff = [r for r in text.splitlines() if r.startswith(
        "| `steering_rejects_per_roaming_device_day` |") and "|" in r]
    assert float(diff[-1].split("|")[2].split("±")[0]) > 0
    ix.close()
