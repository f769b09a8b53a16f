"""Benchmarks of co-teaching through the real web path (gunicorn, the jobs process, its worker
child), against a fresh database with the demo city.

    python bench/coteach_bench.py import-solve --json   # examples/xhstt/FinlandElementarySchool.xml
    python bench/coteach_bench.py responsiveness --json

import-solve:   the principal uploads an XHSTT file on the import page, starts a run with the
                default parameters and follows the run page's status endpoint until the run
                ends; prints the times and how often the progress changed while it ran.
responsiveness: page latencies (two clients requesting pages one after another) while idle,
                then while a 60-second run solves the imported XHSTT week; prints p50/p95 of
                both and their ratio.

Targets: import-solve, from the upload to the finished run within 30 s; responsiveness, the
pages' p95 while the run solves within twice their idle p95 (`p95_ratio` <= 2).

The database is PostgreSQL (`--database-url`, default postgresql://postgres@127.0.0.1:5432/
pdbench_coteach, dropped and created afresh) or a SQLite file (`--database-url sqlite`).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "bench-salasana-2025"
PRINCIPAL = "olli.salo@vantaa.example"  # the demo principal of Koivurinteen koulu
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/pdbench_coteach"


# --- the service -------------------------------------------------------------------------------
def fresh_database(url: str) -> str:
    if url == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    assert name.startswith("pdbench_coteach"), "only pdbench_coteach* databases are touched"
    admin = url.rsplit("/", 1)[0] + "/test"
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True)
    return url


def environment(database_url: str) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        PDSERVICE_ENV="production",
        SECRET_KEY="bench-" + uuid.uuid4().hex,
        PDSERVICE_DEMO_PASSWORD=PASSWORD,
        PDSERVICE_INSTANCE_PATH=str(OUT / "instance"),
        PDSERVICE_COTEACH_POLL_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PYTHON, "-m", "flask", "--app", "pdservice", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


class Service:
    """gunicorn (2 workers, as on a 2-core machine) and one jobs process."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        OUT.mkdir(parents=True, exist_ok=True)
        self.processes = [
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=(OUT / "web.log").open("w"),
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [PYTHON, "-m", "flask", "--app", "pdservice", "jobs", "run"],
                cwd=ROOT,
                env=env,
                stdout=(OUT / "jobs.log").open("w"),
                stderr=subprocess.STDOUT,
            ),
        ]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                break  # e.g. the port is taken: see bench/out/web.log
            try:
                urllib.request.urlopen(self.url + "/login", timeout=10)
                return
            except OSError:  # not listening yet, or still booting
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the web server did not start (see bench/out/web.log)")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()


