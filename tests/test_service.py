"""The example service (``examples/service/app.py``) through FastAPI's TestClient.

Two jobs run at once and one is cancelled mid-solve (it ends within a second,
with no plan); the other's plan is valid by the validator run here; bad input
is answered 422 with every problem's table, id and column.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import tiny_rows
from fastapi.testclient import TestClient

import pairing

ROOT = Path(__file__).resolve().parents[1]


def _load_app() -> Any:
    spec = importlib.util.spec_from_file_location(
        "service_app", ROOT / "examples" / "service" / "app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


service = _load_app()


@pytest.fixture
def client():
    with TestClient(service.create_app(max_jobs=2)) as c:
        yield c


def _zip(instance: pairing.Instance, tmp: Path, fmt: str = "parquet") -> bytes:
    folder = tmp / f"inst-{fmt}"
    pairing.save_instance(instance, folder, format=fmt)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in folder.iterdir():
            z.write(path, f"jilin/{path.name}")
    return buf.getvalue()


def _wait(client: TestClient, job: str, until: Any, seconds: float = 120) -> dict:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        view = client.get(f"/jobs/{job}").json()
        if until(view):
            return view
        time.sleep(0.02)
    raise AssertionError(f"job {job} still {view}")


def _ended(view: dict) -> bool:
    return view["status"] in service.TERMINAL


def test_two_jobs_at_once_one_cancelled_mid_solve(client, tmp_path):
    small = pairing.generate(households=2000, seed=1)
    large = pairing.generate(households=43_000, seed=4)  # ~20 s village stage
    a = client.post(
        "/jobs",
        files={"instance": ("small.zip", _zip(small, tmp_path), "application/zip")},
        data={"time_limit": "30"},
    )
    b = client.post(
        "/jobs",
        files={"instance": ("large.zip", _zip(large, tmp_path), "application/zip")},
        data={"time_limit": "60"},
    )
    assert a.status_code == b.status_code == 202, (a.text, b.text)
    job_a, job_b = a.json()["id"], b.json()["id"]
    running = _wait(client, job_b, lambda v: v["progress"].get("stage") == "villages")
    assert running["status"] == "running"
    asked = time.perf_counter()
    assert client.post(f"/jobs/{job_b}/cancel").status_code == 202
    ended = _wait(client, job_b, _ended, seconds=5)
    took = time.perf_counter() - asked
    assert ended["status"] == "cancelled"
    assert took < 1.0, f"the cancelled job took {took:.2f} s to stop"
    gone = client.get(f"/jobs/{job_b}/result")
    assert gone.status_code == 409 and gone.json()["detail"]["status"] == "cancelled"

    done = _wait(client, job_a, _ended)
    assert done["status"] == "done", done
    assert done["progress"]["stage"] == "done"
    body = client.get(f"/jobs/{job_a}/result").json()
    assert body["valid"] and body["violations"] == {}
    summary = body["summary"]
    assert summary["provenance"]["instance_fingerprint"] == pairing.fingerprint(small)
    tables = {k: pd.DataFrame(v) for k, v in body["tables"].items()}
    plan = pairing.Plan(**tables)  # checked again here, independently
    assert pairing.validate(small, plan).ok


def test_tables_as_json_and_params(client):
    rows = tiny_rows()
    r = client.post(
        "/jobs/tables",
        json={
            "tables": rows,
            "time_limit": 10,
            "params": {"households": {"buckets": 4}},
        },
    )
    assert r.status_code == 202, r.text
    done = _wait(client, r.json()["id"], _ended)
    assert done["status"] == "done", done
    body = client.get(f"/jobs/{r.json()['id']}/result").json()
    assert body["valid"]
    assert body["summary"]["parameters"]["solver"]["households"]["buckets"] == 4


def _problems(response: Any) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    return [
        (p["table"], p["id"], p["column"])
        for p in response.json()["detail"]["problems"]
    ]


def test_bad_input_is_answered_422_with_the_problems(client, tmp_path):
    rows = tiny_rows()
    household = rows["households"][3]
    household["members"] = "many"
    rows["cadres"][0]["unit_id"] = "no-such-unit"
    found = _problems(client.post("/jobs/tables", json={"tables": rows}))
    assert ("households", household["household_id"], "members") in found
    assert any(t == "cadres" and c == "unit_id" for t, _, c in found)

    # the same problem in an uploaded instance folder (CSV, zipped)
    base = pairing.Instance.from_tables(
        {k: pd.DataFrame(v) for k, v in tiny_rows().items()}
    )
    folder = tmp_path / "bad"
    pairing.save_instance(base, folder, format="csv")
    csv = folder / "households.csv"
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    df.loc[0, "members"] = "x"
    df.to_csv(csv, index=False)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path in folder.iterdir():
            z.write(path, path.name)
    up = client.post("/jobs", files={"instance": ("bad.zip", buf.getvalue())})
    assert ("households", df.loc[0, "household_id"], "members") in _problems(up)

    assert _problems(client.post("/jobs", files={"instance": ("x.zip", b"not a zip")}))
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../regions.csv", "region_id\n")
    assert _problems(
        client.post("/jobs", files={"instance": ("e.zip", evil.getvalue())})
    )
    params = client.post(
        "/jobs/tables",
        json={"tables": tiny_rows(), "params": {"engine": {"core_secs": 1}}},
    )
    assert ("params", "", "engine.core_secs") in _problems(params)
    method = client.post(
        "/jobs/tables", json={"tables": tiny_rows(), "method": "exactt"}
    )
    assert ("request", "", "method") in _problems(method)
    assert client.get("/jobs/nope").status_code == 404
