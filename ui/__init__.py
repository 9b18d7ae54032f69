"""The desktop app and the command line, in rooms by place (imports db, reports and fmdesk; nothing
imports ui):

    main.py      the `fmdesk` program: the command line, and with no command the desktop app
    cli/         the command line (click; no Qt)
    actions/     Qt-free work both the app and the command line call: documents, the demo store,
                 the self-test, where files live, passphrase strength
    kit/         the Qt kit every screen uses: tasks, the error presenter, models, widgets, forms,
                 autosave, dialogs, print preview
    window/      the main window: welcome, unlock, the caseload, auto-lock
    record/      the family record and its tabs (assessment, Star, plan, outcomes)
    workspace/   the pages on the Go menu: sync, programme, allocation, claims, definitions

The contracts in pyproject.toml keep it so (`lint-imports`).
"""
