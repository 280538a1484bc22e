// One issuer's public keys (a JWKS file or URL): imported once per load, looked up synchronously by `kid` and
// algorithm, reloaded on an unknown `kid` (rate-limited) and when stale, and kept through an outage.
import type { webcrypto } from "node:crypto";
import { readFile } from "node:fs/promises";
import { importJWK, type JWK } from "jose";
import type { JwsAlgorithm } from "./issuers-file.js";

/** How a JWKS is fetched and cached. */
export interface JwksOptions {
  /** Longest wait for a JWKS URL. @default 2000 */
  fetchTimeoutMs?: number;
  /** At most one reload attempt (success or not) per this many seconds, however many unknown `kid`s arrive. @default 30 */
  minRefreshIntervalSeconds?: number;
  /** A set older than this is reloaded in the background (tokens keep verifying against it meanwhile). @default 300 */
  maxAgeSeconds?: number;
  /** Largest JWKS accepted, in bytes. @default 524288 */
  maxBytes?: number;
}

/** What a source can say about itself (no key material). */
export interface JwksStatus {
  /** True once a set has been loaded. */
  loaded: boolean;
  /** Usable keys in the cached set. */
  keys: number;
  /** When the cached set was loaded (seconds), or null. */
  loadedAt: number | null;
  /** Why the last attempt failed, or null when it succeeded. Names no key and no response content. */
  lastError: string | null;
}

/** One issuer's key set. */
export interface JwksSource {
  /**
   * The cached key for a token header, without I/O: by `kid`, or (no `kid`) the only key usable with `alg`.
   * Undefined when there is none. Starts a background reload when the set is older than `maxAgeSeconds`.
   */
  select(kid: string | undefined, alg: JwsAlgorithm, nowSeconds: number): CryptoKey | undefined;
  /** True when the cached set has a key with this `kid` (for any algorithm). */
  knows(kid: string): boolean;
  /**
   * Reloads the set unless an attempt was made less than `minRefreshIntervalSeconds` ago; joins one in flight.
   * Resolves true when a new set was loaded; never rejects (a failure keeps the cached set, see `status`).
   */
  refresh(nowSeconds: number): Promise<boolean>;
  /** Loads the set now, ignoring the rate limit. @throws Error with a message safe to show (start-up). */
  load(nowSeconds: number): Promise<void>;
  status(): JwksStatus;
}

type CryptoKey = webcrypto.CryptoKey;
type KeyTable = Map<string, Map<JwsAlgorithm, CryptoKey>>;

const NO_KID = "\u0000no-kid";
const MAX_KEYS = 100;

/** Which key type (and curve) an algorithm needs. */
function fits(jwk: JWK, alg: JwsAlgorithm): boolean {
  if (alg.startsWith("RS") || alg.startsWith("PS")) return jwk.kty === "RSA";
  if (alg === "ES256") return jwk.kty === "EC" && jwk.crv === "P-256";
  if (alg === "ES384") return jwk.kty === "EC" && jwk.crv === "P-384";
  if (alg === "ES512") return jwk.kty === "EC" && jwk.crv === "P-521";
  return jwk.kty === "OKP" && jwk.crv === "Ed25519";
}

/** Only the public members: a JWKS that (wrongly) publishes a private or symmetric key never yields one. */
function publicPart(jwk: JWK): JWK | null {
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && typeof jwk.e === "string") {
    // RSA keys under 2048 bits are refused (RFC 7518 §3.3), here rather than at each verification.
    return Buffer.from(jwk.n, "base64url").length * 8 >= 2048 ? { kty: "RSA", n: jwk.n, e: jwk.e } : null;
  }
  if (jwk.kty === "EC" && typeof jwk.x === "string" && typeof jwk.y === "string") return { kty: "EC", crv: jwk.crv, x: jwk.x, y: jwk.y };
  if (jwk.kty === "OKP" && typeof jwk.x === "string") return { kty: "OKP", crv: jwk.crv, x: jwk.x };
  return null;
}

/** A key meant for verifying signatures: `use` absent, `sig`, or SPIFFE's `jwt-svid`; `key_ops` absent or with `verify`. */
function isSigningKey(jwk: JWK): boolean {
  if (jwk.use !== undefined && jwk.use !== "sig" && jwk.use !== "jwt-svid") return false;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes("verify"))) return false;
  return true;
}

