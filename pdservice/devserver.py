"""`make run`: the development web server and the jobs process, stopped together by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from pdservice import create_app


def _stop(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C (and SIGTERM) stop the server even when started from a script that ignores them.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    host = os.environ.get("PDSERVICE_HOST", "127.0.0.1")
    port = int(os.environ.get("PDSERVICE_PORT", "5000"))
    jobs = subprocess.Popen([sys.executable, "-m", "flask", "--app", "pdservice", "jobs", "run"])
    app = create_app()
    print(f"pdservice is serving on http://{host}:{port}/ (Ctrl-C stops it and the jobs process)")
    try:
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    except KeyboardInterrupt:
        pass
    finally:
        jobs.terminate()
        try:
            jobs.wait(timeout=15)
        except subprocess.TimeoutExpired:
            jobs.kill()


if __name__ == "__main__":
    main()
