"""A week of escalated conversations about two problems, in English, German and Spanish.

License activation was handed off by the license rule; download limits were questions the docs had
nothing relevant for (``docs_gap``), and the team answered them the same way each time, which is
what a draft doc is made from.
"""

from __future__ import annotations

from bench import history as h
from tests.insights.conftest import at

LICENSE = [
    "My license key says invalid when I try to activate the font",
    "The activation of my license key fails with an error",
    "I can't activate my license, the key is rejected",
    "Mein Lizenzschlüssel wird bei der Aktivierung als ungültig abgelehnt",
    "Die Aktivierung meiner Lizenz funktioniert nicht, der Schlüssel ist ungültig",
    "Mi clave de licencia no se activa, dice que no es válida",
]
DOWNLOAD = [
    "I reached the download limit and can't download my fonts again",
    "It says download limit reached, how do I get my files?",
    "My download link says the maximum number of downloads was reached",
    "Ich habe das Download-Limit erreicht und kann die Dateien nicht mehr herunterladen",
    "He alcanzado el límite de descargas y no puedo descargar mis archivos",
    "Límite de descargas alcanzado, ¿cómo descargo otra vez la fuente?",
]
LICENSE_REPLY = "I've reset the activations on your license key. Sign out of the font manager, sign in again and activate it once more."
DOWNLOAD_REPLIES = [
    "Hi there! I've reset your download limit to 5 downloads. Open Account > Orders and click Download again. Thanks, Alice",
    "Hello, I reset the download limit on order #20417 so you can download the files again from Account > Orders.",
    "The download limit is 5 per purchase. I've reset it: go to Account > Orders and use the Download button again.",
]
LICENSE_ESCALATION = {"category": "license_problem", "rule": "license-problem", "reason": "Rule 'license-problem' fired"}
GAP_ESCALATION = {"category": "docs_gap", "reason": "The docs did not give a confident answer",
                  "looked_at": [{"title": "Installing fonts", "url": "https://docs.example/install", "relevance": 0.18}]}


def two_topics(r, *, week_start: float | None = None) -> dict[str, list[str]]:
    """Write the week's conversations; returns their ids by topic ("license", "download")."""
    start = week_start if week_start is not None else at(23, 9)
    ids: dict[str, list[str]] = {"license": [], "download": []}
    for i, text in enumerate(LICENSE):
        t = start + 86400 + i * 3 * 3600
        ids["license"].append(h.write(r, created_at=t, customer={"name": "Jane", "email": f"lic{i}@example.com"}, entries=[
            h.msg("customer", text, t), h.escalate(t + 5, LICENSE_ESCALATION),
            h.msg("agent", LICENSE_REPLY, t + 900), h.close(t + 1800)]))
    for i, text in enumerate(DOWNLOAD):
        t = start + 2 * 86400 + i * 3 * 3600
        ids["download"].append(h.write(r, created_at=t, customer={"name": "Sam", "email": f"dl{i}@example.com"}, entries=[
            h.msg("customer", text, t),
            h.msg("ai", "You can download your files from your account.", t + 3, sources=[{"title": "Downloads", "url": "https://docs.example/downloads"}]),
            h.escalate(t + 65, GAP_ESCALATION),
            h.msg("agent", DOWNLOAD_REPLIES[i % len(DOWNLOAD_REPLIES)], t + 1200), h.close(t + 2400)]))
    return ids
