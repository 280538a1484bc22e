// Personal data the context words and match boundaries used to hide: checksum-valid cards and international phone
// numbers after "order" or "reference", cards listed with spaces, an IBAN before a short word, UATP and Dankort
// cards, punycode e-mail domains and dotted SSNs; and the look-alikes that must stay out.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createInspector } from "../../../src/inspect/index.js";
import { base64Valid, paymentCardValid, usSsnValid } from "../../../src/inspect/validators.js";

const inspector = createInspector({ fingerprintKey: "pii-gaps-test" });
const found = (text: string): string[] => inspector.inspect([{ field: "f", text }]).map((f) => `${f.type}:${text.slice(f.location.start, f.location.end)}`);

test("a checksum-valid card after a context word is a card; look-alikes after it are not", () => {
  assert.deepEqual(found("Reference 4012888888881881"), ["payment-card:4012888888881881"]);
  assert.deepEqual(found("Order number 4111 1111 1111 1111 has shipped."), ["payment-card:4111 1111 1111 1111"]);
  assert.deepEqual(found("Transaction ref: 5500-0000-0000-0004"), ["payment-card:5500-0000-0000-0004"]);
  for (const text of [
    "Order number 9111 1111 1111 1110 has shipped.", // Luhn-valid, no issuer has prefix 9
    "Reference 4012888888881882", // fails Luhn
    "Invoice no. 1234567812345670", // Luhn-valid, prefix 1 is UATP only at 15 digits
    "Tracking number: 9400 1000 0000 0000 0000 00",
  ]) {
    assert.deepEqual(found(text), [], text);
  }
});

test("an international phone number after a context word is a phone number", () => {
  assert.deepEqual(found("order ref +44 20 7946 0958"), ["phone:+44 20 7946 0958"]);
  assert.deepEqual(found("Booking reference: +1 415 555 0132"), ["phone:+1 415 555 0132"]);
  // National forms without the + stay subject to the context words.
  assert.deepEqual(found("Your order #415-555-0198 is on the way."), []);
});

test("cards separated only by spaces are each found", () => {
  assert.deepEqual(found("4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881"), [
    "payment-card:4012888888881881",
    "payment-card:4012-8888-8888-1881",
    "payment-card:4012 8888 8888 1881",
  ]);
  assert.deepEqual(found("4111111111111111 5500000000000004 340000000000009"), [
    "payment-card:4111111111111111",
    "payment-card:5500000000000004",
    "payment-card:340000000000009",
  ]);
  // A longer grouped number is not cut into a card.
  assert.deepEqual(found("4111 1111 1111 1111 1111"), []);
  assert.deepEqual(found("4111-1111-1111-1111-1111"), []);
});

test("an IBAN followed by a short upper-case word is found without the word", () => {
  assert.deepEqual(found("IBAN BE68 5390 0754 7034 SEPA"), ["iban:BE68 5390 0754 7034"]);
  assert.deepEqual(found("Pay to BE68 5390 0754 7034 EUR only"), ["iban:BE68 5390 0754 7034"]);
  assert.deepEqual(found("IBAN DE89 3704 0044 0532 0130 00 EUR"), ["iban:DE89 3704 0044 0532 0130 00"]);
  // A last group of letters that belongs to the IBAN stays in it.
  assert.deepEqual(found("IBAN GB82 WEST 1234 5698 7654 32 BIC"), ["iban:GB82 WEST 1234 5698 7654 32"]);
  assert.deepEqual(found("IBAN BE68 5390 0754 7035 SEPA"), [], "check digits fail with or without the word");
});

test("UATP and Dankort cards", () => {
  assert.ok(paymentCardValid("135412345678911"), "UATP, 15 digits");
  assert.ok(!paymentCardValid("1354123456789111"), "UATP has no 16-digit numbers");
  assert.ok(paymentCardValid("5019717010103742"), "Dankort");
  assert.deepEqual(found("UATP 1354 1234 5678 911"), ["payment-card:1354 1234 5678 911"]);
  assert.deepEqual(found("Dankort 5019 7170 1010 3742"), ["payment-card:5019 7170 1010 3742"]);
});

test("e-mail addresses with punycode domains", () => {
  assert.deepEqual(found("mail ivan@xn--e1afmkfd.xn--p1ai today"), ["email:ivan@xn--e1afmkfd.xn--p1ai"]);
  assert.deepEqual(found("contact: anna@xn--mnchen-3ya.de"), ["email:anna@xn--mnchen-3ya.de"]);
});

test("dotted SSNs, with the same invalid areas, groups and serials", () => {
  assert.deepEqual(found("SSN 123.45.6780"), ["us-ssn:123.45.6780"]);
  assert.ok(usSsnValid("123.45.6780"));
  for (const s of ["000.12.3456", "666.12.3456", "912.34.5678", "123.00.4567", "123.45.0000"]) {
    assert.ok(!usSsnValid(s), s);
    assert.deepEqual(found(`SSN ${s}`), [], s);
  }
  // Mixed separators and version-like strings are not SSNs.
  assert.deepEqual(found("SSN 123.45-6780"), []);
  assert.deepEqual(found("version 1.22.3333 and 123.45.6789.1"), []);
});

test("base64 validator (Kubernetes Secret data)", () => {
  assert.ok(base64Valid(Buffer.from("s3cret-value").toString("base64")));
  assert.ok(!base64Valid("debug"));
  assert.ok(!base64Valid("YWJj=ZGVm"));
});
