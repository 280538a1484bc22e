// The request listener: bare node:http answers the hot decision route itself and hands every other request to the
// Express app, so decisions do not pay Express's per-request cost (DESIGN.md, Stack).
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { CustosError } from "../errors.js";
import { sendError } from "./send.js";

/** Paths answered on the fast path, without Express. */
const FAST_PATHS = new Set(["/decide"]);

function pathOf(url: string | undefined): string {
  if (!url) return "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** Creates the listener that routes `POST /decide` directly and the rest through `app`. */
export function createRequestListener(
  decideHandler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  app: RequestListener,
): RequestListener {
  return (req, res) => {
    const path = pathOf(req.url);
    if (FAST_PATHS.has(path)) {
      if (req.method === "POST") {
        void decideHandler(req, res);
        return;
      }
      req.resume();
      res.setHeader("allow", "POST");
      sendError(res, new CustosError("method_not_allowed", `${req.method} is not allowed on ${path}; use POST`));
      return;
    }
    app(req, res);
  };
}
