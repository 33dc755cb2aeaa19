# Syntax errors: each is reported and parsing resumes at the next definition.
namespace go syntax

struct MissingName {
  1: i32
  2: string label
}

struct UnclosedList {
  1: list<i32 values
}

enum StringValue { A = "one" }

const i32 NO_VALUE =

service Unclosed {
  void call(1: i32 a
}

strct Typo {}

struct AfterTypo {
  1: i32 ok
}

include "late.thrift"

struct Truncated {
  1: i32 a
