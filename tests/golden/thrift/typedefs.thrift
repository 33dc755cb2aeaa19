// Typedefs in every position generated code prints a type: consts, defaults, fields,
// parameters, results, exceptions, union members, container elements, map keys and values;
// typedefs of typedefs, of containers, of structs, enums, unions and exceptions, in this
// file and through an include.
include "typedef_types.thrift"

enum Color { RED = 1, GREEN = 2 }

struct Point {
    1: i32 x,
    2: i32 y,
}

union Shape {
    1: Pt point,
    2: Points path,
    3: Name label,
}

exception Failure {
    1: Message message,
    2: Id code,
}

typedef string Name
typedef Name Alias
typedef Alias AliasOfAlias
typedef i64 Id
typedef binary Blob
typedef list<string> Names
typedef Names MoreNames
typedef list<Names> NameLists
typedef list<Point> Points
typedef Points MorePoints
typedef Point Pt
typedef Pt Pt2
typedef Color Hue
typedef Hue Shade
typedef set<Hue> Hues
typedef map<Id, Points> PointsById
typedef map<Name, NameLists> Nested
typedef Shape ShapeAlias
typedef Failure FailureAlias
typedef string Message

const Names NAMES = ["a", "b"]
const MoreNames MORE_NAMES = ["c"]
const list<Names> LIST_OF_NAMES = [["d"], []]
const NameLists NAME_LISTS = [["e", "f"]]
const Points POINTS = [{"x": 1, "y": 2}, {"x": -3}]
const MorePoints MORE_POINTS = [{"y": 4}]
const list<Pt> PT_LIST = [{"x": 5}]
const Pt ORIGIN = {"x": 0, "y": 0}
const Pt2 UNIT = {"x": 1, "y": 1}
const Hue HUE = Color.GREEN
const Shade SHADE = 1
const Hues HUES = [Color.RED, Color.GREEN]
const set<Shade> SHADES = [2]
const PointsById BY_ID = {7: [{"x": 7}], -1: []}
const map<Alias, Pt> BY_ALIAS = {"o": {"x": 0}}
const Nested NESTED = {"k": [["v"]]}
const AliasOfAlias NAME = "n"
const Id ID = 9007199254740993
const Blob BLOB = "\u0001"
const ShapeAlias SHAPE = {"path": [{"x": 1}]}
const FailureAlias FAILURE = {"message": "no", "code": 3}
const typedef_types.Envs ENVS = [{"Open": true, "Env": "prod"}]
const typedef_types.BaseAlias BASE = {"LogID": "l"}
const typedef_types.EnvByName ENV_BY_NAME = {"p": {"Env": "prod"}}
const typedef_types.Labels LABELS = ["x"]
const typedef_types.Words WORDS = ["w"]

struct Everything {
    1: Names names = NAMES,
    2: MoreNames moreNames = ["x"],
    3: NameLists nameLists,
    4: Points points = [{"x": 1}],
    5: MorePoints morePoints,
    6: Pt pt = ORIGIN,
    7: optional Pt2 pt2,
    8: Shade shade = Color.RED,
    9: Hues hues = [Color.GREEN],
    10: PointsById byId,
    11: map<Id, Alias> aliasById = {1: "one"},
    12: set<Id> ids,
    13: Nested nested,
    14: ShapeAlias shape,
    15: Blob blob,
    16: Id id = ID,
    17: required AliasOfAlias name,
    18: list<Pt2> pts,
    19: typedef_types.Envs envs,
    20: typedef_types.EnvByName envByName,
    21: optional typedef_types.BaseAlias base,
    22: typedef_types.Labels labels,
}

service Typedefs {
    Points transform(1: Points points, 2: Pt2 offset, 3: Hues hues) throws (1: FailureAlias failure),
    Nested nested(1: Nested nested, 2: PointsById byId),
    typedef_types.Envs envs(1: typedef_types.EnvByName byName, 2: typedef_types.Words words),
    ShapeAlias shape(1: ShapeAlias shape),
    MoreNames names(1: MoreNames names, 2: set<Alias> aliases, 3: map<Shade, Blob> blobs),
}
