# Type references: undefined names, names that are not types, typedef cycles, map keys.
const i32 LIMIT = 10

service Api {}

typedef Missing Alias
typedef LIMIT NotAType
typedef list<Loop> Loop
typedef First Second
typedef Second First
typedef map<string, Tree> Tree

struct Key { 1: string id }

struct Holder {
  1: Undefined a,
  2: list<map<string, Nope>> b,
  3: Api c,
  4: other.Type d,
  5: map<Key, i32> byKey,
  6: map<list<i32>, i32> byList,
  7: map<double, i32> byDouble,
  8: map<binary, i32> byBytes,
  9: map<Status, Holder> byStatus,
  10: map<Alias, i32> byBroken,
}

enum Status { ON, OFF }
