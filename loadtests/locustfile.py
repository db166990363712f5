"""Simulated staff and participants doing their daily journeys (locust; docs/deployment.md).

Run by ``loadtests/run.py``, which prepares the database, starts gunicorn and passes:

- ``ALONGSIDE_LOAD_ACCOUNTS``: the JSON file of load accounts ``prepare.py`` wrote, with
  the session cookies of their sign-in (``web.sign_in``, timed apart: a sign-in costs an
  Argon2 hash on purpose, and fifty at once would measure only that);
- ``ALONGSIDE_LOAD_LEDGER``: where each acknowledged write is appended (kind, marker), so
  the driver can find every one of them in the database afterwards.

Every request must answer as a browser expects (a page, or a redirect after a save);
anything else, server errors first, is a failure in locust's statistics.
"""

from __future__ import annotations

import collections
import datetime
import itertools
import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, constant, events, task
from web import form_with, sign_in

ACCOUNTS = json.loads(Path(os.environ["ALONGSIDE_LOAD_ACCOUNTS"]).read_text())
LEDGER = os.environ["ALONGSIDE_LOAD_LEDGER"]
_next: dict[str, itertools.count] = collections.defaultdict(itertools.count)


def acknowledge(kind: str, marker: str) -> None:
    """Note a write the server confirmed; the driver looks for each one afterwards."""
    with open(LEDGER, "a") as ledger:
        ledger.write(f"{kind} {marker}\n")


class Journey(HttpUser):
    abstract = True
    kind = ""
    # Which accounts of the kind this class takes from (one each, in turn): the probes
    # use others than each other, so no account signs in twice within one code's life.
    accounts = slice(None)

    def on_start(self):
        accounts = ACCOUNTS[self.kind][self.accounts]
        self.account = accounts[next(_next[type(self).__name__]) % len(accounts)]
        if self.account.get("cookies"):  # signed in by run.py before the clock started
            self.client.cookies.update(self.account["cookies"])
        else:
            sign_in(self.client, self.account)

    def page(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{name}: {answer.status_code}")
            return answer

    def save(self, form_path: str, field: str, changes: dict, name: str, kind: str, marker):
        """Open a form, change it, post it; a redirect is the server's acknowledgement."""
        page = self.page(form_path, f"{name} (form)")
        if page.status_code != 200:
            return
        data = form_with(page.text, field)
        data.update(changes)
        with self.client.post(
            form_path, data=data, name=f"{name} (save)", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code == 302:
                acknowledge(kind, marker)
            else:
                answer.failure(f"{name}: {answer.status_code} instead of a redirect")


class Supporter(Journey):
    """A peer supporter's day: dashboard, caseload, a record, a goal, a note, the crisis plan."""

    kind = "supporter"
    weight = 40
    wait_time = between(1, 4)

    def engagement(self) -> int:
        return random.choice(self.account["engagements"])

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "dashboard")

    @task(3)
    def caseload(self):
        self.page("/engagements/", "caseload")

    @task(3)
    def record(self):
        self.page(f"/engagements/{self.engagement()}/", "engagement")

    @task(1)
    def week(self):
        self.page("/engagements/meetings/week/", "week")

    @task(1)
    def add_goal(self):
        marker = f"load-{uuid.uuid4().hex}"
        changes = {
            "statement": f"Walk to the park twice a week ({marker})",
            "approach": "not_applicable",
            "wellness_dimension": "physical",
            "stage": "action",
        }
        path = f"/engagements/{self.engagement()}/goals/new/"
        self.save(path, "statement", changes, "goal: add", "goal", marker)

    @task(1)
    def log_meeting_with_note(self):
        marker = f"load-{uuid.uuid4().hex}"
        when = datetime.datetime.now() - datetime.timedelta(minutes=random.randint(900, 40_000))
        changes = {
            "status": "held",
            "starts_at": when.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "mode": "in_person",
            "note_body": f"Talked about the week and the walking goal ({marker}).",
            "save_anyway": "on",
        }
        path = f"/engagements/{self.engagement()}/meetings/new/"
        self.save(path, "note_body", changes, "meeting + note: log", "note", marker)

    @task(1)
    def edit_emergency_plan(self):
        # Each supporter edits only their own participants' plans, so no two simulated
        # people race on one plan here (tests/test_concurrent_edits.py covers that).
        marker = f"load-{uuid.uuid4().hex}"
        path = f"/engagements/{self.engagement()}/emergency-plan/edit/"
        changes = {
            "warning_signs": "Stops answering the phone.",
            "helps": f"A walk and a call with my sister ({marker})",
        }
        self.save(path, "helps", changes, "emergency plan: edit", "plan", marker)


class Coordinator(Journey):
    """A coordinator's day: dashboard, referrals, waitlist, every engagement."""

    kind = "coordinator"
    weight = 6
    wait_time = between(1, 4)

    @task
    def dashboard(self):
        self.page("/dashboard/", "dashboard")

    @task
    def referrals(self):
        self.page("/referrals/", "referrals")

    @task
    def waitlist(self):
        self.page("/referrals/waitlist/", "waitlist")

    @task
    def engagements(self):
        self.page("/engagements/", "engagements (coordinator)")


class Participant(Journey):
    """A participant in the portal: their support, goals and crisis plan."""

    kind = "participant"
    weight = 4
    wait_time = between(2, 6)

    @task
    def portal(self):
        self.page("/portal/", "portal")

    @task
    def goals(self):
        self.page("/portal/goals/", "portal goals")

    @task
    def plan(self):
        self.page("/portal/emergency-plan/", "portal emergency plan")


class CaseloadOnly(Journey):
    """Throughput probe: the caseload page as fast as it answers."""

    kind = "supporter"
    accounts = slice(0, 10)
    weight = 1
    wait_time = constant(0)

    @task
    def caseload(self):
        self.page("/engagements/", "caseload")


class BaselineOnly(Journey):
    """Throughput probe: the one-query page (alongside/core/baseline.py), same sessions."""

    kind = "supporter"
    accounts = slice(10, 20)
    weight = 1
    wait_time = constant(0)

    @task
    def baseline(self):
        self.page("/loadtest/baseline/", "baseline (one query)")


@events.request.add_listener
def _server_errors(request_type, name, response, exception, **kwargs):
    """Print a server error at once: the run fails on any, and its page says why."""
    if response is not None and getattr(response, "status_code", 0) >= 500:
        print(f"SERVER ERROR {response.status_code} on {request_type} {name}")
