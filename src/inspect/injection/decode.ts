// Payloads encoded to slip past a filter: base64 and URL-encoded runs, decoded once (never again) and only when
import { linearRegex } from "../linear.js";
// they decode to readable text, so the patterns can read what the model could decode. Work is bounded per text.

/** A decoded payload and where its encoded form lies in the text it was found in. */
export interface DecodedPayload {
  encoding: "base64" | "url";
  text: string;
  start: number;
  end: number;
}

/** Limits on decoding work per text. */
export const DECODE_LIMITS = {
  /** Payloads decoded per text. */
  maxPayloads: 16,
  /** Characters of decoded text per text, summed over its payloads. */
  maxDecodedChars: 32 * 1024,
} as const;

/** Shapes of encoded runs, as data (checked for linear time with the patterns). */
export const DECODE_REGEXES = {
  /** Cheap hint that base64 may be present: a lowercase letter followed by an uppercase one. */
  base64Gate: "[a-z][A-Z]",
  /** A base64 (or base64url) token that does not start in the middle of another. */
  base64: "(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,4096}",
  urlGate: "%[0-9A-Fa-f]{2}",
  /** A run of URL-encoded octets and unreserved characters. */
  url: "(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9._~+-]){9,4096}",
} as const;

const base64Gate = linearRegex("injection-decode", "base64Gate", DECODE_REGEXES.base64Gate);
const base64Token = linearRegex("injection-decode", "base64", DECODE_REGEXES.base64, "g");
const urlGate = linearRegex("injection-decode", "urlGate", DECODE_REGEXES.urlGate);
const urlToken = linearRegex("injection-decode", "url", DECODE_REGEXES.url, "g");
const octet = /%[0-9A-Fa-f]{2}/g;

/** True when `s` reads as text: almost all printable, some letters, some spaces. */
function readable(s: string): boolean {
  if (s.length < 12) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd) return false;
    if (c >= 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) printable++;
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0) letters++;
    if (c === 0x20 || c === 0x0a) spaces++;
  }
  return printable / s.length >= 0.97 && letters / s.length >= 0.5 && spaces >= 1;
}

/** True when `value` is base64 of readable text (data being carried out, not an opaque id). */
export function readableBase64(value: string): boolean {
  return /^[A-Za-z0-9+/_-]{16,4096}={0,2}$/.test(value) && decodeBase64(value.replace(/=+$/, "")) !== null;
}

function decodeBase64(token: string): string | null {
  const body = token.replace(/-/g, "+").replace(/_/g, "/");
  if (body.length % 4 === 1) return null;
  const text = Buffer.from(body, "base64").toString("utf8");
  return readable(text) ? text : null;
}

function decodeUrl(token: string): string | null {
  octet.lastIndex = 0;
  let octets = 0;
  while (octet.exec(token) !== null) octets++;
  if (octets < 3) return null;
  try {
    const text = decodeURIComponent(token.replace(/\+/g, " "));
    return readable(text) ? text : null;
  } catch {
    return null;
  }
}

/** The readable payloads encoded in `text`, at most `DECODE_LIMITS` worth. */
export function decodePayloads(text: string): DecodedPayload[] {
  const out: DecodedPayload[] = [];
  let budget: number = DECODE_LIMITS.maxDecodedChars;
  const scan = (gate: RegExp, token: RegExp, encoding: DecodedPayload["encoding"], decode: (t: string) => string | null): void => {
    if (!gate.test(text)) return;
    token.lastIndex = 0;
    for (let m = token.exec(text); m !== null && out.length < DECODE_LIMITS.maxPayloads && budget > 0; m = token.exec(text)) {
      const decoded = decode(m[0]);
      if (decoded === null) continue;
      const kept = decoded.slice(0, budget);
      budget -= kept.length;
      out.push({ encoding, text: kept, start: m.index, end: m.index + m[0].length });
    }
  };
  scan(base64Gate, base64Token, "base64", decodeBase64);
  scan(urlGate, urlToken, "url", decodeUrl);
  return out;
}
