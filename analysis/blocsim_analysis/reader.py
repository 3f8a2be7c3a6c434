"""Readers for blocsim result files (format "blocsim-result" 2, described
in results/README.md) and sweep indexes ("blocsim-index" 2, docs/sweeps.md).

Everything comes back as pandas or xarray objects:

- byte strings are decoded to ``str``;
- code columns become pandas Categoricals, named by the column's CF
  ``flag_values`` / ``flag_meanings`` attributes when the file has them,
  else by the documented codes (``CODES``, results/README.md);
- row references (operator, country, device rows, ...) stay integers, with
  ``NONE`` (65535) meaning "none";
- units go to ``df.attrs["units"]`` and descriptions to
  ``df.attrs["long_names"]`` (column -> text), from the ``<col>_units`` /
  ``<col>_long_name`` attributes of compound datasets or the ``units`` /
  ``long_name`` attributes of the columns of a column group.

Small tables are read when the file is opened; the large ones (billing
records, the trace) on first use.
"""
import functools
import os

import h5py
import numpy as np
import pandas as pd

NONE = 65535

# Documented codes (results/README.md, "Codes"). A list maps code i to
# item i; a dict maps bit values.
CODES = {
    "relation": ["home", "same_group", "bloc_partner", "arms_length", "none"],
    "path": ["ipx", "direct"],
    "mobility": ["stationary", "route"],
    "radio": {1: "lte-m", 2: "nb-iot", 4: "2g"},
    "node_kind": ["mme", "hss", "platform", "ipx"],
    "record_kind": ["data", "sms", "access_fee"],
    "event_type": ["attach", "tau", "handover", "detach", "report", "cell",
                   "border", "loss", "camp"],
    "event_result": ["ok", "reject", "timeout"],
    "run_status": ["missing", "complete", "failed"],
}

# (dataset, column) -> CODES key.
_DECODE = {
    ("agreements", "relation"): "relation",
    ("agreements", "path"): "path",
    ("classes", "mobility"): "mobility",
    ("classes", "radio"): "radio",
    ("signalling/nodes", "kind"): "node_kind",
    ("billing/records", "kind"): "record_kind",
    ("trace/events", "type"): "event_type",
    ("trace/events", "result"): "event_result",
}

# Column order of the column groups, as documented (h5py lists them
# alphabetically).
_ORDER = {
    "trace/events": ["t_ns", "device", "type", "operator", "peer_operator",
                     "cell", "result"],
    "billing/records": ["t_start_s", "duration_s", "device", "home_op",
                        "visited_op", "kind", "bytes_up", "bytes_down",
                        "charged_kb", "charge_ueur"],
    "attach_latency_hist": ["lower_s", "upper_s", "count"],
    "mt_latency_hist": ["lower_s", "upper_s", "count"],
}


def _text(v):
    """An attribute value as str (h5py gives str or bytes)."""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.dtype.kind == "S" and v.ndim == 0:
        return v.item().decode("utf-8")
    return v


def _attrs(obj):
    out = {}
    for k, v in obj.attrs.items():
        if k in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            continue
        v = _text(v)
        if isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out


def categorical(codes, key):
    """Codes -> pandas Categorical with the documented names of CODES[key].
    An undocumented code raises ValueError (a format change, not data)."""
    names = CODES[key]
    if isinstance(names, dict):
        values, names = list(names), list(names.values())
    else:
        values = list(range(len(names)))
    return flag_categorical(codes, values, " ".join(names))


def _decoded(v):
    """Fixed-length byte strings (null-padded ASCII) -> str."""
    if v.dtype.kind == "S":
        return np.char.decode(v, "ascii").astype(object)
    return v


def flag_categorical(codes, values, meanings):
    """Codes -> Categorical named by CF flag_values / flag_meanings. A code
    that is not a flag value raises ValueError."""
    names = meanings.split()
    values = [int(v) for v in np.asarray(values).ravel()]
    if len(names) != len(values):
        raise ValueError(f"flag_meanings {names} do not match flag_values {values}")
    pos = {v: i for i, v in enumerate(values)}
    codes = np.asarray(codes)
    present = [int(u) for u in np.unique(codes)]
    bad = [u for u in present if u not in pos]
    if bad:
        raise ValueError(f"codes {bad} are not among flag_values {values}")
    lut = np.zeros(max(present, default=0) + 1, dtype=np.int64)
    for u in present:
        lut[u] = pos[u]
    return pd.Categorical.from_codes(lut[codes], names)


