// Structural checks a rule's match must pass: checksums (Luhn, IBAN mod-97), number ranges (US SSN), address
// syntax (IPv4, IPv6), and decodable token structure (JWT, Discord, HTTP basic credentials).
import { isIPv6 } from "node:net";
import type { ValidatorName } from "./types.js";

/** True when the digit string passes the Luhn (mod 10) checksum. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Issuer ranges: [lowest prefix, highest prefix, allowed lengths]. Prefixes of equal digit count per row. */
const CARD_ISSUERS: readonly [string, string, readonly number[]][] = [
  ["4", "4", [13, 16, 19]], // Visa
  ["51", "55", [16]], // Mastercard
  ["2221", "2720", [16]], // Mastercard 2-series
  ["34", "34", [15]], // American Express
  ["37", "37", [15]],
  ["6011", "6011", [16, 17, 18, 19]], // Discover
  ["644", "649", [16, 17, 18, 19]],
  ["65", "65", [16, 17, 18, 19]],
  ["300", "305", [14, 15, 16, 17, 18, 19]], // Diners Club
  ["36", "36", [14, 15, 16, 17, 18, 19]],
  ["38", "39", [14, 15, 16, 17, 18, 19]],
  ["3528", "3589", [16, 17, 18, 19]], // JCB
  ["62", "62", [16, 17, 18, 19]], // UnionPay
  ["2200", "2204", [16, 17, 18, 19]], // Mir
  ["5018", "5018", [12, 13, 14, 15, 16, 17, 18, 19]], // Maestro
  ["5020", "5020", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["5038", "5038", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["5893", "5893", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["6304", "6304", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["6759", "6759", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["6761", "6763", [12, 13, 14, 15, 16, 17, 18, 19]],
  ["1", "1", [15]], // UATP
  ["5019", "5019", [16]], // Dankort
];

/** True for a card number (separators allowed) with a known issuer prefix and length and a valid Luhn digit. */
export function paymentCardValid(value: string): boolean {
  const digits = value.replace(/[ -]/g, "");
  if (!/^\d{12,19}$/.test(digits)) return false;
  const issuer = CARD_ISSUERS.some(([lo, hi, lengths]) => {
    const prefix = digits.slice(0, lo.length);
    return prefix >= lo && prefix <= hi && lengths.includes(digits.length);
  });
  return issuer && luhnValid(digits);
}

/** IBAN length per country (ISO 13616 registry). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30,
  KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27,
  MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33,
  SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20,
};

/** True for an IBAN (spaces allowed) of its country's length whose ISO 7064 mod-97 remainder is 1. */
export function ibanValid(value: string): boolean {
  const iban = value.replace(/ /g, "").toUpperCase();
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    const v = c >= 65 ? c - 55 : c - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

/** True for a US SSN (dashed, spaced or dotted) that could have been issued: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function usSsnValid(value: string): boolean {
  const d = value.replace(/[ .-]/g, "");
  // Famous never-issued numbers (123-45-6789, 078-05-1120) are kept: in a request they are personal-data-shaped
  // content, most often test data standing in for a real number.
  if (!/^\d{9}$/.test(d)) return false;
  const area = d.slice(0, 3);
  return area !== "000" && area !== "666" && area[0] !== "9" && d.slice(3, 5) !== "00" && d.slice(5) !== "0000";
}

/** True for a dotted-quad IPv4 address with octets 0–255 written without leading zeros. */
export function ipv4Valid(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** True for an IPv6 address with at least one group of three or more hex digits (so `a::b` or `10:30::` is not one). */
export function ipv6Valid(value: string): boolean {
  if (!isIPv6(value)) return false;
  if (/(?:^|:)(?:\d{1,3}\.){3}\d{1,3}$/.test(value)) return true;
  return value.split(":").some((g) => g.length >= 3) && value.split(":").filter((g) => g !== "").length >= 2;
}

/** True for a phone number: 8–15 digits when international (`+`), otherwise 9–11, and not one repeated digit. */
export function phoneValid(value: string): boolean {
  const digits = value.replace(/\D/g, "");
  const international = value.trimStart().startsWith("+");
  const ok = international ? digits.length >= 8 && digits.length <= 15 : digits.length >= 9 && digits.length <= 11;
  return ok && !/^(\d)\1+$/.test(digits);
}

function base64UrlJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * True when the first two segments decode to JSON objects and the header names an algorithm (`alg`); a token with
 * an empty signature counts only when its header says `alg: none` (an unsigned JWT, accepted by a careless verifier).
 */
export function jwtValid(value: string): boolean {
  const [header, payload, signature] = value.split(".");
  const h = base64UrlJson(header ?? "");
  const p = base64UrlJson(payload ?? "");
  if (typeof h !== "object" || h === null || typeof p !== "object" || p === null) return false;
  const alg = (h as { alg?: unknown }).alg;
  return typeof alg === "string" && (signature !== "" || alg.toLowerCase() === "none");
}

/** True when the value is the standard base64 of a whole JWT (as a Kubernetes Secret or a `.env` file stores one). */
export function jwtBase64Valid(value: string): boolean {
  const decoded = Buffer.from(value, "base64").toString("latin1").trim();
  return /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/.test(decoded) && jwtValid(decoded);
}

/** True when the first segment decodes to a Discord snowflake (17–20 decimal digits), as in a bot token. */
export function discordTokenValid(value: string): boolean {
  const id = Buffer.from(value.split(".")[0] ?? "", "base64").toString("latin1");
  return /^\d{17,20}$/.test(id);
}

/** True when the value decodes to printable `user:password` with both parts present. */
export function basicAuthValid(value: string): boolean {
  const decoded = Buffer.from(value, "base64").toString("utf8");
  return /^[\x21-\x7e]{1,128}:[\x20-\x7e]{1,128}$/.test(decoded) && !decoded.startsWith(":");
}

/** True for canonical padded base64 (as a Kubernetes Secret's `data:` holds); a ConfigMap-style `debug` is not. */
export function base64Valid(value: string): boolean {
  return value.length % 4 === 0 && Buffer.from(value, "base64").toString("base64") === value;
}

/** The validators by name, as rules refer to them. */
export const VALIDATORS: Readonly<Record<ValidatorName, (value: string) => boolean>> = {
  "payment-card": paymentCardValid,
  iban: ibanValid,
  "us-ssn": usSsnValid,
  ipv4: ipv4Valid,
  ipv6: ipv6Valid,
  phone: phoneValid,
  jwt: jwtValid,
  "jwt-base64": jwtBase64Valid,
  "discord-token": discordTokenValid,
  "basic-auth": basicAuthValid,
  base64: base64Valid,
};
