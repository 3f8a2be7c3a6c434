#!/usr/bin/python3
"""analysis/: the reader decodes result files and sweep indexes (codes to
Categoricals, units to attrs, arrays with their scales, runs through the
index's external links); plot.py draws every figure from a small sweep and
from single runs as valid paper-column PNGs, and the data extents it
records in figures.json are the values read independently with h5py."""
import atexit
import functools
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
BLOCSIM = os.path.abspath(BLOCSIM)
DATA = os.path.abspath(DATA)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLOT = os.path.join(ROOT, "analysis", "plot.py")
sys.path.insert(0, os.path.join(ROOT, "analysis"))

from blocsim_analysis import CODES, mean_ci, open_index, open_run, t_quantile  # noqa: E402
from blocsim_analysis.stats import t_cdf  # noqa: E402

SINGLE_FIGS = {"signalling_load", "settlement", "net_balance", "storm"}

# 0.975 quantiles of Student's t by degrees of freedom, to 10 decimals
# (mpmath, 30 digits; scipy's ppf is off by 1e-9 at 5).
T975 = {1: 12.7062047362, 2: 4.3026527297, 3: 3.1824463053, 4: 2.7764451052,
        5: 2.5705818356, 10: 2.2281388520, 30: 2.0422724563, 120: 1.9799304051}


def tmpdir():
    d = tempfile.mkdtemp(prefix="bsim-analysis-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return d


WORK = tmpdir()


def sh(cmd, timeout=120, cwd=None):
    env = dict(os.environ, MPLBACKEND="Agg")
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       cwd=cwd or WORK, env=env)
    return p


def plot(inp, name, *extra):
    out = os.path.join(WORK, "fig-" + name)
    # From another directory than the repository: plot.py finds its package.
    p = sh(["/usr/bin/python3", PLOT, inp, "-o", out, *extra], cwd="/")
    assert p.returncode == 0, (p.returncode, p.stdout[-2000:], p.stderr[-3000:])
    with open(os.path.join(out, "figures.json")) as f:
        man = json.load(f)
    printed = set(p.stdout.split())
    for fig in man["figures"]:
        assert os.path.join(out, fig["png"]) in printed, fig["png"]
    return out, man


@functools.lru_cache(None)
def sweep():
    """2 topologies x 2 replications of the small world, one hour, with
    the trace; the index and its figures (with PDFs)."""
    d = os.path.join(WORK, "sweep")
    os.makedirs(d)
    path = os.path.join(d, "sweep.yaml")
    with open(path, "w") as f:
        f.write(f"""sweep:
  base: {os.path.join(DATA, 'topo', 'blocs.yaml')}
  seed: 3
  replications: 2
  parameters:
    topology: [arms-length, blocs]
  set:
    run.duration_s: 3600
    classes.meter.count: 300
    classes.tracker.count: 150
    classes.tracker.mt_per_day: 24
    run.output: full
""")
    out = os.path.join(d, "out")
    p = sh([BLOCSIM, "sweep", path, "-o", out, "-j", "2"], timeout=300)
    assert p.returncode == 0, (p.stdout[-2000:], p.stderr[-2000:])
    index = os.path.join(out, "index.h5")
    figdir, man = plot(index, "sweep", "--pdf")
    return index, figdir, man


def run_file(scenario, name, *extra):
    out = os.path.join(WORK, name + ".h5")
    p = sh([BLOCSIM, "run", os.path.join(DATA, scenario), "-o", out, *extra])
    assert p.returncode == 0, p.stderr[-2000:]
    return out


@functools.lru_cache(None)
def single():
    """small-trace.yaml (full output: a trace, no outage)."""
    h5 = run_file("small-trace.yaml", "small-trace")
    figdir, man = plot(h5, "single")
    return h5, figdir, man


@functools.lru_cache(None)
def outage():
    """small-outage.yaml (billing output: no trace; HSS and radio outages),
    30 s longer so that the last of its 60 s bins is 30 s wide."""
    h5 = run_file("small-outage.yaml", "small-outage", "--set", "run.duration_s=21630")
    figdir, man = plot(h5, "outage")
    return h5, figdir, man


