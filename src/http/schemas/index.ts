/**
 * The API's shapes, declared once: the routes validate and serialize with these schemas,
 * /openapi.json documents them, and the web app imports their `Static` types (type-only, so
 * nothing of the server is bundled). These modules import typebox and each other only: web/'s
 * type check reads them without Node's types, and a server import here would pull the server in.
 */

export * from "./common.js";
export * from "./banks.js";
export * from "./changes.js";
export * from "./content.js";
export * from "./members.js";
export * from "./measure.js";
export * from "./reviews.js";
export * from "./rules.js";
export * from "./status.js";
export * from "./hma.js";
export * from "./counter.js";
export * from "./links.js";
export { ReviewAccountsView, ReviewAccountMatchView } from "./accounts.js";
