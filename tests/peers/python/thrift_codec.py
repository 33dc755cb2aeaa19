"""Encodes and decodes Thrift structs with Apache Thrift's Python library and the Python
code its compiler generated, for tests/peers/python-thrift.test.ts.

Usage: thrift_codec.py GEN_DIR, where GEN_DIR holds `thrift -r --gen py` output. Reads
requests from stdin and answers each on stdout, one JSON object per line, in order:

  {"id": 0, "op": "schema", "structs": {NAME: {"py": "module:Class", "fields": [[id, name, type]]}}}
      -> {"id": 0, "ok": true}
  {"id": 1, "op": "encode", "protocol": P, "type": NAME, "value": VALUE}
      -> {"id": 1, "ok": true, "hex": BYTES, "value": VALUE as the built object holds it}
  {"id": 2, "op": "decode", "protocol": P, "type": NAME, "hex": BYTES}
      -> {"id": 2, "ok": true, "value": VALUE, "consumed": bool, "hex": the value re-encoded}
  any failure -> {"id": N, "ok": false, "error": traceback}

P: binary (TBinaryProtocol, strict read and write), compact (TCompactProtocol), and their
C-accelerated forms binary-accel, compact-accel (fastbinary, no fallback).

A type is "bool", "i8", "i16", "i32", "i64", "double", "string", "binary",
{"list": T}, {"set": T}, {"map": [K, V]} or {"struct": NAME}. VALUE is JSON: i64 as a
decimal string, double as the 16 hex digits of its big-endian IEEE bits, binary as hex,
a list or set as an array, a map as an array of [key, value] pairs, a struct as an object
of the fields that are set (unset ones are None in Python). Sets and maps are built by
adding elements/entries in the given order and reported in Python's iteration order (a
dict keeps insertion order; a set iterates in hash-table order).

Standard library and the thrift package only.
"""

import importlib
import inspect
import json
import struct
import sys
import traceback

from thrift.protocol.TBinaryProtocol import TBinaryProtocol, TBinaryProtocolAccelerated
from thrift.protocol.TCompactProtocol import TCompactProtocol, TCompactProtocolAccelerated
from thrift.transport.TTransport import TMemoryBuffer

PROTOCOLS = {
    "binary": lambda t: TBinaryProtocol(t, strictRead=True, strictWrite=True),
    "compact": TCompactProtocol,
    "binary-accel": lambda t: TBinaryProtocolAccelerated(t, strictRead=True, strictWrite=True, fallback=False),
    "compact-accel": lambda t: TCompactProtocolAccelerated(t, fallback=False),
}

INT_BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64}

structs = {}


def load_schema(spec):
    structs.clear()
    for name, s in spec.items():
        cls = None
        if s["py"] is not None:
            module, _, cls_name = s["py"].partition(":")
            cls = getattr(importlib.import_module(module), cls_name)
        structs[name] = (cls, s["fields"])


def from_json(ty, j):
    if isinstance(ty, str):
        if ty == "bool":
            return bool(j)
        if ty in INT_BITS:
            return int(j)
        if ty == "double":
            return struct.unpack(">d", bytes.fromhex(j))[0]
        if ty == "string":
            return j
        if ty == "binary":
            return bytes.fromhex(j)
        raise ValueError("unknown type %r" % (ty,))
    if "list" in ty:
        return [from_json(ty["list"], e) for e in j]
    if "set" in ty:
        s = set()
        for e in j:
            s.add(from_json(ty["set"], e))
        return s
    if "map" in ty:
        kt, vt = ty["map"]
        d = {}
        for k, v in j:
            d[from_json(kt, k)] = from_json(vt, v)
        return d
    return build(ty["struct"], j)


def build(name, j):
    cls, fields = structs[name]
    # Every field by keyword, unset ones as None: the constructor's IDL defaults would
    # otherwise fill them in (and exceptions are immutable once built).
    return cls(**{f: (from_json(t, j[f]) if f in j else None) for _, f, t in fields})


def to_json(ty, v, path):
    def bad(want):
        return TypeError("%s: expected %s, got %s %r" % (path, want, type(v).__name__, v))

    if isinstance(ty, str):
        if ty == "bool":
            if not isinstance(v, bool):
                raise bad("bool")
            return v
        if ty in INT_BITS:
            lim = 1 << (INT_BITS[ty] - 1)
            if isinstance(v, bool) or not isinstance(v, int) or not -lim <= v < lim:
                raise bad(ty)
            return str(v) if ty == "i64" else v
        if ty == "double":
            if not isinstance(v, float):
                raise bad("float")
            return struct.pack(">d", v).hex()
        if ty == "string":
            if not isinstance(v, str):
                raise bad("str")
            return v
        if ty == "binary":
            if not isinstance(v, bytes):
                raise bad("bytes")
            return v.hex()
    if "list" in ty:
        if not isinstance(v, list):
            raise bad("list")
        return [to_json(ty["list"], e, "%s[%d]" % (path, i)) for i, e in enumerate(v)]
    if "set" in ty:
        if not isinstance(v, (set, frozenset)):
            raise bad("set")
        return [to_json(ty["set"], e, "%s{}" % path) for e in v]
    if "map" in ty:
        if not isinstance(v, dict):
            raise bad("dict")
        kt, vt = ty["map"]
        return [[to_json(kt, k, "%s<key>" % path), to_json(vt, x, "%s<%r>" % (path, k))] for k, x in v.items()]
    return struct_json(ty["struct"], v, path)


def struct_json(name, v, path):
    cls, fields = structs[name]
    if not isinstance(v, cls):
        raise TypeError("%s: expected %s, got %s" % (path, cls.__name__, type(v).__name__))
    out = {}
    for _, f, t in fields:
        x = getattr(v, f)
        if x is not None:
            out[f] = to_json(t, x, "%s.%s" % (path, f))
    return out


def encode(protocol, obj):
    trans = TMemoryBuffer()
    obj.write(PROTOCOLS[protocol](trans))
    return trans.getvalue()


def decode(protocol, name, data):
    cls = structs[name][0]
    trans = TMemoryBuffer(data)
    prot = PROTOCOLS[protocol](trans)
    if inspect.ismethod(cls.read):  # a classmethod: immutable structs (exceptions)
        obj = cls.read(prot)
    else:
        obj = cls()
        obj.read(prot)
    return obj, trans.read(len(data) + 1) == b""


def handle(req):
    op = req["op"]
    if op == "schema":
        load_schema(req["structs"])
        return {}
    name = req["type"]
    if op == "encode":
        obj = build(name, req["value"])
        return {"hex": encode(req["protocol"], obj).hex(), "value": struct_json(name, obj, name)}
    if op == "decode":
        obj, consumed = decode(req["protocol"], name, bytes.fromhex(req["hex"]))
        return {
            "value": struct_json(name, obj, name),
            "consumed": consumed,
            "hex": encode(req["protocol"], obj).hex(),
        }
    raise ValueError("unknown op %r" % (op,))


def main():
    sys.path.insert(0, sys.argv[1])
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        req = json.loads(line.decode("utf-8"))
        try:
            resp = handle(req)
            resp["ok"] = True
        except Exception:  # reported to the test, which fails with it
            resp = {"ok": False, "error": traceback.format_exc()}
        resp["id"] = req.get("id")
        out.write(json.dumps(resp).encode("utf-8") + b"\n")
        out.flush()


if __name__ == "__main__":
    main()
