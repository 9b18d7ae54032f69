"""Passphrase strength, the same rule for the app and the command line (zxcvbn).

zxcvbn estimates guesses from dictionaries, names, dates and keyboard patterns, which a length
rule cannot; score 3 ("safely unguessable: moderate protection from offline attacks") is the
minimum, since a stolen laptop's key file can be attacked offline.
"""

from dataclasses import dataclass

from zxcvbn import zxcvbn

MIN_SCORE = 3
MIN_LENGTH = 10


@dataclass(frozen=True)
class Strength:
    score: int  # 0..4
    acceptable: bool
    reason: str  # why not, or a word of praise


def strength(passphrase: str, user_inputs: list[str] | None = None) -> Strength:
    if not passphrase:
        return Strength(0, False, "Type a passphrase.")
    result = zxcvbn(passphrase[:100], user_inputs=user_inputs or ["fmdesk"])
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
