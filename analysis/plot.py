#!/usr/bin/python3
"""Paper-column figures from a blocsim result file or sweep index.

usage: plot.py INPUT -o DIR [--pdf]

INPUT is a run file (blocsim run) or a sweep's index.h5. For an index,
the per-topology figures (attach latency, KPIs with 95 % confidence
intervals) use every complete run and the single-run figures (signalling
load, settlement, balances, map, storm) the first complete run in the
sweep's order. Writes DIR/<figure>.png (and .pdf with --pdf), prints each
path written, and writes DIR/figures.json: for each figure, the data
extents it plotted (x, y and per series) and what it was drawn from.
Exit status: 0 done, 2 bad input.
"""
import argparse
import itertools
import json
import math
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.colors import ListedColormap, LogNorm, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402
from matplotlib.transforms import offset_copy  # noqa: E402

from blocsim_analysis import mean_ci, open_index, open_run  # noqa: E402

# Okabe & Ito (2008), ordered for lines on white (yellow last).
OKABE_ITO = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2",
             "#D55E00", "#CC79A7", "#F0E442"]
WIDTH_IN = 3.5
DPI = 300
MAX_PNG = 200_000
TOP_NODES = 4
MAX_MATRIX_OPS = 20
MAP_DEVICES = 5
DCW_CREDIT = "Map data: DCW (gmt-dcw)"

plt.rcParams.update({
    "font.size": 7, "axes.titlesize": 7.5, "axes.labelsize": 7,
    "xtick.labelsize": 6, "ytick.labelsize": 6, "legend.fontsize": 6,
    "lines.linewidth": 1.0, "axes.linewidth": 0.6,
    "xtick.major.width": 0.6, "ytick.major.width": 0.6,
    "axes.prop_cycle": cycler(color=OKABE_ITO),
    "axes.spines.top": False, "axes.spines.right": False,
    "legend.frameon": False, "savefig.dpi": DPI, "pdf.fonttype": 42,
    "figure.constrained_layout.use": True,
})


def extent(*arrays):
    """[min, max] of the finite values, or None."""
    vals = [np.asarray(a, dtype=float).ravel() for a in arrays]
    v = np.concatenate(vals) if vals else np.array([])
    v = v[np.isfinite(v)]
    return [float(v.min()), float(v.max())] if v.size else None


def union(exts):
    exts = [e for e in exts if e]
    return [min(e[0] for e in exts), max(e[1] for e in exts)] if exts else None


