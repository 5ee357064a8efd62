"""A test OIDC issuer for AssumeRoleWithWebIdentity, for the Python tests.

The same issuer as `crates/cairn-server/tests/e2e/oidc_fixture.rs`: it signs ID tokens with the
committed test-only keys in `crates/cairn-server/tests/fixtures/oidc` (an RSA key, kid
`cairn-test-rsa`, and a P-256 key, kid `cairn-test-ec`) and writes their JWKS, which the server
is pinned to with `--oidc-jwks ISSUER=PATH` (or `CAIRN_OIDC_JWKS`), so tests play
`accounts.google.com` without the internet:

    issuer = oidc.TestIssuer.google()
    monkeypatch.setenv("CAIRN_OIDC_JWKS", issuer.pin(issuer.write_jwks(tmp_path)))
    server = Server()  # conftest's Server passes the environment on
    token = issuer.sign(issuer.google_service_account_claims("1234567890", "sts.amazonaws.com"))
"""

import json
import os
import time

import jwt
from cryptography.hazmat.primitives import serialization

GOOGLE_ISSUER = "https://accounts.google.com"
RSA_KID = "cairn-test-rsa"
EC_KID = "cairn-test-ec"

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "crates", "cairn-server", "tests", "fixtures", "oidc")


def _key(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


class TestIssuer:
    """An OIDC issuer whose keys the test holds."""

    __test__ = False  # not a pytest test class

    def __init__(self, issuer):
        self.issuer = issuer
        self._rsa = _key("rsa.pem")
        self._ec = _key("ec.pem")
        self._forger_rsa = _key("forger_rsa.pem")
        self._forger_ec = _key("forger_ec.pem")

    @classmethod
    def google(cls):
        """Plays https://accounts.google.com."""
        return cls(GOOGLE_ISSUER)

    def jwks(self):
        """The public JWKS: both keys, with their kids and algorithms."""
        rsa = jwt.algorithms.RSAAlgorithm.to_jwk(self._rsa.public_key(), as_dict=True)
        ec = jwt.algorithms.ECAlgorithm.to_jwk(self._ec.public_key(), as_dict=True)
        rsa.update(kid=RSA_KID, alg="RS256", use="sig")
        ec.update(kid=EC_KID, alg="ES256", use="sig")
        return {"keys": [rsa, ec]}

    def write_jwks(self, directory):
        """Writes the JWKS to DIRECTORY/jwks.json and returns its path."""
        path = os.path.join(str(directory), "jwks.json")
        with open(path, "w") as f:
            json.dump(self.jwks(), f)
        return path

    def pin(self, jwks_path):
        """The --oidc-jwks / CAIRN_OIDC_JWKS value pinning this issuer to jwks_path."""
        name = self.issuer[len("https://"):] if self.issuer.startswith("https://") else self.issuer
        return f"{name}={jwks_path}"

    def claims(self, sub, aud):
        """Claims of a current token: iss, sub, aud, issued now, valid for an hour."""
        now = int(time.time())
        return {"iss": self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + 3600}

    def google_service_account_claims(self, unique_id, audience):
        """Shaped like a Google service account's ID token: sub and azp are the account's numeric
        unique id, aud the audience it asked for (so on AWS accounts.google.com:aud is the unique
        id and accounts.google.com:oaud the audience)."""
        claims = self.claims(unique_id, audience)
        claims.update(
            azp=unique_id,
            email="sync@example-project.iam.gserviceaccount.com",
            email_verified=True,
        )
        return claims

    def sign(self, claims, alg="RS256"):
        """A token signed by the issuer's key for alg ("RS256" or "ES256"), with its kid."""
        key, kid = (self._rsa, RSA_KID) if alg == "RS256" else (self._ec, EC_KID)
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})

    def forge(self, claims, alg="RS256"):
        """A forgery: the issuer's kid, but signed by a key the JWKS does not hold."""
        key, kid = (self._forger_rsa, RSA_KID) if alg == "RS256" else (self._forger_ec, EC_KID)
        return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})

    def expired(self, claims, alg="RS256"):
        """A genuine token that expired an hour ago (issued two hours ago)."""
        now = int(time.time())
        return self.sign(dict(claims, iat=now - 7200, exp=now - 3600), alg)
