"""A small Socket Mode server on 127.0.0.1: Slack's side of `python -m bot` for the tests.

Just enough RFC 6455 for slack_sdk's built-in client (which speaks plain `ws://` to a port other
than 443): the upgrade handshake, text frames both ways, ping/pong, close. Like Slack it greets
each connection with `hello`, delivers envelopes to the newest connection, records the acks
(`{"envelope_id": …}`) the app sends back, and can drop a connection without a close frame, as
a network does. Modelled on slack_sdk's own mock server (tests/slack_sdk/socket_mode/).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._condition = threading.Condition()
        self._connections: list[socket.socket] = []
        self.acks: list[str] = []
        self._send_lock = threading.Lock()  # one frame at a time on any connection
        self._running = True
        threading.Thread(target=self._accept, name="socket-mode-server", daemon=True).start()

    def url(self, ticket: str) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}"

    # -- for tests ----------------------------------------------------------------------------

    @property
    def connections(self) -> int:
        with self._condition:
            return len(self._connections)

    def wait_for_connection(self, count: int, timeout: float = 15.0) -> None:
        with self._condition:
            if not self._condition.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError(f"{len(self._connections)} connections, expected {count}")

    def wait_for_ack(self, envelope_id: str, count: int = 1, timeout: float = 10.0) -> None:
        with self._condition:
            if not self._condition.wait_for(lambda: self.acks.count(envelope_id) >= count, timeout):
                raise AssertionError(f"no ack for {envelope_id}: {self.acks}")

    def deliver(self, envelope: dict[str, Any]) -> None:
        """An envelope to the newest connection, as Slack sends each to one connection."""
        with self._condition:
            connection = self._connections[-1]
        self._send(connection, TEXT, json.dumps(envelope).encode())

    def drop(self) -> None:
        """The newest connection goes dead without a close frame (a network failure)."""
        with self._condition:
            connection = self._connections[-1]
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
        connection.close()

    def stop(self) -> None:
        self._running = False
        self._listener.close()
        with self._condition:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.close()

    # -- the protocol -------------------------------------------------------------------------

    def _accept(self) -> None:
        while self._running:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            self._handshake(connection)
            with self._condition:
                self._connections.append(connection)
                self._condition.notify_all()
            hello = {"type": "hello", "num_connections": len(self._connections)}
            self._send(connection, TEXT, json.dumps(hello).encode())
            while self._running:
                opcode, payload = _read_frame(connection)
                if opcode == PING:
                    self._send(connection, PONG, payload)
                elif opcode == CLOSE:
                    self._send(connection, CLOSE, payload[:2])
                    return
                elif opcode == TEXT:
                    message = json.loads(payload)
                    with self._condition:
                        self.acks.append(str(message.get("envelope_id")))
                        self._condition.notify_all()
        except (OSError, ConnectionError, ValueError):
            return
        finally:
            with contextlib.suppress(OSError):
                connection.close()

    def _send(self, connection: socket.socket, opcode: int, payload: bytes) -> None:
        with self._send_lock:
            _send_frame(connection, opcode, payload)

    @staticmethod
    def _handshake(connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            request += chunk
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        key = headers["Sec-WebSocket-Key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def _read_frame(connection: socket.socket) -> tuple[int, bytes]:
    """One frame from the client (always masked, never fragmented by slack_sdk)."""
    first, second = _receive_exactly(connection, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _receive_exactly(connection, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _receive_exactly(connection, 8))
    mask = _receive_exactly(connection, 4) if second & 0x80 else b"\0\0\0\0"
    payload = _receive_exactly(connection, length)
    return first & 0x0F, bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))


def _send_frame(connection: socket.socket, opcode: int, payload: bytes) -> None:
    """A server frame: final, unmasked."""
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 1 << 16:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    connection.sendall(header + payload)