def jsonable(o):
    if isinstance(o, dict):
        return {k: jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [jsonable(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (float, np.floating)):
        return None if not math.isfinite(o) else float(o)
    return o


def unit_label(name, unit):
    """Axis text 'name (unit)'; '1' is a ratio or a count."""
    if unit in (None, "", "1"):
        ratio = any(w in name for w in ("ratio", "availability", "utilisation",
                                        "per_border_crossing"))
        unit = "ratio" if ratio else "count"
    return textwrap.fill(f"{name.replace('_', ' ')} ({unit})", 30)


class InputError(Exception):
    """The input cannot be plotted (exit status 2)."""


class Output:
    """Saves figures (PNG, optional PDF) and collects the manifest."""

    def __init__(self, directory, pdf):
        self.dir, self.pdf = directory, pdf
        self.figures, self.skipped = [], []
        os.makedirs(directory, exist_ok=True)

    def save(self, fig, name, meta):
        png = os.path.join(self.dir, name + ".png")
        for dpi in (DPI, 240, 200, 150):
            fig.savefig(png, dpi=dpi)
            if os.path.getsize(png) < MAX_PNG:
                break
        meta = dict(name=name, png=name + ".png", dpi=dpi, **meta)
        print(png)
        if self.pdf:
            pdf = os.path.join(self.dir, name + ".pdf")
            fig.savefig(pdf)
            meta["pdf"] = name + ".pdf"
            print(pdf)
        plt.close(fig)
        self.figures.append(meta)

    def skip(self, name, reason):
        self.skipped.append({"name": name, "reason": reason})

    def write(self, header):
        path = os.path.join(self.dir, "figures.json")
        with open(path, "w") as f:
            json.dump(jsonable(dict(header, figures=self.figures,
                                    skipped=self.skipped)), f, indent=1)
        print(path)


def legend_below(ax, handles, labels, ncol, drop_pt=30):
    """A legend under the axes (constrained layout makes room for it)."""
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-drop_pt, units="points")
    ax.legend(handles, labels, loc="upper center", ncol=ncol,
              bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
              borderaxespad=0.0, handlelength=1.8, columnspacing=1.2)


def colours(n, skip_black=False):
    pal = OKABE_ITO[1:] + OKABE_ITO[:1] if skip_black else OKABE_ITO
    return [pal[i % len(pal)] for i in range(n)]


# -- signalling load -------------------------------------------------------

def fig_signalling(run, out):
    msgs = run.messages.values.sum(axis=2).astype(float)  # time x node
    rate = msgs / run.bin_width_s[:, None]
    total = msgs.sum(axis=0)
    order = np.argsort(-total, kind="stable")
    top = [int(n) for n in order[:TOP_NODES] if total[n] > 0]
    nodes = run.nodes
    t_h = run.time_s / 3600.0
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.7))
    series = []
    for c, n in zip(colours(len(top)), top):
        name = nodes.name[n]
        cap = float(nodes.service_rate_per_s[n])
        ax.plot(t_h, rate[:, n], color=c, drawstyle="steps-post", label=name)
        ax.axhline(cap, color=c, ls="--", lw=0.8)
        series.append({"label": name, "node": n, "role": "messages",
                       "x": extent(t_h), "y": extent(rate[:, n]),
                       "total_messages": float(total[n])})
        series.append({"label": name + " capacity", "node": n,
                       "role": "capacity", "x": extent(t_h), "y": [cap, cap]})
    ys = [s["y"] for s in series]
    pos = rate[:, top][rate[:, top] > 0] if top else np.array([])
    if pos.size:
        ax.set_yscale("log")
        hi = max(e[1] for e in ys)
        ax.set_ylim(pos.min() / 2, hi * 3)
    ax.set_xlim(t_h[0], run.duration_s / 3600.0)
    ax.set_xlabel("time since start (h)")
    ax.set_ylabel("messages per second (1/s)")
    ax.set_title(f"Signalling load, top {len(top)} nodes by messages")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="0.4", ls="--", lw=0.8))
    labels.append("service rate (transactions/s)")
    legend_below(ax, handles, labels, 2)
    out.save(fig, "signalling_load", {
        "title": ax.get_title(), "x_label": ax.get_xlabel(),
        "y_label": ax.get_ylabel(), "x_units": "h", "y_units": "1/s",
        "x": union(s["x"] for s in series), "y": union(ys),
        "y_log": ax.get_yscale() == "log", "series": series})


# -- attach latency ----------------------------------------------------------

# The two latency distributions: (figure, what is counted, axis label,
# title).
LATENCY_FIGS = {
    "attach_latency_hist": ("attach_latency", "episodes",
                            "attach latency (s)", "Attach latency distribution"),
    "mt_latency_hist": ("mt_latency", "messages",
                        "mobile-terminated delivery latency (s)",
                        "Downlink delivery latency"),
}


