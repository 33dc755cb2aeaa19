// The service `npm start` generates, serves and calls.
namespace js shop

enum Category {
    BOOK = 1,
    MUSIC = 2,
}

struct Item {
    1: required i64 id,
    2: required string title,
    3: Category category = Category.BOOK,
    4: i32 priceCents,
    5: list<string> tags,
    6: optional binary cover,
}

exception OutOfStock {
    1: string message,
    2: i64 itemId,
}

service Shop {
    /** Also GET /items/:id through the gateway (demo/gateway.mjs). */
    Item getItem(1: i64 id (api.path = "id")) throws (1: OutOfStock outOfStock) (api.get = "/items/:id"),
    list<Item> search(1: string query, 2: i32 limit),
    /** Sleeps `ms` milliseconds: the demo's slow call. */
    void slow(1: i32 ms),
}
