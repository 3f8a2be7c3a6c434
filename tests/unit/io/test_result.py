#!/usr/bin/python3
"""The result file of `blocsim run` (io/result.c, format version 1) read
back as a user would: h5py and pandas for the tables, xarray for the
signalling arrays. Root attributes, the devices table and its time
identity, the books (settlement = the sum of the records, one access fee
per SIM, visited network and local month), no HDF5 enums, a dimension
scale on every axis, and what each output level holds."""
import atexit
import calendar
import os
import re
import shutil
import subprocess
import tempfile

import h5py
import numpy as np
import pandas as pd
import xarray as xr

BLOCSIM, DATA = ARGS  # noqa: F821 (set by taprun.py)
BLOCSIM = os.path.abspath(BLOCSIM)
MINI = os.path.abspath(os.path.join(DATA, "mini.yaml"))
LEVELS = ("summary", "billing", "full")
DEVICE_COLUMNS = ["id", "class", "home_op", "attaches_ok", "attaches_failed",
                  "handovers", "border_crossings", "roaming_s",
                  "no_service_s", "bytes_up", "bytes_down", "charge_ueur"]
# Two days from 11:00 UTC on 31 January: every operator's local month
# changes during the run, so SIMs abroad owe a second access fee.
MONTH_EDGE = ["--set", "run.start=2026-01-31T11:00:00Z",
              "--set", "run.duration_s=172800"]

_dir = tempfile.mkdtemp(prefix="bsim-result-")
atexit.register(shutil.rmtree, _dir, ignore_errors=True)
_files = {}


