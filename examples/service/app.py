"""A small planning service on top of ``pairing``, with FastAPI.

Run it from this folder (``pip install 'pairing[service]' uvicorn``)::

    uvicorn app:app

Endpoints (every answer is JSON):

* ``POST /jobs`` — an instance upload (``instance``: a ``.zip`` of an
  instance folder — Parquet, CSV or one ``.xlsx`` — or a bare ``.xlsx``),
  with optional form fields ``time_limit``, ``seed``, ``method`` and
  ``params`` (the TOML text of :class:`pairing.params.SolveParams`);
* ``POST /jobs/tables`` — the same as JSON: ``{"tables": {"regions": [rows],
  …}, "rules": {…}, "time_limit": …, "params": {…}}``;
* ``GET /jobs/{id}`` — the job's status and its latest progress event;
* ``POST /jobs/{id}/cancel`` — stop the job; no plan is kept;
* ``GET /jobs/{id}/result`` — the plan's tables, its ``summary.json`` and the
  validator's verdict (409 until the job is done).

Bad input is answered 422 before any work, listing every problem with its
table, row id, column, what was expected and what was found. Each job is
checked, then solved in a worker thread with a
:class:`pairing.stop.CancelToken` as its stop and a progress callback (which
``pairing.solve`` calls from that worker thread); every plan passes
:func:`pairing.validate` before it is reported done. Nothing is shared between
jobs but the read-only instance each was given.
"""

from __future__ import annotations

import io
import tempfile
import threading
import uuid
import zipfile
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import pandas as pd
from fastapi import Body, FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import Response

import pairing
from pairing.atomic import json_text
from pairing.errors import Infeasible, InputError, NoPlanFound, Problem
from pairing.params import SolveParams
from pairing.progress import ProgressEvent
from pairing.stop import CancelToken

MAX_UNPACKED = 2 << 30
"""Most bytes an uploaded zip may unpack to."""
TERMINAL = ("done", "cancelled", "infeasible", "no plan", "failed")
"""Statuses of a job that has ended."""


@dataclass
class Job:
    """One planning job; its fields change only under :attr:`lock`."""

    id: str
    instance: pairing.Instance
    options: dict[str, Any]
    token: CancelToken = field(default_factory=CancelToken)
    lock: threading.Lock = field(default_factory=threading.Lock)
    status: str = "queued"
    progress: dict[str, Any] = field(default_factory=dict)
    error: Any = None
    result: dict[str, Any] | None = None
    future: Future[None] | None = None

    def view(self) -> dict[str, Any]:
        with self.lock:
            return {
                "id": self.id,
                "status": self.status,
                "progress": dict(self.progress),
                "error": self.error,
            }

    def on_progress(self, event: ProgressEvent) -> None:
        with self.lock:
            self.progress = event.to_dict()

    def run(self) -> None:
        with self.lock:
            if self.status != "queued":  # cancelled while queued
                return
            self.status = "running"
        try:
            plan = pairing.solve(
                self.instance,
                stop=self.token,
                progress=self.on_progress,
                workers=1,
                **self.options,
            )
            if self.token.cancelled:
                self._end("cancelled")
                return
            report = pairing.validate(self.instance, plan)
            result = {
                "summary": plan.info,
                "valid": report.ok,
                "violations": report.to_dict()["counts"],
                "tables": {
                    name: df.to_dict(orient="records")
                    for name, df in plan.tables.items()
                },
            }
            self._end("done", result=result)
        except NoPlanFound as exc:
            self._end("cancelled" if self.token.cancelled else "no plan", str(exc))
        except Infeasible as exc:
            self._end("infeasible", [c.to_dict() for c in exc.causes])
        except Exception as exc:  # reported on the job, never lost in a thread
            self._end("failed", f"{type(exc).__name__}: {exc}")

    def _end(self, status: str, error: Any = None, result: Any = None) -> None:
        with self.lock:
            self.status, self.error, self.result = status, error, result


def _problems(exc: InputError) -> dict[str, Any]:
    return {
        "message": "bad input: nothing was planned",
        "problems": [
            {
                "table": p.table,
                "id": p.id,
                "column": p.column,
                "expected": p.expected,
                "found": p.found,
                "file": p.file,
            }
            for p in exc.problems
        ],
    }


def _bad(table: str, expected: str, found: str = "", column: str = "") -> InputError:
    return InputError([Problem(table, "", column, expected, found)])


