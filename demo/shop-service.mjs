// The demo's Shop service as a module: `npm start` serves it on 2 server threads
// (listen(server, { threads: 2, serverModule })), each of which imports this module and calls
// its default export for its own Server. The generated Shop module's URL comes in
// KITEWIRE_DEMO_SHOP (main.mjs generates it at run time).
import { Server } from "../dist/kitewire.node.mjs";

const shop = await import(process.env.KITEWIRE_DEMO_SHOP);

const catalog = new Map([
  [1n, shop.Item.create({ id: 1n, title: "Dune", priceCents: 999, tags: ["sci-fi"] })],
  [2n, shop.Item.create({ id: 2n, title: "Kind of Blue", category: shop.Category.MUSIC, priceCents: 1299, tags: ["jazz"] })],
]);

export const handler = {
  getItem(id) {
    const item = catalog.get(id);
    if (!item) throw new shop.OutOfStock({ message: `item ${id} is out of stock`, itemId: id });
    return item;
  },
  search(query, limit) {
    return [...catalog.values()].filter((i) => i.title.toLowerCase().includes(query.toLowerCase())).slice(0, limit);
  },
  slow: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export default () => new Server().register(shop.Shop, handler);
