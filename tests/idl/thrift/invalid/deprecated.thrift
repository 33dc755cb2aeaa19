# Deprecated and foreign syntax: read, with a warning or an error saying it is unsupported.
php_namespace Example
xsd_namespace "http://example.com/xsd"
py_module example.legacy
namespace cpp example
namespace py example.current

senum Level { "low", "high" }

struct Legacy xsd_all {
  1: slist name,
  2: i32 count xsd_optional xsd_nillable,
  3: Legacy & next,
  4: map cpp_type "std::map" <string, i32> counts,
  5: list<i32> cpp_type "std::vector" items,
  6: Level level xsd_attrs { 1: i32 a },
}

service Old {
  async void fire(1: i32 when)
  void f(1: void nothing)
}
