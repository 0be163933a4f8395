"""The pure core: the restenosis protocol as data and the engine that applies it.

Nothing in this package reads a clock, a file or the network, or imports Django; time comes
in as an argument. Edges (command line, web, API, workers) reach it through venowatch.services.
"""

from venowatch.protocol.engine import assess
from venowatch.protocol.model import (
    Action,
    Assessment,
    CheckIn,
    CheckInRecord,
    Clause,
    Flag,
    Lab,
    LabKind,
    LabRecord,
    LabResult,
    Pathway,
    Pgic,
    PgicClass,
    Procedure,
    ProcedureKind,
    ProcedureRecord,
    ProtocolRef,
    Reason,
    Timeline,
    TimelineRecord,
    Urgency,
)
from venowatch.protocol.pathways import (
    CHECKIN_OVERDUE,
    LABS_NEEDED,
    PROPERTIES,
    PathwayProperties,
    StaffTask,
    StaffWork,
    Wait,
)
from venowatch.protocol.rules import Parameters, Protocol, ProtocolError, parse_protocol

__all__ = [
    "CHECKIN_OVERDUE",
    "LABS_NEEDED",
    "PROPERTIES",
    "Action",
    "Assessment",
    "CheckIn",
    "CheckInRecord",
    "Clause",
    "Flag",
    "Lab",
    "LabKind",
    "LabRecord",
    "LabResult",
    "Parameters",
    "Pathway",
    "PathwayProperties",
    "Pgic",
    "PgicClass",
    "Procedure",
    "ProcedureKind",
    "ProcedureRecord",
    "Protocol",
    "ProtocolError",
    "ProtocolRef",
    "Reason",
    "StaffTask",
    "StaffWork",
    "Timeline",
    "TimelineRecord",
    "Urgency",
    "Wait",
    "assess",
    "parse_protocol",
]
