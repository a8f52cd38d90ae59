#!/usr/bin/env python3
"""Validate FHIR JSON files written by Rapport.

Usage: validate_fhir.py FILE.json [FILE.json ...]

Each file is parsed with the model for its resourceType from the `fhir.resources` package
(R4B module; Rapport writes R4 4.0.1, and the resources it uses are unchanged in R4B), and
Bundle entries are validated one by one as well. On top of that it checks rules the package
does not enforce but Rapport promises: Observations carry a status, a subject and a LOINC code
with a valid check digit; QuestionnaireResponses name their questionnaire and status;
Questionnaires have a url, a status, unique linkIds and options for every choice item; and a
Bundle stands on its own, as an importing system needs: every entry has an absolute `fullUrl`
(`urn:uuid:` or http(s)), no two the same, every reference anywhere in it resolves to an entry
(the same text as a fullUrl, or a relative `Type/id` resolved against an entry's http base),
and every date in it is a real calendar date.

Exits 0 when every file passes, 1 with one line per problem otherwise, and 2 when the
validator cannot run at all (missing package, no files). It never skips.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from typing import Any

try:
    from fhir.resources.R4B import get_fhir_model_class
except ImportError as error:  # never skip: a missing validator is a failure
    print(
        f"validate_fhir.py: cannot import fhir.resources ({error}); "
        "install it with `pip install fhir.resources`",
        file=sys.stderr,
    )
    sys.exit(2)

LOINC = "http://loinc.org"
KNOWN = {"Patient", "Questionnaire", "QuestionnaireResponse", "Observation", "Bundle"}
DATE_FIELDS = {"authored", "effectiveDateTime", "timestamp", "issued", "birthDate", "lastUpdated"}
UUID_URL = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
HTTP_URL = re.compile(r"^https?://[^/]+(/.*)?/([A-Z][A-Za-z]+)/([A-Za-z0-9.-]{1,64})$")
PUBLICATION_STATUS = {"draft", "active", "retired", "unknown"}
RESPONSE_STATUS = {"in-progress", "completed", "amended", "entered-in-error", "stopped"}
ITEM_TYPES = {
    "group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "choice", "open-choice", "attachment", "reference", "quantity",
}


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC codes end in a mod-10 check digit after the dash."""
    body, dash, check = code.partition("-")
    if not dash or not body.isdigit() or len(check) != 1 or not check.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit // 10 + digit % 10
        total += digit
    return (10 - total % 10) % 10 == int(check)


def check_questionnaire(resource: dict[str, Any], where: str) -> list[str]:
    problems = []
    for field in ("url", "status", "item"):
        if not resource.get(field):
            problems.append(f"{where}: Questionnaire has no {field}")
    if resource.get("status") not in PUBLICATION_STATUS:
        problems.append(f"{where}: Questionnaire status {resource.get('status')!r} is not a publication status")
    seen = set()
    for item in resource.get("item", []):
        link_id = item.get("linkId")
        if link_id in seen:
            problems.append(f"{where}: linkId {link_id!r} is used twice")
        seen.add(link_id)
        if item.get("type") not in ITEM_TYPES:
            problems.append(f"{where}: item {link_id!r} has unknown type {item.get('type')!r}")
        if item.get("type") == "choice" and not item.get("answerOption"):
            problems.append(f"{where}: choice item {link_id!r} has no answerOption")
        if item.get("type") == "display" and not item.get("text"):
            problems.append(f"{where}: display item {link_id!r} has no text")
    return problems


def check_response(resource: dict[str, Any], where: str) -> list[str]:
    problems = []
    for field in ("questionnaire", "status", "subject", "authored"):
        if not resource.get(field):
            problems.append(f"{where}: QuestionnaireResponse has no {field}")
    if resource.get("status") not in RESPONSE_STATUS:
        problems.append(f"{where}: QuestionnaireResponse status {resource.get('status')!r} is not a response status")
    for item in resource.get("item", []):
        if not item.get("answer") and not item.get("item"):
            problems.append(f"{where}: response item {item.get('linkId')!r} has no answer")
    return problems


