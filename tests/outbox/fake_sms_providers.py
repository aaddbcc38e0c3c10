"""Local stand-ins for the SMS providers' HTTP endpoints, for the gateway tests (no network).

`FakeProvider` is a tiny `http.server` in a thread on 127.0.0.1. Each request is recorded
(method, path, query, headers, body) and answered with the next queued reply, or the default:
the provider's success answer. The replies are the providers' JSON formats:

- Aliyun SendSms: `{"Code": "OK", "Message": "OK", "BizId": …, "RequestId": …}`; a refusal is
  HTTP 200 with another `Code`; a failed call is HTTP 4xx/5xx with `{"Code", "Message", …}`.
- Tencent SendSms: `{"Response": {"SendStatusSet": [{"SerialNo", "Code": "Ok", …}],
  "RequestId"}}`; a failed call is `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
"""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: object = None
    delay: float = 0.0  # seconds before answering: longer than the gateway's timeout = a timeout


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class FakeProvider:
    success: object
    requests: list[Recorded] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    def reply(self, body=None, *, status: int = 200, delay: float = 0.0) -> None:
        """Answer the next request with `body` (JSON) and `status` after `delay` seconds."""
        self.replies.append(Reply(status=status, body=body, delay=delay))

    def start(self) -> "FakeProvider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                provider.requests.append(
                    Recorded(
                        method="POST",
                        path=parts.path,
                        query=dict(parse_qsl(parts.query)),
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=self.rfile.read(length),
                    )
                )
                reply = provider.replies.pop(0) if provider.replies else Reply(body=provider.success)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """An address where nothing listens: the connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


ALIYUN_OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5-B967"}


def aliyun_refusal(code: str, message: str = "refused") -> dict:
    return {"Code": code, "Message": message, "RequestId": "A1B2C3D4-0001"}


def tencent_ok(serial: str = "2640:327436312916868123458491201") -> dict:
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": serial,
                    "PhoneNumber": "+8613900000001",
                    "Fee": 1,
                    "SessionContext": "",
                    "Code": "Ok",
                    "Message": "send success",
                    "IsoCode": "CN",
                }
            ],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }


def tencent_status(code: str, message: str = "refused") -> dict:
    answer = tencent_ok()
    answer["Response"]["SendStatusSet"][0].update(SerialNo="", Fee=0, Code=code, Message=message)
    return answer


def tencent_error(code: str, message: str = "refused") -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b1c2d3e4-0002"}}
