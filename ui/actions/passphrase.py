"""Passphrase strength, the same rule for the app and the command line (zxcvbn).

zxcvbn estimates guesses from dictionaries, names, dates and keyboard patterns, which a length
rule cannot; score 3 ("safely unguessable: moderate protection from offline attacks") is the
minimum, since a stolen laptop's key file can be attacked offline.

An attacker with the laptop also knows whose it is, so zxcvbn is given the words a guesser would
try first (`user_inputs`): the user's name, whole and word by word, the store's folder and role
(the caller names them), and the words of the job itself (STORE_WORDS). A passphrase made of the
user's own surname and the year is then refused, in the app's welcome page as in `fmdesk init`
and `passwd`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_SCORE = 3
MIN_LENGTH = 10
# What anyone guessing an fmdesk passphrase would try, whoever the user is.
STORE_WORDS = (
    "fmdesk",
    "families",
    "family",
    "matter",
    "early",
    "help",
    "supporting",
    "keyworker",
    "practitioner",
    "coordinator",
    "caseload",
    "store",
    "council",
)


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    reason: str  # why not, or a word of praise


def guessable_words(texts: Iterable[str]) -> list[str]:
    """Each text (a name, a folder name) lower-cased whole, without its spaces, and word by
    word ("Zoë Adeyemi-Clarke" gives "zoë adeyemi-clarke", "zoëadeyemi-clarke", "zoë", "adeyemi"
    and "clarke"), then STORE_WORDS."""
    words: list[str] = []
    for text in texts:
        whole = text.strip().casefold()
        if not whole:
            continue
        words += [whole, re.sub(r"\s+", "", whole)]
        words += [w for w in re.split(r"[\W_]+", whole) if len(w) > 1]
    words += STORE_WORDS
    return list(dict.fromkeys(words))


def strength(passphrase: str, user_inputs: Iterable[str] = ()) -> Strength:
    """`user_inputs`: what is known about the user and the store (their name, the folder)."""
    if not passphrase:
        return Strength(0, False, "Type a passphrase.")
    result = zxcvbn(passphrase[:100], user_inputs=guessable_words(user_inputs))
    score = int(result["score"])
    feedback = result.get("feedback", {})
    hint = feedback.get("warning") or " ".join(feedback.get("suggestions", []))
    if len(passphrase) < MIN_LENGTH:
        return Strength(
            min(score, 2),
            False,
            f"Use at least {MIN_LENGTH} characters — several unrelated words are easy to remember.",
        )
    if score < MIN_SCORE:
        return Strength(
            score, False, (hint or "Too easy to guess.") + " Add another unrelated word."
        )
    return Strength(score, True, "Strong." if score == 4 else "Good.")