def fig(man, name):
    hits = [f for f in man["figures"] if f["name"] == name]
    assert len(hits) == 1, (name, [f["name"] for f in man["figures"]])
    return hits[0]


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def assert_range(got, lo, hi, what):
    assert got is not None, what
    assert close(got[0], lo) and close(got[1], hi), (what, got, [lo, hi])


def png_info(path):
    with open(path, "rb") as f:
        head = f.read(33)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", (path, head[:8])
    assert head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def check_pngs(figdir, man, names):
    got = {f["name"] for f in man["figures"]}
    assert names <= got, (sorted(names - got), sorted(got))
    for f in man["figures"]:
        path = os.path.join(figdir, f["png"])
        w, h = png_info(path)
        size = os.path.getsize(path)
        assert size < 200_000, (f["png"], size)
        # 3.5 in wide at the recorded resolution: a paper column.
        assert w == round(3.5 * f["dpi"]), (f["png"], w, f["dpi"])
        assert f["dpi"] >= 150 and 0.5 * w <= h <= 1.8 * w, (f["png"], w, h)
        assert f["title"], f["name"]


# -- statistics -------------------------------------------------------------

def test_t_quantile_matches_tables():
    for df, t in T975.items():
        assert abs(t_quantile(0.975, df) - t) < 2e-10, (df, t_quantile(0.975, df), t)
    assert abs(t_quantile(0.975, 1e7) - 1.959963985) < 1e-6
    assert abs(t_quantile(0.995, 3) - 5.8409093097) < 1e-9
    assert t_quantile(0.025, 4) == -t_quantile(0.975, 4)
    for df in (1, 2.5, 7, 40):
        for p in (0.6, 0.9, 0.999):
            assert abs(t_cdf(t_quantile(p, df), df) - p) < 1e-12, (df, p)
    mean, half, n = mean_ci([1.0, 2.0, 3.0, float("nan")])
    assert (mean, n) == (2.0, 3) and abs(half - T975[2] / math.sqrt(3)) < 1e-9
    mean, half, n = mean_ci([5.0])
    assert mean == 5.0 and n == 1 and math.isnan(half)


# -- reader -----------------------------------------------------------------

def long_name_codes(text):
    return {int(c): n for c, n in re.findall(r"(\d+) ([A-Za-z0-9_-]+)", text)}


