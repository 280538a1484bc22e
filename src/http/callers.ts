// Who is asking: PEP authentication by bearer token (digests at rest) or mutual TLS, and a per-PEP rate limit
// against policy probing. Admin and PEP credentials are kept apart.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { EVENT_TYPES } from "../decision/vocabulary.js";
import { CustosError } from "../errors.js";
import { bearerToken } from "./auth.js";

/** An authenticated (or, on loopback without tokens, anonymous) caller of the decision routes. */
export interface Caller {
  name: string;
  via: "token" | "mtls" | "anonymous";
  /** Globs of the identity ids this PEP may speak for (its tokens file entry); absent: any. */
  principals?: readonly string[];
  /** The events this PEP may ask about; absent: any. */
  events?: readonly string[];
}

/** One PEP of the tokens file. */
export interface PepEntry {
  name: string;
  principals?: readonly string[];
  events?: readonly string[];
}

/** A principals glob: `*` any run of characters, `?` one; at most 256 characters of printable ASCII. */
const GLOB = /^[\x21-\x7e]{1,256}$/;

/** Authenticates decision requests. @throws CustosError `unauthorized` */
export type Authenticate = (req: IncomingMessage) => Caller;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Reads a PEP tokens file: `{"peps": [{"name": "gateway", "token_sha256": "<64 hex>", "principals"?: ["agent:*"],
 * "events"?: ["tool_call"]}]}`.
 * @throws CustosError `pep_tokens_invalid` naming the problem.
 */