def _finish(df, name, units, long_names, flags=None):
    """Decode code columns: by the column's own flag_values/flag_meanings
    when the file has them, else by the documented CODES."""
    flags = flags or {}
    for col in df.columns:
        key = _DECODE.get((name, col))
        if col in flags:
            df[col] = flag_categorical(df[col].to_numpy(), *flags[col])
        elif key:
            df[col] = categorical(df[col].to_numpy(), key)
    df.attrs["units"] = units
    df.attrs["long_names"] = long_names
    return df


def read_compound(ds, name=None):
    """A compound dataset as a DataFrame (one column per field)."""
    name = name or ds.name.strip("/")
    arr = ds[()]
    df = pd.DataFrame({f: _decoded(arr[f]) for f in arr.dtype.names})
    a = _attrs(ds)
    units = {f: a[f + "_units"] for f in arr.dtype.names if f + "_units" in a}
    longs = {f: a[f + "_long_name"] for f in arr.dtype.names
             if f + "_long_name" in a}
    flags = {f: (a[f + "_flag_values"], a[f + "_flag_meanings"])
             for f in arr.dtype.names
             if f + "_flag_values" in a and f + "_flag_meanings" in a}
    df = _finish(df, name, units, longs, flags)
    df.attrs["long_name"] = a.get("long_name", "")
    return df


def _is_scale(ds):
    return _text(ds.attrs.get("CLASS", b"")) == "DIMENSION_SCALE"


def read_columns(g, name=None, columns=None, rows=None):
    """A column group (1-D datasets sharing a row scale) as a DataFrame.
    `columns`: the names to read (default all); `rows`: a boolean mask or
    index array applied to each column."""
    name = name or g.name.strip("/")
    have = [k for k in g if isinstance(g[k], h5py.Dataset) and not _is_scale(g[k])]
    order = [c for c in _ORDER.get(name, []) if c in have]
    order += sorted(c for c in have if c not in order)
    if columns is not None:
        order = [c for c in order if c in columns]
    data, units, longs, flags = {}, {}, {}, {}
    for c in order:
        ds = g[c]
        v = ds[()]
        data[c] = _decoded(v[rows] if rows is not None else v)
        a = _attrs(ds)
        if "units" in a:
            units[c] = a["units"]
        if "long_name" in a:
            longs[c] = a["long_name"]
        if "flag_values" in a and "flag_meanings" in a:
            flags[c] = (a["flag_values"], a["flag_meanings"])
    df = _finish(pd.DataFrame(data), name, units, longs, flags)
    df.attrs["long_name"] = _attrs(g).get("long_name", "")
    return df


