"""The test issuer in oidc.py is sound: its tokens verify against its JWKS, its forgeries and
expired tokens do not, and its JWKS describes the same keys as the Rust fixture's (same PEMs)."""

import json

import jwt
import pytest

import oidc


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_tokens_verify_against_the_written_jwks(tmp_path, alg):
    issuer = oidc.TestIssuer.google()
    path = issuer.write_jwks(tmp_path)
    assert issuer.pin(path) == f"accounts.google.com={path}"
    with open(path) as f:
        jwks = jwt.PyJWKSet.from_dict(json.load(f))
    claims = issuer.google_service_account_claims("1234567890", "sts.amazonaws.com")

    def verify(token):
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in jwks.keys if k.key_id == kid)
        return jwt.decode(token, key.key, algorithms=[alg], audience="sts.amazonaws.com")

    decoded = verify(issuer.sign(claims, alg))
    assert decoded["iss"] == "https://accounts.google.com"
    assert decoded["azp"] == decoded["sub"] == "1234567890"
    with pytest.raises(jwt.InvalidSignatureError):
        verify(issuer.forge(claims, alg))
    with pytest.raises(jwt.ExpiredSignatureError):
        verify(issuer.expired(claims, alg))


def test_jwks_names_the_keys_as_the_rust_fixture_does():
    keys = {k["kid"]: k for k in oidc.TestIssuer.google().jwks()["keys"]}
    assert keys["cairn-test-rsa"]["kty"] == "RSA" and keys["cairn-test-rsa"]["alg"] == "RS256"
    assert keys["cairn-test-ec"]["crv"] == "P-256" and keys["cairn-test-ec"]["alg"] == "ES256"
