#!/usr/bin/env python3
"""Validate FHIR JSON resources against the fhir.resources R4B models.

Usage:
    validate.py DIR         validate every DIR/*.json (sorted)
    validate.py --self-test check the validator on built-in good/bad resources

Each file must hold one resource; its `resourceType` selects the model class
(fhir.resources.R4B.get_fhir_model_class) and pydantic's `model_validate`
checks it. Contained resources (Bundle.entry.resource, nested Bundles) are
validated deeply by the library itself, as the self-test demonstrates.

Prints `ok <file> <resourceType>` or `INVALID <file>: <error>` per file.
Exit status 0 only if at least one file was found and all are valid.
"""
import json
import sys
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class


def validate(resource):
    """Return None if `resource` (a dict) is valid R4B, else an error text."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return "not a JSON object with a resourceType"
    try:
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
    except Exception as exc:  # ValueError (unknown type) or pydantic ValidationError
        return "\n  ".join(str(exc).splitlines()[:6])
    return None


ANCHOR = "https://healthchain.example/fhir/StructureDefinition/anchor"
GOOD = {
    "OperationOutcome": {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "forbidden", "diagnostics": "no grant"}],
    },
    "searchset with nested record Bundle": {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{
            "search": {"mode": "match"},
            "resource": {
                "resourceType": "Bundle",
                "id": "ab" * 32,
                "type": "collection",
                "meta": {"extension": [{"url": ANCHOR, "extension": [
                    {"url": "block", "valueUnsignedInt": 12},
                    {"url": "index", "valueUnsignedInt": 0}]}]},
                "entry": [{"resource": {"resourceType": "Observation", "status": "final",
                                        "code": {"text": "note"}}}],
            },
        }],
    },
}
BAD = {
    "OperationOutcome without issue": {"resourceType": "OperationOutcome"},
    "Bundle with Observation missing status": {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Observation", "code": {"text": "x"}}}],
    },
    "Observation nested two Bundles deep missing status": {
        "resourceType": "Bundle", "type": "searchset",
        "entry": [{"resource": {"resourceType": "Bundle", "type": "collection",
                                "entry": [{"resource": {"resourceType": "Observation",
                                                        "code": {"text": "x"}}}]}}],
    },
    "unknown resourceType": {"resourceType": "NoSuchThing"},
}


def self_test():
    failures = 0
    for name, res in GOOD.items():
        err = validate(res)
        print(f"{'ok' if err is None else 'FAIL'} good: {name}" + (f": {err}" if err else ""))
        failures += err is not None
    for name, res in BAD.items():
        err = validate(res)
        print(f"{'FAIL' if err is None else 'ok'} bad rejected: {name}")
        failures += err is None
    return 1 if failures else 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    files = sorted(Path(argv[0]).glob("*.json"))
    if not files:
        print(f"no *.json files in {argv[0]}", file=sys.stderr)
        return 1
    status = 0
    for path in files:
        try:
            resource = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            err = f"cannot read JSON: {exc}"
        else:
            err = validate(resource)
        if err is None:
            print(f"ok {path} {resource['resourceType']}")
        else:
            print(f"INVALID {path}: {err}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