def _unpack(data: bytes, filename: str, into: Path) -> Path:
    """The instance folder or workbook of an upload, unpacked under ``into``."""
    if filename.lower().endswith(".xlsx"):
        path = into / "instance.xlsx"
        path.write_bytes(data)
        return path
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _bad(
            "upload", "a .zip of an instance folder or an .xlsx", filename
        ) from None
    with archive:
        members = archive.infolist()
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise _bad("upload", f"at most {MAX_UNPACKED:,} bytes unpacked", filename)
        for m in members:
            parts = PurePosixPath(m.filename).parts
            if m.filename.startswith("/") or ".." in parts:
                raise _bad("upload", "paths inside the instance folder", m.filename)
        archive.extractall(into)
    found = sorted(into.rglob("regions.*")) + sorted(into.rglob("*.xlsx"))
    if not found:
        raise _bad("upload", "an instance: regions.parquet, regions.csv or a .xlsx")
    return found[0] if found[0].suffix == ".xlsx" else found[0].parent


def _options(
    time_limit: float | None,
    seed: int,
    method: str,
    params: SolveParams | None,
) -> dict[str, Any]:
    from pairing.solver.villages import METHODS

    if method not in METHODS:
        raise _bad("request", f"one of {', '.join(METHODS)}", method, "method")
    if time_limit is not None and not time_limit > 0:
        raise _bad("request", "seconds > 0", str(time_limit), "time_limit")
    return {"time_limit": time_limit, "seed": seed, "method": method, "params": params}


def create_app(max_jobs: int = 2) -> FastAPI:
    """The service, running at most ``max_jobs`` solves at once."""
    jobs: dict[str, Job] = {}
    jobs_lock = threading.Lock()
    pool = ThreadPoolExecutor(max_jobs, thread_name_prefix="pairing-job")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        with jobs_lock:
            for job in jobs.values():
                job.token.cancel()  # a stopped solve returns within a second or two
        pool.shutdown(wait=True, cancel_futures=True)

    app = FastAPI(title="pairing service", lifespan=lifespan)

    def submit(instance: pairing.Instance, options: dict[str, Any]) -> dict[str, Any]:
        job = Job(uuid.uuid4().hex, instance, options)
        with jobs_lock:
            jobs[job.id] = job
        job.future = pool.submit(job.run)
        return job.view()

    def get(job_id: str) -> Job:
        with jobs_lock:
            job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job

    @app.post("/jobs", status_code=202)
    def submit_upload(
        instance: Annotated[UploadFile, File()],
        time_limit: Annotated[float | None, Form()] = None,
        seed: Annotated[int, Form()] = 0,
        method: Annotated[str, Form()] = "auto",
        params: Annotated[str | None, Form()] = None,
    ) -> dict[str, Any]:
        data = instance.file.read()
        try:
            solve_params = None
            with tempfile.TemporaryDirectory() as tmp:
                if params:
                    (Path(tmp) / "params.toml").write_text(params, encoding="utf-8")
                    solve_params = SolveParams.from_toml(Path(tmp) / "params.toml")
                path = _unpack(data, instance.filename or "", Path(tmp) / "in")
                loaded = pairing.load_instance(path)
            return submit(loaded, _options(time_limit, seed, method, solve_params))
        except InputError as exc:
            raise HTTPException(422, _problems(exc)) from None

    @app.post("/jobs/tables", status_code=202)
    def submit_tables(body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        try:
            tables = body.get("tables")
            if not isinstance(tables, Mapping):
                raise _bad("request", "tables: {table: [rows]}", type(tables).__name__)
            frames = {}
            for name, rows in tables.items():
                if not isinstance(rows, list) or not all(
                    isinstance(r, Mapping) for r in rows
                ):
                    raise _bad(str(name), "a list of rows (objects)")
                frames[str(name)] = pd.DataFrame(rows)
            rules, params = body.get("rules") or {}, body.get("params") or {}
            for key, value in (("rules", rules), ("params", params)):
                if not isinstance(value, Mapping):
                    raise _bad("request", "an object", type(value).__name__, key)
            solve_params = SolveParams.from_dict(params, "params") if params else None
            rules = pairing.Rules.from_dict(dict(rules), source="rules")
            loaded = pairing.Instance.from_tables(frames, rules)
            options = _options(
                body.get("time_limit"),
                int(body.get("seed", 0)),
                str(body.get("method", "auto")),
                solve_params,
            )
            return submit(loaded, options)
        except InputError as exc:
            raise HTTPException(422, _problems(exc)) from None

    @app.get("/jobs/{job_id}")
    def status(job_id: str) -> dict[str, Any]:
        return get(job_id).view()

    @app.post("/jobs/{job_id}/cancel", status_code=202)
    def cancel(job_id: str) -> dict[str, Any]:
        job = get(job_id)
        job.token.cancel()
        with job.lock:
            if job.status == "queued":
                job.status = "cancelled"
        return job.view()

    @app.get("/jobs/{job_id}/result")
    def result(job_id: str) -> Response:
        job = get(job_id)
        with job.lock:
            status, payload = job.status, job.result
        if status != "done" or payload is None:
            raise HTTPException(409, {"status": status, "message": "no plan (yet)"})
        # strict JSON: NaN and infinities become null
        return Response(json_text(payload), media_type="application/json")

    return app


app = create_app()
