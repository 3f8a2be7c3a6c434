"""Read blocsim result files and sweep indexes into pandas and xarray.

    from blocsim_analysis import open_run, open_index

    with open_run("results/default.h5") as r:
        r.devices, r.kpi, r.messages          # DataFrame, Series, DataArray

    with open_index("results/smoke/index.h5") as x:
        x.kpi.groupby("topology").mean(numeric_only=True)
        with x.run(x.runs.run_id[0]) as r: ...

Formats: results/README.md (run files) and docs/sweeps.md (the index).
"""
from .reader import CODES, NONE, Index, Run, open_index, open_run
from .stats import mean_ci, t_quantile

__all__ = ["CODES", "NONE", "Index", "Run", "open_index", "open_run",
           "mean_ci", "t_quantile"]