def fig_latency(groups, out, source, hist="attach_latency_hist"):
    """groups: [(label, DataFrame lower_s/upper_s/count summed)]. Each line
    is the share of a configuration's episodes (or messages) in each
    histogram bin; the x axis spans the whole decades around the non-empty
    bins. The MT figure is skipped when no message was delivered."""
    name, what, xlabel, title = LATENCY_FIGS[hist]
    if hist != "attach_latency_hist" and not any(
            h["count"].sum() for _, h in groups):
        out.skip(name, "no mobile-terminated message delivered")
        return
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.5))
    counts = [h["count"].to_numpy(dtype=float) for _, h in groups]
    nz = np.flatnonzero(np.sum(counts, axis=0)) if counts else np.array([])
    series = []
    for c, (label, h), count in zip(colours(len(groups)), groups, counts):
        tot = count.sum()
        if tot == 0:
            series.append({"label": label, what: 0, "x": None, "y": None})
            ax.plot([], [], color=c, label=f"{label} (no {what})")
            continue
        share = 100.0 * count / tot
        lower, upper = h.lower_s.to_numpy(), h.upper_s.to_numpy()
        ax.stairs(share, np.append(lower, upper[-1]), color=c, lw=1.1,
                  baseline=None, label=f"{label} (n = {int(tot):,})")
        own = np.flatnonzero(count)
        series.append({"label": label, what: int(tot),
                       "x": [float(lower[own[0]]), float(upper[own[-1]])],
                       "y": extent(share[own[0]:own[-1] + 1])})
    ax.set_xscale("log")
    if nz.size:
        lo = groups[0][1].lower_s.to_numpy()[nz[0]]
        hi = groups[0][1].upper_s.to_numpy()[nz[-1]]
        ax.set_xlim(10 ** math.floor(math.log10(lo) + 1e-9),
                    10 ** math.ceil(math.log10(hi) - 1e-9))
    else:
        ax.text(0.5, 0.5, f"no {what}", ha="center",
                va="center", transform=ax.transAxes)
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    # Headroom above the highest bin for the legend.
    top = max((s["y"][1] for s in series if s["y"]), default=0)
    ax.set_ylim(0, top * 1.5 if top > 0 else 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"share of {what} per bin (%)")
    ax.set_title(title)
    ax.legend(loc="upper right")
    out.save(fig, name, {
        "title": ax.get_title(), "x_label": ax.get_xlabel(),
        "y_label": ax.get_ylabel(), "x_units": "s", "y_units": "%",
        "x": union(s["x"] for s in series), "y": union(s["y"] for s in series),
        "extents": "x: lower edge of the first non-empty bin to upper edge "
                   "of the last; y: share per bin (%) between them",
        "source": source, "series": series})


# -- KPIs per topology -------------------------------------------------------

def fig_kpis(kpi, group_col, order, out):
    units = kpi.attrs["units"]
    cols = kpi.attrs["kpi_columns"]
    cs = colours(len(order))
    for name in cols:
        v = kpi[name].to_numpy(dtype=float)
        if not np.isfinite(v).any():
            out.skip("kpi_" + name, "NaN in every run")
            continue
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.3))
        series = []
        for i, (g, c) in enumerate(zip(order, cs)):
            vals = kpi.loc[kpi[group_col] == g, name].to_numpy(dtype=float)
            mean, half, n = mean_ci(vals)
            fin = vals[np.isfinite(vals)]
            jit = np.linspace(-0.12, 0.12, fin.size) if fin.size > 1 else np.zeros(fin.size)
            ax.plot(i + 0.22 + jit * 0.5, fin, ls="none", marker="o", ms=2.2,
                    mfc="none", mec="0.55", mew=0.5)
            if not n:
                ax.text(i, 0.5, "no value\n(NaN)", transform=ax.get_xaxis_transform(),
                        ha="center", va="center", fontsize=5.5, color="0.4")
            else:
                ax.errorbar([i], [mean], yerr=None if math.isnan(half) else [[half], [half]],
                            fmt="o", color=c, ms=3.5, capsize=2.5, elinewidth=1.0)
            lo = mean - half if not math.isnan(half) else mean
            hi = mean + half if not math.isnan(half) else mean
            series.append({"label": g, "n": n, "mean": mean, "ci95": half,
                           "values": fin.tolist(),
                           "y": extent([lo, hi] if n else [], fin)})
        rotate = max(len(o) for o in order) > 12
        ax.set_xticks(range(len(order)), order, rotation=20 if rotate else 0,
                      ha="right" if rotate else "center")
        ax.set_xlim(-0.5, len(order) - 0.5)
        ax.set_xlabel(group_col)
        ax.set_ylabel(unit_label(name, units.get(name)))
        ax.set_title(textwrap.fill(name.replace("_", " "), 48))
        handles = [Line2D([], [], color="0.2", marker="o", ms=3.5, ls="-", lw=1.0),
                   Line2D([], [], ls="none", marker="o", ms=2.2, mfc="none",
                          mec="0.55", mew=0.5)]
        legend_below(ax, handles, ["mean ± 95 % CI (Student t)", "replications"],
                     2, drop_pt=44 if rotate else 30)
        out.save(fig, "kpi_" + name, {
            "title": ax.get_title(), "x_label": ax.get_xlabel(),
            "y_label": ax.get_ylabel(), "kpi": name, "y_units": units.get(name),
            "x": [0, len(order) - 1], "y": union(s["y"] for s in series),
            "series": series})


