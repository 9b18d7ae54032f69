"""The command line (click). No Qt: the desktop app is started through a hook (ui/main.py).

program.py     the `fmdesk` group, which adds every command group below
options.py     what the commands share: --store, --json, --marking, opening the store
store.py       init, passwd, rekey, check, age-identity
families.py    families list|show|export|import|import-csv, demo-data, demo
frameworks.py  frameworks …          definitions.py  templates …, instruments …
plan.py        plan print|show       sync.py         enrol, bundle, sync, conflicts, recover
programme.py   programme …           claims.py       claims …
selftest.py    self-test
"""
