"""ProtoJSON with the protobuf package's json_format (Debian's python3-protobuf), for
tests/peers/protobuf-json.test.ts.

Usage: protobuf_json.py GEN_DIR, where GEN_DIR holds `protoc --python_out` output for
tests/peers/proto/kitewire/json/{test,legacy}.proto. Reads requests from stdin and answers
each on stdout, one JSON object per line, in order:

  {"id": 0, "op": "schema", "types": [FULL_NAME, ...]}
      -> {"id": 0, "ok": true, "types": {FULL_NAME: [FIELD, ...]}}, FIELD being
         {"no", "name", "jsonName", "type", "repeated", "presence", "oneof", "map": [K, V] | null, "ref"}
  {"id": 1, "op": "toJson", "type": FULL_NAME, "hex": BYTES, "emitDefaults": bool,
   "useProtoNames": bool, "enumAsInteger": bool}
      -> {"id": 1, "ok": true, "json": MessageToJson of the message the bytes hold}
  {"id": 2, "op": "parse", "type": FULL_NAME, "json": TEXT, "ignoreUnknownFields": bool}
      -> {"id": 2, "ok": true, "hex": the parsed message, serialized} or
         {"id": 2, "ok": true, "rejected": why json_format.Parse refused the text}
  any other failure -> {"id": N, "ok": false, "error": traceback}

A type in "type"/"ref" is a protobuf type name (lowercase scalar names, or the full name
of a message or enum). Standard library and the protobuf package only.
"""

import json
import sys
import traceback

from google.protobuf import descriptor, json_format, symbol_database

FD = descriptor.FieldDescriptor
SCALARS = {
    FD.TYPE_DOUBLE: "double", FD.TYPE_FLOAT: "float", FD.TYPE_INT32: "int32", FD.TYPE_INT64: "int64",
    FD.TYPE_UINT32: "uint32", FD.TYPE_UINT64: "uint64", FD.TYPE_SINT32: "sint32", FD.TYPE_SINT64: "sint64",
    FD.TYPE_FIXED32: "fixed32", FD.TYPE_FIXED64: "fixed64", FD.TYPE_SFIXED32: "sfixed32",
    FD.TYPE_SFIXED64: "sfixed64", FD.TYPE_BOOL: "bool", FD.TYPE_STRING: "string", FD.TYPE_BYTES: "bytes",
}


def type_of(field):
    if field.type in SCALARS:
        return SCALARS[field.type]
    if field.type == FD.TYPE_ENUM:
        return field.enum_type.full_name
    return field.message_type.full_name


def describe(field):
    entry = field.message_type if field.type == FD.TYPE_MESSAGE else None
    is_map = entry is not None and entry.GetOptions().map_entry
    oneof = field.containing_oneof
    return {
        "no": field.number,
        "name": field.name,
        "jsonName": field.json_name,
        "type": "map" if is_map else type_of(field),
        "group": field.type == FD.TYPE_GROUP,
        "repeated": field.label == FD.LABEL_REPEATED,
        "required": field.label == FD.LABEL_REQUIRED,
        "presence": field.has_presence,
        # proto3 `optional` sits in a synthetic oneof named "_" + field name; that is no oneof to JSON.
        "oneof": oneof.name if oneof is not None and oneof.name != "_" + field.name else None,
        "map": [type_of(entry.fields_by_name["key"]), type_of(entry.fields_by_name["value"])] if is_map else None,
    }


def handle(req, db):
    op = req["op"]
    if op == "schema":
        return {"types": {name: [describe(f) for f in db.GetSymbol(name).DESCRIPTOR.fields] for name in req["types"]}}
    cls = db.GetSymbol(req["type"])
    if op == "toJson":
        msg = cls()
        msg.ParseFromString(bytes.fromhex(req["hex"]))
        text = json_format.MessageToJson(
            msg,
            including_default_value_fields=req["emitDefaults"],
            preserving_proto_field_name=req["useProtoNames"],
            use_integers_for_enums=req["enumAsInteger"],
            indent=None,
        )
        return {"json": text}
    if op == "parse":
        try:
            msg = json_format.Parse(req["json"], cls(), ignore_unknown_fields=req["ignoreUnknownFields"])
            return {"hex": msg.SerializeToString(deterministic=True).hex()}
        except json_format.ParseError as e:
            return {"rejected": str(e)}
    raise ValueError("unknown op " + op)


def main():
    sys.path.insert(0, sys.argv[1])
    # Importing the generated modules registers their types (and the WKTs) in the default pool.
    __import__("kitewire.json.test_pb2")
    __import__("kitewire.json.legacy_pb2")
    db = symbol_database.Default()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            reply = handle(req, db)
            reply["ok"] = True
        except Exception:  # pylint: disable=broad-except
            reply = {"ok": False, "error": traceback.format_exc()}
        reply["id"] = req["id"]
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
