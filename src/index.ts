// The package entry: the pieces to embed Custos in a Node.js program, and the enforcement-point toolkit (which is
// also `custos/pep`, without the server's dependencies).
export * from "./pep/index.js";
export { createApp } from "./app.js";
export type { App, AppOverrides } from "./app.js";
export { loadConfig } from "./config/load-config.js";
export type { Config } from "./config/load-config.js";
export { createCustosRouter } from "./http/express-app.js";
