"""A tiny client for clamd's INSTREAM command (ClamAV's scanning daemon).

`ACOMPANA_CLAMAV` names clamd: a unix socket path (`/run/clamav/clamd.ctl`) or `host:port`
(`clamav:3310`, `[::1]:3310`). Empty (the default): no virus scan.

Why not a library: the protocol is a dozen lines (send "zINSTREAM\\0", then chunks each prefixed
with its length as 4 big-endian bytes, then a zero length; read one reply ending in "\\0"), and the
Python clients are either unmaintained (clamd, pyclamd) or bring more than this needs. Owning it
keeps the time-outs and the "could not be checked" answers exactly as the validator wants them.
"""

import socket
import struct

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 30


class ScannerUnavailable(Exception):
    """clamd could not be reached, timed out, or could not scan (e.g. its size limit)."""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = address
    else:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ScannerUnavailable(
                f"ACOMPANA_CLAMAV is neither a socket path nor host:port: {address!r}"
            )
        host = host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        connection = socket.socket(family, socket.SOCK_STREAM)
        target = (host, int(port))
    connection.settimeout(timeout)
    try:
        connection.connect(target)
    except OSError as error:
        connection.close()
        raise ScannerUnavailable(str(error)) from error
    return connection


def scan(data: bytes, address: str, *, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """The name of what clamd found in `data`, or None when it is clean.

    Raises ScannerUnavailable when clamd cannot give an answer."""
    connection = _connect(address, timeout)
    try:
        connection.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = connection.recv(4096)
            if not part:
                break
            reply += part
            if len(reply) > 64 * 1024:
                break
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        connection.close()
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", or "... ERROR" (e.g. size limit exceeded).
    if answer.endswith(" FOUND"):
        return answer.removeprefix("stream:").removesuffix(" FOUND").strip() or "unknown"
    if answer.endswith("OK"):
        return None
    raise ScannerUnavailable(answer or "no answer")