def test_reader_decodes_codes_strings_and_units():
    h5, _, _ = single()
    with h5py.File(h5, "r") as f, open_run(h5) as r:
        # Strings: decoded, equal to the raw bytes.
        assert r.operators.name.tolist() == [b.decode() for b in f["operators"]["name"]]
        assert r.operators.name.tolist()[:2] == ["KPN-NL", "VF-NL"]
        assert r.countries.iso.tolist() == ["NL", "BE", "DE", "US"]
        # Categoricals with the documented names; codes equal the raw ones;
        # the documented table agrees with each column's long_name.
        def compound(ds, col):
            a = f[ds].attrs
            return f[ds][col], a[col + "_long_name"], a.get(col + "_flag_meanings")

        def column(path):
            a = f[path].attrs
            return f[path][()], a["long_name"], a.get("flag_meanings")
        cases = [
            (r.classes.mobility, "mobility", *compound("classes", "mobility")),
            (r.agreements.relation, "relation", *compound("agreements", "relation")),
            (r.agreements.path, "path", *compound("agreements", "path")),
            (r.nodes.kind, "node_kind", *column("signalling/nodes/kind")),
            (r.records.kind, "record_kind", *column("billing/records/kind")),
            (r.trace.type, "event_type", *column("trace/events/type")),
            (r.trace.result, "event_result", *column("trace/events/result")),
        ]
        for col, key, raw, long_name, flags in cases:
            assert isinstance(col.dtype, pd.CategoricalDtype), key
            assert list(col.cat.categories) == CODES[key], key
            assert np.array_equal(col.cat.codes.to_numpy(), np.asarray(raw)), key
            assert long_name_codes(long_name) == dict(enumerate(CODES[key])), (key, long_name)
            assert flags == " ".join(CODES[key]), (key, flags)
        assert r.classes.mobility.tolist() == ["stationary", "route", "route"]
        assert r.classes.radio.astype(str).tolist() == [
            CODES["radio"][int(v)] for v in f["classes"]["radio"]]
        assert (r.trace.type == "border").sum() == (f["trace/events/type"][()] == 6).sum() > 0
        assert r.nodes.name.tolist()[:2] == ["MME KPN-NL", "MME VF-NL"]
        assert r.nodes.name.iloc[7] == "HSS KPN-NL" and r.nodes.name.iloc[-1] == "IPX"
        # Units from <col>_units (compound) and units (column groups).
        assert r.devices.attrs["units"]["home_s"] == "s"
        assert r.devices.attrs["units"]["charge_ueur"] == "1e-6 EUR"
        assert r.agreements.attrs["units"]["path_rtt_ms"] == "ms"
        assert r.nodes.attrs["units"] == {"mean_wait_s": "s", "p99_wait_s": "s",
                                          "mean_sojourn_s": "s",
                                          "p99_sojourn_s": "s",
                                          "service_rate_per_s": "1/s",
                                          "utilisation": "1"}
        assert r.records.attrs["units"]["charged_kb"] == "kB"
        assert r.trace.attrs["units"]["t_ns"] == "ns"
        assert r.attach_latency_hist.attrs["units"]["lower_s"] == "s"
        assert r.kpi.attrs["units"]["cost_per_device_month_eur"] == "EUR"
        assert r.kpi["availability"] == f["kpi"]["availability"][0]
        kc = r.kpi_by_class
        assert kc["class"].tolist() == [0, 1, 2]
        assert kc.name.tolist() == ["meter", "tracker", "psm_tracker"]
        assert np.array_equal(kc.availability.to_numpy(), f["kpi_by_class"]["availability"])
        assert r.kpi_by_operator.name.tolist() == r.operators.name.tolist()
        # Values unchanged.
        assert np.array_equal(r.devices.roaming_s.to_numpy(), f["devices"]["roaming_s"])
        assert r.trace.t_s.iloc[-1] == f["trace/events/t_ns"][-1] / 1e9
        assert len(r.records) == f["billing/records/record"].shape[0]


def test_reader_decodes_by_flags_or_documented_codes():
    from blocsim_analysis.reader import read_columns
    path = os.path.join(WORK, "codes.h5")
    with h5py.File(path, "w") as f:
        g = f.create_group("trace/events")
        g["type"] = np.array([0, 6, 8, 6], dtype=np.uint8)  # no flags: CODES
        g["result"] = np.array([2, 0, 0, 1], dtype=np.uint8)
        g["result"].attrs["flag_values"] = np.array([0, 1, 2], dtype=np.int32)
        g["result"].attrs["flag_meanings"] = "fine refused late"  # the file wins
        g["cell"] = np.array([5, 6, 7, 8], dtype=np.uint32)
        g["cell"].attrs["units"] = "1"
        bad = f.create_group("billing/records")
        bad["kind"] = np.array([0, 3], dtype=np.uint8)  # 3 is undocumented
    with h5py.File(path, "r") as f:
        df = read_columns(f["trace/events"], "trace/events")
        assert df.columns.tolist() == ["type", "cell", "result"]
        assert df.type.tolist() == ["attach", "border", "camp", "border"]
        assert df.result.tolist() == ["late", "fine", "fine", "refused"]
        assert df.cell.tolist() == [5, 6, 7, 8] and df.attrs["units"] == {"cell": "1"}
        try:
            read_columns(f["billing/records"], "billing/records")
        except ValueError as e:
            assert "[3]" in str(e), e
        else:
            raise AssertionError("code 3 of /billing/records/kind was accepted")


