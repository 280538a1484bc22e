// Test keys made with node:crypto, tokens signed with jose, and a JWKS served on 127.0.0.1 whose answers a test
// can change (rotation), stop (outage) or stall (timeout).
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, type JWK } from "jose";

/** A signing key and its public JWK. */
export interface TestKey {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
}

/** A fresh key pair: `RS256` (RSA 2048), `ES256` (P-256) or `EdDSA` (Ed25519). */
export function makeKey(alg: "RS256" | "PS256" | "ES256" | "EdDSA", kid: string, jwkExtra: Partial<JWK> = {}): TestKey {
  const pair =
    alg === "ES256"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : alg === "EdDSA"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...(pair.publicKey.export({ format: "jwk" }) as JWK), kid, use: "sig", ...jwkExtra };
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

/** Signs claims with a key (header `kid` unless `kid: null`). */
export async function sign(
  key: TestKey,
  claims: Record<string, unknown>,
  header: { kid?: string | null; typ?: string } = {},
): Promise<string> {
  const kid = header.kid === null ? undefined : (header.kid ?? key.kid);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, ...(kid === undefined ? {} : { kid }), ...(header.typ ? { typ: header.typ } : {}) })
    .sign(key.privateKey);
}

/** base64url of a JSON value. */
export const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A JWKS endpoint on 127.0.0.1. */
export interface JwksServer {
  url: string;
  /** Requests served so far. */
  hits: number;
  /** What it answers: a JWKS, or `down` (503), or `stall` (never answers). */
  mode: "up" | "down" | "stall";
  keys: JWK[];
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state: JwksServer = { url: "", hits: 0, mode: "up", keys, close: async () => {} };
  const server: Server = createServer((req, res) => {
    state.hits += 1;
    if (state.mode === "stall") return; // the client's timeout must end this
    if (state.mode === "down") {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
