"""Questions about who may use a purchase are answered from the license terms, never from a how-to.

"Can my colleague use the font I bought?" shares "use" and "font" with every installation guide, and
the search ranks "Use fonts in Figma, Canva and online tools" above the license's seats section: the
offline answerer quoted Figma instructions as the answer. A question that names someone else (a
colleague, a client, a friend, "someone else") and asks whether they may use, install or share the
purchase is about permission, so it is searched again with the license's own words and answered only
from a passage about licenses, seats or terms; when no such passage comes up, the answer is tentative.
"""

from __future__ import annotations

import re

# Someone other than the buyer, in English (non-English questions are bridged to English keywords first).
_OTHERS = (r"(?:colleagues?|co-?workers?|workmates?|team\s?mates?|team|employees?|staff|interns?|friends?|partners?|"
           r"business partners?|clients?|customers?|wife|husband|spouse|girlfriend|boyfriend|family|brother|sister|son|"
           r"daughter|kids?|children|parents?|roommates?|students?|someone else|somebody else|another person|other people|"
           r"others|agency|company|boss|more than one person|two people|several people)")
_USES = r"(?:use|uses|using|install|installs|share|watch|watches|read|reads|download|downloads|access|open|opens|edit|edits|log in|have)"
# "can my colleague use …", "is it ok if my friend downloads …", "share the files with my team", "give it to a client".
_WHO_MAY_USE = re.compile(
    rf"\b{_OTHERS}\s+(?:also\s+|too\s+|then\s+)?{_USES}\b"
    rf"|\b(?:share|sharing|lend|give|send|pass|forward)\b[^.?!]{{0,40}}?\b(?:with|to)\s+(?:my|our|a|the|another|other)?\s*(?:\w+\s+)?{_OTHERS}\b",
    re.IGNORECASE,
)
# Asked as a permission: it opens with "can", "may", "is it ok", "am I allowed", "do I need" (a seller's
# "my customers download my files, how many times can they?" is a how-to).
_MAY = re.compile(r"^\W*(?:\w+[,!]?\s+){0,2}?(?:can|may|could|is it (?:ok|okay|fine|allowed|legal)|am i allowed|are (?:we|they) allowed|"
                  r"would it be (?:ok|okay|fine)|do i need|does my|do my|is my|are my)\b", re.IGNORECASE)
# ... about something the shopper bought (a seller's "can I let students watch my lessons?" is a how-to).
_PURCHASE = re.compile(r"\b(?:bought|purchased|paid for|my purchase|my order|my licen[cs]e|my copy|the files i)\b", re.IGNORECASE)
# Words of the license's own sections, added to the second search.
TERMS_QUERY = "license seats who may use share"
_TERMS = re.compile(r"licen[cs]|seat|terms|rights|permission|sharing|who may", re.IGNORECASE)


def about_who_may_use(question: str) -> bool:
    """Does the question ask whether someone other than the buyer may use, install or share the purchase?"""
    return bool(_WHO_MAY_USE.search(question) and _MAY.search(question) and _PURCHASE.search(question))


def from_the_terms(hit) -> bool:
    """Is this passage about licenses, seats or terms (its doc, title or section says so)?"""
    return bool(_TERMS.search(" ".join(str(x or "") for x in (hit.slug, hit.title, hit.section))))


def terms_hits(kb, query: str, *, k: int, audience) -> list:
    """The passages about licenses and terms for a who-may-use question, best first (may be empty)."""
    hits = kb.search(f"{query} {TERMS_QUERY}", k=k, audience=audience)
    return [h for h in hits if from_the_terms(h)]
