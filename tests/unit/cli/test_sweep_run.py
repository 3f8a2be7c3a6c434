#!/usr/bin/python3
"""`blocsim sweep SWEEP.yaml -o DIR`: every run is its own `blocsim run`
writing DIR/runs/<id>.h5 (never a .tmp left), DIR/index.h5 lists them in
canonical order with their status and KPIs and links to them; the index and
the run files are the same whichever dispatcher (-j 1, -j 2, MPI ranks) made
them; a topology comparison shares its device draws (common random numbers);
--resume reruns only what is missing or broken; a failing run fails alone;
longest-first keeps the workers busy; SIGTERM stops the sweep with 143 and a
consistent directory; shares (--shard, Slurm arrays) split the runs; the
directory can move; `blocsim run` itself never touches MPI.

The sweep files are in tests/data/sweeps/ (shrunk small-world runs)."""
import atexit
import math
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
DATA = os.path.abspath(DATA)
SWEEPS = os.path.join(DATA, "sweeps")
TINY = os.path.join(SWEEPS, "tiny.yaml")          # 3 topologies x 2 reps
FAIL = os.path.join(SWEEPS, "fail.yaml")          # run 1 of 3 fails
BALANCE = os.path.join(SWEEPS, "balance.yaml")    # 2 short + 1 long (5x)
SIGNAL = os.path.join(SWEEPS, "signal.yaml")      # 1 long + 3 medium
SHARD = os.path.join(SWEEPS, "shard.yaml")        # 5 topologies
BLOCS = os.path.join(DATA, "topo", "blocs.yaml")

MPIRUN = ["mpirun", "-n", "2", "--allow-run-as-root", "--oversubscribe",
          "--mca", "btl", "self,vader,tcp",
          "--mca", "btl_tcp_if_include", "lo",
          "--mca", "oob_tcp_if_include", "lo"]

SUMMARY = re.compile(
    r"^sweep (.+): (\d+) complete, (\d+) failed, (\d+) skipped "
    r"\(already complete\), (\d+) not run; ([\d.]+) s$", re.M)
WORKERS = re.compile(r"^  runs per worker:((?: \d+)+)$", re.M)


