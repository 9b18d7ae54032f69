"""The encrypted store: SQLCipher 4 through sqlcipher3 and sqlite-utils, key slots, migrations,
and repositories that read and write fmdesk's records. Imports only `fmdesk`."""
