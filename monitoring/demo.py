"""Demo activity for the compliance dashboard: real screenings, cases and dispositions through the services.

Called by ``demo_setup`` after the lists, officers and API client exist. It screens a handful of
subjects through the screening service (listed people picked from the active lists, namesakes of
them, and fictional clear names in several scripts), onboards a few customers through the kyc
services (the pipeline screens, rates and routes them), dispositions some of the hits as the demo
officers would, marks one API match as a false positive, and runs the drift check. Runs once per
database: a second call finds its screenings and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEMO_REF = "demo-activity"

#: Fictional people, written in the script of their country, who should screen clear.
CLEAR_SUBJECTS = (
    ("Amelia Hartwell", "gb", "1985-02-14"),
    ("Jonas Lindqvist", "se", "1979-07-01"),
    ("Chiara Bellandi", "it", "1990-11-23"),
    ("Tomasz Wierzbicki", "pl", "1983-05-30"),
    ("Светлана Морозкина", "ru", "1976-09-09"),
    ("Νίκος Παπαδάκης", "gr", "1988-03-17"),
    ("سمير الحداد", "jo", "1981-12-02"),
    ("王小明", "cn", "1992-08-08"),
    ("김민준", "kr", "1995-01-21"),
)


@dataclass(frozen=True)
class Listed:
    name: str
    aliases: tuple[str, ...]
    countries: tuple[str, ...]
    birth_date: str | None


def _listed_people(limit: int) -> list[Listed]:
    """Distinct listed people of the active lists (first met per primary name)."""
    from screening.selectors import active_entries

    seen: set[str] = set()
    out: list[Listed] = []
    for _, entry in active_entries():
        if entry.schema != "Person" or not entry.names:
            continue
        key = " ".join(sorted(entry.names[0].full.casefold().replace(",", " ").split()))
        if key in seen:
            continue
        seen.add(key)
        birth = next((b.value for b in entry.birth_dates if b.value and len(b.value) == 10), None)
        countries = tuple(c.lower() for c in entry.nationalities if len(c) == 2)
        out.append(Listed(entry.names[0].full, tuple(n.full for n in entry.names[1:3]), countries, birth))
        if len(out) >= limit:
            break
    return out


def _split(name: str) -> tuple[str, str]:
    """(given names, family name) of "FAMILY, Given" or "Given Family"."""
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip().title()
    parts = name.split()
    return " ".join(parts[:-1]), parts[-1]


def demo_activity(*, client: Any, officer: Any, senior: Any) -> str:
    """Screen, onboard and disposition a few demo subjects; a one-line summary of what was made."""
    from kyc.models import CaseStatus, HitKind, HitStatus
    from kyc.services import cases as case_services
    from kyc.services import customers as customer_services
    from kyc.services import pipeline, review
    from monitoring.services.drift import drift_check_run
    from screening.models import Screening
    from screening.runtime import NoActiveLists, runtime
    from screening.services import screenings

    if Screening.objects.filter(reference__startswith=DEMO_REF).exists():
        return "demo screenings and cases already present"
    listed = _listed_people(6)
    subjects: list[dict[str, Any]] = []
    for person in listed:
        subjects.append({"name": person.name, "countries": list(person.countries), "birth_date": person.birth_date})
        for alias in person.aliases[:1]:  # the same person under another spelling or script
            subjects.append({"name": alias, "countries": list(person.countries), "birth_date": person.birth_date})
    namesakes = [{"name": person.name, "countries": ["ca"], "birth_date": "2001-06-15"} for person in listed[:2]]
    subjects += namesakes
    subjects += [{"name": name, "countries": [c], "birth_date": birth} for name, c, birth in CLEAR_SUBJECTS]

    runtime.expire()  # the lists may have been loaded a moment ago in this process: re-read the active versions
    screened = []
    try:
        for number, data in enumerate(subjects, start=1):
            fields = {k: v for k, v in data.items() if v}
            subject = screenings.parse_subject({**fields, "reference": f"{DEMO_REF}-{number}", "schema": "Person"})
            screened.append(screenings.screening_run(actor=client, subject=subject))
    except NoActiveLists:
        return "no active list: nothing screened"
    # The namesakes (born decades later, another nationality) are cleared as false positives.
    marked = 0
    for screening in screened[-len(CLEAR_SUBJECTS) - len(namesakes) : -len(CLEAR_SUBJECTS)]:
        for match in screening.matches.all()[:1]:
            screenings.false_positive_mark(
                actor=officer, match=match, reason_code=screenings.ReasonCode.DIFFERENT_BIRTH_DATE
            )
            marked += 1

    # Onboarding: listed people and clear ones become customers; the pipeline screens and routes them.
    people = [(p.name, p.countries, p.birth_date) for p in listed[:3]]
    people += [(name, (country,), birth) for name, country, birth in CLEAR_SUBJECTS[:3]]
    made = []
    for number, (name, countries, birth) in enumerate(people, start=1):
        given, family = _split(name)
        details = {"given_names": given, "family_name": family, "nationalities": [c.upper() for c in countries]}
        if birth:
            details["birth_date"] = birth
        customer = customer_services.customer_create(
            client=client, kind="individual", details=details, external_ref=f"{DEMO_REF}-{number}", actor=client
        )
        case = case_services.case_submit(customer=customer, actor=client)
        made.append(pipeline.case_run_pipeline(case_id=str(case.pk)))

    # Officers' dispositions: confirm a hit in one case, clear one (four eyes for sanctions) in another.
    confirmed = cleared = 0
    in_review = [case for case in made if case.status == CaseStatus.REVIEW]
    for position, case in enumerate(in_review[:2]):
        hit = case.hits.filter(status=HitStatus.PENDING).order_by("-score").first()
        if hit is None:
            continue
        if position == 0:
            review.hit_confirm(hit=hit, rationale="Same person: name, birth date and nationality agree.", actor=officer)
            confirmed += 1
            continue
        # Demo seeding has no person at a keyboard to type a second factor: the command stands in for the
        # officers' step-up here; the services still enforce rationale, roles and four eyes.
        hit = review.hit_clear(
            hit=hit,
            rationale="Different person: the birth date rules the entry out.",
            actor=officer,
            step_up_verified=True,
        )
        if hit.kind == HitKind.SANCTION and hit.status == HitStatus.CLEARING_PROPOSED:
            review.hit_clearing_review(
                hit=hit,
                agree=True,
                rationale="Agree: the birth dates differ by decades.",
                actor=senior,
                step_up_verified=True,
            )
        cleared += 1

    check = drift_check_run(actor=None, trigger="command")
    alerts = sum(s.match_count for s in screened)
    return (
        f"{len(screened)} screenings ({alerts} matches, {marked} marked false positive), "
        f"{len(made)} cases ({len(in_review)} in review; {confirmed} hit confirmed, {cleared} cleared), "
        f"drift check with {check.flag_count} flag(s)"
    )
