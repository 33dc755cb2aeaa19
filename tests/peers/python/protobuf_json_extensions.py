"""ProtoJSON of extensions with the protobuf package's json_format (Debian's python3-protobuf),
for tests/peers/protobuf-json-extensions.test.ts.

Usage: protobuf_json_extensions.py GEN_DIR, where GEN_DIR holds `protoc --python_out` output
for tests/golden/proto/{extensions,legacy}.proto (importing it registers the extensions, which
is all json_format needs to print and parse them). Reads one JSON array of requests on stdin
and prints one JSON array of replies, in order:

  {"op": "toJson", "type": FULL_NAME, "hex": BYTES, "useProtoNames": bool, "enumAsInteger": bool}
      -> {"json": MessageToJson of the message the bytes hold}
  {"op": "parse", "type": FULL_NAME, "json": TEXT}
      -> {"hex": the parsed message, serialized} or {"rejected": why json_format.Parse refused}

Standard library and the protobuf package only.
"""

import json
import sys

from google.protobuf import json_format, symbol_database


def handle(req, db):
    cls = db.GetSymbol(req["type"])
    if req["op"] == "toJson":
        msg = cls()
        msg.ParseFromString(bytes.fromhex(req["hex"]))
        return {"json": json_format.MessageToJson(
            msg,
            preserving_proto_field_name=req["useProtoNames"],
            use_integers_for_enums=req["enumAsInteger"],
            indent=None,
        )}
    if req["op"] == "parse":
        try:
            msg = json_format.Parse(req["json"], cls())
        except json_format.ParseError as e:
            return {"rejected": str(e)}
        return {"hex": msg.SerializeToString(deterministic=True).hex()}
    raise ValueError("unknown op " + req["op"])


def main():
    sys.path.insert(0, sys.argv[1])
    __import__("extensions_pb2")
    __import__("legacy_pb2")
    db = symbol_database.Default()
    json.dump([handle(req, db) for req in json.load(sys.stdin)], sys.stdout)


if __name__ == "__main__":
    main()
