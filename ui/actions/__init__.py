"""Qt-free work that both the app (on its worker thread) and the command line call, shaped like
Anki's aqt/operations: assembling and saving documents, the demo store, the self-test, where
fmdesk keeps its files, passphrase strength. Nothing here imports Qt."""
