#!/usr/bin/python3
"""Result files as written by io/h5.c read back with h5py and numpy: every
value, the dimension scales, chunking and filters, attributes; the
temporary-file protocol; identical bytes for identical input."""
import os
import subprocess
import tempfile

import h5py
import numpy as np

SAMPLE = ARGS[0]  # noqa: F821 (set by taprun.py)
ROWS = 40000


def write(path):
    p = subprocess.run([SAMPLE, path], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def sample():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "r.h5")
    write(path)
    return path


def test_columns_hold_every_row_in_order():
    with h5py.File(sample(), "r") as f:
        g = f["billing/records"]
        i = np.arange(ROWS)
        assert (g["device"][:] == (i * 7 % 1000)).all()
        assert (g["t_start_s"][:] == i * 0.5).all()
        assert (g["charge_ueur"][:] == i * 1001 - 5).all()
        assert g["charge_ueur"].dtype == np.dtype("<i8")
        assert (g["kind"][:] == i % 3).all()
        assert g["t_start_s"].attrs["units"] == "s"


def test_columns_share_one_dimension_scale():
    with h5py.File(sample(), "r") as f:
        g = f["billing/records"]
        for name in ("device", "t_start_s", "charge_ueur", "kind"):
            dims = g[name].dims[0]
            assert len(dims) == 1 and dims[0].name == "/billing/records/record"
        assert (g["record"][:] == np.arange(ROWS)).all()


def test_columns_are_chunked_shuffled_and_deflated():
    with h5py.File(sample(), "r") as f:
        d = f["billing/records/charge_ueur"]
        assert d.chunks == (16384,)
        assert d.compression == "gzip" and d.shuffle
        assert d.maxshape == (None,)


def test_arrays_have_a_scale_per_axis():
    with h5py.File(sample(), "r") as f:
        m = f["signalling/messages"]
        assert m.shape == (3, 2, 4)
        assert [m.dims[i][0].name.split("/")[-1] for i in range(3)] == \
            ["time_s", "node", "message_type"]
        assert m[2, 1, 3] == 213 and m[0, 0, 0] == 0
        assert list(f["signalling/time_s"][:]) == [0, 60, 120]


def test_attributes_and_flags():
    with h5py.File(sample(), "r") as f:
        assert f.attrs["format"] == "blocsim-result"
        assert f.attrs["format_version"] == 2
        assert f.attrs["sim_duration_s"] == 86400.0
        k = f["billing/records/kind"]
        assert list(k.attrs["flag_values"]) == [0, 1, 2]
        assert k.attrs["flag_meanings"] == "usage sms access_fee"


def test_no_enum_types_anywhere():
    found = []
    with h5py.File(sample(), "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and \
                    h5py.check_enum_dtype(obj.dtype) is not None:
                found.append(name)
        f.visititems(visit)
    assert not found, found


def test_the_file_appears_only_when_complete():
    d = tempfile.mkdtemp()
    path = os.path.join(d, "r.h5")
    write(path)
    assert sorted(os.listdir(d)) == ["r.h5"], os.listdir(d)


def test_identical_input_gives_identical_dataset_bytes():
    a, b = sample(), sample()
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names = []
        fa.visititems(lambda n, o: names.append(n)
                      if isinstance(o, h5py.Dataset) else None)
        assert len(names) >= 9
        for n in names:
            assert fa[n][()].tobytes() == fb[n][()].tobytes(), n


def test_xarray_and_pandas_read_groups_as_they_are():
    import pandas as pd
    import xarray as xr
    path = sample()
    ds = xr.open_dataset(path, group="signalling")
    assert ds["messages"].dims == ("time_s", "node", "message_type")
    assert int(ds["messages"].sel(time_s=120.0, node=1,
                                  message_type=3)) == 213
    rec = xr.open_dataset(path, group="billing/records").to_dataframe()
    assert len(rec) == ROWS and rec.index.name == "record"
    with h5py.File(path, "r") as f:
        g = f["billing/records"]
        df = pd.DataFrame({k: g[k][:] for k in g if k != "record"})
    assert (df["charge_ueur"].to_numpy() == rec["charge_ueur"].to_numpy()).all()
