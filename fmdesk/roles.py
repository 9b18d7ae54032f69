"""Who a store belongs to: a lead practitioner's caseload or the coordinator's programme."""

import dataclasses
import datetime as dt
import enum


class Role(enum.StrEnum):
    PRACTITIONER = "practitioner"
    COORDINATOR = "coordinator"

    @property
    def label(self) -> str:
        return {"practitioner": "Lead practitioner", "coordinator": "Coordinator"}[self.value]


@dataclasses.dataclass(frozen=True)
class StoreInfo:
    store_id: str
    role: Role
    owner_name: str
    device_id: str
    created_on: dt.date