# -- settlement and balances -------------------------------------------------

def active_ops(net):
    return np.flatnonzero((net != 0).any(axis=0) | (net != 0).any(axis=1))


def fig_settlement(run, out):
    net = run.net.to_numpy()
    names = run.net.index.tolist()
    act = active_ops(net)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 3.4))
    flow = net.sum(axis=0) + net.sum(axis=1)
    keep = sorted(act[np.argsort(-flow[act], kind="stable")][:MAX_MATRIX_OPS])
    meta = {"matrix": "/billing/net_ueur", "z_units": "EUR",
            "operators_with_flow": len(act), "operators": [names[i] for i in keep]}
    ax.set_title("Net settlement, home pays visited")
    if not keep:
        ax.text(0.5, 0.5, "no roaming charges", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        meta.update(x=None, y=None, z=None)
    else:
        sub = net[np.ix_(keep, keep)] / 1e6
        pos = sub[sub > 0]
        z = np.ma.masked_less_equal(sub, 0)
        norm = (LogNorm(pos.min(), pos.max()) if pos.size and pos.max() > pos.min()
                else Normalize(0, pos.max() if pos.size else 1))
        ax.set_facecolor("0.93")
        im = ax.imshow(z, cmap="cividis", norm=norm, interpolation="nearest")
        lab = [names[i] for i in keep]
        fs = 6 if len(keep) <= 10 else 4.5
        ax.set_xticks(range(len(keep)), lab, rotation=90, fontsize=fs)
        ax.set_yticks(range(len(keep)), lab, fontsize=fs)
        ax.set_xlabel("visited operator (receives)")
        ax.set_ylabel("home operator (pays)")
        for s in ax.spines.values():
            s.set_visible(False)
        cb = fig.colorbar(im, ax=ax, shrink=0.8, pad=0.02)
        cb.set_label("net amount (EUR)")
        cb.ax.tick_params(labelsize=5.5)
        if len(keep) < len(act):
            ax.set_title(f"Net settlement, home pays visited\n"
                         f"top {len(keep)} of {len(act)} operators by flow")
        meta.update(x=[0, len(keep) - 1], y=[0, len(keep) - 1],
                    z=extent(pos), x_label=ax.get_xlabel(),
                    y_label=ax.get_ylabel(), zero_cells="grey")
    meta["title"] = ax.get_title()
    out.save(fig, "settlement", meta)


def fig_balances(run, out):
    net = run.net.to_numpy().astype(float)
    names = run.net.index.tolist()
    bal = (net.sum(axis=0) - net.sum(axis=1)) / 1e6  # received - paid
    act = active_ops(net)
    keep = act[np.argsort(-np.abs(bal[act]), kind="stable")][:MAX_MATRIX_OPS]
    keep = keep[np.argsort(bal[keep], kind="stable")]
    k = len(keep)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, max(2.0, 0.7 + 0.13 * k)))
    ax.barh(range(k), bal[keep], height=0.7,
            color=["#009E73" if b >= 0 else "#D55E00" for b in bal[keep]])
    ax.axvline(0, color="0.3", lw=0.6)
    ax.set_yticks(range(k), [names[i] for i in keep], fontsize=6 if k <= 12 else 5)
    ax.set_xlabel("net balance (EUR)")
    ax.set_ylabel("operator")
    title = "Net balance per operator (received − paid)"
    if k < len(act):
        title += f"\ntop {k} of {len(act)} by size"
    ax.set_title(title)
    ax.legend([plt.Rectangle((0, 0), 1, 1, color="#009E73"),
               plt.Rectangle((0, 0), 1, 1, color="#D55E00")],
              ["net receiver", "net payer"], loc="upper left")
    out.save(fig, "net_balance", {
        "title": title, "x_label": ax.get_xlabel(), "y_label": ax.get_ylabel(),
        "x_units": "EUR", "x": extent(bal[keep]) if k else None,
        "y": [0, k - 1] if k else None,
        "balances": {names[i]: float(bal[i]) for i in keep}})


