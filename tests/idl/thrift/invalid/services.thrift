# Services: base services, cycles, function names, oneway, params and throws.
struct Request { 1: string id }
exception Oops { 1: string why }
typedef Oops AliasedOops

service Root {
  void ping(),
  string echo(1: string text),
}

service Child extends Root {
  void ping(),
  i32 count(),
  i32 count(1: i32 from),
}

service NoBase extends Missing {}
service StructBase extends Request {}
service LoopA extends LoopB {}
service LoopB extends LoopA {}

service Calls {
  oneway string notify(1: string msg),
  oneway void fire(1: string msg) throws (1: Oops oops),
  void get(1: string id, 1: string other, 2: string id),
  void put(1: optional Request req) throws (1: required Oops oops),
  void fail() throws (1: Request notAnException, 2: AliasedOops fine, 3: Oops fine),
  void defaults(1: i32 n = "x"),
}
