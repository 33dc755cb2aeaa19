// The small and large messages of the whole-message benchmarks (bench/messages.bench.mjs);
// bench.proto is the same in Protobuf.
namespace py bench

struct Small {
    1: i64 id,
    2: string name,
    3: i32 age,
    4: bool active,
    5: double score,
}

struct Inner {
    1: i32 a,
    2: string b,
    3: double c,
}

struct Large {
    1: i64 id,
    2: string name,
    3: i32 age,
    4: bool active,
    5: double score,
    6: string email,
    7: i32 level,
    8: i64 createdAt,
    9: i64 updatedAt,
    10: string title,
    11: string description,
    12: Inner inner,
    13: list<i32> numbers,
    14: list<string> tags,
    15: list<Inner> children,
    16: string note,
    17: binary payload,
    18: i16 region,
    19: byte flags,
    20: double ratio,
}