def test_reader_arrays_have_their_scales():
    h5, _, _ = single()
    with h5py.File(h5, "r") as f, open_run(h5) as r:
        m = r.messages
        assert m.dims == ("time_s", "node", "message_type")
        names = f["signalling/message_type"].attrs["flag_meanings"].split()
        assert list(m.message_type.values) == names and names[0] == "nas"
        assert int(m.sel(message_type="s6a_ulr").sum()) == int(
            f["signalling/messages"][:, :, names.index("s6a_ulr")].sum()) > 0
        assert np.array_equal(m.time_s.values, f["signalling/time_s"][()])
        q = r.node_series
        assert list(q.quantity.values) == ["offered", "served", "rejected",
                                           "queue_len", "devices_in_backoff"]
        assert int(q.sel(quantity="offered").sum()) == int(f["signalling/node_series"][:, :, 0].sum())
        assert list(m.node_name.values) == r.nodes.name.tolist()
        assert math.isclose(r.bin_width_s.sum(), f.attrs["sim_duration_s"])
        # Geography: scales and cell centres (c = row * nx + column).
        geo = r.geography
        g = f["geography"]
        assert geo.country.shape == g["country"].shape
        assert geo.attrs["map_data"].startswith("country borders: Digital Chart")
        ny, nx = g["country"].shape
        cells = np.array([0, nx - 1, nx, ny * nx - 1])
        lat, lon = r.cell_centres(cells)
        rows, cols = cells // nx, cells % nx
        assert np.allclose(lat, g.attrs["south"] + (rows + 0.5) * g.attrs["dlat"], atol=1e-9)
        assert np.allclose(lon, g.attrs["west"] + (cols + 0.5) * g.attrs["dlon"], atol=1e-9)
        # Billing matrices keyed by operator names.
        assert r.net.loc["DT-DE", "KPN-NL"] == f["billing/net_ueur"][4, 0]
        assert r.settlement.attrs["units"] == "1e-6 EUR"
        # Filtered trace reads.
        dev = int(r.devices.id[r.devices.border_crossings > 0].iloc[0])
        ev = r.trace_events(types=["border"], devices=[dev])
        raw = (f["trace/events/type"][()] == 6) & (f["trace/events/device"][()] == dev)
        assert len(ev) == raw.sum() > 0 and set(ev.type) == {"border"}


def test_reader_index_runs_kpi_and_links():
    index, _, _ = sweep()
    with h5py.File(index, "r") as f:
        raw_runs = pd.DataFrame(f["runs"][:])
        raw_kpi = pd.DataFrame(f["kpi"][:])
    with open_index(index) as x:
        assert x.params == ["topology"]
        assert x.runs.topology.tolist() == ["arms-length", "arms-length", "blocs", "blocs"]
        assert x.runs.run_id.tolist() == [b.decode() for b in raw_runs.run_id]
        assert all(re.fullmatch(r"[0-9a-f]{16}", i) for i in x.runs.run_id)
        assert isinstance(x.runs.status.dtype, pd.CategoricalDtype)
        assert (x.runs.status == "complete").all()
        assert x.runs.replication.tolist() == [0, 1, 0, 1]
        assert len(x.kpi) == 4 and {"topology", "replication", "availability"} <= set(x.kpi)
        assert np.array_equal(x.kpi.availability.to_numpy(), raw_kpi.availability.to_numpy())
        assert x.kpi.attrs["units"]["availability"] == "1"
        for rid, topo in zip(x.runs.run_id, x.runs.topology):
            with x.run(rid) as r:
                assert r.sweep_params == {"topology": topo}
                row = x.kpi[x.kpi.run_id == rid].iloc[0]
                assert r.kpi["signalling_msgs_per_device_day"] == row.signalling_msgs_per_device_day
    # The links are relative: a moved sweep directory still opens.
    moved = os.path.join(WORK, "moved")
    shutil.copytree(os.path.dirname(index), moved)
    with open_index(os.path.join(moved, "index.h5")) as x:
        with x.run(x.complete_run_ids[0]) as r:
            assert os.path.realpath(r.path).startswith(os.path.realpath(moved)), r.path
            assert len(r.devices) == 450


# -- figures ------------------------------------------------------------------

