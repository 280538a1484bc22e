// The package entry: the enforcement-point toolkit, and the pieces to embed Custos in a Node.js process.
export * from "./pep/index.js";
export { createApp } from "./app.js";
export type { App, AppOverrides } from "./app.js";
export { loadConfig } from "./config/load-config.js";
export type { Config } from "./config/load-config.js";
export { createCustosRouter } from "./http/express-app.js";
