"""Interop fixtures for tests/test_safetensors.c.

  st_interop.py write PATH   writes a file with mixed dtypes for the C reader
  st_interop.py check PATH   reads the file the C writer made (same tensors as
                             c_tensors below) and checks it byte for byte
                             against what this writer would produce

The values here and in test_safetensors.c must agree; both are hand-written."""
import sys

import numpy as np

import st_io


def py_tensors():
    return {
        "a.weight": (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3),
        "b.f16": np.array([1.0, -2.0, 0.5, 65504.0, 2.0 ** -24], dtype=np.float16),
        "c.bf16": ("BF16", st_io.f32_to_bf16_bits(
            np.array([[1.0, -3.140625], [2.0 ** 100, 0.0078125]], dtype=np.float32))),
        "d.count": np.array(7, dtype=np.int64),
        "e.empty": np.zeros((0, 3), dtype=np.float32),
        "z.u8": np.array([1, 2, 255], dtype=np.uint8),
    }


PY_META = {"seisinv.S": "20", "note": "vitesse m/s \u2014 \u2713", "empty": ""}


def c_tensors():
    return {
        "layer.b": np.array([1.0, 2.0, 3.0], dtype=np.float32),
        "layer.a": np.array([[0.25, -1.5], [3.0e-8, 1.0e20]], dtype=np.float32),
        "scalar": np.array(42.5, dtype=np.float32),
        "empty": np.zeros((0,), dtype=np.float32),
    }


C_META = {"seisinv.arch": "seisinvnet", "z": "last", "a": "first \u2713"}


def check(path):
    with open(path, "rb") as f:
        buf = f.read()
    header, got = st_io.loads(buf)
    want = c_tensors()
    assert sorted(got) == sorted(want), sorted(got)
    for k, v in want.items():
        assert got[k].dtype == np.float32 and got[k].shape == v.shape, k
        assert np.array_equal(got[k], v), k
    assert header["__metadata__"] == C_META, header["__metadata__"]
    n = int.from_bytes(buf[:8], "little")
    assert n % 8 == 0, "header not padded to 8 bytes"
    mine = st_io.dumps(want, C_META)
    if mine != buf:
        raise SystemExit("C file differs from the Python writer's bytes:\n%r\n%r"
                         % (buf[:8 + n], mine[:8 + n]))
    # Tensors in header order must be sorted by name with contiguous offsets.
    names = [k for k in header if k != "__metadata__"]
    assert names == sorted(names), names


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "write":
        st_io.save(sys.argv[2], py_tensors(), PY_META)
    else:
        check(sys.argv[2])


if __name__ == "__main__":
    main()