def result(level="billing", extra=()):
    """The result of mini.yaml at an output level (each run once)."""
    key = (level, tuple(extra))
    if key not in _files:
        out = os.path.join(_dir, f"mini-{level}-{len(_files)}.h5")
        p = subprocess.run([BLOCSIM, "run", MINI, "-o", out, "--quiet",
                            "--output", level, *extra],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, (level, extra, p.stderr)
        assert os.path.isfile(out) and not os.path.exists(out + ".tmp")
        _files[key] = out
    return _files[key]


def columns(group):
    """A group of 1-D columns as a DataFrame."""
    cols = {k: group[k][:] for k in group
            if isinstance(group[k], h5py.Dataset)}
    n = {len(v) for v in cols.values()}
    assert len(n) == 1, {k: len(v) for k, v in cols.items()}
    return pd.DataFrame(cols)


def test_root_attributes():
    version = subprocess.run([BLOCSIM, "--version"], capture_output=True,
                             text=True, check=True).stdout.split()[1]
    for level in LEVELS:
        with h5py.File(result(level), "r") as f:
            a = f.attrs
            want = {"format": "blocsim-result", "blocsim_version": version,
                    "scenario_name": "mini", "engine": "native/ladder",
                    "status": "complete", "output_level": level}
            for k, v in want.items():
                assert isinstance(a[k], str), (k, type(a[k]))
                assert a[k] == v, (k, a[k], v)
            for k in ("rng_scheme", "host"):
                assert isinstance(a[k], str) and a[k], (k, a[k])
            assert a["rng_scheme"].startswith("philox"), a["rng_scheme"]
            assert a["format_version"] == 2
            assert a["format_version"].dtype.kind == "i"
            assert a["seed"] == 42 and a["seed"].dtype.kind == "u"
            assert a["events_executed"].dtype.kind == "u"
            assert a["events_executed"] > 100000, a["events_executed"]
            assert a["sim_duration_s"].dtype == np.float64
            assert a["sim_duration_s"] == 86400.0
            assert a["wall_seconds"].dtype == np.float64
            assert 0 < a["wall_seconds"] < 60, a["wall_seconds"]
            text = f["scenario"][()].decode()
            assert re.search(r"^name: mini$", text, re.M), text[:200]
            assert re.search(r"^  seed: 42$", text, re.M)
            assert re.search(rf"^  output: {level}$", text, re.M)


def test_the_devices_table():
    with h5py.File(result(), "r") as f:
        dur = float(f.attrs["sim_duration_s"])
        dev = pd.DataFrame(f["devices"][:])
        classes = pd.DataFrame(f["classes"][:])
        nop = f["operators"].shape[0]
    assert len(dev) == 1000
    for c in DEVICE_COLUMNS + ["home_s"]:
        assert c in dev.columns, (c, list(dev.columns))
    assert (dev["id"].to_numpy() == np.arange(1000)).all()
    assert list(classes["name"]) == [b"meter", b"tracker"]
    assert list(classes["count"]) == [800, 200]
    assert (dev["class"].value_counts().sort_index().to_list() ==
            [800, 200])
    assert dev["home_op"].between(0, nop - 1).all()
    assert dev["charge_ueur"].dtype == np.int64
    total = dev["home_s"] + dev["roaming_s"] + dev["no_service_s"]
    err = (total - dur).abs()
    assert err.max() <= 1e-6, dev.loc[err.idxmax()]
    for c in ("home_s", "roaming_s", "no_service_s"):
        assert (dev[c] >= 0).all(), c
    # Something happened: trackers crossed the NL-DE border and
    # registered on the way; most meters were served all day.
    trk = dev[dev["class"] == 1]
    assert (trk["border_crossings"] > 0).all()
    assert (trk["attaches_ok"] > 0).all()
    assert (dev["no_service_s"] < 0.01 * dur).mean() > 0.9
    assert dev["bytes_up"].sum() > 0 and dev["roaming_s"].sum() > 0


def check_books(path):
    with h5py.File(path, "r") as f:
        dev = pd.DataFrame(f["devices"][:])
        rec = columns(f["billing/records"])
        settle = f["billing/settlement_ueur"][()]
        net = f["billing/net_ueur"][()]
        ops = pd.DataFrame(f["operators"][:])
        countries = pd.DataFrame(f["countries"][:])
        agr = pd.DataFrame(f["agreements"][:])
        text = f["scenario"][()].decode()
    nop = len(ops)
    assert settle.shape == net.shape == (nop, nop)
    assert settle.dtype == np.int64 and net.dtype == np.int64
    assert rec["charge_ueur"].dtype == np.int64
    assert len(rec) > 0 and (rec["kind"] == 2).any()
    assert set(rec["kind"].unique()) <= {0, 1, 2}
    assert (rec["charge_ueur"] >= 0).all()
    # Settlement: the per-pair sums of the records, exactly.
    want = np.zeros((nop, nop), dtype=np.int64)
    for (h, v), s in rec.groupby(["home_op", "visited_op"])["charge_ueur"]:
        want[h, v] = s.sum()
    assert (settle == want).all(), (settle, want)
    assert (np.diag(settle) == 0).all(), "a home network billed itself"
    # Netting moves no money: what each pair owes on balance is kept.
    assert (net >= 0).all() and (net <= settle).all(), (net, settle)
    assert ((net - net.T) == (settle - settle.T)).all(), (net, settle)
    # The devices' charges and record counts are their records'.
    assert dev["charge_ueur"].sum() == rec["charge_ueur"].sum() == \
        settle.sum()
    assert len(rec) == dev["records"].sum()
    by_dev = rec.groupby("device")["charge_ueur"].sum()
    got = dev.set_index("id")["charge_ueur"]
    assert (got.reindex(by_dev.index) == by_dev).all()
    assert got.drop(by_dev.index).eq(0).all()
    n_by_dev = rec.groupby("device").size()
    assert (dev.set_index("id")["records"].reindex(n_by_dev.index) ==
            n_by_dev).all()
    # A record's home is the device's, at the start or at the end.
    d = dev.set_index("id").loc[rec["device"]]
    h = rec["home_op"].to_numpy()
    assert ((d["home_op"].to_numpy() == h) |
            (d["home_op_initial"].to_numpy() == h)).all()
    assert (rec["visited_op"] != rec["home_op"]).all()
    # Access fees: the agreed fee, at most once per SIM, visited network
    # and local calendar month of the visited network.
    fee = rec[rec["kind"] == 2].copy()
    terms = agr.set_index(["home", "visited"])["access_fee_ueur"]
    agreed = terms.loc[list(zip(fee["home_op"], fee["visited_op"]))]
    assert (fee["charge_ueur"].to_numpy() == agreed.to_numpy()).all()
    assert (fee["charge_ueur"] > 0).all()
    start = re.search(r"^  start: (\S+)$", text, re.M).group(1)
    t0 = calendar.timegm(
        pd.Timestamp(start).tz_convert("UTC").timetuple())
    offset = countries["utc_offset_min"].to_numpy()[
        ops["country"].to_numpy()[fee["visited_op"].to_numpy()]]
    local = pd.to_datetime(
        t0 + np.floor(fee["t_start_s"].to_numpy()).astype(np.int64) +
        offset.astype(np.int64) * 60, unit="s")
    fee["month"] = local.year * 12 + local.month - 1
    dup = fee.groupby(["device", "visited_op", "month"]).size()
    assert dup.max() == 1, dup[dup > 1].head()
    return fee


def test_the_books_balance():
    fee = check_books(result("billing"))
    assert fee["month"].nunique() == 1


def test_the_books_balance_across_a_month_edge():
    fee = check_books(result("billing", MONTH_EDGE))
    # Fees in both months, and SIMs charged in each.
    assert fee["month"].nunique() == 2, fee["month"].unique()
    twice = fee.groupby(["device", "visited_op"]).size()
    assert (twice == 2).any(), twice.value_counts()


def test_signalling_opens_in_xarray():
    path = result()
    with xr.open_dataset(path, group="signalling") as ds:
        assert "messages" in ds.data_vars and "node_series" in ds.data_vars
        assert ds["messages"].dims == ("time_s", "node", "message_type")
        assert ds["node_series"].dims == ("time_s", "node", "quantity")
        assert ds.sizes["time_s"] == 1440 and ds.sizes["quantity"] == 5
        t = ds["time_s"].to_numpy()
        assert (t == np.arange(1440) * 60.0).all()
        total = int(ds["messages"].sum())
        per_node = ds["messages"].sum(dim=("time_s", "message_type"))
        per_node = per_node.to_numpy().astype(np.int64)
    with h5py.File(path, "r") as f:
        nodes = f["signalling/nodes/messages"][:].astype(np.int64)
        assert f["signalling/messages"].shape[1] == len(nodes)
    assert total > 0 and total == nodes.sum(), (total, nodes.sum())
    assert (per_node == nodes).all(), (per_node, nodes)


def enum_types(tid, where, found):
    if isinstance(tid, h5py.h5t.TypeEnumID):
        found.append(where)
    elif isinstance(tid, h5py.h5t.TypeCompoundID):
        for i in range(tid.get_nmembers()):
            enum_types(tid.get_member_type(i),
                       f"{where}.{tid.get_member_name(i).decode()}", found)
    elif isinstance(tid, (h5py.h5t.TypeArrayID, h5py.h5t.TypeVlenID)):
        enum_types(tid.get_super(), where + "[]", found)


def test_no_enum_types_anywhere():
    for level in LEVELS:
        found, seen = [], []
        with h5py.File(result(level), "r") as f:
            def attrs(name, obj):
                for a in obj.attrs:
                    enum_types(obj.attrs.get_id(a).get_type(),
                               f"{name}@{a}", found)
                    seen.append(a)

            def visit(name, obj):
                attrs(name, obj)
                if isinstance(obj, h5py.Dataset):
                    enum_types(obj.id.get_type(), name, found)
                    if obj.dtype.names:
                        for n in obj.dtype.names:
                            assert h5py.check_enum_dtype(obj.dtype[n]) \
                                is None, (name, n)
                    assert h5py.check_enum_dtype(obj.dtype) is None, name
                    seen.append(name)
            attrs("/", f)
            f.visititems(visit)
        assert not found, (level, found)
        assert len(seen) > 100, len(seen)


def test_every_axis_has_a_dimension_scale():
    scales = {}
    with h5py.File(result("full"), "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.ndim < 1:
                return
            if obj.ndim == 1 and (obj.dtype.names or h5py.h5ds.is_scale(obj.id)):
                return  # compound tables and the scales themselves
            for i in range(obj.ndim):
                dim = obj.dims[i]
                assert len(dim) >= 1, (name, i, "no scale")
                assert dim[0].shape == (obj.shape[i],), \
                    (name, i, dim[0].shape, obj.shape)
            scales[name] = [obj.dims[i][0].name for i in range(obj.ndim)]
        f.visititems(visit)
    multi = [n for n, s in scales.items() if len(s) > 1]
    assert sorted(multi) == sorted([
        "billing/net_ueur", "billing/settlement_ueur",
        "geography/country", "geography/n_covering",
        "geography/tracking_area", "signalling/messages",
        "signalling/node_series"]), sorted(multi)
    assert scales["signalling/messages"] == [
        "/signalling/time_s", "/signalling/node", "/signalling/message_type"]
    assert scales["billing/settlement_ueur"] == [
        "/billing/home_op", "/billing/visited_op"]
    assert scales["geography/country"] == ["/geography/lat",
                                           "/geography/lon"]
    # Table columns share their table's row scale.
    assert scales["billing/records/charge_ueur"] == ["/billing/records/record"]
    assert scales["trace/events/t_ns"] == ["/trace/events/event"]


def test_output_levels():
    trace_cols = ["t_ns", "device", "type", "operator", "peer_operator",
                  "cell", "result"]
    files = {lv: result(lv) for lv in LEVELS}
    with h5py.File(files["summary"], "r") as s, \
            h5py.File(files["billing"], "r") as b, \
            h5py.File(files["full"], "r") as f:
        assert "billing/records" not in s and "trace" not in s
        assert "billing/settlement_ueur" in s and "devices" in s
        assert "billing/records" in b and "trace" not in b
        assert b["billing/records/charge_ueur"].shape[0] > 0
        assert "billing/records" in f and "trace/events" in f
        ev = f["trace/events"]
        for c in trace_cols:
            assert c in ev and ev[c].ndim == 1, c
        tr = columns(ev)
        assert len(tr) > 1000, len(tr)
        t = tr["t_ns"].to_numpy()
        assert t.dtype == np.uint64
        assert (np.diff(t.astype(np.int64)) >= 0).all()
        assert t[-1] <= 86400 * 10**9
        assert tr["device"].max() < 1000
        assert set(tr["type"].unique()) <= set(range(9))
        assert set(tr["result"].unique()) <= {0, 1, 2}
        assert (tr["type"] == 0).any() and (tr["type"] == 4).any()
        # The output level changes what is written, not what happens.
        for name in ("devices", "kpi", "billing/settlement_ueur",
                     "signalling/messages"):
            want = s[name][()].tobytes()
            assert b[name][()].tobytes() == want, name
            assert f[name][()].tobytes() == want, name
        for c in b["billing/records"]:
            assert (b["billing/records"][c][:] ==
                    f["billing/records"][c][:]).all(), c


def test_h5dump_reads_the_file():
    h5dump = shutil.which("h5dump")
    if not h5dump:
        raise Skip("h5dump is not on PATH")  # noqa: F821 (set by taprun.py)
    for level in LEVELS:
        p = subprocess.run([h5dump, "-H", result(level)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, (level, p.stderr[-2000:])
        assert 'DATASET "devices"' in p.stdout
