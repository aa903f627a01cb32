"""Small measurements run inside `manage.py shell` by bench/cases.py (they need Django set up)."""

import sys
import time


def sample_numbers(team_code: str = "bench-team-00", count: int = 50) -> None:
    """Print case numbers of one team, for the case-page measurement."""
    from charter.cases.models import Case

    numbers = Case.objects.filter(team__code=team_code).order_by("?").values_list("number", flat=True)[:count]
    sys.stdout.write(" ".join(numbers) + "\n")


def count_titled(prefix: str) -> None:
    """Print how many cases have a title starting with `prefix` (the intake check)."""
    from charter.cases.models import Case

    sys.stdout.write(f"{Case.objects.filter(title__startswith=prefix).count()}\n")


def sweep_once() -> None:
    """Run the SLA sweep twice over every open case: the backlog pass, then a steady-state pass."""
    from charter.cases.models import OPEN_STATUSES, Case
    from charter.cases.services import case_clocks_sweep

    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).count()
    started = time.perf_counter()
    backlog = case_clocks_sweep()
    first = time.perf_counter() - started
    started = time.perf_counter()
    steady = case_clocks_sweep()
    second = time.perf_counter() - started
    sys.stdout.write(
        f"SLA sweep over {open_cases} open cases: backlog pass {first:.2f} s ({backlog}); "
        f"next pass {second:.2f} s ({steady})\n"
    )
