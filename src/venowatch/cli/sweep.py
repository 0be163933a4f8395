"""`venowatch sweep` (one pass, for cron or by hand) and `venowatch worker` (the loop that
`venowatch serve` runs beside the web server, so the embedded default needs nothing else)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING

from venowatch.cli.database import open_database
from venowatch.cli.words import counted
from venowatch.services.clock import utc_now

if TYPE_CHECKING:
    from venowatch.services.notification.delivery import Delivered

log = logging.getLogger("venowatch.worker")


def sweep_once(args: argparse.Namespace) -> int:
    open_database()
    _as_venowatch()

    from venowatch.services.sweep import expired_count, sweep

    now = utc_now()
    bar = None
    expired = expired_count(now) if args.verbose else 0
    if expired:
        from tqdm import tqdm

        # A space before the unit: tqdm writes it right after the rate ("2.5 patients/s").
        bar = tqdm(total=expired, desc="re-assessing", unit=" patients", file=sys.stderr)

    def advance(n: int) -> None:
        if bar is not None:
            bar.update(n)

    swept = sweep(now, progress=advance)
    if bar is not None:
        bar.close()
    outcomes = _outcomes(now)
    d = swept.delivered
    for error in d.errors:
        print(f"venowatch sweep: not delivered: {error}", file=sys.stderr)
    if args.verbose:
        print(
            f"{summary(swept.reassessed, swept.reminders, swept.digests, d)}; outcome figures "
            f"brought up to date for {counted(outcomes, 'patient')}"
        )
    return 0


def work(args: argparse.Namespace) -> int:
    """Deliver the outbox every `--deliver-every` seconds (a clot alert must not wait a
    minute) and run the whole sweep every `--sweep-every` seconds, until stopped."""
    open_database()
    _as_venowatch()
    from django.db import close_old_connections

    from venowatch.services.notification.delivery import deliver_due
    from venowatch.services.sweep import sweep

    # What the worker sent is worth a line in the log even where the rest logs warnings only.
    log.setLevel(logging.INFO)
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    next_sweep = 0.0
    while not stopping:
        try:
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + args.sweep_every
                swept = sweep(utc_now())
                if swept.reassessed or swept.delivered.sent or swept.delivered.errors:
                    patients = counted(swept.reassessed, "patient")
                    log.info("swept: re-assessed %s; %s", patients, _said(swept.delivered))
                _outcomes(utc_now())
            else:
                delivered = deliver_due(utc_now())
                if delivered.sent or delivered.errors:
                    log.info("delivered: %s", _said(delivered))
        except Exception:  # the loop must outlive a locked database or a bug
            log.exception("sweep failed; trying again shortly")
        finally:
            close_old_connections()
        time.sleep(args.deliver_every)
    return 0


def summary(reassessed: int, reminders: int, digests: int, d: Delivered) -> str:
    """What one sweep did, in words a person reads at a glance."""
    return (
        f"re-assessed {counted(reassessed, 'patient')} whose assessment had expired; queued "
        f"{counted(reminders, 'reminder')} and {counted(digests, 'digest')}; {_said(d)}"
    )


def _outcomes(now: datetime) -> int:
    """After the sweep, a bounded share of the patients whose outcome facts are stale (their
    records changed): the replay costs about 4 ms for a year of weekly check-ins, and a
    backlog (a new installation, a new protocol) must not hold up the next sweep."""
    from venowatch.services.outcomes.facts import PER_PASS, refresh_stale

    return refresh_stale(now, limit=PER_PASS)


def _said(d: Delivered) -> str:
    first = f"; first error: {d.errors[0]}" if d.errors else ""
    return (
        f"messages: {d.sent} sent, {d.retried} to retry, {d.failed} failed for good, "
        f"{d.cancelled} no longer needed{first}"
    )


def _as_venowatch() -> None:
    """The sweep's writes (re-assessments, the tasks they open) are venowatch's own."""
    from venowatch.audit.models import ActorKind, Channel
    from venowatch.services.security import audit

    audit.set_origin(Channel.SYSTEM, ActorKind.SYSTEM)
