"""The shapes every part of the reader shares: the fields, the rows and problems it returns, its error."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal

from rollout.platform.models import Opportunity

FIELDS = (
    "crm_id",
    "name",
    "account",
    "amount",
    "currency",
    "stage",
    "created_on",
    "expected_close",
    "closed_on",
    "owner",
    "segment",
    "lost_reason",
)
# Read from a file beside a deal's fields: the CRM pipeline a deal is in (to choose which pipelines an import
# takes) and, in Rollout's own export, the source a deal's CRM id belongs to.
READ_FIELDS = (*FIELDS, "pipeline", "crm_source")
REQUIRED = ("crm_id", "account", "amount", "stage")
FORMATS = ("hubspot", "salesforce", "mapped")
FORMAT_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce"}

# The database's column widths, so an over-long value is a row problem rather than a failed upsert.
_COLUMNS = Opportunity.__table__.c  # type: ignore[attr-defined]
MAX_LENGTHS = {field: _COLUMNS[field].type.length for field in ("crm_id", "name", "account", "owner")}

FIELD_NAMES = {
    "crm_id": "an ID",
    "account": "an account",
    "amount": "an amount",
    "stage": "a stage",
}
DATE_FIELDS = ("created_on", "expected_close", "closed_on")


class CrmFileError(ValueError):
    """The file as a whole cannot be read; the message says what and where."""


@dataclass(frozen=True, slots=True)
class DealRow:
    crm_id: str
    name: str  # the deal's own name; "" when the file has none
    account: str
    amount: Decimal  # >= 0, quantized to 0.01
    currency: str | None  # ISO 4217; None when the file names none (the caller uses the country's)
    stage: str  # the CRM's label, as found: the caller maps labels to its stages
    created_on: date | None
    expected_close: date | None
    closed_on: date | None
    owner: str
    segment: str | None  # "smb", "mid_market" or "enterprise"
    lost_reason: str
    data_row: int  # 1-based among the data rows: the header and blank rows are not counted
    line: int  # where the row starts: the CSV's physical line (quoted newlines count), the sheet row
    pipeline: str = ""  # the CRM pipeline's name; "" when the file has none
    crm_source: str = ""  # "" unless the file says which source its CRM ids belong to (Rollout's own export)


@dataclass(frozen=True, slots=True)
class RowProblem:
    data_row: int
    line: int
    column: str  # the header as written in the file
    problem: str  # a sentence for the person who uploaded the file

    def __str__(self) -> str:
        return f"data row {self.data_row} (line {self.line}), column '{self.column}': {self.problem}"


@dataclass(frozen=True)
class ParsedFile:
    format: str  # "hubspot", "salesforce" or "mapped"
    headers: tuple[str, ...]
    rows: tuple[DealRow, ...]  # empty when there are problems
    problems: tuple[RowProblem, ...]
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252" or "xlsx"
    delimiter: str | None  # None for XLSX
    field_headers: dict[str, str] = dataclass_field(default_factory=dict)  # field -> the file's header for it
    valid_rows: tuple[DealRow, ...] = ()  # the rows without problems, even when others have some
    # The rows with problems as far as they read, by data row: their pipeline and stage say whether an
    # import takes them at all (a row of a pipeline not taken refuses nothing). A row whose cells do not
    # line up with the header is not here: its pipeline cannot be trusted.
    problem_rows: dict[int, DealRow] = dataclass_field(default_factory=dict)


Records = list[tuple[int, list[str]]]
