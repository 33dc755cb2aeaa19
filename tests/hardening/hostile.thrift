// The service of the hostile-client suite (tests/hardening/) and the soak benchmark
// (bench/soak.mjs): replies of a size the caller picks, an echo, and a list to count.
service Hostile {
  binary blob(1: i32 size)
  binary echo(1: binary payload)
  i32 count(1: list<i32> values)
}