def clean_env(**extra):
    """The environment without Slurm, MPI or HDF5 link settings (the test
    itself may run under one), plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLURM_", "OMPI_", "PMIX_", "HDF5_EXT"))}
    env.update(extra)
    return env


def sweep(*args, env=None, cwd=None, timeout=120):
    return subprocess.run([BLOCSIM, "sweep", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd,
                          env=clean_env(**(env or {})))


def mpi_sweep(*args, unbound=False, timeout=120):
    """`blocsim sweep` on 2 ranks. `unbound`: mpirun binds each rank (and
    so the runs it starts) to one core by default; a core busy with other
    work then slows one rank's runs alone, which timing tests cannot
    allow for."""
    opts = ["--bind-to", "none"] if unbound else []
    return subprocess.run(
        MPIRUN + opts + [BLOCSIM, "sweep", *args], capture_output=True,
        text=True, timeout=timeout,
        env=clean_env(OMPI_MCA_btl_vader_single_copy_mechanism="none"))


_features = {}


def has_mpi():
    """From `blocsim version`: "features: ns-3 yes|no, MPI yes|no"."""
    if "mpi" not in _features:
        p = subprocess.run([BLOCSIM, "version"], capture_output=True,
                           text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        m = re.search(r"^features: ns-3 (yes|no), MPI (yes|no)$", p.stdout,
                      re.M)
        assert m, p.stdout
        _features["mpi"] = m.group(2) == "yes"
        _features["version"] = p.stdout.splitlines()[0].split(" ", 1)[1]
        if _features["mpi"]:
            assert shutil.which("mpirun"), "MPI build without mpirun"
    return _features["mpi"]


def version():
    has_mpi()
    return _features["version"]


def tmpdir():
    d = tempfile.mkdtemp(prefix="bsim-sweep-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


def summary(p, d):
    """(complete, failed, skipped, not run) and the runs per worker, from
    the stderr of a finished sweep (a CompletedProcess or the text)."""
    err = p if isinstance(p, str) else p.stderr
    m = SUMMARY.search(err)
    assert m, ("no summary line", err)
    assert m.group(1) == d, (m.group(1), d)
    w = WORKERS.search(err)
    assert w, ("no runs-per-worker line", err)
    assert w.start() == m.end() + 1, err
    return (tuple(int(m.group(i)) for i in range(2, 6)),
            [int(x) for x in w.group(1).split()])


def listing(path, *extra, env=None):
    """`--list`: [(run id, {replication, seed, parameters...})]."""
    p = sweep(path, "--list", *extra, env=env)
    assert p.returncode == 0, p.stderr
    out = []
    for line in p.stdout.splitlines():
        f = line.split("\t")
        assert re.fullmatch(r"[0-9a-f]{16}", f[0]), line
        out.append((f[0], dict(kv.split("=", 1) for kv in f[1:])))
    return out


def ids_of(path):
    return [i for i, _ in listing(path)]


def all_files(d):
    out = []
    for root, _, files in os.walk(d):
        out += [os.path.relpath(os.path.join(root, f), d) for f in files]
    return sorted(out)


def assert_no_tmp(d):
    left = [f for f in all_files(d) if f.endswith(".tmp") or
            os.path.basename(f).startswith(".index-")]
    assert not left, ("temporary files left", left)


def s(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def index(d):
    """DIR/index.h5: (root attrs, /runs, /kpi, /run link names and
    targets)."""
    with h5py.File(os.path.join(d, "index.h5"), "r") as f:
        attrs = {k: f.attrs[k] for k in f.attrs}
        runs = f["runs"][()]
        kpi = f["kpi"][()]
        links = {k: f["run"].get(k, getlink=True) for k in f["run"]}
        links = {k: (type(v).__name__, getattr(v, "filename", None),
                     getattr(v, "path", None)) for k, v in links.items()}
    return attrs, runs, kpi, links


def statuses(runs):
    return {s(r["run_id"]): s(r["status"]) for r in runs}


def file_status(path):
    with h5py.File(path, "r") as f:
        return s(f.attrs["status"])


def assert_same_datasets(a, b):
    h5same.assert_same_datasets(a, b, 30)


def same_floats(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all((a == b) |
                                              (np.isnan(a) & np.isnan(b))))


def runs_without_wall(runs):
    names = [n for n in runs.dtype.names if n != "wall_s"]
    return names, b"".join(runs[n].tobytes() for n in names)


def snapshot(d):
    """(size, mtime_ns, inode) of every file of d."""
    out = {}
    for f in all_files(d):
        st = os.stat(os.path.join(d, f))
        out[f] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


# 1 -------------------------------------------------------------------------

def test_j2_runs_every_run_and_indexes_them():
    d = os.path.join(tmpdir(), "out")
    runs = listing(TINY)
    ids = [i for i, _ in runs]
    assert len(ids) == 6 and len(set(ids)) == 6, ids
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "", p.stdout
    counts, workers = summary(p, d)
    assert counts == (6, 0, 0, 0), (counts, p.stderr)
    assert len(workers) == 2 and sum(workers) == 6, workers
    assert "blocsim sweep: run" not in p.stderr, p.stderr
    assert sorted(os.listdir(d)) == ["index.h5", "logs", "runs"], \
        os.listdir(d)
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted(i + ".h5" for i in ids)
    assert sorted(os.listdir(os.path.join(d, "logs"))) == \
        sorted(i + ".log" for i in ids)
    assert_no_tmp(d)

    attrs, ix, kpi, links = index(d)
    with open(TINY) as f:
        text = f.read()
    assert s(attrs["format"]) == "blocsim-index", attrs["format"]
    assert attrs["format_version"] == 2
    assert s(attrs["sweep"]) == text
    assert os.path.samefile(s(attrs["base"]), BLOCS), attrs["base"]
    assert attrs["sweep_seed"] == 3 and attrs["replications"] == 2
    assert s(attrs["git_revision"]) == version(), \
        (attrs["git_revision"], version())
    assert attrs["git_dirty"] == int(version().endswith("-dirty"))

    assert ix.dtype.names == ("run_id", "replication", "seed", "status",
                              "wall_s", "topology"), ix.dtype.names
    assert [s(x) for x in ix["run_id"]] == ids
    assert [s(x) for x in ix["status"]] == ["complete"] * 6
    assert [int(x) for x in ix["replication"]] == \
        [int(r["replication"]) for _, r in runs] == [0, 1, 0, 1, 0, 1]
    assert [int(x) for x in ix["seed"]] == [int(r["seed"]) for _, r in runs]
    assert ix["seed"][0] == ix["seed"][2] == ix["seed"][4] != ix["seed"][1]
    assert [s(x) for x in ix["topology"]] == \
        ["arms-length"] * 2 + ["blocs"] * 2 + ["grand-alliance"] * 2
    assert ix.dtype["topology"].kind == "S"

    assert len(kpi) == 6, len(kpi)
    assert [s(x) for x in kpi["run_id"]] == ids
    assert sorted(links) == sorted(ids), links
    for n, (rid, r) in enumerate(runs):
        path = os.path.join(d, "runs", rid + ".h5")
        assert links[rid] == ("ExternalLink", f"runs/{rid}.h5", "/"), \
            links[rid]
        with h5py.File(path, "r") as f:
            assert s(f.attrs["status"]) == "complete"
            assert f.attrs["seed"] == int(r["seed"])
            assert s(f.attrs["sweep_run_id"]) == rid
            assert f.attrs["sweep_replication"] == int(r["replication"])
            assert s(f.attrs["sweep_params"]) == \
                f"topology={r['topology']}\n"
            assert f.attrs["sim_duration_s"] == 3600
            assert f["devices"].shape == (450,)
            assert s(f.attrs["scenario_name"]) == "small-" + r["topology"]
            assert ix["wall_s"][n] == f.attrs["wall_seconds"] > 0
            row = f["kpi"][0]
            names = row.dtype.names
        assert kpi.dtype.names == ("run_id",) + names, kpi.dtype.names
        for k in names:
            assert same_floats(kpi[k][n], row[k]), (rid, k, kpi[k][n],
                                                    row[k])
        assert 0 < kpi["attach_success_ratio"][n] <= 1.0


# 2 -------------------------------------------------------------------------

def same_as_j1(dirs):
    """Every sweep in dirs (name -> DIR) has the index and run files of
    dirs["j1"], wall times aside."""
    ids = ids_of(TINY)
    ref = index(dirs["j1"])
    _, ref_runs = runs_without_wall(ref[1])
    for name, d in dirs.items():
        attrs, ix, kpi, links = index(d)
        assert len(kpi) == 6
        assert np.all(ix["wall_s"] > 0), (name, ix["wall_s"])
        if name != "j1":  # each other way of running against -j 1
            assert kpi.dtype == ref[2].dtype, name
            assert kpi.tobytes() == ref[2].tobytes(), (name, "/kpi differs")
            assert ix.dtype == ref[1].dtype, name
            assert runs_without_wall(ix)[1] == ref_runs, (name, "/runs differs")
            assert links == ref[3], name
            for k in ("format", "sweep", "base", "sweep_seed", "replications",
                      "git_revision", "git_dirty"):
                assert attrs[k] == ref[0][k], (name, k)
            for rid in ids:
                assert_same_datasets(
                    os.path.join(dirs["j1"], "runs", rid + ".h5"),
                    os.path.join(d, "runs", rid + ".h5"))


def jobs_sweep(top, j):
    """TINY with -j j into top/j<j>; its directory."""
    d = os.path.join(top, "j" + j)
    p = sweep(TINY, "-o", d, "-j", j)
    assert p.returncode == 0, (j, p.stderr)
    counts, workers = summary(p, d)
    assert counts == (6, 0, 0, 0), (j, counts)
    assert len(workers) == int(j) and sum(workers) == 6, workers
    return d


def test_index_and_run_files_do_not_depend_on_the_job_count():
    top = tmpdir()
    same_as_j1({"j1": jobs_sweep(top, "1"), "j2": jobs_sweep(top, "2")})


def test_index_and_run_files_do_not_depend_on_mpi_ranks():
    if not has_mpi():
        raise Skip("this build has no MPI")  # noqa: F821 (set by taprun.py)
    top = tmpdir()
    dirs = {"j1": jobs_sweep(top, "1"), "mpi": os.path.join(top, "mpi")}
    p = mpi_sweep(TINY, "-o", dirs["mpi"])
    assert p.returncode == 0, ("mpirun", p.returncode, p.stderr)
    counts, workers = summary(p, dirs["mpi"])
    assert counts == (6, 0, 0, 0), counts
    assert len(workers) == 2 and sum(workers) == 6, workers
    assert p.stderr.count("runs per worker") == 1, p.stderr
    assert_no_tmp(dirs["mpi"])
    # Rank 0 decides for all ranks: an existing DIR is refused.
    before = snapshot(dirs["mpi"])
    p = mpi_sweep(TINY, "-o", dirs["mpi"])
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert "exists; use --resume" in p.stderr, p.stderr
    assert snapshot(dirs["mpi"]) == before
    same_as_j1(dirs)


# 3 -------------------------------------------------------------------------

def test_topologies_of_one_replication_share_their_device_draws():
    d = os.path.join(tmpdir(), "out")
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    by = {(r["topology"], int(r["replication"])): i
          for i, r in listing(TINY)}
    dev, kpi = {}, {}
    for key, rid in by.items():
        with h5py.File(os.path.join(d, "runs", rid + ".h5"), "r") as f:
            dev[key] = f["devices"][()]
            kpi[key] = f["kpi"][0]
    for rep in (0, 1):
        a = dev[("arms-length", rep)]
        assert a["border_crossings"].sum() > 0 and a["reports"].sum() > 0
        for topo in ("blocs", "grand-alliance"):
            b = dev[(topo, rep)]
            for col in ("id", "class", "home_op", "country",
                        "border_crossings", "reports"):
                assert np.array_equal(a[col], b[col]), (rep, topo, col)
        # The topologies do differ: what roaming costs is not the same.
        assert kpi[("arms-length", rep)]["usage_cost_per_device_month_eur"] != \
            kpi[("blocs", rep)]["usage_cost_per_device_month_eur"]
        assert not np.array_equal(a["charge_ueur"],
                                  dev[("blocs", rep)]["charge_ueur"])
    # Another replication draws other devices.
    for topo in ("arms-length", "blocs", "grand-alliance"):
        a, b = dev[(topo, 0)], dev[(topo, 1)]
        assert not np.array_equal(a["border_crossings"],
                                  b["border_crossings"]), topo
        assert not np.array_equal(a["reports"], b["reports"]), topo


# 4 -------------------------------------------------------------------------

def test_existing_dir_needs_resume_which_reruns_only_broken_runs():
    d = os.path.join(tmpdir(), "out")
    ids = ids_of(TINY)
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    _, _, kpi0, _ = index(d)
    before = snapshot(d)
    with open(os.path.join(d, "index.h5"), "rb") as f:
        index_bytes = f.read()

    # Without --resume: refused, nothing run or rewritten.
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert f"blocsim sweep: {d} exists; use --resume" in p.stderr, p.stderr
    assert not SUMMARY.search(p.stderr), p.stderr
    assert snapshot(d) == before
    with open(os.path.join(d, "index.h5"), "rb") as f:
        assert f.read() == index_bytes
    for bad in ("0", "4097", "two", ""):
        p = sweep(TINY, "-o", d, "--resume", "-j", bad)
        assert p.returncode == 2, (bad, p.returncode, p.stderr)
        assert f"-j {bad}: expected 1 to 4096" in p.stderr, p.stderr
        assert snapshot(d) == before, bad

    # Break two runs: one file gone (a stale .tmp in its place), one
    # file of garbage under the run's name.
    gone, junk = ids[1], ids[4]
    os.unlink(os.path.join(d, "runs", gone + ".h5"))
    with open(os.path.join(d, "runs", gone + ".h5.tmp"), "wb") as f:
        f.write(b"half a run file" * 100)
    with open(os.path.join(d, "runs", junk + ".h5"), "wb") as f:
        f.write(os.urandom(4096))
    kept = {f: v for f, v in snapshot(d).items()
            if f.startswith("runs/") and gone not in f and junk not in f}
    assert len(kept) == 4
    p = sweep(TINY, "-o", d, "--resume", "-j", "2")
    assert p.returncode == 0, p.stderr
    counts, workers = summary(p, d)
    assert counts == (2, 0, 4, 0), (counts, p.stderr)
    assert sum(workers) == 2, workers
    after = snapshot(d)
    for f, v in kept.items():
        assert after[f] == v, (f, "rewritten")
    assert_no_tmp(d)
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted(i + ".h5" for i in ids)
    for rid in (gone, junk):
        path = os.path.join(d, "runs", rid + ".h5")
        assert file_status(path) == "complete", rid
        with h5py.File(path, "r") as f:
            assert s(f.attrs["sweep_run_id"]) == rid
    _, ix, kpi, links = index(d)
    assert set(statuses(ix).values()) == {"complete"}, statuses(ix)
    assert sorted(links) == sorted(ids)
    # The reruns give the KPIs the first runs gave.
    assert kpi.tobytes() == kpi0.tobytes()

    # Nothing left to do.
    before = {f: v for f, v in snapshot(d).items() if f.startswith("runs/")}
    p = sweep(TINY, "-o", d, "--resume")
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (0, 0, 6, 0), p.stderr
    assert {f: v for f, v in snapshot(d).items()
            if f.startswith("runs/")} == before


def test_resume_reruns_a_run_file_of_another_format_version():
    """A run file of result format 1 (KPIs defined differently) is not
    trusted by --resume: the run is done again and indexed anew."""
    d = os.path.join(tmpdir(), "out")
    ids = ids_of(TINY)
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    old = os.path.join(d, "runs", ids[2] + ".h5")
    with h5py.File(old, "r+") as f:
        f.attrs["format_version"] = np.int64(1)
    p = sweep(TINY, "-o", d, "--resume", "-j", "2")
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (1, 0, 5, 0), p.stderr
    with h5py.File(old, "r") as f:
        assert f.attrs["format_version"] == 2
    attrs, ix, _, _ = index(d)
    assert attrs["format_version"] == 2
    assert set(statuses(ix).values()) == {"complete"}, statuses(ix)


# 5 -------------------------------------------------------------------------

def test_a_failing_run_fails_alone():
    d = os.path.join(tmpdir(), "out")
    runs = listing(FAIL)
    ids = [i for i, _ in runs]
    assert [r["grid.east"] for _, r in runs] == ["7.6", "5.0", "7.5"]
    bad = ids[1]
    # The failing scenario passes `blocsim check`...
    p = subprocess.run([BLOCSIM, "check", BLOCS, "--set", "grid.east=5.0"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = sweep(FAIL, "-o", d, "-j", "2")
    assert p.returncode == 1, (p.returncode, p.stderr)
    counts, workers = summary(p, d)
    assert counts == (2, 1, 0, 0), (counts, p.stderr)
    assert sum(workers) == 3, workers
    assert (f"blocsim sweep: run {bad} failed (exit status 2); see "
            f"{d}/logs/{bad}.log") in p.stderr, p.stderr
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted([ids[0] + ".h5", ids[2] + ".h5"])
    assert sorted(os.listdir(os.path.join(d, "logs"))) == \
        sorted(i + ".log" for i in ids)
    assert_no_tmp(d)
    with open(os.path.join(d, "logs", bad + ".log")) as f:
        log = f.read()
    assert log.startswith("blocsim run: "), log
    assert "countries.DE: no cell of the grid lies in DE" in log, log
    _, ix, kpi, links = index(d)
    assert [s(x) for x in ix["status"]] == ["complete", "failed",
                                            "complete"]
    assert ix.dtype["grid.east"] == np.float64, ix.dtype
    assert list(ix["grid.east"]) == [7.6, 5.0, 7.5]
    assert math.isnan(ix["wall_s"][1]) and ix["wall_s"][0] > 0
    assert [s(x) for x in kpi["run_id"]] == [ids[0], ids[2]]
    assert sorted(links) == sorted([ids[0], ids[2]])
    # --resume tries the failed run again, and it fails again.
    p = sweep(FAIL, "-o", d, "--resume")
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert summary(p, d)[0] == (0, 1, 2, 0), p.stderr
    assert statuses(index(d)[1])[bad] == "failed"


# 6 -------------------------------------------------------------------------

def check_balance(p, d):
    counts, workers = summary(p, d)
    assert counts == (3, 0, 0, 0), (counts, p.stderr)
    assert sorted(workers) == [1, 2], ("longest first: one worker for the "
                                       "long run", workers, p.stderr)
    _, ix, _, _ = index(d)
    # The premise, in simulated work (wall times vary with the load): the
    # last run in canonical order has five times the events of the others,
    # so only longest-first ordering starts it first.
    events = []
    for rid in ix["run_id"]:
        with h5py.File(os.path.join(d, "runs", rid.decode() + ".h5"),
                       "r") as f:
            events.append(int(f.attrs["events_executed"]))
    assert events[2] > 4 * max(events[:2]), events
    assert list(ix["run.duration_s"]) == [172800.0] * 2 + [864000.0]


def test_longest_first_gives_one_worker_the_long_run():
    d = os.path.join(tmpdir(), "j2")
    p = sweep(BALANCE, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    check_balance(p, d)


def test_longest_first_gives_one_rank_the_long_run():
    if not has_mpi():
        raise Skip("this build has no MPI")  # noqa: F821 (set by taprun.py)
    d = os.path.join(tmpdir(), "mpi")
    p = mpi_sweep(BALANCE, "-o", d, unbound=True)
    assert p.returncode == 0, (p.returncode, p.stderr)
    check_balance(p, d)


# 7 -------------------------------------------------------------------------

def test_sigterm_stops_the_sweep_and_resume_finishes_it():
    d = os.path.join(tmpdir(), "out")
    ids = ids_of(SIGNAL)  # long, then three medium
    assert len(ids) == 4
    proc = subprocess.Popen([BLOCSIM, "sweep", SIGNAL, "-o", d, "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=clean_env())
    atexit.register(lambda: proc.poll() is None and proc.kill())
    # Worker 1 finishes the first medium run and starts the second while
    # worker 0 still holds the long one; then stop the sweep.
    second_log = os.path.join(d, "logs", ids[2] + ".log")
    t0 = time.monotonic()
    while not os.path.exists(second_log):
        assert proc.poll() is None, ("sweep ended early", proc.returncode,
                                     proc.communicate())
        assert time.monotonic() - t0 < 60, "the second run never started"
        time.sleep(0.01)
    time.sleep(0.05)
    assert proc.poll() is None
    assert file_status(os.path.join(d, "runs", ids[1] + ".h5")) == \
        "complete"
    t1 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    so, se = proc.communicate(timeout=60)
    stop = time.monotonic() - t1
    assert proc.returncode == 143, (proc.returncode, se)
    assert stop < 5.0, ("the sweep did not stop its runs", stop)
    counts, workers = summary(se, d)
    assert counts == (1, 2, 0, 1), (counts, se)
    assert "failed (" not in se, se  # killed runs are not reported failed
    assert_no_tmp(d)
    files = os.listdir(os.path.join(d, "runs"))
    assert files == [ids[1] + ".h5"], files
    for f in files:
        assert file_status(os.path.join(d, "runs", f)) == "complete"
    _, ix, kpi, links = index(d)
    st = statuses(ix)
    assert st[ids[1]] == "complete", st
    assert st[ids[0]] != "complete" and st[ids[2]] != "complete", st
    assert st[ids[3]] == "missing", st
    assert [s(x) for x in kpi["run_id"]] == [ids[1]]
    assert list(links) == [ids[1]]

    p = sweep(SIGNAL, "-o", d, "-j", "2", "--resume")
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (3, 0, 1, 0), p.stderr
    assert_no_tmp(d)
    _, ix, kpi, _ = index(d)
    assert set(statuses(ix).values()) == {"complete"}, statuses(ix)
    assert [s(x) for x in kpi["run_id"]] == ids
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted(i + ".h5" for i in ids)


# 8 -------------------------------------------------------------------------

def test_shards_split_the_runs_in_canonical_order():
    everything = listing(SHARD)
    ids = [i for i, _ in everything]
    assert len(ids) == 5
    odd, even = ids[1::2], ids[0::2]
    assert listing(SHARD, "--shard", "1/2") == everything[1::2]
    assert listing(SHARD, "--shard", "0/2") == everything[0::2]
    assert [i for i, _ in listing(SHARD, "--shard", "2/3")] == [ids[2]]
    slurm = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "2",
             "SLURM_ARRAY_TASK_COUNT": "2"}
    assert listing(SHARD, env=slurm) == everything[1::2]

    d = os.path.join(tmpdir(), "out")
    p = sweep(SHARD, "-o", d, "-j", "2", env=slurm)
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (2, 0, 0, 0), p.stderr
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted(i + ".h5" for i in odd)
    st = statuses(index(d)[1])
    assert [st[i] for i in ids] == ["missing", "complete"] * 2 + \
        ["missing"], st

    # Share 0 into the same directory, no --resume: it runs the others
    # and leaves share 1's files alone.
    first = {f: v for f, v in snapshot(d).items() if f.startswith("runs/")}
    p = sweep(SHARD, "-o", d, "-j", "2", "--shard", "0/2")
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (3, 0, 0, 0), p.stderr
    now = {f: v for f, v in snapshot(d).items() if f.startswith("runs/")}
    assert sorted(set(now) - set(first)) == \
        sorted(f"runs/{i}.h5" for i in even)
    assert all(now[f] == v for f, v in first.items())
    assert sorted(os.listdir(os.path.join(d, "runs"))) == \
        sorted(i + ".h5" for i in ids)
    _, ix, kpi, links = index(d)
    assert [s(x) for x in ix["status"]] == ["complete"] * 5
    assert [s(x) for x in kpi["run_id"]] == ids
    assert sorted(links) == sorted(ids)
    assert_no_tmp(d)
    # A share again: its runs are complete, nothing runs.
    p = sweep(SHARD, "-o", d, "--shard", "1/2")
    assert p.returncode == 0, p.stderr
    assert summary(p, d)[0] == (0, 0, 2, 0), p.stderr

    before = snapshot(d)
    for bad in ("2/2", "1/0", "3", "a/2", "1/2x", "-1/2"):
        for args in (["-o", d], ["--list"]):
            p = sweep(SHARD, *args, "--shard", bad)
            assert p.returncode == 2, (bad, args, p.returncode, p.stderr)
            assert f"--shard {bad}: expected K/M" in p.stderr, p.stderr
            assert p.stdout == ""
    assert snapshot(d) == before


# 9 -------------------------------------------------------------------------

def test_the_index_links_survive_moving_the_directory():
    top = tmpdir()
    d = os.path.join(top, "out")
    p = sweep(TINY, "-o", d, "-j", "2")
    assert p.returncode == 0, p.stderr
    ids = ids_of(TINY)
    with h5py.File(os.path.join(d, "runs", ids[3] + ".h5"), "r") as f:
        want = f["devices"][()]
    moved = os.path.join(top, "elsewhere", "moved")
    os.mkdir(os.path.join(top, "elsewhere"))
    os.rename(d, moved)
    other = os.path.join(top, "cwd")
    os.mkdir(other)
    old = os.getcwd()
    os.chdir(other)
    try:
        with h5py.File(os.path.join("..", "elsewhere", "moved", "index.h5"),
                       "r") as f:
            assert sorted(f["run"]) == sorted(ids)
            got = f["run"][ids[3]]["devices"][()]
            assert s(f["run"][ids[3]].attrs["sweep_run_id"]) == ids[3]
            for rid in ids:
                assert f["run"][rid]["devices"].shape == (450,), rid
                assert s(f["run"][rid].attrs["status"]) == "complete"
    finally:
        os.chdir(old)
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()
    assert got["reports"].sum() > 0


# 10 ------------------------------------------------------------------------

def test_blocsim_run_never_initialises_mpi():
    top = tmpdir()
    plain, under = os.path.join(top, "plain.h5"), os.path.join(top, "mpi.h5")
    args = [BLOCS, "--quiet", "--set", "run.duration_s=3600",
            "--set", "classes.meter.count=300"]
    p = subprocess.run([BLOCSIM, "run", *args, "-o", plain],
                       capture_output=True, text=True, timeout=60,
                       env=clean_env())
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == ""
    # What a sweep's child sees under mpirun, with a component that makes
    # any MPI_Init fail: `blocsim run` does not care.
    broken = {"OMPI_COMM_WORLD_SIZE": "1", "OMPI_COMM_WORLD_RANK": "0",
              "OMPI_MCA_pml": "no-such-pml"}
    p = subprocess.run([BLOCSIM, "run", *args, "-o", under],
                       capture_output=True, text=True, timeout=60,
                       env=clean_env(**broken))
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == "", p.stderr
    assert_same_datasets(plain, under)
    assert file_status(under) == "complete"
    # The same environment does reach `blocsim sweep`'s MPI_Init (MPI
    # builds); without MPI, sweep ignores it and runs on its own.
    d = os.path.join(top, "sw")
    p = sweep(TINY, "-o", d, "--filter", "replication == 0", env=broken,
              timeout=60)
    if has_mpi():
        # MPI_Init fails (Open MPI's words for it vary) before the
        # directory is made.
        assert p.returncode != 0, p.stderr
        assert not SUMMARY.search(p.stderr), p.stderr
        assert not os.path.exists(d), os.listdir(d)
    else:
        assert p.returncode == 0, p.stderr
        assert summary(p, d)[0] == (3, 0, 0, 0), p.stderr
