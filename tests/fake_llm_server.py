"""A small chat server on 127.0.0.1 speaking OpenAI's API (/v1/chat/completions) and
Ollama's (/api/chat), scripted by the test that starts it."""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """What the server does with one request: answer ``text``, fail with ``status``, or stall."""

    text: str = ""
    status: int = 200
    delay_s: float = 0.0


@dataclass
class FakeChatServer:
    """Answers chat requests from a script of replies; the last reply repeats."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def script(self, *replies: Reply) -> None:
        self.replies = deque(replies)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if len(self.replies) > 1 else self.replies[0]


def _handler(fake: FakeChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            fake.headers.append({k.lower(): v for k, v in self.headers.items()})
            reply = fake.next_reply()
            time.sleep(reply.delay_s)
            if reply.status != 200:
                self._send(reply.status, {"error": "scripted failure"})
            elif self.path.startswith("/api/chat"):
                lines = [_ollama_chunk(body["model"], reply.text, False)]
                lines.append(_ollama_chunk(body["model"], "", True))
                self._send_bytes(200, "\n".join(map(json.dumps, lines)).encode())
            else:
                self._send(200, _completion(body["model"], reply.text))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            self._send_bytes(status, json.dumps(payload).encode())

        def _send_bytes(self, status: int, data: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def _ollama_chunk(model: str, text: str, done: bool) -> dict[str, Any]:
    chunk = {
        "model": model,
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": done,
    }
    return {**chunk, "done_reason": "stop"} if done else chunk


def _completion(model: str, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
    }


class running_fake_llm_server:  # noqa: N801 - used as a context manager, like open()
    """Start the server on a free port; stop it on exit."""

    def __enter__(self) -> FakeChatServer:
        self.fake = FakeChatServer()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.server.daemon_threads = True
        self.fake.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
