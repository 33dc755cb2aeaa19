// The request/response envelope Kitex services share (after Kitex's base.thrift).
namespace go base
namespace py base
namespace * kitewire.base

struct TrafficEnv {
    1: bool Open = false,
    2: string Env = "",
}

struct Base {
    1: string LogID = "",
    2: string Caller = "",
    3: string Addr = "",
    4: string Client = "",
    5: optional TrafficEnv TrafficEnv,
    6: optional map<string, string> Extra,
}

struct BaseResp {
    1: string StatusMessage = "",
    2: i32 StatusCode = 0,
    3: optional map<string, string> Extra,
}

service BaseService {
    /** Liveness probe. */
    string ping(1: string message)
}
