#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus: small valid files of each format and a
few broken ones (libFuzzer mutates from these). Pure standard library, so
the bytes are independent of seisinv's own writers.

  tests/fuzz/make_corpus.py [OUT_DIR]     (default: tests/fuzz/corpus)
"""
import json
import math
import os
import struct
import sys


def npy(shape, values, descr="<f4", fortran=False, version=1):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False",
        "".join("%d, " % d for d in shape) if len(shape) != 1 else "%d," % shape[0])
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(hdr) + 1) % 64) % 64
    hdr = hdr + " " * pad + "\n"
    head = b"\x93NUMPY" + bytes([version, 0])
    head += struct.pack("<H" if version == 1 else "<I", len(hdr))
    fmt = {"<f4": "<%df", "<f8": "<%dd", "<i4": "<%di"}[descr]
    return head + hdr.encode() + struct.pack(fmt % len(values), *values)


def safetensors(tensors, meta=None, raw_header=None):
    """tensors: [(name, dtype, shape, bytes)]"""
    h, data = {}, b""
    if meta is not None:
        h["__metadata__"] = meta
    for name, dtype, shape, b in tensors:
        h[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    text = raw_header if raw_header is not None else json.dumps(h, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def ibm(f):
    """IEEE float -> 4-byte IBM hexadecimal float (big-endian)."""
    if f == 0:
        return b"\0\0\0\0"
    sign = 0x80 if f < 0 else 0
    f = abs(f)
    e = 64
    while f >= 1:
        f /= 16
        e += 1
    while f < 1 / 16:
        f *= 16
        e -= 1
    m = int(round(f * (1 << 24)))
    if m >= 1 << 24:
        m >>= 4
        e += 1
    return bytes([sign | e]) + m.to_bytes(3, "big")


def segy(shots, recs, ns, fmt=5, rev=1, le=False, positions=True, dt_us=1000):
    """A small 2-D survey: len(shots) x len(recs) traces."""
    e = "<" if le else ">"
    text = ("C 1 SEISINV FUZZ SEED".ljust(80) * 40).encode("cp500")  # EBCDIC
    b = bytearray(400)
    struct.pack_into(e + "h", b, 16, dt_us)
    struct.pack_into(e + "H", b, 20, ns)
    struct.pack_into(e + "h", b, 24, fmt)
    struct.pack_into(e + "h", b, 54, 1)
    b[300] = rev
    if rev >= 2:
        struct.pack_into(e + "i", b, 68, ns)
        struct.pack_into(e + "i", b, 96, 0x01020304)
    out = bytearray(text + bytes(b))
    for s, sx in enumerate(shots):
        for r, gx in enumerate(recs):
            h = bytearray(240)
            struct.pack_into(e + "i", h, 8, s + 1)
            struct.pack_into(e + "i", h, 12, r + 1)
            struct.pack_into(e + "i", h, 36, int(gx - sx))
            struct.pack_into(e + "h", h, 70, -10)
            if positions:
                struct.pack_into(e + "i", h, 72, int(sx * 10))
                struct.pack_into(e + "i", h, 80, int(gx * 10))
            struct.pack_into(e + "H", h, 114, ns)
            struct.pack_into(e + "h", h, 116, dt_us)
            vals = [math.sin(0.3 * t + r) * math.exp(-t / 20) * (s + 1) for t in range(ns)]
            if fmt == 1:
                data = b"".join(ibm(v) for v in vals)
                if le:
                    data = b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
            elif fmt == 3:
                data = struct.pack(e + "%dh" % ns, *[int(1000 * v) for v in vals])
            else:
                data = struct.pack(e + "%df" % ns, *vals)
            out += h + data
    return bytes(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    files = {
        "npy/vel_2x3.npy": npy((2, 3), [1500, 1600, 1700, 1800, 1900, 2000]),
        "npy/survey_2x4x3.npy": npy((2, 4, 3), [0.5 * i - 3 for i in range(24)]),
        "npy/scalar.npy": npy((), [7.0]),
        "npy/empty.npy": npy((0, 4), []),
        "npy/v2.npy": npy((3,), [1, 2, 3], version=2),
        "npy/bad_f8.npy": npy((2,), [1, 2], descr="<f8"),
        "npy/bad_fortran.npy": npy((2, 2), [1, 2, 3, 4], fortran=True),
        "npy/bad_truncated.npy": npy((4, 4), list(range(16)))[:-10],
        "npy/bad_nan.npy": npy((2,), [1, float("nan")]),
        "npy/bad_magic.npy": b"\x93NUMPX\x01\x00" + npy((1,), [1])[8:],
    }
    f32 = struct.pack("<4f", 1, -2, 3.5, 0)
    meta = {"seisinv.arch": "seisinvnet", "seisinv.S": "4", "seisinv.trained_on": "seed"}
    files.update({
        "safetensors/two.safetensors": safetensors(
            [("a.weight", "F32", [2, 2], f32), ("b.bias", "F16", [2], b"\x00\x3c\x00\xc0")], meta),
        "safetensors/bf16_scalar.safetensors": safetensors([("s", "BF16", [], b"\x80\x3f")]),
        "safetensors/i64.safetensors": safetensors([("n", "I64", [1], struct.pack("<q", 5))]),
        "safetensors/bad_overlap.safetensors": safetensors([], raw_header=json.dumps(
            {"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
             "b": {"dtype": "F32", "shape": [1], "data_offsets": [2, 6]}})) + bytes(6),
        "safetensors/bad_json.safetensors": safetensors([], raw_header='{"a": {"dtype": "F32",'),
        "safetensors/bad_size.safetensors": safetensors([("a", "F32", [3], f32)]),
    })
    shots, recs = [20, 60], [0, 10, 20, 30, 40]
    good = segy(shots, recs, 12)
    files.update({
        "segy/ieee_rev1.sgy": good,
        "segy/ibm_rev2.sgy": segy(shots, recs, 12, fmt=1, rev=2),
        "segy/ieee_rev2_lsb.sgy": segy(shots, recs, 12, rev=2, le=True),
        "segy/int16_rev0.sgy": segy(shots, recs, 12, fmt=3, rev=0),
        "segy/no_positions.sgy": segy(shots, recs, 12, positions=False),
        "segy/bad_truncated.sgy": good[:-7],
        "segy/bad_format.sgy": good[:3224] + b"\x00\x07" + good[3226:],
        "segy/bad_short.sgy": good[:3000],
    })
    for name, data in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    print("wrote %d seed files under %s" % (len(files), root))


if __name__ == "__main__":
    main()
