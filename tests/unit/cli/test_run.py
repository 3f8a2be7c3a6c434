#!/usr/bin/python3
"""`blocsim run`: bad scenarios, overrides and options exit 2 naming the
file, line and key path and leave no output file; a valid run writes
OUT.h5 (never OUT.h5.tmp) and prints its KPIs; the same seed gives the
same datasets byte for byte, on either queue and on ns-3; --from re-runs
the scenario kept in a result; SIGTERM and SIGINT stop a run with
128 + signal and no file."""
import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import h5py
import h5same
import numpy as np

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
BLOCSIM = os.path.abspath(BLOCSIM)
MINI = os.path.abspath(os.path.join(DATA, "mini.yaml"))


def run(*args, cwd=None, timeout=120):
    return subprocess.run([BLOCSIM, "run", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd)


def tmpdir():
    d = tempfile.mkdtemp(prefix="bsim-run-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


def assert_no_output(out, what):
    assert not os.path.exists(out), (what, "left", out)
    assert not os.path.exists(out + ".tmp"), (what, "left", out + ".tmp")


def assert_same_datasets(a, b):
    h5same.assert_same_datasets(a, b, 50)


def positive_mini(d):
    """mini.yaml without negative numbers (Dallas moved east of Greenwich,
    UTC+5): a world whose kept scenario text has no '-' scalars."""
    with open(MINI) as f:
        text = f.read()
    for old, new in (("utc_offset_min: -300", "utc_offset_min: 300"),
                     ("lon: -96.797", "lon: 96.797")):
        assert old in text, old
        text = text.replace(old, new, 1)
    assert re.search(r":\s*-\d", text) is None
    path = os.path.join(d, "pos.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


# (replace this text, with this, stderr must match this regex, line of the
# error relative to the line where the replaced text starts)
BAD = [
    ("seed: 42", "sed: 42", r":3: run\.sed: unknown key 'sed'", 0),
    ("seed: 42", "seed: -3", r"run\.seed: expected a whole number", 0),
    ("duration_s: 86400", "duration_s: 0", r":15: run\.duration_s: 0 is out of range", 0),
    ("start: 2026-01-05T00:00:00Z", "start: 2026-13-05T00:00:00Z", r":10: run\.start: expected a UTC", 0),
    ("output: billing", "output: everything", r":11: run\.output: expected summary, billing or full", 0),
    ("bin_s: 60", "bin_s: 0", r":10: run\.bin_s: 0 is out of range", 0),
    ("east: 15.5", "east: 200", r"grid\.east: 200 is out of range", 0),
    ("north: 55.5", "north: 40", r"grid\.north: north must lie north of south", 0),
    ('mcc: "204", utc', 'mcc: "2040", utc', r"countries\.NL\.mcc: expected three digits", 0),
    ("lat: 51.9225", "lat: 91", r"cities\.Rotterdam\.lat: 91 is out of range", 0),
    ('mnc: "01"', 'mnc: "1"', r"operators\.DT-DE\.mnc: expected two or three digits", 0),
    ("coverage_share: 0.98", "coverage_share: 1.5", r"operators\.DT-DE\.coverage_share: 1\.5 is out of range", 0),
    ("hss_site: Bonn", "hss_site: Berlin", r"operators\.DT-DE\.hss_site: no city named 'Berlin'", 0),
    ("hss_capacity_per_s: 2000", "hss_capacity_per_s: fast", r"operators\.KPN-NL\.hss_capacity_per_s: expected a number", 0),
    ("members: [ATT-US, KPN-NL]", "members: [ATT-US, ATT-US]", r"blocs\.Jasper\.members\[1\]: 'ATT-US' is listed twice", 0),
    ("name: mini", "name: mini\nname: again", r":1: name: duplicate key", 1),
    ("relation: none", "relation: friends", r"agreements\.pairs\.KPN-NL>ATT-US\.relation: expected same_group", 0),
    ("access_fee_eur: 0.10", "access_fee_eur: -0.10", r"access_fee_eur: amount must not be negative", 0),
    ("DT-DE>KPN-NL:", "DT-DE>Telia-SE:", r"agreements\.pairs\.DT-DE>Telia-SE: no operator named 'Telia-SE'", 0),
    ("dwell_s: 1800", "dwell_s: -1", r"routes\.rotterdam-bonn\.dwell_s: -1 is out of range", 0),
    ("waypoints: [Rotterdam, Duisburg, Bonn]", "waypoints: [Rotterdam, Dallas]", r"waypoints\[1\]: 'Dallas' lies in US, which is not a territory", 0),
    ("hosts_pgw: true", "hosts_pgw: maybe", r"platforms\.Jasper-platform\.hosts_pgw: expected true or false", 0),
    ("local_profile_after_s: 7776000", "local_profile_after_s: soon", r"platforms\.Jasper-platform\.local_profile_after_s: expected a number", 0),
    ("count: 800", "count: lots", r"classes\.meter\.count: expected a whole number", 0),
    ("foreign_sim_share: 0.05", "foreign_sim_share: 2", r"classes\.meter\.foreign_sim_share: 2 is out of range", 0),
    ("window_s: 7200", "window_s: 999999999", r"classes\.meter\.window_s: .* is out of range", 0),
    ("up_bytes: 120", "up_bytes: 1.5", r"classes\.tracker\.up_bytes: expected a whole number", 0),
    ("mobility: route", "mobility: flying", r"classes\.tracker\.mobility: expected stationary or route", 0),
    ("kind: ipx_outage", "kind: meteor", r"failures\[1\]\.kind: expected hss_outage", 0),
    ("start_s: 7200", "start_s: -5", r"failures\[1\]\.start_s: -5 is out of range", 0),
]


def test_malformed_scenarios_exit_2_naming_line_and_key_without_output():
    with open(MINI) as f:
        good = f.read()
    d = tmpdir()
    assert len(BAD) >= 20
    wrong = []
    for i, (old, new, want, dline) in enumerate(BAD):
        assert old in good, old
        line = good[:good.index(old)].count("\n") + 1 + dline
        path = os.path.join(d, f"bad{i}.yaml")
        out = os.path.join(d, f"bad{i}.h5")
        with open(path, "w") as f:
            f.write(good.replace(old, new, 1))
        p = run(path, "-o", out)
        msg = p.stderr.strip()
        ok = (p.returncode == 2 and p.stdout == "" and
              msg.startswith(f"blocsim run: {path}:{line}:") and
              re.match(r"blocsim run: .*\.yaml:\d+:\d+: ", msg) and
              re.search(want, msg) and len(msg.splitlines()) == 1)
        if not ok:
            wrong.append((i, new, line, p.returncode, msg))
        assert_no_output(out, new)
    assert not wrong, wrong


def test_bad_overrides_exit_2_naming_the_override():
    d = tmpdir()
    out = os.path.join(d, "o.h5")
    cases = [
        (["--set", "operators.XX.mnc=1"], r"--set #1: operators\.XX: no such key"),
        (["--set", "run.seed=7", "--set", "run.seed=-1"], r"--set #2: run\.seed: expected a whole number"),
        (["--set", "run.duration_s=0"], r"--set #1: run\.duration_s: 0 is out of range"),
        (["--set", "nokey"], r"--set #1: nokey: expected PATH=VALUE"),
        (["--set", "classes.meter.mobility=teleport"], r"--set #1: classes\.meter\.mobility: expected stationary or route"),
        (["--set", "operators.DT-DE.coverage_share=2"], r"--set #1: operators\.DT-DE\.coverage_share: 2 is out of range"),
    ]
    for args, want in cases:
        p = run(MINI, "-o", out, *args)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stdout == "", (args, p.stdout)
        assert p.stderr.startswith("blocsim run: --set #"), (args, p.stderr)
        assert re.search(want, p.stderr), (args, want, p.stderr)
        assert_no_output(out, args)


def test_bad_options_and_paths_exit_2_without_output():
    d = tmpdir()
    out = os.path.join(d, "o.h5")
    junk = os.path.join(d, "junk.h5")
    with open(junk, "w") as f:
        f.write("not an HDF5 file\n")
    empty = os.path.join(d, "empty.h5")
    with h5py.File(empty, "w") as f:
        f["other"] = np.arange(3)
    cases = [
        ([MINI, "--seed", "-1"], r"--seed -1: expected a non-negative integer"),
        ([MINI, "--seed", "12x"], r"--seed 12x: expected a non-negative integer"),
        ([MINI, "--seed", "99999999999999999999999"], r"--seed 9+: expected a non-negative integer"),
        ([MINI, "--output", "everything"], r"run\.output: expected summary, billing or full, got 'everything'"),
        ([MINI, "--engine", "foo"], r"--engine foo: expected native or ns3"),
        ([MINI, "--engine", "ns3", "--ns3-scheduler", "bogus"], r"--ns3-scheduler: expected map, heap|--engine ns3: this build has no ns-3"),
        ([MINI, "--queue", "fifo"], r"--queue fifo: expected ladder or heap"),
        ([MINI, "--no-such-option"], r"usage: blocsim run"),
        ([], r"expected one scenario file"),
        ([MINI, MINI], r"expected one scenario file"),
        (["--from", junk, MINI], r"expected no scenario file with --from"),
        ([os.path.join(d, "missing.yaml")], r"missing\.yaml: cannot read"),
        (["--from", junk], r"--from .*junk\.h5: not a readable HDF5 file"),
        (["--from", MINI], r"--from .*mini\.yaml: not a readable HDF5 file"),
        (["--from", os.path.join(d, "missing.h5")], r"--from .*missing\.h5: not a readable HDF5 file"),
        (["--from", empty], r"--from .*empty\.h5: not a blocsim-result file \(format missing\)"),
    ]
    for args, want in cases:
        p = run(*args, "-o", out)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stdout == "", (args, p.stdout)
        assert re.search(want, p.stderr), (args, want, p.stderr)
        assert_no_output(out, args)
    # An output directory that does not exist.
    bad = "/nonexistent-dir/x.h5"
    p = run(MINI, "-o", bad)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "-o /nonexistent-dir/x.h5: directory /nonexistent-dir does not exist" \
        in p.stderr, p.stderr
    assert_no_output(bad, "-o")
    # The input files are left as they were.
    with open(junk) as f:
        assert f.read() == "not an HDF5 file\n"


def test_an_unwritable_output_exits_1_leaving_no_tmp():
    d = tmpdir()
    out = os.path.join(d, "isadir")
    os.mkdir(out)
    p = run(MINI, "-o", out, "--quiet")
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.stderr.startswith(f"blocsim run: {out}"), p.stderr
    assert os.path.isdir(out) and os.listdir(out) == []
    assert not os.path.exists(out + ".tmp")
    assert sorted(os.listdir(d)) == ["isadir"]


def test_an_unusable_spool_directory_exits_1_naming_it_without_output():
    # The trace of small.yaml (over 250,000 events of 24 bytes) outgrows
    # the 4 MiB the run keeps in memory, so it must move to $TMPDIR.
    d = tmpdir()
    out = os.path.join(d, "small.h5")
    env = dict(os.environ, TMPDIR=os.path.join(d, "missing"))
    p = subprocess.run([BLOCSIM, "run", os.path.join(DATA, "small.yaml"),
                        "-o", out, "--output", "full", "--quiet"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "the event trace" in p.stderr, p.stderr
    assert os.path.join(d, "missing") in p.stderr, p.stderr
    assert "No such file or directory" in p.stderr, p.stderr
    assert_no_output(out, "a failed spool")
    # With a usable directory the same run succeeds and leaves nothing
    # in it: the spool file is unlinked at once.
    os.mkdir(os.path.join(d, "missing"))
    p = subprocess.run([BLOCSIM, "run", os.path.join(DATA, "small.yaml"),
                        "-o", out, "--output", "full", "--quiet"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    assert os.listdir(os.path.join(d, "missing")) == []
    with h5py.File(out, "r") as f:
        t = f["trace/events/t_ns"][:]
        assert len(t) > 4 * 2**20 // 24, len(t)
        assert (t[1:] >= t[:-1]).all()


def test_a_valid_run_writes_the_file_and_prints_the_kpis():
    d = tmpdir()
    out = os.path.join(d, "mini.h5")
    p = run(MINI, "-o", out)
    assert p.returncode == 0, p.stderr
    assert os.path.isfile(out) and not os.path.exists(out + ".tmp")
    assert sorted(os.listdir(d)) == ["mini.h5"]
    assert re.match(r"run mini: 1000 devices, 86400 s simulated, \d+ events "
                    r"on native/ladder in [\d.]+ s\n", p.stdout), p.stdout
    assert f"KPIs ({out}):" in p.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["status"] == "complete"
        assert f.attrs["seed"] == 42
        assert f["devices"].shape == (1000,)
        kpi = f["kpi"][0]
        events = int(f.attrs["events_executed"])
        names = kpi.dtype.names
    assert f" {events} events on " in p.stdout
    printed = dict(re.findall(r"^  (\w+)\s+(\S+) \S+$", p.stdout, re.M))
    assert "attach_success_ratio" in printed, p.stdout
    assert sorted(printed) == sorted(names), (sorted(printed), names)
    for k in names:
        v = float(printed[k])
        if np.isnan(kpi[k]):
            assert np.isnan(v), k
        else:
            assert abs(v - kpi[k]) <= 1e-5 * max(1.0, abs(kpi[k])), \
                (k, v, kpi[k])
    assert 0.5 < float(printed["attach_success_ratio"]) <= 1.0


def test_quiet_and_the_default_output_path():
    d = tmpdir()
    p = run(MINI, "--quiet", cwd=d)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == "", (p.stdout, p.stderr)
    out = os.path.join(d, "results", "mini.h5")
    assert os.path.isfile(out)
    assert os.listdir(os.path.join(d, "results")) == ["mini.h5"]
    with h5py.File(out, "r") as f:
        assert f.attrs["scenario_name"] == "mini"


def test_the_same_seed_gives_identical_datasets_another_seed_does_not():
    d = tmpdir()
    a, b, c = (os.path.join(d, n) for n in ("a.h5", "b.h5", "c.h5"))
    for out, seed in ((a, "42"), (b, "42"), (c, "43")):
        p = run(MINI, "-o", out, "--seed", seed, "--quiet")
        assert p.returncode == 0, p.stderr
    assert_same_datasets(a, b)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb, \
            h5py.File(c, "r") as fc:
        for k in ("seed", "events_executed", "engine", "sim_duration_s",
                  "rng_scheme"):
            assert fa.attrs[k] == fb.attrs[k], k
        assert fc.attrs["seed"] == 43
        assert fa["devices"][()].tobytes() != fc["devices"][()].tobytes()
        assert fa["devices"].shape == fc["devices"].shape == (1000,)
        # The same world: only the draws differ.
        for n in ("operators", "countries", "cities", "agreements",
                  "geography/country"):
            assert fa[n][()].tobytes() == fc[n][()].tobytes(), n


def test_the_heap_queue_gives_the_ladder_results():
    d = tmpdir()
    a, b = os.path.join(d, "ladder.h5"), os.path.join(d, "heap.h5")
    p = run(MINI, "-o", a, "--quiet", "--queue", "ladder")
    assert p.returncode == 0, p.stderr
    p = run(MINI, "-o", b, "--quiet", "--queue", "heap")
    assert p.returncode == 0, p.stderr
    assert_same_datasets(a, b)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert fa.attrs["engine"] == "native/ladder"
        assert fb.attrs["engine"] == "native/heap"


def test_from_reruns_the_kept_scenario():
    d = tmpdir()
    a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
    p = run(MINI, "-o", a, "--quiet")
    assert p.returncode == 0, p.stderr
    p = run("--from", a, "-o", b, "--quiet")
    assert p.returncode == 0, ("--from of mini.yaml's result", p.stderr)
    assert_same_datasets(a, b)


def test_from_refuses_another_format_version():
    """A result of format 1 defines its KPIs differently: --from exits 2
    and says so, and writes nothing."""
    d = tmpdir()
    a, b = os.path.join(d, "a.h5"), os.path.join(d, "b.h5")
    p = run(MINI, "-o", a, "--quiet")
    assert p.returncode == 0, p.stderr
    with h5py.File(a, "r+") as f:
        assert f.attrs["format_version"] == 2
        f.attrs["format_version"] = np.int64(1)
    p = run("--from", a, "-o", b, "--quiet")
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert re.search(r"--from .*a\.h5: blocsim-result format_version 1, "
                     r"but this blocsim reads version 2 only", p.stderr), \
        p.stderr
    assert_no_output(b, "--from of a version 1 file")


def test_from_keeps_overrides_and_takes_new_ones():
    d = tmpdir()
    pos = positive_mini(d)
    a, b, c, e = (os.path.join(d, n) for n in ("a.h5", "b.h5", "c.h5",
                                               "e.h5"))
    p = run(pos, "-o", a, "--quiet", "--seed", "7",
            "--set", "classes.meter.count=500")
    assert p.returncode == 0, p.stderr
    p = run("--from", a, "-o", b, "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same_datasets(a, b)
    with h5py.File(b, "r") as f:
        assert f.attrs["seed"] == 7 and f["devices"].shape == (700,)
    # New overrides apply on top of the kept scenario.
    p = run("--from", a, "-o", c, "--quiet", "--seed", "8")
    assert p.returncode == 0, p.stderr
    p = run(pos, "-o", e, "--quiet", "--seed", "8",
            "--set", "classes.meter.count=500")
    assert p.returncode == 0, p.stderr
    assert_same_datasets(c, e)
    with h5py.File(c, "r") as f:
        assert f.attrs["seed"] == 8 and f["devices"].shape == (700,)


def stop_with(sig):
    d = tmpdir()
    out = os.path.join(d, "long.h5")
    # 100 days of mini: about 5 s on one core.
    proc = subprocess.Popen(
        [BLOCSIM, "run", MINI, "-o", out, "--set", "run.duration_s=8640000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    assert proc.poll() is None, ("finished before the signal",
                                 proc.returncode)
    t0 = time.monotonic()
    proc.send_signal(sig)
    so, se = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 5.0, "the signal did not stop the run"
    assert proc.returncode == 128 + sig, (proc.returncode, se)
    assert f"stopped by signal {int(sig)}; no result written" in se, se
    assert "KPIs" not in so, so
    assert_no_output(out, sig)
    assert os.listdir(d) == []


def test_sigterm_stops_the_run_with_143_and_no_file():
    stop_with(signal.SIGTERM)


def test_sigint_stops_the_run_with_130_and_no_file():
    stop_with(signal.SIGINT)


def test_the_ns3_engine_gives_the_native_results():
    d = tmpdir()
    a, b = os.path.join(d, "native.h5"), os.path.join(d, "ns3.h5")
    p = run(MINI, "-o", b, "--quiet", "--engine", "ns3")
    if p.returncode == 2 and "no ns-3" in p.stderr:
        assert_no_output(b, "ns3")
        raise Skip("this build has no ns-3")  # noqa: F821 (set by taprun.py)
    assert p.returncode == 0, p.stderr
    p = run(MINI, "-o", a, "--quiet")
    assert p.returncode == 0, p.stderr
    assert_same_datasets(a, b)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert fb.attrs["engine"] == "ns3/map", fb.attrs["engine"]
        assert fa.attrs["engine"] == "native/ladder"
        assert fa.attrs["events_executed"] == fb.attrs["events_executed"]
