# Constant values and defaults checked against their types.
enum Color { RED, GREEN, BLUE }
enum Size { SMALL = 1, LARGE = 2 }
typedef Color Paint

struct Point { 1: i32 x, 2: i32 y }
union Choice { 1: string text, 2: i64 number }

const i8 I8_HIGH = 128
const byte BYTE_LOW = -129
const i16 I16_HIGH = 32768
const i32 I32_LOW = -2147483649
const i64 I64_HIGH = 9223372036854775808
const i64 I64_HEX = 0xFFFFFFFFFFFFFFFF
const i32 FROM_DOUBLE = 1.0
const i32 FROM_STRING = "1"
const double FROM_BOOL_WORD = true
const double FROM_STR = "pi"
const bool TWO = 2
const bool YES = "yes"
const string NUMBER = 42
const binary BYTES = [1, 2]
const uuid ID = "not-a-uuid"
const list<i32> MIXED = [1, "two", 3.0]
const set<string> NOT_A_LIST = {"a": "b"}
const map<string, i16> BAD_MAP = {1: 2, "big": 70000}
const map<string, i32> NOT_A_MAP = [1]
const Point UNKNOWN_FIELD = {"x": 1, "z": 2}
const Point BAD_KEY = {1: 2}
const Point WRONG_FIELD_TYPE = {"x": "one"}
const Choice TWO_FIELDS = {"text": "a", "number": 1}
const Color NOT_IN_ENUM = 3
const Color OTHER_ENUM = Size.SMALL
const Color UNQUALIFIED = GREEN
const Paint VIA_TYPEDEF = Paint.BLUE
const Color NO_SUCH_VALUE = Color.PURPLE
const i32 UNDEFINED = MISSING
const i32 STRUCT_AS_VALUE = Point
const string ENUM_AS_STRING = Color.RED
const i8 BIG = 1000
const i8 COPY = BIG
const i8 TOO_BIG = I16_OK
const i16 I16_OK = 300
const i32 LOOP_A = LOOP_B
const i32 LOOP_B = LOOP_A
const i32 SELF = SELF

struct Defaults {
  1: i32 count = "zero",
  2: Color color = 7,
  3: list<Point> points = [{"x": 1}, {"w": 2}],
  4: bool flag = -1,
  5: Size size = Size.MEDIUM,
}
