// Features newer than Apache Thrift 0.17 (the Debian compiler the interop tests use).
struct Session {
    1: required uuid id,
    2: optional uuid parent,
    3: list<uuid> children,
    4: map<uuid, string> labels,
}
