"""The pure core: the restenosis protocol as data and the engine that applies it.

Nothing in this package reads a clock, a file or the network, or imports Django; time comes
in as an argument. Edges (command line, web, API, workers) reach it through venowatch.services.
"""

from venowatch.protocol.engine import assess
from venowatch.protocol.model import (
    Action,
    Assessment,
    CheckIn,
    Clause,
    Flag,
    Lab,
    LabKind,
    LabResult,
    Pathway,
    Pgic,
    PgicClass,
    Procedure,
    ProcedureKind,
    ProtocolRef,
    Reason,
    Timeline,
    Urgency,
)
from venowatch.protocol.rules import Parameters, Protocol, ProtocolError, parse_protocol

__all__ = [
    "Action",
    "Assessment",
    "CheckIn",
    "Clause",
    "Flag",
    "Lab",
    "LabKind",
    "LabResult",
    "Parameters",
    "Pathway",
    "Pgic",
    "PgicClass",
    "Procedure",
    "ProcedureKind",
    "Protocol",
    "ProtocolError",
    "ProtocolRef",
    "Reason",
    "Timeline",
    "Urgency",
    "assess",
    "parse_protocol",
]
