// Reads one JSON request on stdin and answers on stdout, using
// libsodium-wrappers exactly as KTPay's official client does
// (base64_variants.ORIGINAL for keys and ciphertexts).
//   {"op":"open","pk":b64,"sk":b64,"sealed":b64} -> {"plaintext": utf8}
//   {"op":"seal","pk":b64,"message":utf8}        -> {"sealed": b64}
// (CommonJS: the ESM build of libsodium-wrappers 0.7.16 does not load.)
"use strict";
const sodium = require("libsodium-wrappers");

let input = "";
process.stdin.on("data", (c) => { input += c; });
process.stdin.on("end", async () => {
  await sodium.ready;
  const req = JSON.parse(input);
  const V = sodium.base64_variants.ORIGINAL;
  let out;
  if (req.op === "open") {
    const m = sodium.crypto_box_seal_open(sodium.from_base64(req.sealed, V), sodium.from_base64(req.pk, V), sodium.from_base64(req.sk, V));
    out = { plaintext: sodium.to_string(m) };
  } else if (req.op === "seal") {
    const c = sodium.crypto_box_seal(req.message, sodium.from_base64(req.pk, V));
    out = { sealed: sodium.to_base64(c, V) };
  } else {
    throw new Error("unknown op " + req.op);
  }
  process.stdout.write(JSON.stringify(out));
});
