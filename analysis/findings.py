#!/usr/bin/python3
"""Write docs/findings.md from the findings sweep (`./run study`).

The five topologies on the dimensioned default world, replications paired
by seed: every headline KPI with its mean and 95% Student-t interval per
topology, the paired difference against arm's-length with its interval and
a two-sided p-value, Holm-corrected across the KPIs of each comparison,
and one sentence per KPI on the mechanism behind the difference. A second
sweep varies the dimensioning headroom (sensitivity).

Exit status 0, or 3 when a headline KPI misses the precision target (95%
interval half-width within 10% of the mean, where the mean is not 0): the
caller then adds replications and runs this again.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from blocsim_analysis.reader import Index  # noqa: E402
from blocsim_analysis.stats import t_cdf, t_quantile  # noqa: E402

BASELINE = "arms-length"
TOPOLOGIES = ["arms-length", "paper-alliance", "blocs", "grand-alliance",
              "shared-platform"]
PRECISION = 0.10  # Half-width / |mean| wanted for headline KPIs.

# Headline KPIs and the mechanism that moves each between topologies
# (docs/model.md). Written from the mechanisms, not from the numbers.
HEADLINE = {
    "attach_success_ratio":
        "Registration episodes that end registered; steering rejects are "
        "the home's choice and are not failures, so what remains are "
        "episodes still failing at the end (outage, #11 from networks "
        "without an agreement, congestion).",
    "attach_attempt_failure_ratio":
        "Every failed attempt, steering included: alliances steer their "
        "roamers to partners, so their attempts fail more often by design.",
    "attach_latency_p95_s":
        "Time to register, waits without an allowed network excluded: "
        "steering costs up to five #17 rejects T3411 apart, and the "
        "network search after a loss adds 20-120 s to every re-attach.",
    "steering_rejects_per_roaming_device_day":
        "Only homes with a preferred list (partners ranked) steer; "
        "arm's-length and the paper alliance list no one.",
    "reattaches_per_border_crossing":
        "A crossing onto a network on the EPLMN list is an S10 update that "
        "keeps service; elsewhere the device loses service and attaches. "
        "Only agreements that grant eplmn put partners on the list.",
    "interruption_s_per_border_crossing":
        "Each re-attach at a border costs the network search (20-120 s) "
        "and the attach; an EPLMN move costs nothing.",
    "availability":
        "Share of device time with service: border re-attaches, the "
        "outage's back-offs and coverage holes take it away.",
    "home_hss_tx_per_subscriber_day":
        "Re-attaches need AIR and ULR at the home HSS; S10 updates need "
        "one ULR; cached vectors (glr_cache) save the AIR.",
    "signalling_msgs_per_device_day":
        "All messages at all nodes: reports and periodic updates dominate "
        "and are the same in every topology; the difference is registration "
        "signalling.",
    "peak_load_per_capacity":
        "Busiest bin's offered simulated load over capacity at an MME, HSS or pool: the "
        "outage's recovery surge on top of its background load.",
    "storm_seconds":
        "Seconds with more than T3410 / 2 of work queued at a node. With "
        "the default queue limits a node refuses (#22) before its backlog "
        "reaches 7.5 s (50,000 transactions are 1.3 s of work at DT-DE's "
        "HSS), so overload shows in rejects_cause_22 and "
        "backoff_peak_share, not here.",
    "rejects_cause_22":
        "Congestion refusals by a node at its queue limit (a count of the "
        "sample): the data loss's re-attach wave against the HSS.",
    "backoff_peak_share":
        "The most devices in back-off at once, over the population: the "
        "outage's subscribers waiting out T3411, T3402 and TS.34 steps.",
    "recovery_s":
        "Time after the failure until 95% of the devices it affected are "
        "registered again, censored at the end of the run: after the data "
        "loss the PSM meters attach again only at their next daily report, "
        "so a one-day run ends first (22,980 s is the time left in the "
        "run) in every topology.",
    "diameter_timeouts":
        "Attempts the visited MME gave up on after 6 s without an HSS "
        "answer, nearly all while DT-DE's HSS is down: its subscribers "
        "that attach during the hour, fewer where border crossings keep "
        "service (EPLMN) instead of attaching.",
    "usage_cost_per_device_month_eur":
        "Wholesale usage per device-month: partners' discounted rates and "
        "local breakout lower it; access fees are apart (they need a whole "
        "month of simulated time).",
    "rtt_p95_ms":
        "User-plane round trip of every roaming session between territory "
        "networks: home routing adds a 40 ms detour and the distance to "
        "the home's gateway; local breakout (same-group terms) and direct "
        "paths (no IPX detour) shorten it, and steering to nearby partners "
        "shortens the distance.",
    "rtt_over_target_share":
        "Share of that session time above 100 ms: the same round trips, "
        "measured for every agreement (arm's-length included).",
    "sla_breach_s":
        "Per-agreement SLA only where an agreement has one; arm's-length "
        "has none, so it scores 0 by construction: not a ranking KPI.",
}


def tq(df):
    return t_quantile(0.975, df) if df > 0 else math.nan


def mean_ci(x):
    x = np.asarray([v for v in x if not math.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return math.nan, math.nan, 0
    m = float(x.mean())
    if n < 2:
        return m, math.nan, n
    return m, tq(n - 1) * float(x.std(ddof=1)) / math.sqrt(n), n


def paired(a, b):
    """Paired difference a - b by replication: mean, half-width, p."""
    reps = sorted(set(a) & set(b))
    d = np.array([a[r] - b[r] for r in reps
                  if not (math.isnan(a[r]) or math.isnan(b[r]))])
    n = len(d)
    if n < 2:
        return math.nan, math.nan, math.nan, n
    m, sd = float(d.mean()), float(d.std(ddof=1))
    hw = tq(n - 1) * sd / math.sqrt(n)
    if sd == 0:
        p = 1.0 if m == 0 else 0.0
    else:
        t = m / (sd / math.sqrt(n))
        p = 2 * (1 - t_cdf(abs(t), n - 1))
    return m, hw, p, n


def holm(pvals):
    """Holm step-down adjusted p-values (NaN stays NaN)."""
    idx = [i for i, p in enumerate(pvals) if not math.isnan(p)]
    idx.sort(key=lambda i: pvals[i])
    adj = [math.nan] * len(pvals)
    run = 0.0
    for rank, i in enumerate(idx):
        run = max(run, min(1.0, (len(idx) - rank) * pvals[i]))
        adj[i] = run
    return adj


def fmt(v, hw=None):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{v:.4g}"
    if hw is not None and not math.isnan(hw):
        s += f" ± {hw:.2g}"
    return s


def by_topology(ix, extra=None):
    k = ix.kpi
    if extra:
        for col, val in extra.items():
            k = k[np.isclose(k[col].astype(float), val)]
    out = {}
    for t in TOPOLOGIES:
        sub = k[k["topology"] == t]
        if len(sub):
            out[t] = sub
    return out


def table(ix, lines):
    groups = by_topology(ix)
    kpis = [k for k in HEADLINE if k in ix.kpi.columns]
    units = ix.kpi.attrs.get("units", {})
    short = False
    lines.append("| KPI | unit | " + " | ".join(groups) + " |")
    lines.append("|---|---|" + "---:|" * len(groups))
    for k in kpis:
        row = [f"`{k}`", units.get(k, "")]
        for t, sub in groups.items():
            m, hw, n = mean_ci(sub[k].astype(float))
            row.append(fmt(m, hw))
            if (k in HEADLINE and not math.isnan(hw) and m != 0
                    and hw > PRECISION * abs(m)
                    and k not in ("storm_seconds", "sla_breach_s")):
                short = True
        lines.append("| " + " | ".join(row) + " |")
    return kpis, groups, short


def differences(kpis, groups, lines):
    base = groups.get(BASELINE)
    if base is None:
        return
    for t, sub in groups.items():
        if t == BASELINE:
            continue
        res = []
        for k in kpis:
            a = dict(zip(sub["replication"], sub[k].astype(float)))
            c = dict(zip(base["replication"], base[k].astype(float)))
            res.append(paired(a, c))
        adj = holm([r[2] for r in res])
        lines.append(f"\n#### {t} − {BASELINE} (paired by replication)\n")
        lines.append("| KPI | difference ± 95% | n | p | Holm p | "
                     "significant at 5% |")
        lines.append("|---|---:|---:|---:|---:|---|")
        for k, (m, hw, p, n), pa in zip(kpis, res, adj):
            sig = "" if math.isnan(pa) else ("yes" if pa < 0.05 else "no")
            lines.append(f"| `{k}` | {fmt(m, hw)} | {n} | {fmt(p)} | "
                         f"{fmt(pa)} | {sig} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index", help="the findings sweep's index.h5")
    ap.add_argument("--headroom", help="the headroom sweep's index.h5")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--command", default="./run study")
    ap.add_argument("--seconds", type=float, default=math.nan)
    a = ap.parse_args(argv)
    ix = Index(a.index)
    lines = [
        "# Findings: five topologies on the dimensioned default world",
        "",
        f"Made by `{a.command}` in {a.seconds:.0f} s on this machine "
        "(2 cores). Do not edit: run it again.",
        "",
        f"- Sweep index: `{os.path.relpath(a.index)}`; sweep seed "
        f"{ix.attrs.get('sweep_seed')}, {ix.attrs.get('replications')} "
        "replications, paired by replication (common random numbers: the "
        "same devices, routes and reports in every topology).",
        "- World: `scenarios/default.yaml` (10 million devices sampled at "
        "1%, nodes dimensioned from each operator's subscribers, its "
        "scheduled failures; one simulated day).",
        f"- Each cell: mean ± half-width of the 95% Student-t interval over "
        f"replications. Precision target: half-width within "
        f"{PRECISION:.0%} of the mean for the headline KPIs (not for "
        "`storm_seconds` and `sla_breach_s`, often 0).",
        "- Differences: paired by replication against arm's-length, "
        "two-sided t-test, Holm-corrected across the KPIs of each "
        "comparison.",
        "",
        "## KPIs per topology",
        "",
    ]
    kpis, groups, short = table(ix, lines)
    lines += ["", "## Differences against arm's-length", ""]
    differences(kpis, groups, lines)
    lines += ["", "## What moves each KPI", ""]
    for k in kpis:
        lines.append(f"- `{k}`: {HEADLINE[k]}")
    seeds = sorted(set(int(s) for s in ix.runs["seed"]))
    lines += ["", "## Seeds", "", "Replication seeds (derived from the "
              "sweep seed): " + ", ".join(str(s) for s in seeds[:20]) +
              (" ..." if len(seeds) > 20 else "")]
    if a.headroom:
        hx = Index(a.headroom)
        lines += ["", "## Sensitivity: dimensioning headroom", "",
                  f"Sweep index `{os.path.relpath(a.headroom)}`: every "
                  "dimensioned node at the given multiple of the rule's "
                  "capacity.", ""]
        hs = sorted(set(float(v) for v in hx.kpi["dimensioning.headroom"]))
        tops = [t for t in TOPOLOGIES if t in set(hx.kpi["topology"])]
        lines.append("| KPI | " + " | ".join(
            f"{t} ×{h:g}" for h in hs for t in tops) + " |")
        lines.append("|---|" + "---:|" * (len(hs) * len(tops)))
        for k in kpis:
            row = [f"`{k}`"]
            for h in hs:
                g = by_topology(hx, {"dimensioning.headroom": h})
                for t in tops:
                    m, hw, n = mean_ci(g[t][k].astype(float)) \
                        if t in g else (math.nan, math.nan, 0)
                    row.append(fmt(m, hw))
            lines.append("| " + " | ".join(row) + " |")
    if short:
        lines += ["", "**Precision target not met** for at least one "
                  "headline KPI at these replications."]
    with open(a.output, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 3 if short else 0


if __name__ == "__main__":
    sys.exit(main())
