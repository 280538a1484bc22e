// Judges the URL of a markdown image or link: does it carry data (a template placeholder the model would fill in,
// or a long opaque value under a name that suggests content)? An image is fetched without a click, so it is the
// stronger channel.
import { readableBase64 } from "./decode.js";

/** How strongly a URL looks like it carries data: none, some (a long value under a telling name), or a placeholder. */
export type UrlCarries = "none" | "some" | "placeholder";

const PLACEHOLDER = /[{}<>[\]$]|%7b|%7d|%3c|%3e|%24|%5b/i;
const TELLING_NAME = /^(?:data|d|q|query|secret|token|key|api_?key|pass(?:word)?|pwd|conversation|conv|chat|history|prompt|msg|message|content|text|info|payload|exfil|leak|email|user|session|cookie|memory|context|summary|creds?|credentials?)$/i;
const OPAQUE = /^[A-Za-z0-9+/=_%.-]{32,}$/;

/** What `url` (at most 2048 characters) carries. */
export function urlCarries(url: string): UrlCarries {
  if (PLACEHOLDER.test(url)) return "placeholder";
  const q = url.indexOf("?");
  const query = q < 0 ? "" : url.slice(q + 1, q + 1 + 2048);
  for (const pair of query.split("&").slice(0, 32)) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (value.length >= 16 && readableBase64(value)) return "placeholder";
    if (TELLING_NAME.test(name) && value.length >= 12 && !/^\d+$/.test(value)) return "some";
    if (OPAQUE.test(value) && /[a-z]/.test(value) && /[A-Z0-9]/.test(value) && /[+/=%]/.test(value)) return "some";
  }
  return "none";
}