class Browser:
    """A signed-in session: cookies, CSRF tokens from forms, plain urllib."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.geturl(), response.read().decode()

    def token(self, path: str) -> str:
        page = self.get(path)[2]
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    def post(self, path: str, fields: dict, files: dict | None = None) -> tuple[int, str, str]:
        if files:
            boundary = uuid.uuid4().hex
            body = b""
            for key, value in fields.items():
                body += (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                    f"{value}\r\n"
                ).encode()
            for key, (name, data) in files.items():
                body += (
                    (
                        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                        f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                    ).encode()
                    + data
                    + b"\r\n"
                )
            body += f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=120) as response:
            return response.status, response.geturl(), response.read().decode()

    def sign_in(self, email: str) -> None:
        token = self.token("/login")
        self.post("/login", {"csrf_token": token, "email": email, "password": PASSWORD})


def unit_id(browser: Browser) -> int:
    page = browser.get("/timetable/")[2]
    return int(re.search(r"/timetable/units/(\d+)/import", page).group(1))


def start_run(browser: Browser, term_id: int, time_limit: int | None = None) -> int:
    form_path = f"/coteaching/terms/{term_id}/runs/new"
    page = browser.get(form_path)[2]
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    fields = {k: v for k, v in fields.items() if not k.startswith("csrf")}
    for name in ("include_meetings", "assume_willing"):
        fields[name] = "y"
    fields["csrf_token"] = browser.token(form_path)
    if time_limit is not None:
        fields["time_limit_seconds"] = str(time_limit)
    _status, url, _page = browser.post(form_path, fields)
    return int(re.search(r"/coteaching/runs/(\d+)", url).group(1))


def run_status(browser: Browser, run_id: int) -> dict:
    return json.loads(browser.get(f"/coteaching/runs/{run_id}/status.json")[2])


# --- benchmarks ----------------------------------------------------------------------------------
def import_term(browser: Browser, xhstt: Path, name: str) -> tuple[int, float, str]:
    """Upload an XHSTT file on the import page into a new term: (term id, seconds, page)."""
    import_path = f"/timetable/units/{unit_id(browser)}/import"
    token = browser.token(import_path)
    started = time.perf_counter()
    _status, url, page = browser.post(
        import_path,
        {"csrf_token": token, "term": "new", "new_term": name, "solution": "1"},
        files={"file": (xhstt.name, xhstt.read_bytes())},
    )
    term_id = int(re.search(r"/timetable/terms/(\d+)", url).group(1))
    return term_id, time.perf_counter() - started, page


def import_and_solve(service: Service, xhstt: Path) -> dict:
    browser = Browser(service.url)
    browser.sign_in(PRINCIPAL)
    started = time.perf_counter()
    term_id, import_seconds, page = import_term(browser, xhstt, "FES bench")
    imported = started + import_seconds
    run_id = start_run(browser, term_id)
    queued = time.perf_counter()
    seen, running_at, last = set(), None, None
    while True:
        status = run_status(browser, run_id)
        if status["status"] == "running" and running_at is None:
            running_at = time.perf_counter()
        if status["status"] == "running" and status["progress"]:
            seen.add(json.dumps(status["progress"][-1]))
        if not status["active"]:
            last = status
            break
        time.sleep(0.5)
    finished = time.perf_counter()
    lessons = re.search(r"(\d+) (?:lessons|oppituntia|lektioner)\b", page)
    return {
        "benchmark": "import-solve",
        "file": xhstt.name,
        "lessons": int(lessons.group(1)) if lessons else None,
        "import_seconds": round(imported - started, 2),
        "queued_to_running_seconds": round((running_at or finished) - queued, 2),
        "solve_seconds": last["seconds"],
        "time_limit_seconds": last["time_limit_seconds"],
        "import_to_finished_seconds": round(finished - started, 2),
        "progress_updates_seen_while_running": len(seen),
        "status": last["status"],
        "objective": last["objective"],
        "bound": last["bound"],
        "gap": last["gap"],
        "proposals": last["proposals"],
        "meetings": last["meetings"],
    }


def measure(service: Service, paths: list[str], seconds: float, clients: int = 2) -> list[float]:
    """Latencies (ms) of `clients` signed-in users requesting `paths` in turn for `seconds`."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user() -> None:
        browser = Browser(service.url)
        browser.sign_in(PRINCIPAL)
        index = 0
        while time.monotonic() < deadline:
            path = paths[index % len(paths)]
            index += 1
            begun = time.perf_counter()
            browser.get(path)
            with lock:
                latencies.append((time.perf_counter() - begun) * 1000)

    threads = [threading.Thread(target=user) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def responsiveness(service: Service, xhstt: Path, idle_seconds: float, run_seconds: int) -> dict:
    browser = Browser(service.url)
    browser.sign_in(PRINCIPAL)
    page = browser.get("/timetable/")[2]
    demo_term = int(re.search(r"/timetable/terms/(\d+)\"", page).group(1))
    # A run on the real school's week lasts its whole time limit (it proves no optimum soon).
    term_id, _seconds, _page = import_term(browser, xhstt, "FES load")
    paths = [
        "/home",
        f"/timetable/terms/{demo_term}",
        "/coteaching/",
        "/teams/",
        f"/coteaching/terms/{term_id}/runs",
    ]
    for path in paths:  # warm up both workers
        browser.get(path)
    idle = measure(service, paths, idle_seconds)
    run_id = start_run(browser, term_id, run_seconds)
    while run_status(browser, run_id)["status"] != "running":
        time.sleep(0.2)
    # Measure while the run solves (leaving its last seconds, when it writes its outcome).
    busy_started = time.monotonic()
    busy = measure(service, paths, run_seconds - 5)
    busy_seconds = time.monotonic() - busy_started
    while run_status(browser, run_id)["active"]:
        time.sleep(0.5)
    final = run_status(browser, run_id)
    idle_s, busy_s = summary(idle), summary(busy)
    return {
        "benchmark": "responsiveness",
        "pages": paths,
        "clients": 2,
        "idle": idle_s,
        "during_run": busy_s,
        "measured_during_run_seconds": round(busy_seconds, 1),
        "run": {"id": run_id, "status": final["status"], "seconds": final["seconds"]},
        "p95_ratio": round(busy_s["p95_ms"] / idle_s["p95_ms"], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=("import-solve", "responsiveness"))
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument(
        "--xhstt", type=Path, default=ROOT / "examples" / "xhstt" / "FinlandElementarySchool.xml"
    )
    parser.add_argument("--idle-seconds", type=float, default=30)
    parser.add_argument("--run-seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    database_url = fresh_database(args.database_url)
    env = environment(database_url)
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    service = Service(env, args.port)
    try:
        if args.benchmark == "import-solve":
            figures = import_and_solve(service, args.xhstt)
        else:
            figures = responsiveness(service, args.xhstt, args.idle_seconds, args.run_seconds)
    finally:
        service.stop()
    figures["database"] = database_url.split(":")[0]
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