/** Imports every usable key of a JWKS document for every allowed algorithm it fits. @throws Error (safe message) */
async function importSet(doc: unknown, algorithms: readonly JwsAlgorithm[]): Promise<{ table: KeyTable; count: number }> {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (typeof doc !== "object" || doc === null || !Array.isArray(keys)) throw new Error('JWKS is not {"keys": [...]}');
  if (keys.length > MAX_KEYS) throw new Error(`JWKS has more than ${MAX_KEYS} keys`);
  const table: KeyTable = new Map();
  let count = 0;
  for (const item of keys) {
    if (typeof item !== "object" || item === null) continue;
    const jwk = item as JWK;
    if (!isSigningKey(jwk) || (jwk.kid !== undefined && typeof jwk.kid !== "string")) continue;
    const pub = publicPart(jwk);
    if (!pub) continue;
    const id = jwk.kid ?? NO_KID;
    if (table.has(id)) continue; // a repeated kid: the first one wins, as the kid must name one key
    const byAlg = new Map<JwsAlgorithm, CryptoKey>();
    for (const alg of algorithms) {
      if ((jwk.alg !== undefined && jwk.alg !== alg) || !fits(pub, alg)) continue;
      try {
        byAlg.set(alg, (await importJWK(pub, alg)) as CryptoKey);
      } catch {
        // not importable for this algorithm (bad parameters): not a usable key
      }
    }
    if (byAlg.size > 0) {
      table.set(id, byAlg);
      count += 1;
    }
  }
  if (count === 0) throw new Error("JWKS has no usable signing key");
  return { table, count };
}

async function fetchJson(uri: string, timeoutMs: number, maxBytes: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: "error", headers: { accept: "application/json" } });
  } catch (err) {
    throw new Error((err as Error).name === "TimeoutError" ? `JWKS URL did not answer within ${timeoutMs} ms` : "JWKS URL unreachable");
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`JWKS URL answered HTTP ${res.status}`);
  }
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = reader ? await reader.read() : { done: true, value: undefined };
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader?.cancel();
        throw new Error(`JWKS is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    throw new Error((err as Error).message.startsWith("JWKS") ? (err as Error).message : "JWKS URL unreachable");
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new Error("JWKS is not valid JSON");
  }
}

/** Builds the key source of one issuer. Nothing is loaded until `load` or `refresh`; no timers are kept. */
export function createJwksSource(
  location: { file: string } | { uri: string },
  algorithms: readonly JwsAlgorithm[],
  options: JwksOptions = {},
): JwksSource {
  const timeoutMs = options.fetchTimeoutMs ?? 2000;
  const minInterval = options.minRefreshIntervalSeconds ?? 30;
  const maxAge = options.maxAgeSeconds ?? 300;
  const maxBytes = options.maxBytes ?? 512 * 1024;
  let table: KeyTable = new Map();
  let count = 0;
  let loadedAt: number | null = null;
  let lastAttempt = -Infinity;
  let lastError: string | null = null;
  let inFlight: Promise<boolean> | null = null;

  const read = async (): Promise<unknown> => {
    if ("uri" in location) return fetchJson(location.uri, timeoutMs, maxBytes);
    let text: string;
    try {
      text = await readFile(location.file, "utf8");
    } catch (err) {
      throw new Error(`JWKS file cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (Buffer.byteLength(text) > maxBytes) throw new Error(`JWKS is larger than ${maxBytes} bytes`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error("JWKS is not valid JSON");
    }
  };

  const attempt = (nowSeconds: number): Promise<boolean> => {
    lastAttempt = nowSeconds;
    inFlight = (async () => {
      try {
        const next = await importSet(await read(), algorithms);
        table = next.table; // one reference swap: a lookup sees the old set or the new one, never a mix
        count = next.count;
        loadedAt = nowSeconds;
        lastError = null;
        return true;
      } catch (err) {
        lastError = (err as Error).message;
        return false;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const refresh = (nowSeconds: number): Promise<boolean> => {
    if (inFlight) return inFlight;
    if (nowSeconds - lastAttempt < minInterval) return Promise.resolve(false);
    return attempt(nowSeconds);
  };

  return {
    select(kid, alg, nowSeconds) {
      if (loadedAt !== null && nowSeconds - loadedAt >= maxAge) void refresh(nowSeconds);
      if (kid !== undefined) return table.get(kid)?.get(alg);
      let only: CryptoKey | undefined;
      for (const byAlg of table.values()) {
        const key = byAlg.get(alg);
        if (!key) continue;
        if (only) return undefined; // more than one candidate: a token without kid is ambiguous
        only = key;
      }
      return only;
    },
    knows: (kid) => table.has(kid),
    refresh,
    async load(nowSeconds) {
      if (!(await (inFlight ?? attempt(nowSeconds)))) throw new Error(lastError ?? "JWKS could not be loaded");
    },
    status: () => ({ loaded: loadedAt !== null, keys: count, loadedAt, lastError }),
  };
}
