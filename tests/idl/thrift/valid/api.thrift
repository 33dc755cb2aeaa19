/**
 * An example API in the style of Kitex/Hertz IDLs: several services, HTTP
 * annotations, Go struct tags, every kind of constant.
 */
include "base.thrift"
include "errors.thrift"
cpp_include "<unordered_map>"

namespace go example.api
namespace py example.api
namespace java com.example.api (java.annotation = "generated")

typedef i64 UserID
typedef string Email (validate = "email")
typedef list<UserID> UserIDs
typedef map<string, list<string>> Labels
typedef base.Base RequestBase
typedef errors.Code Code

/** Account state. */
enum Status {
    /** Not yet confirmed. */
    PENDING,
    ACTIVE = 1,
    SUSPENDED = 5,
    DELETED,
    LEGACY = -1 (deprecated)
}

enum Role {
    GUEST = 0x0,
    MEMBER = 0x1,
    ADMIN = 0x7fffffff
}

const i8 MAX_RETRIES = 3
const byte MIN_BYTE = -128
const i16 PORT = 8888
const i32 TIMEOUT_MS = +30000
const i64 MAX_ID = 9223372036854775807
const i64 MIN_ID = -9223372036854775808
const i64 MASK = 0x7FFFFFFFFFFFFFFF
const double PI = 3.14159
const double AVOGADRO = 6.022e23
const double EPSILON = -1.5E-3
const double HALF = .5
const double WHOLE = 2
const bool ENABLED = true
const bool DISABLED = 0
const string GREETING = "hello, \"world\"\n"
const string QUOTED = 'it\'s "quoted"'
const binary MAGIC = "KW"
const Status DEFAULT_STATUS = Status.ACTIVE
const errors.ErrorCode NOT_FOUND = errors.ErrorCode.NOT_FOUND
const Code ALIAS_CODE = errors.Code.INTERNAL
const i32 OK = base.STATUS_OK
const i32 COPY_OF_TIMEOUT = TIMEOUT_MS
const UserIDs ADMINS = [1, 2, 3]
const set<string> RESERVED_NAMES = ["root", "admin"];
const list<Status> VISIBLE = [Status.PENDING, Status.ACTIVE]
const map<string, i32> LIMITS = {"read": 100, "write": 10}
const map<Status, list<string>> STATUS_NOTES = {
    Status.ACTIVE: ["ok"],
    Status.SUSPENDED: ["contact support", "see docs"],
}
const Labels DEFAULT_LABELS = {"team": ["core"]}
const base.TrafficEnv TEST_ENV = {"Open": true, "Env": "staging"}

struct Address {
    1: string city (go.tag = 'json:"city"'),
    2: string zip,
}

/** A user of the system. */
struct User {
    1: required UserID id (go.tag = 'json:"id,string"'),
    2: required string name,
    3: optional Email email,
    4: Status status = Status.PENDING,
    5: list<Role> roles = [Role.MEMBER],
    6: optional Address address,
    7: map<string, string> attrs = {},
    8: optional Labels labels,
    9: i64 createdAt = 0,
    10: optional double score = 0.0,
    11: binary avatar,
    12: optional list<User> friends,
    13: set<i64> tags,
}

union Contact {
    1: Email email,
    2: string phone,
    3: Address postal,
}

struct GetUserRequest {
    1: required UserID id (api.path = "id"),
    2: bool withFriends = false (api.query = "with_friends"),
    255: optional RequestBase Base,
}

struct GetUserResponse {
    1: optional User user,
    255: base.BaseResp BaseResp,
}

struct ListUsersRequest {
    1: i32 offset = 0 (api.query = "offset"),
    2: i32 limit = 20 (api.query = "limit", api.vd = "$ < 100"),
    3: optional list<Status> statuses,
    255: optional base.Base Base,
}

struct ListUsersResponse {
    1: list<User> users,
    2: i64 total,
    255: base.BaseResp BaseResp,
}

struct Event {
    1: required string kind,
    2: map<string, Contact> payload,
}

exception NotFound {
    1: string message = "not found",
    2: UserID id,
}

/** A struct literal: nested struct, enum values, a list of enums. */
const User ANONYMOUS = {
    "id": 0,
    "name": "anonymous",
    "status": Status.ACTIVE,
    "roles": [Role.GUEST],
    "address": {"city": "nowhere", "zip": "00000"},
}

/** Reads users. */
service UserReader {
    GetUserResponse GetUser(1: GetUserRequest req) throws (1: NotFound notFound, 2: errors.ServiceError err) (api.get = "/api/v1/users/:id"),
    ListUsersResponse ListUsers(1: ListUsersRequest req) (api.get = "/api/v1/users", api.serializer = "json");
}

service UserWriter extends UserReader {
    /** Creates a user and returns its id. */
    UserID CreateUser(1: User user, 2: RequestBase Base) throws (1: errors.ServiceError err, 2: errors.RateLimited limited) (api.post = "/api/v1/users")
    void DeleteUser(1: UserID id) (api.delete = "/api/v1/users/:id")
    UserIDs BatchCreate(1: list<User> users, 2: map<string, string> options)
} (api.base_domain = "users.example.com")

service Events {
    oneway void Publish(1: Event event)
    oneway void Heartbeat()
    bool Ping(),
    Contact Lookup(1: UserID id, 2: Code hint = errors.ErrorCode.UNKNOWN)
}