def test_single_run_figures_are_column_pngs():
    _, figdir, man = single()
    check_pngs(figdir, man, SINGLE_FIGS | {"attach_latency", "map"})
    # small-trace has no mobile-terminated traffic.
    assert man["kind"] == "run" and man["skipped"] == [
        {"name": "mt_latency", "reason": "no mobile-terminated message delivered"}]
    assert not any(f.get("pdf") for f in man["figures"])


def test_sweep_figures_are_column_pngs_and_pdfs():
    index, figdir, man = sweep()
    with h5py.File(index, "r") as f:
        kpis = [n for n in f["kpi"].dtype.names if n != "run_id"]
        raw = pd.DataFrame(f["kpi"][:])
    all_nan = {k for k in kpis if raw[k].isna().all()}
    # No outage in these runs, and no whole month for access fees.
    assert all_nan == {"recovery_s", "cost_per_device_month_eur",
                       "access_fees_per_device_month_eur"}, all_nan
    want = SINGLE_FIGS | {"attach_latency", "mt_latency", "map"} | {
        "kpi_" + k for k in kpis if k not in all_nan}
    check_pngs(figdir, man, want)
    assert {s["name"] for s in man["skipped"]} == {"kpi_" + k for k in all_nan}
    for f in man["figures"]:
        with open(os.path.join(figdir, f["pdf"]), "rb") as fh:
            assert fh.read(5) == b"%PDF-", f["pdf"]
    assert man["kind"] == "index" and man["group_by"] == "topology"
    with h5py.File(index, "r") as f:
        first = f["runs"]["run_id"][0].decode()
    assert man["single_run"]["run_id"] == first


def rates(f):
    msgs = f["signalling/messages"][()].sum(axis=2).astype(float)
    t = f["signalling/time_s"][()]
    width = np.diff(np.append(t, f.attrs["sim_duration_s"]))
    return msgs, msgs / width[:, None], t, width


def check_signalling(h5, man):
    fg = fig(man, "signalling_load")
    with h5py.File(h5, "r") as f:
        msgs, rate, t, _ = rates(f)
        cap = f["signalling/nodes/service_rate_per_s"][()]
    total = msgs.sum(axis=0)
    top = sorted(range(len(total)), key=lambda n: (-total[n], n))[:4]
    data = [s for s in fg["series"] if s["role"] == "messages"]
    caps = [s for s in fg["series"] if s["role"] == "capacity"]
    assert [s["node"] for s in data] == top
    busiest = data[0]
    assert close(busiest["y"][1], rate[:, top[0]].max())
    assert caps, "no capacity lines"
    for s in data:
        assert_range(s["y"], rate[:, s["node"]].min(), rate[:, s["node"]].max(), s["label"])
        assert_range(s["x"], t[0] / 3600, t[-1] / 3600, s["label"])
        assert close(s["total_messages"], total[s["node"]])
    for s in caps:
        assert s["y"] == [cap[s["node"]]] * 2, s
    assert fg["y_units"] == "1/s" and "(1/s)" in fg["y_label"] and "(h)" in fg["x_label"]


def test_signalling_load_extents():
    h5, _, man = single()
    check_signalling(h5, man)
    index, _, man = sweep()
    check_signalling(os.path.join(os.path.dirname(index), "runs",
                                  man["single_run"]["run_id"] + ".h5"), man)


def latency_expect(files, hist="attach_latency_hist"):
    count = None
    for p in files:
        with h5py.File(p, "r") as f:
            c = f[hist + "/count"][()].astype(float)
            lower = f[hist + "/lower_s"][()]
            upper = f[hist + "/upper_s"][()]
        count = c if count is None else count + c
    nz = np.flatnonzero(count)
    share = 100 * count / count.sum()
    return (int(count.sum()), [lower[nz[0]], upper[nz[-1]]],
            [share[nz[0]:nz[-1] + 1].min(), share.max()])


