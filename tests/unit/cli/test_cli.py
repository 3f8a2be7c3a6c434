#!/usr/bin/python3
"""The command line: exit statuses, messages, and the bench RESULT line."""
import os
import re
import subprocess
import tempfile

BLOCSIM = ARGS[0]  # noqa: F821 (set by taprun.py)


def run(*args):
    return subprocess.run([BLOCSIM, *args], capture_output=True, text=True,
                          timeout=120)


def result_fields(stdout):
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), last
    return dict(kv.split("=", 1) for kv in last.split()[1:])


def test_bench_engine_prints_a_parseable_result_line():
    p = run("bench", "engine", "--pending", "1000", "--events", "20000")
    assert p.returncode == 0, p.stderr
    f = result_fields(p.stdout)
    for key in ("events_per_s", "ns_per_event", "bytes_per_pending"):
        assert float(f[key]) > 0, (key, f[key])
    assert abs(float(f["events_per_s"]) * float(f["ns_per_event"]) / 1e9
               - 1) < 0.01
    # A 64-byte queue entry and an 8-byte handle slot at least.
    assert float(f["bytes_per_pending"]) >= 72
    assert f["queue"] == "ladder" and f["pending"] == "1000"


def test_compare_runs_the_baseline_and_reports_the_ratio():
    p = run("bench", "engine", "--pending", "10^3", "--events", "1e4",
            "--queue", "heap", "--workload", "bimodal", "--compare")
    assert p.returncode == 0, p.stderr
    f = result_fields(p.stdout)
    ratio = float(f["events_per_s"]) / float(f["baseline_events_per_s"])
    assert abs(ratio / float(f["ratio"]) - 1) < 0.01
    assert re.search(r"^baseline +setup", p.stdout, re.M), p.stdout
    assert f["workload"] == "bimodal"


def test_bad_options_exit_2_naming_the_option():
    cases = [
        (["--pending", "0"], "--pending"),
        (["--pending", "12abc"], "--pending"),
        (["--events", "-5"], "--events"),
        (["--queue", "splay"], "--queue"),
        (["--workload", "uniform"], "--workload"),
        (["--bogus"], "unrecognized option"),
        (["extra"], "unexpected argument"),
        (["--backend", "omnet"], "--backend"),
        (["--ns3-scheduler", "map"], "needs --backend ns3"),
        (["--backend", "ns3", "--ns3-scheduler", "splay"],
         ("--ns3-scheduler", "this build has no ns-3")),
        (["--max-seconds", "-1"], "--max-seconds"),
    ]
    for args, needle in cases:
        p = run("bench", "engine", *args)
        assert p.returncode == 2, (args, p.returncode)
        needles = needle if isinstance(needle, tuple) else (needle,)
        assert any(n in p.stderr for n in needles), (args, p.stderr)
        assert "RESULT" not in p.stdout


def test_unknown_command_exits_2_with_usage():
    p = run("frobnicate")
    assert p.returncode == 2
    assert "unknown command 'frobnicate'" in p.stderr
    assert "bench" in p.stderr
    assert run().returncode == 2


def test_help_and_version_exit_0():
    p = run("--help")
    assert p.returncode == 0 and "bench" in p.stdout
    p = run("version")
    assert p.returncode == 0
    assert re.match(r"blocsim \S+", p.stdout)
    p = run("bench", "engine", "--help")
    assert p.returncode == 0 and "--pending" in p.stdout


def test_ns3_backend_runs_the_same_events_or_is_refused_cleanly():
    p = run("bench", "engine", "--pending", "1000", "--events", "20000",
            "--backend", "ns3", "--ns3-scheduler", "calendar", "--compare")
    if p.returncode == 2:
        assert "this build has no ns-3" in p.stderr, p.stderr
        return
    assert p.returncode == 0, p.stderr
    f = result_fields(p.stdout)
    assert f["engine"] == "ns3/calendar"
    assert float(f["native_over_ns3"]) > 0
    assert "native/ladder" in p.stdout


def test_max_seconds_caps_a_run_and_says_so():
    p = run("bench", "engine", "--pending", "100000", "--events", "1e9",
            "--max-seconds", "0.2")
    assert p.returncode == 0, p.stderr
    f = result_fields(p.stdout)
    assert f["capped"] == "1"
    assert 0 < int(f["events"]) < 10**9


SWEEP = """sweep:
  base: default.yaml
  seed: 7
  replications: 2
  parameters:
    topology: [arms-length, blocs]
    operators.DT-DE.hss_capacity_per_s: [1000, 5000]
"""


def sweep_file(text=SWEEP):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "s.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def test_sweep_list_prints_every_run_once():
    p = run("sweep", sweep_file(), "--list")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.strip().splitlines()
    assert len(lines) == 8, lines
    ids = [line.split("\t")[0] for line in lines]
    assert len(set(ids)) == 8 and all(len(i) == 16 for i in ids)
    seeds = {line.split("\t")[1]: line.split("\t")[2] for line in lines}
    assert len(set(seeds.values())) == 2, "one seed per replication"
    assert "8 of 8 runs" in p.stderr
    again = run("sweep", sweep_file(), "--list")
    assert again.stdout == p.stdout, "ids and seeds are stable"


def test_sweep_filter_selects_runs():
    p = run("sweep", sweep_file(), "--list", "--filter",
            "topology == 'blocs' && (replication == 1 || "
            "operators.DT-DE.hss_capacity_per_s < 2000)")
    assert p.returncode == 0, p.stderr
    assert len(p.stdout.strip().splitlines()) == 3
    assert all("topology=blocs" in line for line in p.stdout.splitlines())


def test_sweep_mistakes_exit_2_with_a_location():
    p = run("sweep", sweep_file(SWEEP.replace("seed:", "sed:")), "--list")
    assert p.returncode == 2
    assert re.search(r"s\.yaml:3:3: sweep\.sed: unknown key", p.stderr), \
        p.stderr
    p = run("sweep", sweep_file(), "--list", "--filter", "topology ==")
    assert p.returncode == 2 and "--filter: column 12" in p.stderr, p.stderr
    p = run("sweep", "/nonexistent/s.yaml", "--list")
    assert p.returncode == 2 and "cannot read" in p.stderr, p.stderr
    p = run("sweep", sweep_file())
    assert p.returncode == 2 and "--list" in p.stderr
    assert p.stdout == ""


def test_bench_latency_options():
    p = run("bench", "latency", "--help")
    assert p.returncode == 0 and "dependent random load" in p.stdout
    p = run("bench", "latency", "--bogus")
    assert p.returncode == 2 and "unexpected argument" in p.stderr
    p = run("bench", "nothing")
    assert p.returncode == 2 and "engine|model|latency" in p.stderr