export async function loadPepTokens(path: string, adminToken: string | null): Promise<Map<string, PepEntry>> {
  const bad = (message: string) => new CustosError("pep_tokens_invalid", `CUSTOS_PEP_TOKENS_FILE ${path}: ${message}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw bad((err as NodeJS.ErrnoException).code ? `cannot read (${(err as NodeJS.ErrnoException).code})` : "is not valid JSON");
  }
  const peps = (parsed as { peps?: unknown }).peps;
  if (!Array.isArray(peps) || peps.length === 0) throw bad('must be {"peps": [{"name", "token_sha256"}, …]} with at least one entry');
  const tokens = new Map<string, PepEntry>();
  for (const [i, p] of peps.entries()) {
    const { name, token_sha256: digest, principals, events } = (p ?? {}) as { name?: unknown; token_sha256?: unknown; principals?: unknown; events?: unknown };
    if (typeof name !== "string" || !/^[\w.:@-]{1,128}$/.test(name)) throw bad(`peps[${i}].name must be 1-128 characters of [A-Za-z0-9_.:@-]`);
    if (typeof digest !== "string" || !/^[0-9a-f]{64}$/.test(digest)) throw bad(`peps[${i}].token_sha256 must be 64 lowercase hex digits`);
    if (tokens.has(digest)) throw bad(`peps[${i}] repeats a token`);
    const entry: PepEntry = { name };
    if (principals !== undefined) {
      if (!Array.isArray(principals) || principals.length === 0 || principals.length > 64 || !principals.every((g) => typeof g === "string" && GLOB.test(g))) {
        throw bad(`peps[${i}].principals must be 1-64 globs of 1-256 printable characters (* any run, ? one character)`);
      }
      entry.principals = Object.freeze([...(principals as string[])]);
    }
    if (events !== undefined) {
      if (!Array.isArray(events) || events.length === 0 || !events.every((e) => (EVENT_TYPES as readonly unknown[]).includes(e))) {
        throw bad(`peps[${i}].events must be a non-empty list of ${EVENT_TYPES.join(", ")}`);
      }
      entry.events = Object.freeze([...new Set(events as string[])]);
    }
    tokens.set(digest, Object.freeze(entry));
  }
  if (adminToken && tokens.has(sha256(adminToken))) throw bad("a PEP token equals the admin token; keep them separate");
  return tokens;
}

/** What {@link createAuthenticator} checks. */
export interface AuthenticatorOptions {
  /** Digests of PEP tokens to their entries; set, every caller must present one. */
  tokens: Map<string, PepEntry> | null;
  /** Require a client certificate signed by CUSTOS_TLS_CA. */
  mtls: boolean;
  /**
   * With neither tokens nor mTLS: true when whoever serves this request has said it listens on loopback only (Custos's
   * own server on a loopback HOST, or a host app that built Custos with `loopbackOnly: true`). False refuses the
   * request: an embedded router does not know where its host listens. @default () => false
   */
  loopbackClaim?: (req: IncomingMessage) => boolean;
}

/** Tokens null and mTLS off: a caller is `anonymous`, admitted only on a loopback claim and a loopback socket. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const { tokens, mtls } = options;
  const loopbackClaim = options.loopbackClaim ?? (() => false);
  return (req) => {
    let certName: string | null = null;
    if (mtls) {
      const socket = req.socket as TLSSocket;
      const cn = socket.authorized ? socket.getPeerCertificate?.()?.subject?.CN : undefined;
      if (!cn) throw new CustosError("unauthorized", "a client certificate signed by CUSTOS_TLS_CA is required");
      certName = Array.isArray(cn) ? String(cn[0]) : String(cn);
    }
    if (tokens) {
      const sent = bearerToken(req);
      const entry = sent ? tokens.get(sha256(sent)) : undefined;
      if (!entry) throw new CustosError("unauthorized", "decision requests require a PEP bearer token");
      return { ...entry, via: "token" };
    }
    if (certName) return { name: certName, via: "mtls" };
    if (!loopbackClaim(req)) {
      throw new CustosError(
        "unauthorized",
        "unauthenticated decisions are refused here: set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA, or build with createApp(config, { loopbackOnly: true }) if the host app listens on loopback only",
      );
    }
    // Defence in depth: the claim is checked against the socket. A socket without an IP address (a Unix socket) is local.
    const local = req.socket?.localAddress;
    if (local && isIP(local) !== 0 && !isLoopback(local)) {
      throw new CustosError("unauthorized", "an unauthenticated decision request arrived on a non-loopback address; set CUSTOS_PEP_TOKENS_FILE or CUSTOS_TLS_CA");
    }
    return { name: "anonymous", via: "anonymous" };
  };
}

/** A rate-limit verdict for `cost` decisions (a batch costs its items): `null` when allowed, else seconds to wait. */
export type RateLimit = (caller: string, cost?: number, nowMs?: number) => number | null;

/**
 * Token buckets per caller: `perSecond` sustained, bursts of two seconds' worth. `0` allows everything. A request
 * costing more than a full bucket passes only when the bucket is full and leaves it in debt, so a batch is paid
 * for in full before the next request.
 */
export function createRateLimiter(perSecond: number, maxCallers = 10_000): RateLimit {
  if (perSecond <= 0) return () => null;
  const capacity = perSecond * 2;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (caller, cost = 1, nowMs = Date.now()) => {
    let b = buckets.get(caller);
    if (!b) {
      if (buckets.size >= maxCallers) buckets.clear();
      b = { tokens: capacity, at: nowMs };
      buckets.set(caller, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.at) / 1000) * perSecond);
    b.at = nowMs;
    if (b.tokens >= Math.min(cost, capacity)) {
      b.tokens -= cost;
      return null;
    }
    return Math.max(1, Math.ceil((Math.min(cost, capacity) - b.tokens) / perSecond));
  };
}

/** True for a loopback address or `localhost` (IPv4 127/8, `::1`, and 127/8 mapped into IPv6 as `::ffff:127.…`). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Admits a request to a decision route: authenticates the PEP and applies its rate limit. Returns the caller
 * (`null` without an authenticator).
 * @throws CustosError `unauthorized`, or `rate_limited` (with `Retry-After` set on `res`).
 */
export function admitCaller(
  req: IncomingMessage,
  res: { setHeader(name: string, value: string): unknown },
  authenticate: Authenticate | undefined,
  rateLimit: RateLimit | undefined,
): Caller | null {
  const caller = authenticate ? authenticate(req) : null;
  if (caller) charge(req, res, caller, rateLimit, 1);
  return caller;
}

/**
 * Charges `cost` more decisions to the caller's rate limit (a batch pays for each item beyond the first).
 * @throws CustosError `rate_limited` (with `Retry-After` set on `res`).
 */
export function charge(
  req: IncomingMessage,
  res: { setHeader(name: string, value: string): unknown },
  caller: Caller | null,
  rateLimit: RateLimit | undefined,
  cost: number,
): void {
  const wait = caller && rateLimit && cost > 0 ? rateLimit(caller.name, cost) : null;
  if (wait === null) return;
  req.resume();
  res.setHeader("retry-after", String(wait));
  throw new CustosError("rate_limited", `rate limit of this PEP exceeded; retry in ${wait} s`);
}

/** What the policy sees of a caller (`input.caller`): its name and the restrictions of its entry. */
export function callerFacts(caller: Caller): { name: string; principals?: readonly string[]; events?: readonly string[] } {
  return {
    name: caller.name,
    ...(caller.principals ? { principals: caller.principals } : {}),
    ...(caller.events ? { events: caller.events } : {}),
  };
}
