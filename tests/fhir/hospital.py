#!/usr/bin/env python3
"""A hospital system talking to the HealthChain gateway's FHIR R4 facade via fhirpy.

Usage:
    hospital.py --base URL --system-token T --doctor-token T --auditor-token T
                --patient 0x<64 hex> --category allergy [--consent-token T]
                [--purpose treatment|emergency] [--url-alias URL ...]

Steps, each with its own SyncFHIRClient (Authorization: Bearer <token>):
  put      system token: create a collection Bundle (category tag, Patient with
           the health-id identifier, one Observation) with POST [base]/Bundle;
           read back the id (content hash) and the anchor extension's block.
  fetch    doctor token: GET [base]/Patient/<healthId>/$everything; ids of the
           entries with search.mode "match" and whether a Provenance came along.
  audit    auditor token: AuditEvent?patient=<healthId>&_count=1, following every
           Bundle.link "next" (fhirpy fetch_all) to exercise paging.
  consent  consent token (default: auditor token): Consent?patient=<healthId>.

Prints one JSON object on stdout; on any error prints it (with the server's
OperationOutcome, if any) to stderr and exits 1.
"""
import argparse
import json
import sys

import requests
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import BaseFHIRError

HEALTH_ID = "https://healthchain.example/fhir/sid/health-id"
CATEGORY = "https://healthchain.example/fhir/CodeSystem/data-category"
ANCHOR = "https://healthchain.example/fhir/StructureDefinition/anchor"


def put(client, patient, category):
    bundle = client.resource(
        "Bundle",
        type="collection",
        meta={"tag": [{"system": CATEGORY, "code": category}]},
        entry=[
            {"resource": {"resourceType": "Patient",
                          "identifier": [{"system": HEALTH_ID, "value": patient}]}},
            {"resource": {"resourceType": "Observation", "status": "final",
                          "code": {"text": f"fhirpy {category} note"}}},
        ],
    )
    # bundle.save() would POST to [base]/ (fhirpy treats an id-less Bundle as a
    # transaction/batch), so create it at [base]/Bundle explicitly.
    stored = client.resource("Bundle", **client.execute("Bundle", method="post",
                                                        data=bundle.serialize()))
    anchor = next(e for e in stored["meta"]["extension"] if e["url"] == ANCHOR)
    block = next(e["valueUnsignedInt"] for e in anchor["extension"] if e["url"] == "block")
    return {"id": stored.id, "block": block}


def fetch(client, patient, purpose):
    params = {"purpose": purpose} if purpose else None
    bundle = client.reference("Patient", patient).execute("$everything", method="get",
                                                          params=params)
    entries = bundle.get("entry", [])
    return {
        "matches": [e["resource"]["id"] for e in entries
                    if e.get("search", {}).get("mode") == "match"],
        "provenance": any(e["resource"]["resourceType"] == "Provenance" for e in entries),
    }


def audit_events(client, patient):
    events = client.resources("AuditEvent").search(patient=patient).limit(1).fetch_all()
    return [{"id": ev.id, "recorded": ev.get("recorded")} for ev in events]


def consents(client, patient):
    found = client.resources("Consent").search(patient=patient).fetch()
    return [{"id": c.id, "status": c.get("status")} for c in found]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("base", "system-token", "doctor-token", "auditor-token", "patient", "category"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--consent-token", help="defaults to the auditor token")
    ap.add_argument("--purpose", help="$everything purpose (treatment|emergency)")
    ap.add_argument("--url-alias", action="append", default=[],
                    help="another public address of the same server (as used in Bundle.link)")
    args = ap.parse_args()

    def client(token):
        return SyncFHIRClient(args.base.rstrip("/"), authorization=f"Bearer {token}",
                              url_aliases=args.url_alias)

    steps = [
        ("put", lambda: put(client(args.system_token), args.patient, args.category)),
        ("fetch", lambda: fetch(client(args.doctor_token), args.patient, args.purpose)),
        ("auditEvents", lambda: audit_events(client(args.auditor_token), args.patient)),
        ("consents", lambda: consents(client(args.consent_token or args.auditor_token),
                                      args.patient)),
    ]
    out = {}
    for name, step in steps:
        try:
            out[name] = step()
        except (BaseFHIRError, requests.RequestException, ValueError,
                KeyError, StopIteration, TypeError) as exc:
            # fhirpy puts the response body (OperationOutcome JSON) in the message.
            print(f"{name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
