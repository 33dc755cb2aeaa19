// IDL names that TypeScript treats specially: words reserved in strict mode (modules are
// strict), and definitions that shadow globals the generated code itself uses.
struct Promise {
    1: i32 arguments,
    2: i32 eval,
    3: i32 toString,
}

struct Map {
    1: map<string, Promise> entries,
}

exception Error {
    1: string message,
}

const Promise ZERO = {"arguments": 0, "eval": 0, "toString": 0}

service Names {
    Promise get(1: i32 arguments, 2: i32 eval) throws (1: Error error),
    Map all(),
}
