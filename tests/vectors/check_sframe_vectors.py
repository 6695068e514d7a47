#!/usr/bin/env python3
"""Independent cross-check of sframe_vectors.json against the RFC 9605 formulas, written without
Stoa's code: HKDF-SHA256 from hmac/hashlib, ChaCha20-Poly1305 from the 'cryptography' package.
Run: python3 tests/vectors/check_sframe_vectors.py"""
import hashlib
import hmac
import json
import pathlib
import sys

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

SUITE = 0xF001


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def main() -> int:
    path = pathlib.Path(__file__).with_name("sframe_vectors.json")
    vectors = json.loads(path.read_text())["vectors"]
    for v in vectors:
        epoch_secret = bytes.fromhex(v["epoch_secret"])
        assert v["kid"] == (v["epoch"] << 24) | v["sender_index"], "KID layout"
        base_key = hkdf_expand(epoch_secret, b"stoa v1 sender base key\x00" + v["sender_index"].to_bytes(4, "big"), 32)
        assert base_key.hex() == v["base_key"], "base_key"
        sframe_secret = hmac.new(b"", base_key, hashlib.sha256).digest()  # HKDF-Extract("", base_key)
        suffix = v["kid"].to_bytes(8, "big") + SUITE.to_bytes(2, "big")
        key = hkdf_expand(sframe_secret, b"SFrame 1.0 Secret key " + suffix, 32)
        salt = hkdf_expand(sframe_secret, b"SFrame 1.0 Secret salt " + suffix, 12)
        nonce = bytes(a ^ b for a, b in zip(salt, v["counter"].to_bytes(12, "big")))
        header = bytes.fromhex(v["header"])
        sealed = ChaCha20Poly1305(key).encrypt(nonce, bytes.fromhex(v["plaintext"]), header)
        assert (header + sealed).hex() == v["protected"], "protected frame"
    print(f"{len(vectors)} SFrame vectors match the RFC 9605 construction")
    return 0


if __name__ == "__main__":
    sys.exit(main())
