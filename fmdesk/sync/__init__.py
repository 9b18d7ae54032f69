"""Sync between a practitioner's store and the coordinator's: identities, bundles, merging.

`identity` makes and holds each store's keys and the enrolment file partners exchange;
`bundle` writes and opens the signed, encrypted bundle files (docs/bundle-format.md);
`merge` decides, field by field, what an incoming change does to the local copy of a record.
All of it is pure: the store (db/sync.py) keeps the keys, the outbox and the conflicts.
"""
