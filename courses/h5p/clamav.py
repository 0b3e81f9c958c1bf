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
TIMEOUT_SECONDS = 30  # one file
PACKAGE_SECONDS = 10 * 60  # every file of one package, all together


class ScannerUnavailable(Exception):
    """clamd could not be reached, timed out, or could not scan."""


class ScannerLimit(ScannerUnavailable):
    """clamd refused the data as larger than it accepts (its StreamMaxLength setting): trying
    again will not help; an administrator must raise the limit."""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    else:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ScannerUnavailable(
                f"ACOMPANA_CLAMAV is neither a socket path nor host:port: {address!r}"
            )
        try:
            # Every address the name resolves to, IPv6 and IPv4, in the resolver's order.
            return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
        except OSError as error:  # includes a name that does not resolve (socket.gaierror)
            raise ScannerUnavailable(str(error)) from error
    connection.settimeout(timeout)
    try:
        connection.connect(address)
    except OSError as error:
        connection.close()
        raise ScannerUnavailable(str(error)) from error
    return connection


def _reply(connection: socket.socket) -> bytes:
    reply = b""
    try:
        while not reply.endswith(b"\0") and len(reply) <= 64 * 1024:
            part = connection.recv(4096)
            if not part:
                break
            reply += part
    except OSError:
        if not reply:
            raise
    return reply


def scan(data: bytes, address: str, *, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """The name of what clamd found in `data`, or None when it is clean.

    Raises ScannerUnavailable when clamd cannot give an answer."""
    connection = _connect(address, timeout)
    try:
        try:
            connection.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start : start + CHUNK]
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
        except OSError as error:
            # clamd answers and closes as soon as a stream passes its size limit: its reply,
            # when there is one, says why.
            reply = _reply(connection)
            if not reply:
                raise ScannerUnavailable(str(error)) from error
        else:
            reply = _reply(connection)
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
    if "size limit exceeded" in answer.lower():
        raise ScannerLimit(answer)
    raise ScannerUnavailable(answer or "no answer")
