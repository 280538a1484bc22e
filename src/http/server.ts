// The request listener: bare node:http answers the decision routes itself from a small route table and hands every
// other request to the Express app, so decisions do not pay Express's per-request cost (DESIGN.md, Stack). The one
// place a request's path is split from its query.
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { CustosError } from "../errors.js";
import { sendError } from "./respond.js";

/** A request handler that never rejects (every failure becomes an error response). */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** One route of the fast path. */
export interface FastRoute {
  method: "GET" | "POST";
  /** The exact path, or with `prefix` the path every matching request starts with (e.g. `/v1/data/`). */
  path: string;
  prefix?: boolean;
  handler: FastHandler;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  if (!url) return "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** The query string of a request URL (after `?`), or `""`. */
export function queryOf(url: string | undefined): string {
  const q = url?.indexOf("?") ?? -1;
  return q === -1 || !url ? "" : url.slice(q + 1);
}

/** Creates the listener that answers `routes` directly and the rest through `app`. */
export function createRequestListener(routes: readonly FastRoute[], app: RequestListener): RequestListener {
  const exact = new Map<string, FastRoute[]>();
  const prefixed = routes.filter((r) => r.prefix);
  for (const r of routes) if (!r.prefix) exact.set(r.path, [...(exact.get(r.path) ?? []), r]);
  return (req, res) => {
    const path = pathOf(req.url);
    const candidates = exact.get(path) ?? prefixed.filter((r) => path.startsWith(r.path));
    if (candidates.length === 0) {
      app(req, res);
      return;
    }
    const route = candidates.find((r) => r.method === req.method || (r.method === "GET" && req.method === "HEAD"));
    if (route) {
      void route.handler(req, res);
      return;
    }
    req.resume();
    const allowed = [...new Set(candidates.map((r) => r.method))].join(", ");
    res.setHeader("allow", allowed);
    sendError(res, new CustosError("method_not_allowed", `${req.method} is not allowed on ${path}; use ${allowed}`));
  };
}
