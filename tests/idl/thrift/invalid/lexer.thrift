# Lexical errors: each is reported where it is and lexing goes on.
const string BAD_ESCAPE = "tab\q"
const string SHORT_UNICODE = "\u12"
const string LONE_HIGH = "\uD83Dx"
const string LONE_LOW = '\uDE00'
const i32 NO_HEX_DIGITS = 0x
const i32 STRAY = 1 $
struct Point {
  1: i32 x ^
  2: i32 y
}
const string OPEN = "never closed
