/**
 * A service touching every feature the generator supports.
 */
include "base.thrift"

namespace go example
namespace py example
namespace js example

typedef i64 UserId
typedef list<string> Tags
typedef base.Base BaseAlias

/** Account status. */
enum Status {
    ACTIVE = 1,
    /** Suspended by an operator. */
    SUSPENDED = 2,
    DELETED = 0x10,
    LEGACY = -1,
}

enum Implicit { A, B, C = 10, D }

const i32 MAX_PAGE = 100
const i64 BIG = 9007199254740993
const double RATIO = 1.5e3
const string GREETING = 'héllo "world"'
const list<string> COLORS = ["red", "green"]
const set<i32> PRIMES = [2, 3, 5, 7]
const map<string, Status> STATUS_BY_NAME = {"active": Status.ACTIVE, "gone": Status.DELETED}
const Status DEFAULT_STATUS = Status.ACTIVE
const binary MAGIC = "kw"
const bool ENABLED = 1

struct Address {
    1: string street,
    2: optional string city = "Paris",
    3: i32 zip,
}

const Address HOME = {"street": "1 rue", "zip": 75001}

struct User {
    1: required UserId id,
    2: required string name,
    3: optional string email,
    4: Status status = Status.ACTIVE,
    5: Tags tags,
    6: map<string, list<Address>> addresses,
    7: optional set<i64> friends,
    8: Address home,
    9: binary avatar,
    10: double score = 0.5,
    11: byte level,
    12: i8 flags = -1,
    13: bool verified,
    14: optional string token,
    15: list<list<i32>> matrix,
    16: optional base.Base base,
    i32 legacy,
}

union Contact {
    1: string phone,
    2: Address address,
    3: list<string> emails,
}

exception NotFound {
    1: string message,
    2: UserId id,
}

exception Invalid {
    1: i32 code (api.code = "400"),
    2: optional map<string, string> fields,
}

service UserService extends base.BaseService {
    User getUser(1: UserId id, 2: base.Base base) throws (1: NotFound notFound) (idempotent = "true"),
    list<User> listUsers(1: i32 page = 1, 2: i32 size) (api.get = "/users"),
    void updateUser(1: User user) throws (1: NotFound notFound, 2: Invalid invalid),
    oneway void touch(1: UserId id),
    Contact contactOf(1: UserId id, 2: Contact hint),
    map<UserId, Status> statuses(1: set<UserId> ids),
}
