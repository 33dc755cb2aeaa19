# Field lists: duplicate names and ids, id ranges, implicit ids, union rules.
struct Person {
  1: string name,
  2: i32 age,
  2: i32 height,
  3: string name,
  i32 weight,
  string nickname,
  -1: string clash,
  0: bool zero,
  32768: i64 tooBig,
  -40000: i64 tooSmall,
}

union Shape {
  1: required double radius,
  2: optional double side = 1.0,
  3: double width = 2.0,
  4: double height = 3.0,
}

exception Failure {
  1: string message,
  1: i32 code,
}

struct Person {}
enum Shape { X }
const i32 Failure = 1
