// Typedefs that typedefs.thrift uses through its include, some naming types of a file
// typedefs.thrift does not include itself (base.thrift).
include "base.thrift"

typedef list<base.TrafficEnv> Envs
typedef base.Base BaseAlias
typedef map<string, base.TrafficEnv> EnvByName
typedef set<string> Labels
typedef list<string> Words
