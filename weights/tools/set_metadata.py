"""Sets `__metadata__` entries of a safetensors file in place (atomically):
the tensor bytes are copied unchanged, only the JSON header is rewritten.
Used to give a file that `seisinv train` wrote on a scratch machine its
provenance (where `seisinv.trained_on` would otherwise name a /tmp folder).

  /usr/bin/python3 weights/tools/set_metadata.py FILE key=value [key=value ...]
  (key= with no value removes the key)
"""
import json
import os
import struct
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.setdefault("__metadata__", {})
    for kv in sys.argv[2:]:
        key, sep, value = kv.partition("=")
        if not sep:
            sys.exit(f"set_metadata: {kv}: expected key=value")
        if value:
            meta[key] = value
        else:
            meta.pop(key, None)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    text += b" " * (-len(text) % 8)  # the data stays 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
