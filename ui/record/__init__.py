"""The family record: details, household, consent, notes and timeline (family_page.py), and its
feature tabs, one sub-package each: assessment, star, plan, outcomes."""