# -- map -----------------------------------------------------------------------

def country_colours(grid, n_countries):
    """Greedy colouring of the countries so that neighbours differ."""
    pastel = ["#F3E3C3", "#D3E8F5", "#CFEBDD", "#E5DCEC", "#F6D9CF", "#E9E9C9",
              "#DADADA"]
    adj = [set() for _ in range(n_countries)]
    for a, b in ((grid[:, :-1], grid[:, 1:]), (grid[:-1, :], grid[1:, :])):
        m = (a != b) & (a < n_countries) & (b < n_countries)
        for x, y in set(zip(a[m].tolist(), b[m].tolist())):
            adj[x].add(y)
            adj[y].add(x)
    col = {}
    for c in range(n_countries):
        used = {col[o] for o in adj[c] if o in col}
        col[c] = next(i for i in range(len(pastel) * 2) if i not in used) % len(pastel)
    return [pastel[col[c]] for c in range(n_countries)]


def pick_route_devices(run):
    """Up to MAP_DEVICES route devices with different paths: the devices
    with the most border crossings (up to 100 per class, spread over the
    class's ranking), taken class by class in turn, skipping
    any whose cells overlap a chosen one's by half or more (Jaccard)."""
    route = np.flatnonzero((run.classes.mobility == "route").to_numpy())
    dev = run.devices
    dev = dev[dev["class"].isin(route)].sort_values(
        ["border_crossings", "id"], ascending=[False, True], kind="stable")
    per_class = []
    for c in route:
        ids = dev.id[dev["class"] == c].to_numpy()
        per_class.append(ids[::max(1, len(ids) // 100)])
    cand = [int(d) for row in itertools.zip_longest(*per_class)
            for d in row if d is not None]
    if not cand:
        return [], None
    ev = run.trace_events(devices=cand, columns=["t_ns", "device", "type", "cell"])
    chosen, paths = [], {}
    for d in cand:
        e = ev[ev.device == d].sort_values("t_ns", kind="stable")
        if e.empty:
            continue
        s = set(path_cells(e).tolist())
        if all(len(s & paths[o]) / len(s | paths[o]) < 0.5 for o in chosen):
            chosen.append(d)
            paths[d] = s
        if len(chosen) == MAP_DEVICES:
            break
    return chosen, ev


def path_cells(e):
    """A device's cells in time order: where its first event happened,
    then each `cell` event."""
    return np.concatenate([[e.cell.iloc[0]], e.cell[e.type == "cell"].to_numpy()])


def fig_map(run, out):
    if not run.has_trace:
        out.skip("map", "no /trace (output level is not full)")
        return
    geo = run.geography
    a = geo.attrs
    grid = geo.country.values
    ny, nx = grid.shape
    ncty = len(run.countries)
    lon_e = a["west"] + a["dlon"] * np.arange(nx + 1)
    lat_e = a["south"] + a["dlat"] * np.arange(ny + 1)
    cmap = ListedColormap(country_colours(grid, ncty) + ["#FFFFFF"])
    idx = np.where(grid < ncty, grid, ncty)
    mid = 0.5 * (lat_e[0] + lat_e[-1])
    h = WIDTH_IN * (lat_e[-1] - lat_e[0]) / ((lon_e[-1] - lon_e[0]) * math.cos(math.radians(mid)))
    fig, ax = plt.subplots(figsize=(WIDTH_IN, min(5.0, max(2.2, h * 0.85 + 0.9))))
    ax.pcolormesh(lon_e, lat_e, idx, cmap=cmap, vmin=-0.5, vmax=ncty + 0.5,
                  shading="flat", rasterized=True)
    for c in range(ncty):
        rows, cols = np.nonzero(grid == c)
        if rows.size >= 6:
            ax.text(geo.lon.values[int(np.median(cols))], geo.lat.values[int(np.median(rows))],
                    run.countries.iso[c], fontsize=5, color="0.45",
                    ha="center", va="center")
    chosen, ev = pick_route_devices(run)
    series, pts_lon, pts_lat, nb_total = [], [], [], 0
    for c, d in zip(colours(len(chosen), skip_black=True), chosen):
        e = ev[ev.device == d].sort_values("t_ns", kind="stable")
        cells = path_cells(e)
        lat, lon = run.cell_centres(cells)
        b = e[e.type == "border"]
        blat, blon = run.cell_centres(b.cell.to_numpy())
        ax.plot(lon, lat, color=c, lw=0.9, label=f"device {d}")
        ax.plot(lon[:1], lat[:1], ls="none", marker="o", ms=2.5, color=c)
        ax.plot(blon, blat, ls="none", marker="x", ms=3, mew=0.7, color="black")
        nb_total += len(b)
        pts_lon += [lon, blon]
        pts_lat += [lat, blat]
        series.append({"label": f"device {d}", "device": d, "points": len(cells),
                       "border_events": len(b), "x": extent(lon, blon),
                       "y": extent(lat, blat)})
    ax.set_xlim(lon_e[0], lon_e[-1])
    ax.set_ylim(lat_e[0], lat_e[-1])
    ax.set_aspect(1.0 / math.cos(math.radians(mid)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title("Route devices and border crossings" if chosen
                 else "Route devices: none in this run")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], ls="none", marker="x", ms=3, mew=0.7, color="black"))
    labels.append("border crossing")
    legend_below(ax, handles, labels, 3)
    ax.text(0.99, 0.01, DCW_CREDIT, transform=ax.transAxes, ha="right",
            va="bottom", fontsize=5, color="0.3",
            bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1.0})
    out.save(fig, "map", {
        "title": ax.get_title(), "x_label": ax.get_xlabel(), "y_label": ax.get_ylabel(),
        "x_units": "degrees_east", "y_units": "degrees_north",
        "x": extent(*pts_lon) if pts_lon else None,
        "y": extent(*pts_lat) if pts_lat else None,
        "background": {"x": [float(lon_e[0]), float(lon_e[-1])],
                       "y": [float(lat_e[0]), float(lat_e[-1])]},
        "devices": chosen, "border_events": nb_total, "credit": DCW_CREDIT,
        "series": series})


# -- storm -------------------------------------------------------------------

def scenario_failures(run):
    """The scheduled outages, from /failures (with PyYAML reading /scenario
    as a fallback for files written before /failures existed)."""
    out = []
    try:
        import h5py
        with h5py.File(run.path, "r") as f:
            if "failures" in f:
                names = f["failures"].attrs.get(
                    "kind_flag_meanings",
                    "hss_outage radio_outage ipx_outage platform_outage "
                    "hss_data_loss platform_data_loss")
                if isinstance(names, bytes):
                    names = names.decode()
                names = names.split()
                for r in f["failures"][:]:
                    k = int(r["kind"])
                    out.append({"kind": names[k] if k < len(names) else str(k),
                                "start_s": float(r["start_s"]),
                                "end_s": float(r["start_s"]) + float(r["duration_s"])})
                return sorted(out, key=lambda f: f["start_s"])
    except (OSError, KeyError, AttributeError):
        out = []
    try:
        import yaml
        doc = yaml.safe_load(run.scenario) or {}
    except Exception:  # PyYAML absent or unreadable text: no shading
        return []
    for f in doc.get("failures") or []:
        try:
            out.append(dict(f, start_s=float(f["start_s"]),
                            end_s=float(f["start_s"]) + float(f["duration_s"])))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(out, key=lambda f: f["start_s"])


def fig_storm(run, out):
    ns = run.node_series
    nodes = run.nodes
    hss = np.flatnonzero(nodes.kind.isin(["hss", "platform"]).to_numpy())
    t = run.time_s
    fails = [f for f in scenario_failures(run) if f["start_s"] < run.duration_s]
    core = [f for f in fails if f.get("kind") in ("hss_outage", "platform_outage",
                                                  "ipx_outage", "hss_data_loss",
                                                  "platform_data_loss")]
    outage = (core or fails or [None])[0]
    if outage:
        w0 = max(0.0, outage["start_s"] - 1800.0)
        w1 = min(run.duration_s, outage["end_s"] + 7200.0)
    else:
        w0, w1 = 0.0, run.duration_s
    win = (t >= w0) & (t < w1)
    offered = ns.sel(quantity="offered").values.astype(float)
    after = win & (t >= (outage["start_s"] if outage else 0.0))
    if not after.any():
        after = win
    peak = offered[after][:, hss].max(axis=0)
    node = int(hss[np.argmax(peak)])
    width = run.bin_width_s[win]
    th = t[win] / 3600.0
    q = {k: ns.sel(quantity=k).values[win, node].astype(float)
         for k in ("offered", "served", "rejected", "devices_in_backoff")}
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.6))
    ax2 = ax.twinx()
    ax2.spines["right"].set_visible(True)
    style = {"offered": ("0.6", "-"), "served": ("#E69F00", "-"),
             "rejected": ("#D55E00", "-")}
    series = []
    for k, (c, ls) in style.items():
        y = q[k] / width
        if k == "offered":
            ax.fill_between(th, y, step="post", color=c, lw=0, alpha=0.6,
                            label=f"{k} (1/s)")
        else:
            ax.plot(th, y, color=c, ls=ls, lw=0.8, drawstyle="steps-post",
                    label=f"{k} (1/s)")
        series.append({"label": k, "axis": "left", "units": "1/s",
                       "x": extent(th), "y": extent(y)})
    ax2.plot(th, q["devices_in_backoff"], color="#0072B2", ls=":", lw=1.2,
             drawstyle="steps-post", label="devices in back-off")
    series.append({"label": "devices_in_backoff", "axis": "right",
                   "units": "devices", "x": extent(th),
                   "y": extent(q["devices_in_backoff"])})
    if outage:
        ax.axvspan(outage["start_s"] / 3600.0, outage["end_s"] / 3600.0,
                   facecolor="none", edgecolor="0.7", hatch="////", lw=0,
                   zorder=0,
                   label=f"{outage['kind'].replace('_', ' ')}")
    ax.set_xlim(w0 / 3600.0, w1 / 3600.0)
    ax.set_ylim(bottom=0)
    ax2.set_ylim(0, max(1.0, 1.05 * q["devices_in_backoff"].max()))
    ax.set_xlabel("time since start (h)")
    ax.set_ylabel("transactions per second (1/s)")
    ax2.set_ylabel("devices in back-off (devices)", color="#0072B2")
    ax2.tick_params(axis="y", colors="#0072B2")
    what = (f"{outage['kind'].replace('_', ' ')} "
            f"{outage.get('operator') or outage.get('country') or outage.get('platform') or ''}"
            ).strip() if outage else "no outage in the scenario"
    ax.set_title(f"{nodes.name[node]}: storm profile ({what})")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    legend_below(ax, h1 + h2, l1 + l2, 3)
    out.save(fig, "storm", {
        "title": ax.get_title(), "x_label": ax.get_xlabel(),
        "y_label": ax.get_ylabel(), "y2_label": ax2.get_ylabel(),
        "x_units": "h", "node": node, "node_name": nodes.name[node],
        "window_s": [w0, w1],
        "outage": ({k: outage[k] for k in ("kind", "start_s", "end_s")}
                   if outage else None),
        "x": extent(th), "y": union(s["y"] for s in series[:3]),
        "y2": series[3]["y"], "series": series})


