// Verifies an OPA bundle signature (`.signatures.json`, as `opa build --bundle --signing-key` writes it): a JWT over
// the list of files and their SHA-256 digests. JSON files are hashed the way OPA hashes them (canonical JSON with
// keys sorted and number literals kept as written); every other file as raw bytes.
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, constants, type KeyObject } from "node:crypto";
import { CustosError } from "../errors.js";

/** A verification key: a PEM public key (RSA or ECDSA) or an HMAC secret. */
export type VerificationKey = { kind: "public"; key: KeyObject } | { kind: "hmac"; secret: Buffer };

/** Parses a key given as PEM text or as an HMAC secret. */
export function parseVerificationKey(text: string): VerificationKey {
  if (text.includes("-----BEGIN")) {
    try {
      return { kind: "public", key: createPublicKey(text) };
    } catch (err) {
      throw new CustosError("bundle_invalid", "the bundle verification key is not a valid PEM public key", { cause: err });
    }
  }
  if (text.length < 16) throw new CustosError("bundle_invalid", "an HMAC bundle verification secret must have at least 16 characters");
  return { kind: "hmac", secret: Buffer.from(text, "utf8") };
}

/** Canonical JSON of JSON text, keys sorted, number literals as written (OPA's file hash for .json files). */
export function canonicalJsonText(text: string): string {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw new Error(`invalid JSON at offset ${i}`);
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) fail();
    i++;
    // Re-encode the way Go's encoder does (no HTML escaping; U+2028/2029 escaped).
    return JSON.stringify(JSON.parse(text.slice(start, i)) as string).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  };
  const value = (): string => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const entries: [string, string][] = [];
      ws();
      if (text[i] === "}") {
        i++;
        return "{}";
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = str();
        ws();
        if (text[i++] !== ":") fail();
        entries.push([key, value()]);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          break;
        } else fail();
      }
      entries.sort((a, b) => {
        const ka = JSON.parse(a[0]) as string;
        const kb = JSON.parse(b[0]) as string;
        return Buffer.compare(Buffer.from(ka), Buffer.from(kb));
      });
      return `{${entries.map(([k, v]) => `${k}:${v}`).join(",")}}`;
    }
    if (c === "[") {
      i++;
      const items: string[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return "[]";
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          break;
        } else fail();
      }
      return `[${items.join(",")}]`;
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
    return (m as RegExpExecArray)[0];
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}

/** The SHA-256 hex OPA records for one bundle file. */
export function bundleFileDigest(name: string, bytes: Uint8Array): string {
  const h = createHash("sha256");
  if (name.endsWith(".json") || name === ".manifest") h.update(canonicalJsonText(Buffer.from(bytes).toString("utf8")));
  else h.update(bytes);
  return h.digest("hex");
}

const b64url = (s: string) => Buffer.from(s, "base64url");

function checkJwt(token: string, key: VerificationKey): Record<string, unknown> {
  const parts = token.split(".");
  if (parts.length !== 3) throw new CustosError("bundle_invalid", "bundle signature is not a JWT");
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: string };
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(b64url(h).toString("utf8")) as { alg?: string };
    payload = JSON.parse(b64url(p).toString("utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new CustosError("bundle_invalid", "bundle signature JWT is malformed", { cause: err });
  }
  const alg = header.alg ?? "";
  const signed = Buffer.from(`${h}.${p}`);
  const sig = b64url(s);
  let ok = false;
  const hash = { "256": "sha256", "384": "sha384", "512": "sha512" }[alg.slice(2)];
  if (!hash) throw new CustosError("bundle_invalid", `unsupported bundle signing algorithm ${alg || "(none)"}`);
  if (alg.startsWith("HS")) {
    if (key.kind !== "hmac") throw new CustosError("bundle_invalid", `bundle signed with ${alg} but the verification key is a public key`);
    const expected = createHmac(hash, key.secret).update(signed).digest();
    ok = expected.length === sig.length && timingSafeEqual(expected, sig);
  } else {
    if (key.kind !== "public") throw new CustosError("bundle_invalid", `bundle signed with ${alg} but the verification key is an HMAC secret`);
    if (alg.startsWith("RS")) ok = verifySignature(hash, signed, key.key, sig);
    else if (alg.startsWith("PS")) ok = verifySignature(hash, signed, { key: key.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig);
    else if (alg.startsWith("ES")) ok = verifySignature(hash, signed, { key: key.key, dsaEncoding: "ieee-p1363" }, sig);
    else throw new CustosError("bundle_invalid", `unsupported bundle signing algorithm ${alg}`);
  }
  if (!ok) throw new CustosError("bundle_invalid", "bundle signature does not verify with the configured key");
  return payload;
}

/**
 * Verifies the bundle's `.signatures.json` against `key`: the JWT signature, and that the signed file list matches
 * the archive exactly (same names, same digests, nothing missing, nothing added).
 * @throws CustosError `bundle_invalid` naming the problem.
 */
export function verifyBundle(files: Map<string, Uint8Array>, key: VerificationKey): void {
  const sigFile = files.get(".signatures.json");
  if (!sigFile) throw new CustosError("bundle_invalid", "bundle is not signed (no .signatures.json) and a verification key is configured");
  let signatures: unknown;
  try {
    signatures = (JSON.parse(Buffer.from(sigFile).toString("utf8")) as { signatures?: unknown }).signatures;
  } catch (err) {
    throw new CustosError("bundle_invalid", ".signatures.json is not valid JSON", { cause: err });
  }
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== "string") {
    throw new CustosError("bundle_invalid", ".signatures.json must hold exactly one signature");
  }
  const payload = checkJwt(signatures[0], key);
  const listed = payload.files;
  if (!Array.isArray(listed)) throw new CustosError("bundle_invalid", "bundle signature lists no files");
  const expected = new Map<string, string>();
  for (const f of listed as { name?: unknown; hash?: unknown; algorithm?: unknown }[]) {
    if (typeof f.name !== "string" || typeof f.hash !== "string" || f.algorithm !== "SHA-256") {
      throw new CustosError("bundle_invalid", "bundle signature has a file entry without a SHA-256 hash");
    }
    expected.set(f.name.replace(/^\/+/, ""), f.hash);
  }
  for (const [name, bytes] of files) {
    if (name === ".signatures.json") continue;
    const want = expected.get(name);
    if (want === undefined) throw new CustosError("bundle_invalid", `bundle file ${name} is not covered by the signature`);
    if (bundleFileDigest(name, bytes) !== want) throw new CustosError("bundle_invalid", `bundle file ${name} does not match its signed digest`);
    expected.delete(name);
  }
  if (expected.size > 0) throw new CustosError("bundle_invalid", `signed bundle file ${[...expected.keys()][0]} is missing`);
}
