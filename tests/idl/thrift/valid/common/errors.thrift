# Errors shared by services; found through an include folder (-I), not relative to
# the including file.
namespace go common.errors
namespace * example.common.errors

enum ErrorCode {
    UNKNOWN = 0,
    INVALID_ARGUMENT = 0x10,
    NOT_FOUND,            // 17
    PERMISSION_DENIED = 0x20;
    INTERNAL = 500 (go.name = "InternalError")
}

exception ServiceError {
    1: required ErrorCode code,
    2: required string message,
    3: optional map<string, string> details,
} (go.error = "true")

exception RateLimited {
    1: i64 retryAfterMs = 1000
}

typedef ErrorCode Code
