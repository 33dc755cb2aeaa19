# Enums: duplicate names are errors, duplicate values a warning (Apache Thrift allows
# them, thriftgo does not), values must fit an i32.
enum Color {
  RED,
  GREEN,
  BLUE = 1,
  RED = 7,
  CYAN = 0x10,
  MAGENTA = 0x10,
}

enum Range {
  LOW = -2147483649,
  ZERO = 0,
  HIGH = 2147483647,
  OVER,
}
