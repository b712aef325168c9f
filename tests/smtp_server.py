"""A small real SMTP server on 127.0.0.1 for tests of mail outages: Django's SMTP backend talks
to it over TCP. While `refusing` it answers every connection "421 service not available", as a
server down for maintenance does; otherwise it accepts every message into `received`."""

import email
import socketserver
import threading
from email import policy


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server.owner
        if server.refusing:
            self.reply("421 4.3.2 service not available")
            return
        self.reply("220 test.invalid ESMTP")
        recipients = []
        for raw in self.rfile:
            command = raw.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test.invalid")
            elif command.startswith("RCPT TO:"):
                recipients.append(raw.decode().strip()[8:].strip("<> "))
                self.reply("250 ok")
            elif command == "DATA":
                self.reply("354 go ahead")
                lines = []
                for data in self.rfile:
                    if data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=policy.default)
                server.received.append((recipients, message["Subject"], message.get_content()))
                recipients = []
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL FROM, RSET, NOOP
                self.reply("250 ok")


class SmtpServer:
    def __init__(self, refusing=False):
        self.refusing = refusing
        self.received = []  # (recipients, subject, text)
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def use(self, settings):
        """Point Django's SMTP backend at this server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", self.port, 5
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        return self

    def close(self):
        self._server.shutdown()
        self._server.server_close()
