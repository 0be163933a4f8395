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
from venowatch.protocol.rules import Parameters, Protocol, ProtocolError, parse_protocol

__all__ = [
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
    "Pgic",
    "PgicClass",
    "Procedure",
    "ProcedureKind",
    "ProcedureRecord",
    "Protocol",
    "ProtocolError",
    "ProtocolRef",
    "Reason",
    "Timeline",
    "TimelineRecord",
    "Urgency",
    "assess",
    "parse_protocol",
]