def check_latency_per_topology(name, hist, counted, least):
    """The sweep's latency figure `name`: per topology, the count and the
    extents of the summed /`hist` of its two runs."""
    index, _, man = sweep()
    with h5py.File(index, "r") as f:
        runs = pd.DataFrame(f["runs"][:])
    runs["topology"] = runs.topology.str.decode("ascii")
    fg = fig(man, name)
    assert [s["label"] for s in fg["series"]] == ["arms-length", "blocs"]
    for s in fg["series"]:
        files = [os.path.join(os.path.dirname(index), "runs", i.decode() + ".h5")
                 for i in runs.run_id[runs.topology == s["label"]]]
        assert len(files) == 2
        n, x, y = latency_expect(files, hist)
        assert s[counted] == n > least, (s, n)
        assert_range(s["x"], *x, s["label"])
        assert_range(s["y"], *y, s["label"])
    return fg


def test_attach_latency_extents_per_topology():
    check_latency_per_topology("attach_latency", "attach_latency_hist",
                               "episodes", 0)
    h5, _, man = single()
    s, = fig(man, "attach_latency")["series"]
    n, x, y = latency_expect([h5])
    assert s["label"] == "small-trace" and s["episodes"] == n > 1000
    assert_range(s["x"], *x, "single")
    assert_range(s["y"], *y, "single")


def test_mt_latency_extents_per_topology():
    # 150 trackers x 24 messages a day for an hour, two runs: about 300.
    fg = check_latency_per_topology("mt_latency", "mt_latency_hist",
                                    "messages", 150)
    assert fg["x_label"] == "mobile-terminated delivery latency (s)"


def test_kpi_means_and_intervals_per_topology():
    index, _, man = sweep()
    with h5py.File(index, "r") as f:
        runs = pd.DataFrame(f["runs"][:])
        kpi = pd.DataFrame(f["kpi"][:])
        units = {k[:-6]: v for k, v in f["kpi"].attrs.items() if k.endswith("_units")}
    df = kpi.merge(runs[["run_id", "topology"]], on="run_id")
    df["topology"] = df.topology.str.decode("ascii")
    means = df.drop(columns="run_id").groupby("topology").mean()
    sds = df.drop(columns="run_id").groupby("topology").std(ddof=1)
    counts = df.drop(columns="run_id").groupby("topology").count()
    figs = [f for f in man["figures"] if f["name"].startswith("kpi_")]
    # One figure per KPI but recovery_s (no outage in these runs) and the
    # two that need a whole month.
    assert len(figs) == len(kpi.columns) - 4, (len(figs), kpi.columns)
    assert len(figs) >= 27
    checked = 0
    for fg in figs:
        k = fg["kpi"]
        assert fg["y_units"] == units[k]
        assert [s["label"] for s in fg["series"]] == ["arms-length", "blocs"]
        for s in fg["series"]:
            m, sd, n = means.loc[s["label"], k], sds.loc[s["label"], k], counts.loc[s["label"], k]
            assert s["n"] == n
            if n == 0:
                assert s["mean"] is None
                continue
            assert close(s["mean"], m), (k, s, m)
            if n >= 2:
                half = T975[n - 1] * sd / math.sqrt(n)
                assert close(s["ci95"], half, rel=1e-9, abs_=1e-12), (k, s["ci95"], half)
                checked += 1
        lo = min(min([s["mean"] - (s["ci95"] or 0)] + s["values"])
                 for s in fg["series"] if s["n"])
        hi = max(max([s["mean"] + (s["ci95"] or 0)] + s["values"])
                 for s in fg["series"] if s["n"])
        assert_range(fg["y"], lo, hi, k)
    assert checked >= 30, checked
    a = fig(man, "kpi_attach_success_ratio")
    assert "(ratio)" in a["y_label"] and a["x_label"] == "topology"
    c = fig(man, "kpi_usage_cost_per_device_month_eur")
    assert "(EUR)" in c["y_label"]


def check_billing(h5, man):
    with h5py.File(h5, "r") as f:
        net = f["billing/net_ueur"][()]
        names = [b.decode() for b in f["operators"]["name"]]
    active = [i for i in range(len(names)) if net[i].any() or net[:, i].any()]
    s = fig(man, "settlement")
    assert s["operators"] == [names[i] for i in active] and len(active) >= 2
    pos = net[net > 0] / 1e6
    assert_range(s["z"], pos.min(), pos.max(), "settlement")
    assert s["x"] == [0, len(active) - 1] and s["z_units"] == "EUR"
    bal = (net.sum(axis=0) - net.sum(axis=1)) / 1e6
    b = fig(man, "net_balance")
    assert_range(b["x"], bal[active].min(), bal[active].max(), "balance")
    assert b["x"][0] < 0 < b["x"][1]
    assert b["balances"], "no balances"
    for name, v in b["balances"].items():
        assert close(v, bal[names.index(name)]), name
    assert "(EUR)" in b["x_label"]


