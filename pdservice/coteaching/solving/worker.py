"""`python -m pdservice.coteaching.solving.worker RUN_ID`: the child process that solves one run.

Started by the jobs process (`supervisor.spawn_worker`) with the app's settings in its
environment; it builds the app, solves the run and exits.
"""

from __future__ import annotations

import logging
import os
import sys

from pdservice import create_app
from pdservice.coteaching.solving.execution import execute_run
from pdservice.coteaching.solving.supervisor import worker_name


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print("usage: python -m pdservice.coteaching.solving.worker RUN_ID", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app()
    # The search yields the processor to web requests and the jobs process: a lower
    # priority costs it little on an idle machine and keeps pages fast on a busy one.
    os.nice(int(app.config["COTEACH_WORKER_NICE"]))
    execute_run(app, int(args[0]), worker_name())
    return 0


if __name__ == "__main__":
    sys.exit(main())
