// Request and response envelopes shared by every service, in the shape Kitex's
// examples use (cloudwego/kitex-examples, idl/base.thrift).
namespace go base
namespace py base
namespace java com.example.base
namespace js base

/** Traffic colouring: lets a request run against a test environment. */
struct TrafficEnv {
    1: bool Open = false,
    2: string Env = "",
}

/**
 * The first field of every request: who is calling and from where.
 */
struct Base {
    1: string LogID = "",
    2: string Caller = "",
    3: string Addr = "",
    4: string Client = "",
    5: optional TrafficEnv TrafficEnv,
    6: optional map<string, string> Extra,
}

/** The last field of every response. */
struct BaseResp {
    1: string StatusMessage = "",
    2: i32 StatusCode = 0,
    3: optional map<string, string> Extra,
}

const i32 STATUS_OK = 0
const i32 STATUS_NOT_FOUND = 404