def test_settlement_and_balance_extents():
    h5, _, man = single()
    check_billing(h5, man)
    index, _, man = sweep()
    check_billing(os.path.join(os.path.dirname(index), "runs",
                               man["single_run"]["run_id"] + ".h5"), man)


def test_map_trajectories_and_border_crossings():
    h5, _, man = single()
    m = fig(man, "map")
    assert m["credit"] == "Map data: DCW (gmt-dcw)"
    with h5py.File(h5, "r") as f:
        g = f["geography"]
        ny, nx = g["country"].shape
        south, west, dlat, dlon = (g.attrs[k] for k in ("south", "west", "dlat", "dlon"))
        mob = f["classes"]["mobility"]
        dcls = f["devices"]["class"]
        ev = {k: f["trace/events/" + k][()] for k in ("t_ns", "device", "type", "cell")}
    assert 2 <= len(m["devices"]) <= 5
    assert len(m["series"]) == len(m["devices"])
    lats, lons, borders = [], [], 0
    for s in m["series"]:
        d = s["device"]
        assert mob[dcls[d]] == 1, d  # a route device
        sel = ev["device"] == d
        order = np.argsort(ev["t_ns"][sel], kind="stable")
        typ, cell = ev["type"][sel][order], ev["cell"][sel][order]
        cells = np.concatenate([[cell[0]], cell[typ == 5], cell[typ == 6]])
        lat = south + (cells // nx + 0.5) * dlat
        lon = west + (cells % nx + 0.5) * dlon
        assert s["points"] == 1 + (typ == 5).sum()
        assert s["border_events"] == (typ == 6).sum() > 0
        assert_range(s["y"], lat.min(), lat.max(), d)
        assert_range(s["x"], lon.min(), lon.max(), d)
        lats.append(lat)
        lons.append(lon)
        borders += (typ == 6).sum()
    assert m["border_events"] == borders
    assert_range(m["y"], np.concatenate(lats).min(), np.concatenate(lats).max(), "map")
    assert_range(m["x"], np.concatenate(lons).min(), np.concatenate(lons).max(), "map")
    assert_range(m["background"]["x"], west, west + nx * dlon, "bg")
    assert_range(m["background"]["y"], south, south + ny * dlat, "bg")


def check_storm(h5, man, outage):
    s = fig(man, "storm")
    with h5py.File(h5, "r") as f:
        ns = f["signalling/node_series"][()].astype(float)
        kind = f["signalling/nodes/kind"][()]
        t = f["signalling/time_s"][()]
        width = np.diff(np.append(t, f.attrs["sim_duration_s"]))
        dur = f.attrs["sim_duration_s"]
    w0, w1 = (max(0, outage[0] - 1800), min(dur, outage[1] + 7200)) if outage else (0, dur)
    assert_range(s["window_s"], w0, w1, "window")
    win = (t >= w0) & (t < w1)
    after = win & (t >= (outage[0] if outage else 0))
    hss = np.flatnonzero((kind == 1) | (kind == 2))
    node = hss[np.argmax(ns[after][:, hss, 0].max(axis=0))]
    assert s["node"] == node
    by = {x["label"]: x for x in s["series"]}
    for q, k in (("offered", 0), ("served", 1), ("rejected", 2)):
        v = ns[win, node, k] / width[win]
        assert_range(by[q]["y"], v.min(), v.max(), q)
    b = ns[win, node, 4]
    assert_range(by["devices_in_backoff"]["y"], b.min(), b.max(), "backoff")
    assert_range(s["x"], t[win][0] / 3600, t[win][-1] / 3600, "x")
    return s, b


def test_storm_profile_extents():
    h5, _, man = single()
    s, _ = check_storm(h5, man, None)
    assert s["outage"] is None
    h5, figdir, man = outage()
    with h5py.File(h5, "r") as f:
        t = f["signalling/time_s"][()]
        assert f.attrs["sim_duration_s"] - t[-1] == 30 and t[1] - t[0] == 60
    check_signalling(h5, man)
    s, backoff = check_storm(h5, man, (3600, 5400))
    assert s["outage"] == {"kind": "hss_outage", "start_s": 3600, "end_s": 5400}
    assert s["node_name"] == "HSS KPN-NL" and backoff.max() > 0
    # No trace at output level billing: no map, every other figure drawn.
    assert man["skipped"] == [
        {"name": "mt_latency", "reason": "no mobile-terminated message delivered"},
        {"name": "map", "reason": "no /trace (output level is not full)"}]
    check_pngs(figdir, man, SINGLE_FIGS | {"attach_latency"})


def test_bad_input_exits_2():
    bad = os.path.join(WORK, "not-hdf5.h5")
    with open(bad, "w") as f:
        f.write("not a result\n")
    p = sh(["/usr/bin/python3", PLOT, bad, "-o", os.path.join(WORK, "bad")])
    assert p.returncode == 2 and "not-hdf5.h5" in p.stderr, (p.returncode, p.stderr)
    with h5py.File(os.path.join(WORK, "other.h5"), "w") as f:
        f.attrs["format"] = "something-else"
    p = sh(["/usr/bin/python3", PLOT, os.path.join(WORK, "other.h5"), "-o",
            os.path.join(WORK, "bad")])
    assert p.returncode == 2 and "something-else" in p.stderr, p.stderr


@functools.lru_cache(None)
def smoke():
    """The shipped smoke sweep (scenarios/sweep-smoke.yaml: 4 topologies x
    2 replications of the reduced default world) and its figures."""
    out = os.path.join(WORK, "smoke")
    p = sh([BLOCSIM, "sweep", os.path.join(ROOT, "scenarios",
                                           "sweep-smoke.yaml"),
            "-o", out, "-j", "2"], timeout=900)
    assert p.returncode == 0, (p.stdout[-2000:], p.stderr[-2000:])
    index = os.path.join(out, "index.h5")
    figdir, man = plot(index, "smoke")
    return index, figdir, man


def test_smoke_sweep_figures_match_the_files():
    index, figdir, man = smoke()
    with h5py.File(index, "r") as f:
        runs = pd.DataFrame(f["runs"][:])
        kpi = pd.DataFrame(f["kpi"][:])
    df = kpi.merge(runs[["run_id", "topology"]], on="run_id")
    df["topology"] = df.topology.str.decode("ascii")
    means = df.drop(columns="run_id").groupby("topology").mean()
    sds = df.drop(columns="run_id").groupby("topology").std(ddof=1)
    topologies = ["arms-length", "blocs", "grand-alliance", "shared-platform"]
    checked = 0
    for k in ["usage_cost_per_device_month_eur", "reattaches_per_border_crossing",
              "signalling_msgs_per_device_day", "availability"]:
        fg = fig(man, "kpi_" + k)
        assert [s["label"] for s in fg["series"]] == topologies
        for s in fg["series"]:
            assert s["n"] == 2
            assert close(s["mean"], means.loc[s["label"], k]), (k, s)
            half = T975[1] * sds.loc[s["label"], k] / math.sqrt(2)
            assert close(s["ci95"], half, rel=1e-9, abs_=1e-12), (k, s)
            checked += 1
        lo = min(min([s["mean"] - s["ci95"]] + s["values"])
                 for s in fg["series"])
        hi = max(max([s["mean"] + s["ci95"]] + s["values"])
                 for s in fg["series"])
        assert_range(fg["y"], lo, hi, k)
    assert checked == 16
    for name in ["attach_latency", "mt_latency", "signalling_load",
                 "settlement", "net_balance", "storm"]:
        png = os.path.join(figdir, fig(man, name)["png"])
        with open(png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", name
        assert os.path.getsize(png) < 200 * 1024, name
