"""Byte-level comparison of result files' datasets, for the CLI tests
(imported by test files run through taprun.py, which puts this folder on
the module path)."""
import h5py
import numpy as np


def datasets(path):
    """Every dataset of a file: name -> (dtype, shape, raw bytes)."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset):
                return
            v = obj[()]
            if isinstance(v, bytes):
                raw = v
            elif isinstance(v, np.ndarray) and v.dtype.kind == "O":
                raw = b"\0".join(bytes(x) for x in v.ravel())
            else:
                raw = np.asarray(v).tobytes()
            out[name] = (str(obj.dtype), obj.shape, raw)
        f.visititems(visit)
    return out


def assert_same_datasets(a, b, at_least):
    """Files a and b hold the same datasets (more than at_least of them),
    byte for byte."""
    da, db = datasets(a), datasets(b)
    assert sorted(da) == sorted(db), sorted(set(da) ^ set(db))
    assert len(da) > at_least, len(da)
    differ = [n for n in da if da[n] != db[n]]
    assert not differ, ("datasets differ", a, b, differ)
