"""The consortium CA and TLS 1.3 contexts with mutual authentication.

`cardchain init` creates a CA (its key encrypted like every other key) and one certificate
per identity, for the identity's own P-256 key, with the identity name as common name.
A connection's peer is identified by its certificate: it must chain to the CA in genesis,
and its public key must be the one genesis lists for the name it claims.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from node import crypto

VALIDITY = dt.timedelta(days=3650)


def _private(key: crypto.SigningKey) -> ec.EllipticCurvePrivateKey:
    if not isinstance(key, crypto.P256Key):
        raise crypto.CryptoError("TLS needs a P-256 key")
    return key._key


def make_ca(key: crypto.SigningKey, name: str, now: dt.datetime) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    priv = _private(key)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(priv.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(priv, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def issue(ca_key: crypto.SigningKey, ca_pem: bytes, key: crypto.SigningKey, name: str,
          hosts: list[str], now: dt.datetime) -> bytes:
    ca = x509.load_pem_x509_certificate(ca_pem)
    sans: list[x509.GeneralName] = [x509.DNSName(name)]
    for h in hosts:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.subject)
        .public_key(_private(key).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                              ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(_private(ca_key), hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def peer_identity(ssl_object: ssl.SSLObject | None) -> tuple[str, str] | None:
    """(common name, public key text) of the verified peer certificate."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        return None
    cert = x509.load_der_x509_certificate(der)
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    pub = cert.public_key()
    if not names or not isinstance(pub, ec.EllipticCurvePublicKey):
        return None
    raw = pub.public_bytes(serialization.Encoding.X962,
                           serialization.PublicFormat.CompressedPoint)
    return str(names[0].value), f"p256:{raw.hex()}"


def _context(purpose: ssl.Purpose, ca_file: Path, cert_file: Path, key_file: Path,
             password: bytes) -> ssl.SSLContext:
    ctx = ssl.create_default_context(purpose, cafile=str(ca_file))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(str(cert_file), str(key_file), password=password)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = False  # identity is checked by name and key against genesis
    return ctx


def server_context(ca_file: Path, cert_file: Path, key_file: Path,
                   password: bytes) -> ssl.SSLContext:
    return _context(ssl.Purpose.CLIENT_AUTH, ca_file, cert_file, key_file, password)


def client_context(ca_file: Path, cert_file: Path, key_file: Path,
                   password: bytes) -> ssl.SSLContext:
    return _context(ssl.Purpose.SERVER_AUTH, ca_file, cert_file, key_file, password)
