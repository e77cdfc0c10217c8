"""Minimal safetensors reader and writer in plain numpy (the `safetensors`
package is not installed where the tests run). The writer produces the same
bytes as `safetensors.numpy.save_file`: "__metadata__" first, tensors ordered
by dtype (widest alignment first) then name, compact JSON padded with spaces
to a multiple of 8 bytes."""
import json
import struct

import numpy as np

# The reference library's dtype order (its Rust enum); the writer sorts by it,
# descending, so wide types come first and every tensor stays aligned.
DTYPE_ORDER = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3",
               "F8_E8M0", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64",
               "I64", "U64"]

NUMPY_OF = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16,
            "U16": np.uint16, "I32": np.int32, "U32": np.uint32, "I64": np.int64,
            "U64": np.uint64, "F16": np.float16, "F32": np.float32, "F64": np.float64,
            "C64": np.complex64, "BF16": np.uint16}  # BF16 kept as raw 16-bit words
NAME_OF = {np.dtype(v).str: k for k, v in NUMPY_OF.items() if k != "BF16"}


def f32_to_bf16_bits(a):
    """Round-to-nearest-even float32 -> bfloat16 bit patterns (uint16)."""
    u = np.ascontiguousarray(a, dtype="<f4").view("<u4").astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return u.astype("<u2")


def bf16_bits_to_f32(b):
    return (np.asarray(b, dtype="<u2").astype("<u4") << 16).view("<f4")


def dumps(tensors, metadata=None):
    """tensors: {name: ndarray} or {name: (dtype_name, ndarray)} -> file bytes."""
    items = []
    for name, v in tensors.items():
        if isinstance(v, tuple):
            dt, arr = v
        else:
            arr = np.asarray(v)
            dt = NAME_OF[arr.dtype.newbyteorder("<").str]
        arr = np.array(arr, order="C", copy=False)  # ascontiguousarray would make 0-d 1-d
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        items.append((name, dt, list(arr.shape), raw))
    items.sort(key=lambda it: (-DTYPE_ORDER.index(it[1]), it[0]))
    header, at = {}, 0
    if metadata:
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    for name, dt, shape, raw in items:
        header[name] = {"dtype": dt, "shape": shape, "data_offsets": [at, at + len(raw)]}
        at += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(it[3] for it in items)


def save(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata))


def loads(buf):
    """file bytes -> (header dict, {name: ndarray}); BF16 comes back as float32.
    Checks what the format requires so a bad file from the C writer fails here."""
    (n,) = struct.unpack("<Q", buf[:8])
    assert 8 + n <= len(buf), "header length past the end"
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = buf[8 + n:]
    meta = header.pop("__metadata__", {})
    assert all(isinstance(v, str) for v in meta.values()), "metadata values must be strings"
    out, spans = {}, []
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = info["dtype"]
        a = np.frombuffer(data[b:e], dtype=np.dtype(NUMPY_OF[dt]).newbyteorder("<"))
        assert a.size == int(np.prod(info["shape"], dtype=np.int64)), name + ": size mismatch"
        a = a.reshape(info["shape"])
        out[name] = bf16_bits_to_f32(a).reshape(info["shape"]) if dt == "BF16" else a
        spans.append((b, e))
    spans.sort()
    at = 0
    for b, e in spans:
        assert b == at, "hole or overlap in the data buffer"
        at = e
    assert at == len(data), "data buffer not fully covered"
    header["__metadata__"] = meta
    return header, out


def load(path):
    with open(path, "rb") as f:
        return loads(f.read())
