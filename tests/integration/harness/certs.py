"""Test PKI made with the openssl CLI: a CA and leaf certificates for 127.0.0.1 / localhost."""
import subprocess
from dataclasses import dataclass
from pathlib import Path


def _openssl(*args, cwd: Path):
    subprocess.run(["openssl", *map(str, args)], cwd=cwd, check=True, capture_output=True, timeout=60)


@dataclass(frozen=True)
class Leaf:
    cert: Path  # PEM chain: leaf, then the CA
    key: Path


def make_ca(directory: Path, name: str = "ca") -> Path:
    """A self-signed P-256 CA valid for a day; returns its certificate (the key sits beside it)."""
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
             "-subj", f"/CN=authgate test {name}", "-keyout", f"{name}.key", "-out", f"{name}.pem",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             cwd=directory)
    return directory / f"{name}.pem"


def make_leaf(directory: Path, ca: Path, name: str, serial: int = 1, usage: str = "serverAuth") -> Leaf:
    """A certificate for 127.0.0.1 and localhost signed by `ca`; `usage` "clientAuth" makes a client's."""
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", f"/CN={name}",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=directory)
    ext = directory / f"{name}.ext"
    ext.write_text(f"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\n")
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", ca, "-CAkey", ca.with_suffix(".key"), "-days", "1",
             "-set_serial", serial, "-extfile", ext, "-out", f"{name}.crt", cwd=directory)
    chain = directory / f"{name}.chain.pem"
    chain.write_text((directory / f"{name}.crt").read_text() + ca.read_text())
    return Leaf(chain, directory / f"{name}.key")
