"""A test PKI served on a local port: root CA, intermediate, OCSP responder, CRLs and an RFC 3161 TSA.

Certomancer issues the certificates from a configuration built here (validity relative to now, so
"expired" and "revoked" stay true whatever the date) and its WSGI app answers OCSP, CRL and TSA
requests on 127.0.0.1, port 0.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server

ARCH = "banhanh"
ORG = "ĐẢNG ỦY XÃ HÀM LIÊM"
PERSON = "Nguyễn Văn An"
KEYS = ("root", "interm", "ocsp", "tsa", "person", "org", "expired", "revoked")


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _config(keys: dict[str, Path], person: tuple[str, str, str]) -> dict[str, Any]:
    now = datetime.now(UTC)
    long = {"valid-from": _when(now - timedelta(days=365)), "valid-to": _when(now + timedelta(days=3650))}
    leaf = {"valid-from": _when(now - timedelta(days=30)), "valid-to": _when(now + timedelta(days=730))}
    signer = {"issuer": "interm", "validity": leaf, "profiles": ["digsig-commitment"]}
    return {
        "keysets": {ARCH: {"keys": {name: {"path": str(path)} for name, path in keys.items()}}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "VN", "organization-name": "Ban Cơ yếu (thử nghiệm)"},
                "entities": {
                    "root": {"common-name": "Root CA thử nghiệm"},
                    "interm": {"common-name": "CA trung gian thử nghiệm"},
                    "ocsp": {"common-name": "OCSP thử nghiệm"},
                    "tsa": {"common-name": "TSA thử nghiệm"},
                    "person": {
                        "common-name": person[0],
                        "given-name": person[1],
                        "surname": person[2],
                        "organization-name": ORG,
                    },
                    "org": {
                        "common-name": ORG,
                        "organization-name": ORG,
                        "organization-identifier": "VN-ĐU-HL",
                    },
                    "expired": {"common-name": "Trần Thị Cũ", "organization-name": ORG},
                    "revoked": {"common-name": "Lê Văn Thu Hồi", "organization-name": ORG},
                },
                "certs": {
                    "root": {
                        "subject": "root",
                        "issuer": "root",
                        "validity": long,
                        "profiles": [{"id": "simple-ca", "params": {"crl-repo": "root"}}],
                    },
                    "interm": {
                        "issuer": "root",
                        "validity": long,
                        "profiles": [
                            {
                                "id": "simple-ca",
                                "params": {"max-path-len": 0, "crl-repo": "interm", "ocsp-service": "interm"},
                            }
                        ],
                    },
                    "ocsp": {"issuer": "interm", "validity": long, "profiles": ["ocsp-responder"]},
                    "tsa": {
                        "issuer": "root",
                        "validity": long,
                        "extensions": [
                            {
                                "id": "key_usage",
                                "critical": True,
                                "smart-value": {"schema": "key-usage", "params": ["digital_signature"]},
                            },
                            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                            {
                                "id": "crl_distribution_points",
                                "smart-value": {
                                    "schema": "crl-dist-url",
                                    "params": {"crl-repo-names": ["root"]},
                                },
                            },
                        ],
                    },
                    "person": signer,
                    "org": signer,
                    "expired": {
                        **signer,
                        "validity": {
                            "valid-from": _when(now - timedelta(days=800)),
                            "valid-to": _when(now - timedelta(days=1)),
                        },
                    },
                    "revoked": {
                        **signer,
                        "revocation": {
                            "revoked-since": _when(now - timedelta(hours=1)),
                            "reason": "key_compromise",
                        },
                    },
                },
                "services": {
                    "ocsp": {
                        "interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}
                    },
                    "crl-repo": {
                        "root": {
                            "for-issuer": "root",
                            "signing-key": "root",
                            "simulated-update-schedule": "P90D",
                        },
                        "interm": {
                            "for-issuer": "interm",
                            "signing-key": "interm",
                            "simulated-update-schedule": "P30D",
                        },
                    },
                    "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
                },
            }
        },
    }


def _write_keys(directory: Path) -> dict[str, Path]:
    paths = {}
    for name in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path = directory / f"{name}.key.pem"
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        paths[name] = path
    return paths


@dataclass(frozen=True)
class LocalPki:
    arch: PKIArchitecture
    url: str  # http://127.0.0.1:PORT
    directory: Path

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(label)  # type: ignore[arg-type]

    def pem(self, label: str) -> bytes:
        from asn1crypto import pem

        return bytes(pem.armor("CERTIFICATE", self.cert(label).dump()))

    def anchor_file(self) -> Path:
        """The root, as an installation configures it: a PEM file of trust anchors."""
        path = self.directory / "anchors.pem"
        path.write_bytes(self.pem("root"))
        return path

    def key_der(self, label: str) -> bytes:
        return bytes(self.arch.key_set.get_private_key(label).dump())  # type: ignore[arg-type]

    def pkcs12(self, label: str, password: str) -> Path:
        path = self.directory / f"{label}.p12"
        data = self.arch.package_pkcs12(
            label,  # type: ignore[arg-type]
            certs_to_embed=["interm", "root"],  # type: ignore[list-item]
            password=password.encode(),
        )
        path.write_bytes(data)
        return path


@contextmanager
def serve_pki(directory: Path, person: tuple[str, str, str] = (PERSON, "An", "Nguyễn")) -> Iterator[LocalPki]:
    """Issue the test PKI and serve its OCSP, CRL and TSA endpoints until the block ends; `person`:
    the signer's (common name, given name, surname)."""
    app: dict[str, Any] = {}

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        return app["animator"](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    config = CertomancerConfig(
        _config(_write_keys(directory), person), key_search_dir=str(directory), external_url_prefix=url
    )
    arch = config.get_pki_arch(ARCH)  # type: ignore[arg-type]
    app["animator"] = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalPki(arch, url, directory)
    finally:
        server.shutdown()
        thread.join(timeout=5)
