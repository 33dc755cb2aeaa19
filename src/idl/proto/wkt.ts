/**
 * The well-known types, built in so that `import "google/protobuf/timestamp.proto";`
 * works without any include folder. Each text declares the same package, message, field
 * and enum names, numbers and types as Google's files, so the wire format and the JSON
 * mapping are the same; comments are our own and most language options are left out
 * (they do not affect kitewire). `descriptor.proto` is in its own module.
 *
 * A file found in an include folder wins over the built-in one (see `load.ts`).
 */
import { DESCRIPTOR_PROTO } from "./wkt-descriptor.js";

const HEADER = `syntax = "proto3";

package google.protobuf;

option go_package = "google.golang.org/protobuf/types/known/%GO%";
option java_package = "com.google.protobuf";
option java_multiple_files = true;
option csharp_namespace = "Google.Protobuf.WellKnownTypes";
option objc_class_prefix = "GPB";
`;

const header = (go: string): string => HEADER.replace("%GO%", go);

/** A point in time: seconds and nanoseconds since the Unix epoch, in UTC. JSON: RFC 3339 text. */
export const TIMESTAMP_PROTO = `${header("timestamppb")}
// A point in time independent of any time zone, counted from 1970-01-01T00:00:00Z.
message Timestamp {
  // Whole seconds since the epoch; may be negative.
  int64 seconds = 1;
  // Fraction of a second, 0 to 999,999,999, always counting forward.
  int32 nanos = 2;
}
`;

/** A signed span of time. JSON: decimal seconds with an `s` suffix. */
export const DURATION_PROTO = `${header("durationpb")}
// A signed, fixed-length span of time.
message Duration {
  // Whole seconds of the span.
  int64 seconds = 1;
  // Fraction of a second with the same sign as seconds.
  int32 nanos = 2;
}
`;

/** Any message, tagged with the URL of its type. */
export const ANY_PROTO = `${header("anypb")}
// A message of any type, serialized, with a URL naming its type.
message Any {
  // "type.googleapis.com/full.type.Name" or another URL ending in the full type name.
  string type_url = 1;
  // The serialized message.
  bytes value = 2;
}
`;

/** Dynamically typed JSON-like values. */
export const STRUCT_PROTO = `${header("structpb")}
// A JSON object.
message Struct {
  map<string, Value> fields = 1;
}

// A JSON value: null, number, string, boolean, object or array.
message Value {
  oneof kind {
    NullValue null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
    Struct struct_value = 5;
    ListValue list_value = 6;
  }
}

// The JSON null.
enum NullValue {
  NULL_VALUE = 0;
}

// A JSON array.
message ListValue {
  repeated Value values = 1;
}
`;

/** Wrappers that give scalars presence (and `null` in JSON). */
export const WRAPPERS_PROTO = `${header("wrapperspb")}
message DoubleValue { double value = 1; }
message FloatValue { float value = 1; }
message Int64Value { int64 value = 1; }
message UInt64Value { uint64 value = 1; }
message Int32Value { int32 value = 1; }
message UInt32Value { uint32 value = 1; }
message BoolValue { bool value = 1; }
message StringValue { string value = 1; }
message BytesValue { bytes value = 1; }
`;

/** A set of field paths. JSON: the paths in lowerCamelCase, comma-separated. */
export const FIELD_MASK_PROTO = `${header("fieldmaskpb")}
// Field paths such as "user.display_name".
message FieldMask {
  repeated string paths = 1;
}
`;

/** The empty message, for methods without a request or response. */
export const EMPTY_PROTO = `${header("emptypb")}
// No fields.
message Empty {}
`;

export { DESCRIPTOR_PROTO };

/** The built-in files by import path. */
export const WELL_KNOWN_TYPES: ReadonlyMap<string, string> = new Map([
  ["google/protobuf/any.proto", ANY_PROTO],
  ["google/protobuf/descriptor.proto", DESCRIPTOR_PROTO],
  ["google/protobuf/duration.proto", DURATION_PROTO],
  ["google/protobuf/empty.proto", EMPTY_PROTO],
  ["google/protobuf/field_mask.proto", FIELD_MASK_PROTO],
  ["google/protobuf/struct.proto", STRUCT_PROTO],
  ["google/protobuf/timestamp.proto", TIMESTAMP_PROTO],
  ["google/protobuf/wrappers.proto", WRAPPERS_PROTO],
]);