class Run:
    """One result file. Open with ``open_run(path)`` or ``Index.run(id)``.

    Tables (DataFrames): devices, operators, countries, cities, classes,
    agreements, blocs, bloc_members, platforms, platform_members,
    kpi_by_class, kpi_by_operator, attach_latency_hist, mt_latency_hist,
    nodes (with a ``name`` column such as "HSS DT-DE"), records and trace
    (None when the output level did not write them). ``kpi`` is a Series.

    Arrays: messages (time_s x node x message_type) and node_series
    (time_s x node x quantity) as xarray DataArrays with the names from
    ``flag_meanings`` as coordinates; settlement and net (DataFrames
    home x visited, operator names, in 1e-6 EUR); geography (xarray
    Dataset on lat x lon). ``bin_width_s`` is each time bin's width.
    """

    def __init__(self, root, path=None, owned=None):
        self._root = root
        self._owned = owned
        self.path = path or root.file.filename
        self.attrs = _attrs(root)
        if self.attrs.get("format") != "blocsim-result":
            raise ValueError(f"{self.path}: not a blocsim result file "
                             f"(format {self.attrs.get('format')!r})")
        _check_version(self.path, self.attrs, RESULT_FORMAT_VERSION)
        self.duration_s = float(self.attrs["sim_duration_s"])
        self.scenario_name = self.attrs.get("scenario_name", "")

    # -- lifetime ------------------------------------------------------
    def close(self):
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __contains__(self, name):
        return name in self._root

    # -- sweep identity (root attributes written by `blocsim sweep`) ----
    @property
    def sweep_params(self):
        """{parameter: value text} of a sweep run; {} for a plain run."""
        text = self.attrs.get("sweep_params") or ""
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    @functools.cached_property
    def scenario(self):
        return _text(self._root["scenario"][()])

    # -- compound tables ------------------------------------------------
    def _table(self, name):
        return read_compound(self._root[name], name)

    devices = functools.cached_property(lambda s: s._table("devices"))
    operators = functools.cached_property(lambda s: s._table("operators"))
    countries = functools.cached_property(lambda s: s._table("countries"))
    cities = functools.cached_property(lambda s: s._table("cities"))
    classes = functools.cached_property(lambda s: s._table("classes"))
    agreements = functools.cached_property(lambda s: s._table("agreements"))
    blocs = functools.cached_property(lambda s: s._table("blocs"))
    bloc_members = functools.cached_property(lambda s: s._table("bloc_members"))
    platforms = functools.cached_property(lambda s: s._table("platforms"))
    platform_members = functools.cached_property(
        lambda s: s._table("platform_members"))
    def _kpi_by(self, name, key, names):
        """Per-class or per-operator KPIs: the row-number column (float64
        in the file) as int, and the class or operator name after it."""
        df = self._table(name)
        df[key] = df[key].astype(np.int64)
        df.insert(1, "name", [names[i] for i in df[key]])
        return df

    kpi_by_class = functools.cached_property(
        lambda s: s._kpi_by("kpi_by_class", "class", s.classes.name.tolist()))
    kpi_by_operator = functools.cached_property(
        lambda s: s._kpi_by("kpi_by_operator", "operator", s.operators.name.tolist()))

    @functools.cached_property
    def kpi(self):
        df = self._table("kpi")
        s = df.iloc[0].astype(float)
        s.name = "kpi"
        s.attrs["units"] = dict(df.attrs["units"])
        return s

    @functools.cached_property
    def attach_latency_hist(self):
        return read_columns(self._root["attach_latency_hist"], "attach_latency_hist")

    @functools.cached_property
    def mt_latency_hist(self):
        """Delivered mobile-terminated messages by latency (same bins)."""
        return read_columns(self._root["mt_latency_hist"], "mt_latency_hist")

    # -- signalling ----------------------------------------------------
    @functools.cached_property
    def nodes(self):
        df = read_columns(self._root["signalling/nodes"], "signalling/nodes")
        ops = self.operators.name.tolist()
        plats = self.platforms.name.tolist()

        def name(kind, op):
            if kind == "mme":
                return "MME " + ops[op]
            if kind == "hss":
                return "HSS " + ops[op]
            if kind == "platform":
                return "platform " + plats[op]
            return "IPX"
        df.insert(0, "name", [name(k, o) for k, o in zip(df.kind, df.op)])
        return df

    @functools.cached_property
    def time_s(self):
        return self._root["signalling/time_s"][()]

    @functools.cached_property
    def bin_width_s(self):
        """Width of each time bin, s (the last one ends at sim_duration_s)."""
        return np.diff(np.append(self.time_s, self.duration_s))

    def _flags(self, scale):
        a = _attrs(self._root["signalling/" + scale])
        names = a["flag_meanings"].split()
        values = [int(v) for v in np.asarray(a["flag_values"]).ravel()]
        codes = self._root["signalling/" + scale][()]
        m = dict(zip(values, names))
        return [m[int(c)] for c in codes]

    def _signalling(self, name, third):
        import xarray as xr
        ds = self._root["signalling/" + name]
        a = _attrs(ds)
        nodes = self.nodes
        return xr.DataArray(
            ds[()], name=name,
            dims=("time_s", "node", third),
            coords={"time_s": ("time_s", self.time_s, {"units": "s"}),
                    "node": nodes.index.to_numpy(),
                    "node_name": ("node", nodes.name.to_numpy()),
                    "node_kind": ("node", nodes.kind.astype(str).to_numpy()),
                    third: self._flags(third)},
            attrs={"units": a.get("units", "1"),
                   "long_name": a.get("long_name", "")})

    messages = functools.cached_property(
        lambda s: s._signalling("messages", "message_type"))
    node_series = functools.cached_property(
        lambda s: s._signalling("node_series", "quantity"))

    # -- billing -------------------------------------------------------
    def _matrix(self, name):
        ds = self._root["billing/" + name]
        names = self.operators.name.tolist()
        df = pd.DataFrame(ds[()], index=pd.Index(names, name="home"),
                          columns=pd.Index(names, name="visited"))
        df.attrs["units"] = _attrs(ds).get("units", "1e-6 EUR")
        return df

    settlement = functools.cached_property(lambda s: s._matrix("settlement_ueur"))
    net = functools.cached_property(lambda s: s._matrix("net_ueur"))

    @functools.cached_property
    def records(self):
        if "billing/records" not in self._root:
            return None
        return read_columns(self._root["billing/records"], "billing/records")

    # -- trace -----------------------------------------------------------
    @property
    def has_trace(self):
        return "trace/events" in self._root

    def trace_events(self, types=None, devices=None, columns=None):
        """Trace events (None without a trace), optionally only those of
        the given types (names or codes) and devices; adds ``t_s``."""
        if not self.has_trace:
            return None
        g = self._root["trace/events"]
        mask = None
        if types is not None:
            names = CODES["event_type"]
            codes = [names.index(t) if isinstance(t, str) else int(t) for t in types]
            mask = np.isin(g["type"][()], codes)
        if devices is not None:
            m = np.isin(g["device"][()], np.asarray(list(devices)))
            mask = m if mask is None else mask & m
        rows = None if mask is None else np.flatnonzero(mask)
        df = read_columns(g, "trace/events", columns=columns, rows=rows)
        if "t_ns" in df:
            df["t_s"] = df.t_ns.to_numpy() / 1e9
            df.attrs["units"]["t_s"] = "s"
        return df

    @functools.cached_property
    def trace(self):
        return self.trace_events()

    # -- geography -------------------------------------------------------
    @functools.cached_property
    def geography(self):
        """xarray Dataset: country, tracking_area, n_covering on (lat, lon),
        with the group's attributes (south, west, dlat, dlon, map_data...)."""
        import xarray as xr
        g = self._root["geography"]
        lat, lon = g["lat"][()], g["lon"][()]
        ds = xr.Dataset(
            {k: (("lat", "lon"), g[k][()], _attrs(g[k]))
             for k in ("country", "tracking_area", "n_covering") if k in g},
            coords={"lat": ("lat", lat, {"units": "degrees_north"}),
                    "lon": ("lon", lon, {"units": "degrees_east"})},
            attrs=_attrs(g))
        return ds

    def cell_centres(self, cells):
        """(lat, lon) arrays of the centres of geography cells
        (c = row * nx + column)."""
        geo = self.geography
        nx = geo.sizes["lon"]
        cells = np.asarray(cells, dtype=np.int64)
        return geo.lat.values[cells // nx], geo.lon.values[cells % nx]


def open_run(path):
    """Open a result file (a Run; use as a context manager or close())."""
    f = h5py.File(path, "r")
    try:
        return Run(f, path=os.fspath(path), owned=f)
    except Exception:
        f.close()
        raise


class Index:
    """A sweep index (DIR/index.h5).

    - ``runs``: one row per run in canonical order (run_id, replication,
      seed, status as a Categorical, wall_s, then one column per swept
      parameter, listed in ``params``);
    - ``kpi``: one row per complete run, the run columns followed by the
      KPI columns (units in ``kpi.attrs["units"]``);
    - ``run(run_id)``: the run's result file, opened through the index's
      external link ``/run/<run_id>``.
    """

    _FIXED = ("run_id", "replication", "seed", "status", "wall_s")

    def __init__(self, path):
        self.path = os.fspath(path)
        self._file = h5py.File(path, "r")
        self.attrs = _attrs(self._file)
        if self.attrs.get("format") != "blocsim-index":
            self._file.close()
            raise ValueError(f"{path}: not a blocsim sweep index "
                             f"(format {self.attrs.get('format')!r})")
        try:
            _check_version(path, self.attrs, INDEX_FORMAT_VERSION)
        except ValueError:
            self._file.close()
            raise
        runs = read_compound(self._file["runs"], "runs")
        runs["status"] = categorical(
            runs.status.map({n: i for i, n in enumerate(CODES["run_status"])})
            .to_numpy(), "run_status")
        self.runs = runs
        self.params = [c for c in runs.columns if c not in self._FIXED]
        kpi = read_compound(self._file["kpi"], "kpi")
        units = dict(runs.attrs["units"], **kpi.attrs["units"])
        merged = runs.merge(kpi, on="run_id", how="inner", validate="1:1")
        merged.attrs["units"] = units
        merged.attrs["kpi_columns"] = [c for c in kpi.columns if c != "run_id"]
        self.kpi = merged

    @property
    def complete_run_ids(self):
        return self.runs.run_id[self.runs.status == "complete"].tolist()

    def run(self, run_id):
        """The result file of a run, through /run/<run_id> (relative to
        the index, so the sweep directory can be moved)."""
        g = self._file["run"][run_id]
        return Run(g, path=g.file.filename, owned=g.file)

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


RESULT_FORMAT_VERSION = 2
INDEX_FORMAT_VERSION = 2


def _check_version(path, attrs, want):
    """Refuse a file of another format version: KPIs changed meaning in
    version 2 (attach_success_ratio counts episodes, steering apart;
    attach latency stops while no candidate exists), so a version 1 file
    cannot be compared with a version 2 one."""
    got = attrs.get("format_version")
    if got is None or int(got) != want:
        raise ValueError(
            f"{path}: {attrs.get('format')} format_version {got}, this "
            f"reader reads {want} only (version 1 defined "
            f"attach_success_ratio and attach latency differently; run "
            f"the scenario again with this blocsim)")


def open_index(path):
    """Open a sweep index (an Index; use as a context manager or close())."""
    return Index(path)