def check_observation(resource: dict[str, Any], where: str) -> list[str]:
    problems = []
    if resource.get("status") != "final":
        problems.append(f"{where}: Observation status is {resource.get('status')!r}, not 'final'")
    if not resource.get("subject", {}).get("reference"):
        problems.append(f"{where}: Observation has no subject reference")
    codings = resource.get("code", {}).get("coding", [])
    loinc = [c for c in codings if c.get("system") == LOINC]
    if not loinc:
        problems.append(f"{where}: Observation has no LOINC code")
    for coding in loinc:
        if not loinc_check_digit_ok(coding.get("code", "")):
            problems.append(f"{where}: {coding.get('code')!r} is not a valid LOINC code")
    if not any(key.startswith("value") for key in resource):
        problems.append(f"{where}: Observation has no value")
    if "effectiveDateTime" not in resource:
        problems.append(f"{where}: Observation has no effectiveDateTime")
    return problems


def real_date(text: str) -> bool:
    """A FHIR date or dateTime whose calendar part is a day that exists."""
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        return False
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    if "T" in text:
        try:
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return False
    return True


def walk(value: Any, path: str):
    """Every (path, key, value) pair in a JSON value."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key, inner
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from walk(inner, f"{path}[{index}]")


def resolves(reference: str, full_urls: set[str], bases: set[str]) -> bool:
    """FHIR's rule for references in a Bundle: the same text as an entry's fullUrl, or a relative
    `Type/id` that, put on the base of an http(s) fullUrl, is one."""
    if reference in full_urls:
        return True
    if re.match(r"^[A-Z][A-Za-z]+/[A-Za-z0-9.-]{1,64}$", reference):
        return any(f"{base}/{reference}" in full_urls for base in bases)
    return False


def check_bundle(resource: dict[str, Any], where: str) -> list[str]:
    problems = []
    if resource.get("type") != "collection":
        problems.append(f"{where}: Bundle type is {resource.get('type')!r}, not 'collection'")
    entries = resource.get("entry", [])
    full_urls: set[str] = set()
    bases: set[str] = set()
    for index, entry in enumerate(entries):
        url = entry.get("fullUrl")
        if not url:
            problems.append(f"{where} entry[{index}]: no fullUrl")
            continue
        http = HTTP_URL.match(url)
        if not UUID_URL.match(url) and not http:
            problems.append(f"{where} entry[{index}]: fullUrl {url!r} is neither urn:uuid: nor an absolute http(s) URL")
        if http:
            bases.add(url[: url.rfind("/", 0, url.rfind("/"))])
        if url in full_urls:
            problems.append(f"{where} entry[{index}]: fullUrl {url!r} is used twice")
        full_urls.add(url)
    for index, entry in enumerate(entries):
        inner = entry.get("resource", {})
        problems += validate(inner, f"{where} entry[{index}]")
        for path, key, value in walk(inner, f"{where} entry[{index}]"):
            if key == "reference" and isinstance(value, str) and not resolves(value, full_urls, bases):
                problems.append(f"{path}: reference {value!r} resolves to no entry of the Bundle")
    for path, key, value in walk(resource, where):
        if key in DATE_FIELDS and not (isinstance(value, str) and real_date(value)):
            problems.append(f"{path}.{key}: {value!r} is not a real date")
    return problems


def check_patient(resource: dict[str, Any], where: str) -> list[str]:
    if not resource.get("id") and not resource.get("identifier"):
        return [f"{where}: Patient has neither id nor identifier"]
    return []


CHECKS = {
    "Patient": check_patient,
    "Questionnaire": check_questionnaire,
    "QuestionnaireResponse": check_response,
    "Observation": check_observation,
    "Bundle": check_bundle,
}


def validate(resource: Any, where: str) -> list[str]:
    """Every problem with one resource (and, for a Bundle, its entries)."""
    if not isinstance(resource, dict):
        return [f"{where}: not a JSON object"]
    kind = resource.get("resourceType")
    if kind not in KNOWN:
        return [f"{where}: unexpected resourceType {kind!r} (expected one of {sorted(KNOWN)})"]
    problems = []
    try:
        get_fhir_model_class(kind).model_validate(resource)
    except Exception as error:  # the package raises pydantic errors with the failing paths
        detail = str(error).replace("\n", " | ")
        problems.append(f"{where}: {kind} is not valid FHIR: {detail}")
    return problems + CHECKS[kind](resource, where)


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: validate_fhir.py FILE.json [FILE.json ...]", file=sys.stderr)
        return 2
    problems = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as file:
                resource = json.load(file)
        except (OSError, json.JSONDecodeError) as error:
            problems.append(f"{path}: cannot read JSON: {error}")
            continue
        problems += validate(resource, path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"validate_fhir.py: {len(problems)} problem(s) in {len(paths)} file(s)", file=sys.stderr)
        return 1
    print(f"validate_fhir.py: {len(paths)} file(s) valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
