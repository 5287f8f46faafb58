"""Service accounts and Google Workspace domain-wide delegation.

A service account has an RSA key pair; its JSON key file (what the Cloud
console downloads) holds the private key. A Workspace administrator then
authorises the account's client id, for a domain, with a list of scopes
("domain-wide delegation"). The account gets tokens with the JWT-bearer grant
(RFC 7523) at the token endpoint::

    grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>

The assertion is an RS256 JWT signed with the private key, whose claims are
``iss`` (the account's e-mail), ``aud`` (the token endpoint), ``iat``/``exp``
(at most one hour apart), ``scope`` and, to act as a user, ``sub``. The
emulator checks the signature against the account's public key and answers
like Google: ``invalid_grant`` for a bad assertion, 401 ``unauthorized_client``
when ``sub`` is outside the authorised domain or a scope was not delegated.

``cryptography`` is imported only here, when a service account is used.
"""

import base64
import json

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always puts Google's own endpoint in ``aud``, whatever the key file's
# token_uri says; Google also accepts its older endpoint.
GOOGLE_AUDIENCES = (
    "https://oauth2.googleapis.com/token",
    "https://accounts.google.com/o/oauth2/token",
    "https://www.googleapis.com/oauth2/v4/token",
)
MAX_LIFETIME = 3600
CLOCK_SKEW = 300
UNAUTHORIZED = (
    "Client is unauthorized to retrieve access tokens using this method, "
    "or client not authorized for any of the scopes requested."
)
BAD_TIMES = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
    "reasonable timeframe. Check your iat and exp values in the JWT claim."
)


class GrantError(Exception):
    """A refusal of the token endpoint: HTTP status, ``error``, ``error_description``."""

    def __init__(self, status, error, description):
        super().__init__("%s: %s" % (error, description))
        self.status = status
        self.error = error
        self.description = description


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _invalid(description):
    return GrantError(400, "invalid_grant", description)


def new_key_pair():
    """(private key PEM as text, public key object) of a fresh RSA 2048 key."""
    # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return pem, key.public_key()


def verify_rs256(public_key, signing_input, signature):
    """True when ``signature`` is an RS256 signature of ``signing_input``."""
    # pylint: disable=import-outside-toplevel
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def decode_assertion(assertion):
    """(header, claims, signing input, signature) of a compact JWT, or GrantError."""
    if not isinstance(assertion, str) or assertion.count(".") != 2:
        raise _invalid("Invalid JWT: the assertion is not a JWT.")
    head, body, sig = assertion.split(".")
    try:
        header = json.loads(_b64decode(head))
        claims = json.loads(_b64decode(body))
        signature = _b64decode(sig)
    except (ValueError, TypeError) as exc:
        raise _invalid("Invalid JWT: the assertion is not a JWT.") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _invalid("Invalid JWT: the assertion is not a JWT.")
    return header, claims, (head + "." + body).encode("ascii"), signature


class ServiceAccounts:
    """The emulator's service accounts and their domain-wide delegations."""

    def __init__(self):
        self.accounts = {}  # client_email -> record
        self.delegations = {}  # (client_id, domain) -> set of scopes

    def reset(self):
        """Forget every service account and delegation."""
        self.accounts.clear()
        self.delegations.clear()

    def create(self, client_email, client_id, project_id, key_id, token_uri):
        """Register an account with a new key; returns the JSON key file's content."""
        pem, public_key = new_key_pair()
        self.accounts[client_email] = {
            "client_id": client_id,
            "project_id": project_id,
            "keys": {key_id: public_key},
        }
        return {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": client_email,
            "client_id": client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
            + client_email.replace("@", "%40"),
            "universe_domain": "googleapis.com",
        }

    def delete(self, client_email):
        """Delete an account (its tokens then fail to refresh)."""
        record = self.accounts.pop(client_email, None)
        if record:
            for key in [k for k in self.delegations if k[0] == record["client_id"]]:
                del self.delegations[key]

    def authorize(self, client_id, domain, scopes):
        """Domain-wide delegation: the client id may act for ``domain``'s users."""
        self.delegations[(client_id, domain.lower())] = set(scopes)

    def revoke(self, client_id, domain=None):
        """Withdraw the delegation (for one domain, or all)."""
        for key in list(self.delegations):
            if key[0] == client_id and (domain is None or key[1] == domain.lower()):
                del self.delegations[key]

    def check(self, assertion, audiences, now):
        """Validate a JWT-bearer assertion; (account record, claims) or GrantError."""
        header, claims, signing_input, signature = decode_assertion(assertion)
        if header.get("alg") != "RS256":
            raise _invalid("Invalid JWT: only RS256 is accepted.")
        record = self.accounts.get(claims.get("iss"))
        if record is None:
            raise _invalid("Invalid JWT Signature.")
        keys = record["keys"]
        key = keys.get(header.get("kid")) if header.get("kid") else None
        candidates = [key] if key is not None else list(keys.values())
        if not any(verify_rs256(k, signing_input, signature) for k in candidates):
            raise _invalid("Invalid JWT Signature.")
        if claims.get("aud") not in audiences:
            raise _invalid("Invalid JWT: Failed audience check.")
        try:
            iat, exp = int(claims["iat"]), int(claims["exp"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _invalid(BAD_TIMES) from exc
        if (
            exp <= iat
            or exp - iat > MAX_LIFETIME
            or iat > now + CLOCK_SKEW
            or exp < now - CLOCK_SKEW
        ):
            raise _invalid(BAD_TIMES)
        scopes = str(claims.get("scope") or "").split()
        if not scopes:
            raise _invalid("Invalid OAuth scope or ID token audience provided.")
        return record, claims, scopes

    def may_impersonate(self, client_id, subject, scopes):
        """True when the delegation for ``subject``'s domain covers ``scopes``."""
        domain = subject.rpartition("@")[2].lower()
        granted = self.delegations.get((client_id, domain))
        return granted is not None and set(scopes) <= granted
