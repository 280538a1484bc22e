// The structural checks behind the personal-data rules: Luhn, issuer prefixes, IBAN mod-97, SSN ranges, IP syntax.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  basicAuthValid,
  discordTokenValid,
  ibanValid,
  ipv4Valid,
  ipv6Valid,
  jwtValid,
  luhnValid,
  paymentCardValid,
  phoneValid,
  usSsnValid,
} from "../../../src/inspect/validators.js";

test("Luhn accepts valid check digits and rejects a changed digit", () => {
  for (const n of ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "79927398713"]) assert.ok(luhnValid(n), n);
  for (const n of ["4111111111111112", "5555555555554445", "79927398710", "", "12a4"]) assert.ok(!luhnValid(n), n);
});

test("payment cards need a known issuer prefix and length as well as Luhn", () => {
  assert.ok(paymentCardValid("4111 1111 1111 1111"));
  assert.ok(paymentCardValid("3782-822463-10005"), "American Express 4-6-5");
  assert.ok(paymentCardValid("2223003122003222"), "Mastercard 2-series");
  assert.ok(paymentCardValid("3530111333300000"), "JCB");
  assert.ok(!paymentCardValid("0000000000000000"), "Luhn-valid but no issuer");
  assert.ok(!paymentCardValid("1234567812345670"), "Luhn-valid, prefix 1 is no issuer");
  assert.ok(!paymentCardValid("41111111111111"), "Visa has no 14-digit numbers");
  assert.ok(!paymentCardValid("378282246310006"), "bad check digit");
});

test("IBAN: registry length per country and ISO 7064 mod-97", () => {
  for (const i of ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034"]) assert.ok(ibanValid(i), i);
  assert.ok(!ibanValid("DE89 3704 0044 0532 0130 01"), "check digits fail");
  assert.ok(!ibanValid("DE89 3704 0044 0532 0130"), "too short for DE");
  assert.ok(!ibanValid("XX89 3704 0044 0532 0130 00"), "unknown country");
});

test("US SSN: areas 000, 666 and 9xx, group 00 and serial 0000 are never issued", () => {
  assert.ok(usSsnValid("123-45-6780"));
  assert.ok(usSsnValid("665 12 3456"));
  for (const s of ["000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000"]) assert.ok(!usSsnValid(s), s);
  for (const s of ["078-05-1120", "123-45-6789"]) assert.ok(usSsnValid(s), `${s}: famous test numbers are reported`);
});

test("IPv4 octets are 0-255 without leading zeros; IPv6 needs real groups", () => {
  assert.ok(ipv4Valid("203.0.113.9"));
  for (const a of ["256.1.1.1", "1.2.3", "01.02.03.04", "1.2.3.4.5"]) assert.ok(!ipv4Valid(a), a);
  for (const a of ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "::ffff:192.0.2.128", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"]) assert.ok(ipv6Valid(a), a);
  for (const a of ["10:30:45", "a::b", "00:1A:2B:3C:4D:5E", "1:2:3:4"]) assert.ok(!ipv6Valid(a), a);
});

test("phone numbers: 8-15 digits internationally, 9-11 nationally, not one repeated digit", () => {
  assert.ok(phoneValid("+44 20 7946 0958"));
  assert.ok(phoneValid("(415) 555-0132"));
  assert.ok(!phoneValid("+1 234"));
  assert.ok(!phoneValid("+1 2345 6789 0123 4567"));
  assert.ok(!phoneValid("000 000 0000"));
});

test("token structure: JWT, Discord bot token and HTTP basic credentials decode", () => {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  assert.ok(jwtValid(`${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: "1" })}.c2lnbmF0dXJlc2lnbmF0dXJl`));
  assert.ok(!jwtValid(`${part({ typ: "JWT" })}.${part({ sub: "1" })}.sig`), "no alg");
  assert.ok(!jwtValid("eyJub3QganNvbg.eyJhYmM.sig"), "not JSON");
  assert.ok(discordTokenValid(`${Buffer.from("123456789012345678").toString("base64url")}.Gabcde.xyz`));
  assert.ok(!discordTokenValid(`${Buffer.from("hello world, hi!").toString("base64url")}.Gabcde.xyz`));
  assert.ok(basicAuthValid(Buffer.from("admin:s3cret!").toString("base64")));
  assert.ok(!basicAuthValid(Buffer.from("no colon here").toString("base64")));
});
