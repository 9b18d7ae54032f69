"""Store errors a user can act on. Each says what happened and what to do; none writes anything."""

from fmdesk.errors import UserError


class StoreError(UserError):
    """Base of the store's user-facing errors."""


class WrongPassphrase(StoreError):
    """`recoverable`: the key file has a recovery slot (a practitioner's store that enrolled its
    coordinator), so the coordinator can help; otherwise nobody can (docs/recovery.md)."""

    def __init__(self, *, recoverable: bool = False) -> None:
        self.recoverable = recoverable
        if recoverable:
            then = "if it is forgotten, your coordinator can recover the store."
        else:
            then = (
                "nobody else can unlock this store (it has no recovery slot), so without its "
                "passphrase its data cannot be read."
            )
        super().__init__(
            f"That passphrase does not unlock this store. Check Caps Lock and try again; {then}"
        )


class NotAStore(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"{path} is not an fmdesk store. Choose the folder fmdesk created, "
            "or create a new store."
        )


class StoreNotFound(NotAStore):
    def __init__(self, path: object) -> None:
        StoreError.__init__(
            self,
            f"There is no fmdesk store at {path}. Create one with 'fmdesk init', or choose "
            "another folder with --store.",
        )


class StoreDamaged(StoreError):
    def __init__(self, path: object, detail: str = "") -> None:
        why = f" ({detail})" if detail else ""
        super().__init__(
            f"The store at {path} is damaged and cannot be read{why}. Nothing was changed. "
            "Restore the folder from your latest backup, or ask your coordinator to recover it."
        )


class KeyFileMissing(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The key file of the store at {path} is missing (keys.json). Without it the data "
            "cannot be unlocked, not even by your coordinator: recovery needs keys.json too. "
            "Put keys.json back from the backup of this store."
        )


class KeyFileOfAnotherStore(StoreError):
    def __init__(self, path: object, store_id: str) -> None:
        super().__init__(
            f"The key file of the store at {path} (keys.json) belongs to another store (store "
            f"id {store_id}), not to the database beside it. Nothing was changed. Put back this "
            "store's keys.json, from the backup of this store."
        )


class StoreTooNew(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The store at {path} was made by a newer version of fmdesk. Install the latest "
            "version to open it; this version will not change it."
        )


class StoreExists(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(f"There is already something at {path}. Choose an empty folder.")


class StoreBusy(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The store is busy in another fmdesk window or command. Close it and try again."
        )


class DiskFull(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "The disk is full, so the change was not saved (nothing was half-written). "
            "Free some space and try again."
        )


class DiskError(StoreError):
    """SQLite's disk I/O error: the operating system failed a read or a write."""

    def __init__(self) -> None:
        super().__init__(
            "The disk holding the store could not be read or written (a disk I/O error), so "
            "the change was not saved (nothing was half-written). This happens when a USB stick "
            "or network drive is removed, when a synced folder (OneDrive, Dropbox) or antivirus "
            "holds the file, or when the disk is failing. Check the disk is connected, close "
            "other programs using the store's folder, and try again; if it happens again, copy "
            "the store folder to this computer's own disk."
        )


class StoreReadOnly(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"The store at {path} cannot be changed: its file or folder is read-only, or the "
            "disk it is on is (a locked USB stick, a folder shared read-only). Nothing was "
            "changed. Move the store to a folder you may write to, or ask IT for write access "
            "to it."
        )


class StoreCannotOpen(StoreError):
    def __init__(self, path: object) -> None:
        super().__init__(
            f"fmdesk cannot open the store's files at {path}: the folder may have been moved "
            "or its disk removed, or this user may not be allowed to open them. Nothing was "
            "changed. Check the folder is there and that you may open it, then try again."
        )


class OutOfMemory(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "This computer ran out of memory for the store, so the change was not saved "
            "(nothing was half-written). Close other programs and try again."
        )


class StoreLocked(StoreError):
    def __init__(self) -> None:
        super().__init__("The store is locked. Unlock it to continue.")