# -- driver --------------------------------------------------------------------

def config_labels(runs, params):
    """One label per run: the topology, plus any other swept parameter."""
    others = [p for p in params if p != "topology"]

    def fmt(v):
        return f"{v:g}" if isinstance(v, float) else str(v)

    def label(row):
        parts = [str(row["topology"])] if "topology" in params else []
        parts += [f"{p}={fmt(row[p])}" for p in others]
        return ", ".join(parts) if parts else "all runs"
    return runs.apply(label, axis=1) if len(runs) else runs.run_id


def single_run_figures(run, out):
    fig_signalling(run, out)
    fig_settlement(run, out)
    fig_balances(run, out)
    fig_map(run, out)
    fig_storm(run, out)


def plot_index(path, out):
    with open_index(path) as x:
        runs = x.runs.copy()
        runs["configuration"] = config_labels(runs, x.params)
        kpi = x.kpi.copy()
        kpi["configuration"] = config_labels(kpi, x.params)
        kpi.attrs = dict(x.kpi.attrs)
        done = runs[runs.status == "complete"]
        if done.empty:
            raise InputError(f"{path}: no complete run")
        order = list(dict.fromkeys(done.configuration))
        group_col = "topology" if x.params == ["topology"] else "configuration"
        kpi[group_col] = kpi["configuration"]
        for hist in LATENCY_FIGS:
            groups = []
            for g in order:
                total = None
                for rid in done.run_id[done.configuration == g]:
                    with x.run(rid) as r:
                        h = getattr(r, hist)
                    if total is None:
                        total = h.copy()
                    else:
                        if not np.array_equal(total.lower_s, h.lower_s):
                            raise InputError(f"run {rid}: other latency bins")
                        total["count"] = total["count"] + h["count"]
                groups.append((g, total))
            fig_latency(groups, out, f"sum of /{hist} over each "
                        "configuration's complete runs", hist)
        fig_kpis(kpi, group_col, order, out)
        first = done.run_id.iloc[0]
        with x.run(first) as r:
            single_run_figures(r, out)
            run_path = r.path
        return {"kind": "index", "group_by": group_col,
                "groups": {g: done.run_id[done.configuration == g].tolist()
                           for g in order},
                "single_run": {"run_id": first, "path": run_path}}


