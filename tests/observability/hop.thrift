// A service that calls the next hop: the three-process tracing test (trace.test.ts).
namespace js hop

service Hop {
  /** Appends this hop's name to `path`, calls the next hop if any; the last hop fails when asked. */
  string call(1: string path, 2: bool fail)
}
