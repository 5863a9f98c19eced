"""Loaded by a server under test (PYTHONPATH): every connection it attempts, every name it looks up
and every datagram it sends to an address that is not this machine is written to the file named by
EET_CONNECT_LOG, through Python's audit hooks (PEP 578), so that even an attempt that fails at once
(no network) is seen. tests/test_doors.py reads the file."""

import os
import sys

_LOG = os.environ.get("EET_CONNECT_LOG")
_LOCAL = ("127.", "::1", "localhost", "0.0.0.0", "::")


def _local(host) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    return text == "" or text.startswith(_LOCAL) or text.lower() == "localhost."


def _hook(event, args):
    if event in ("socket.connect", "socket.sendto"):
        address = args[1]
        host = address[0] if isinstance(address, tuple) else None  # a unix socket: a path
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        host = args[0]
    else:
        return
    if not _local(host):
        with open(_LOG, "a", encoding="utf-8") as out:
            out.write(f"{event} {args[1:] if event.startswith('socket.connect') else args!r}\n")


if _LOG:
    sys.addaudithook(_hook)
