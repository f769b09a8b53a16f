"""`make run`: the development web server, the jobs process and a local mail catcher, all
stopped together by Ctrl-C.

Unless MAIL_SERVER is set, mail goes to an SMTP server on 127.0.0.1 that keeps every message
in `instance/mail/` (a Maildir: one file per mail), so notifications can be read without
sending anything anywhere.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from pdservice import create_app

MAIL_CATCHER_PORT = int(os.environ.get("PDSERVICE_DEV_SMTP_PORT", "8025"))


def _stop(*_: object) -> None:
    raise KeyboardInterrupt


def _start_mail_catcher(instance_path: str) -> subprocess.Popen | None:
    if os.environ.get("MAIL_SERVER"):
        return None
    maildir = Path(instance_path) / "mail"
    for sub in ("tmp", "new", "cur"):  # a Maildir
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    os.environ["MAIL_SERVER"] = "127.0.0.1"
    os.environ["MAIL_PORT"] = str(MAIL_CATCHER_PORT)
    print(f"Mail is caught on 127.0.0.1:{MAIL_CATCHER_PORT} and kept in {maildir}/")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-u",
            "-l",
            f"127.0.0.1:{MAIL_CATCHER_PORT}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ]
    )


def main() -> None:
    # Ctrl-C (and SIGTERM) stop everything even when started from a script that ignores them.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    host = os.environ.get("PDSERVICE_HOST", "127.0.0.1")
    port = int(os.environ.get("PDSERVICE_PORT", "5000"))
    app = create_app()
    children = [p for p in [_start_mail_catcher(app.instance_path)] if p is not None]
    app = create_app()  # again, now with the mail catcher's settings
    children.append(
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "pdservice", "jobs", "run"])
    )
    print(f"pdservice is serving on http://{host}:{port}/ (Ctrl-C stops it and the jobs process)")
    try:
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