def plot_run(path, out):
    with open_run(path) as r:
        label = r.sweep_params.get("topology") or r.scenario_name
        for hist in LATENCY_FIGS:
            fig_latency([(label, getattr(r, hist))], out, f"/{hist}", hist)
        single_run_figures(r, out)
        return {"kind": "run", "single_run": {"run_id": r.attrs.get("sweep_run_id"),
                                              "path": r.path}}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="a result file or a sweep's index.h5")
    ap.add_argument("-o", "--output", required=True, help="output directory")
    ap.add_argument("--pdf", action="store_true", help="also write PDF files")
    a = ap.parse_args(argv)
    import h5py
    try:
        with h5py.File(a.input, "r") as f:
            fmt = f.attrs.get("format")
            fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
    except OSError as e:
        print(f"plot.py: {a.input}: {e}", file=sys.stderr)
        return 2
    out = Output(a.output, a.pdf)
    try:
        if fmt == "blocsim-index":
            header = plot_index(a.input, out)
        elif fmt == "blocsim-result":
            header = plot_run(a.input, out)
        else:
            print(f"plot.py: {a.input}: not a blocsim result or index "
                  f"(format {fmt!r})", file=sys.stderr)
            return 2
    except (InputError, ValueError, KeyError) as e:
        print(f"plot.py: {a.input}: {e}", file=sys.stderr)
        return 2
    out.write(dict(header, input=os.path.abspath(a.input)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
