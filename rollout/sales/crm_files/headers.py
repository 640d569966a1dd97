"""Header recognition: which CRM exported a file, and which column holds each field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rollout.sales.crm_files import limits
from rollout.sales.crm_files.model import FORMAT_NAMES, FORMATS, READ_FIELDS, REQUIRED, CrmFileError

HUBSPOT_COLUMNS: dict[str, str] = {
    "Record ID": "crm_id",
    "Deal ID": "crm_id",
    "Deal Name": "name",
    "Associated Company (Primary)": "account",
    "Associated Company": "account",
    "Amount": "amount",
    "Currency": "currency",
    "Deal currency code": "currency",
    "Deal Stage": "stage",
    "Pipeline": "pipeline",
    "Create Date": "created_on",
    "Close Date": "expected_close",
    "Deal owner": "owner",
    "Segment": "segment",
    "Closed lost reason": "lost_reason",
}
SALESFORCE_COLUMNS: dict[str, str] = {
    "Opportunity ID": "crm_id",
    "Opportunity Name": "name",
    "Account Name": "account",
    "Amount": "amount",
    "Amount Currency": "currency",
    "Opportunity Currency": "currency",
    "Stage": "stage",
    "Created Date": "created_on",
    "Close Date": "expected_close",
    "Opportunity Owner": "owner",
    "Segment": "segment",
    "Loss Reason": "lost_reason",
    "Closed Lost Reason": "lost_reason",
}
HUBSPOT_SIGNATURE = (
    "Deal Name",
    "Deal Stage",
    "Deal owner",
    "Pipeline",
    "Create Date",
    "Deal Type",
    "Associated Company",
    "Associated Company (Primary)",
    "Closed lost reason",
    "Deal currency code",
)
SALESFORCE_SIGNATURE = (
    "Opportunity Name",
    "Account Name",
    "Stage",
    "Created Date",
    "Opportunity Owner",
    "Amount Currency",
    "Opportunity Currency",
    "Type",
    "Loss Reason",
    "Closed Lost Reason",
    "Fiscal Period",
    "Probability (%)",
    "Lead Source",
    "Next Step",
    "Forecast Category",
)
_FORMAT_COLUMNS = {"hubspot": HUBSPOT_COLUMNS, "salesforce": SALESFORCE_COLUMNS}
_FORMAT_IDS = {"hubspot": ("Record ID", "Deal ID"), "salesforce": ("Opportunity ID",)}
_FORMAT_SIGNATURES = {"hubspot": HUBSPOT_SIGNATURE, "salesforce": SALESFORCE_SIGNATURE}

# Header spellings per field, best first, for files of any origin (compared normalised).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "crm_id": ("Record ID", "Deal ID", "Opportunity ID", "CRM ID", "Opp ID", "External ID", "ID"),
    "name": (
        "Deal Name",
        "Opportunity Name",
        "Deal Title",
        "Opportunity Title",
        "Name",
    ),
    "account": (
        "Associated Company (Primary)",
        "Associated Company",
        "Account Name",
        "Account",
        "Company",
        "Company Name",
        "Customer",
        "Customer Name",
        "Client",
        "Organization",
        "Organisation",
    ),
    "amount": ("Amount", "Deal Amount", "Opportunity Amount", "Value", "Deal Value", "Deal Size", "Revenue"),
    "currency": (
        "Currency",
        "Deal currency code",
        "Amount Currency",
        "Opportunity Currency",
        "Currency Code",
        "Currency ISO Code",
        "Curr.",
        "Ccy",
    ),
    "stage": ("Deal Stage", "Stage", "Stage Name", "Sales Stage", "Pipeline Stage", "Status"),
    "created_on": (
        "Create Date",
        "Created Date",
        "Created",
        "Created On",
        "Creation Date",
        "Date Created",
        "Opened",
        "Opened On",
    ),
    "expected_close": (
        "Close Date",
        "Expected Close Date",
        "Expected Close",
        "Expected Closing Date",
        "Estimated Close Date",
        "Target Close Date",
    ),
    "closed_on": (
        "Closed Date",
        "Closed On",
        "Date Closed",
        "Actual Close Date",
        "Closed Won Date",
        "Won Date",
    ),
    "owner": (
        "Deal owner",
        "Opportunity Owner",
        "Owner",
        "Owner Name",
        "Sales Rep",
        "Salesperson",
        "Account Owner",
        "Assigned To",
    ),
    "segment": ("Segment", "Customer Segment", "Market Segment", "Company Segment", "Company Size", "Tier"),
    "lost_reason": (
        "Closed lost reason",
        "Loss Reason",
        "Lost Reason",
        "Closed Lost Reason",
        "Reason Lost",
        "Why lost",
    ),
    "pipeline": ("Pipeline", "Pipeline Name", "Sales Pipeline"),
    "crm_source": ("CRM Source",),
}


_SPACES = re.compile(r"\s+")


def header_row(cells: list[str], filename: str) -> tuple[str, ...]:
    """The headers, stripped; two that differ only in case or spaces ("Amount", "AMOUNT ") are
    refused like two equal ones, since either could be the column a field is read from."""
    headers = [cell.strip() for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > limits.MAX_COLUMNS:
        raise CrmFileError(
            f"{filename}: the header has {len(headers):,} columns; at most {limits.MAX_COLUMNS:,} are read"
        )
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = _SPACES.sub("", header.casefold())
        if key in seen:
            first = seen[key]
            if cells[first - 1] == cells[position - 1]:
                raise CrmFileError(
                    f"{filename}: the header '{header}' appears twice (columns {first} and {position})"
                )
            raise CrmFileError(
                f"{filename}: the headers '{cells[first - 1]}' (column {first}) and '{cells[position - 1]}' "
                f"(column {position}) differ only in case or spaces; rename or delete one"
            )
        if header:
            seen[key] = position
    return tuple(headers)


# --- Columns -------------------------------------------------------------------------------------


_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")


def _normalise(header: str) -> str:
    """ "Deal owner", "DEAL_OWNER" and "Deal Owner " compare equal."""
    return _NOT_ALPHANUMERIC.sub("", header.casefold())


def detect_format(headers: Sequence[str]) -> str | None:
    """The CRM whose default export these headers are ("hubspot" or "salesforce"), else None."""
    present = {_normalise(header) for header in headers}
    scores = {}
    for name, signature in _FORMAT_SIGNATURES.items():
        if any(_normalise(header) in present for header in _FORMAT_IDS[name]):
            score = sum(_normalise(header) in present for header in signature)
            if score >= 3:
                scores[name] = score
    if len(set(scores.values())) < len(scores):  # recognised as both, equally: no safe guess
        return None
    return max(scores, key=scores.__getitem__, default=None)


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """field -> header: the best guess for any file; each header is suggested for one field at most."""
    by_key: dict[str, str] = {}
    for header in headers:
        if header.strip():
            by_key.setdefault(_normalise(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field in READ_FIELDS:
        for synonym in SYNONYMS[field]:
            match = by_key.get(_normalise(synonym))
            if match is not None and match not in used:
                mapping[field] = match
                used.add(match)
                break
    return mapping


@dataclass(frozen=True)
class Column:
    """Where a field is read: `index` (and `fallback` when that cell is empty); `width` means nowhere."""

    index: int
    fallback: int
    header: str


def _format_columns(headers: tuple[str, ...], format: str, filename: str) -> dict[str, Column]:
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header:
            positions.setdefault(_normalise(header), index)
    found: dict[str, list[int]] = {}
    for header, field in _FORMAT_COLUMNS[format].items():
        position = positions.get(_normalise(header))
        if position is not None and position not in found.get(field, []):
            found.setdefault(field, []).append(position)
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        names = {
            field: [repr(h) for h, f in _FORMAT_COLUMNS[format].items() if f == field] for field in missing
        }
        expected = "; ".join(f"{field} (expected {' or '.join(names[field])})" for field in missing)
        raise CrmFileError(f"{filename}: this {FORMAT_NAMES[format]} export has no column for {expected}")
    width = len(headers)
    return {
        field: Column(indexes[0], indexes[1] if len(indexes) > 1 else width, headers[indexes[0]])
        for field, indexes in found.items()
    }


def _mapped_columns(
    headers: tuple[str, ...], mapping: dict[str, str] | None, filename: str
) -> dict[str, Column]:
    if mapping is None:
        raise CrmFileError(f"{filename}: format 'mapped' needs a mapping of fields to the file's headers")
    unknown = sorted(set(mapping) - set(READ_FIELDS))
    if unknown:
        raise CrmFileError(
            f"{filename}: the mapping names unknown fields {unknown}; fields are {', '.join(READ_FIELDS)}"
        )
    exact = {header: index for index, header in enumerate(headers) if header}
    loose = {_normalise(header): index for index, header in enumerate(headers) if header}
    columns = {}
    for field, header in mapping.items():
        if not header or not header.strip():
            continue
        index = exact.get(header.strip(), loose.get(_normalise(header)))
        if index is None:
            raise CrmFileError(
                f"{filename}: {field} is mapped to '{header}', which is not a column of the file "
                f"(columns: {', '.join(h for h in headers if h)})"
            )
        columns[field] = Column(index, len(headers), headers[index])
    missing = [field for field in REQUIRED if field not in columns]
    if missing:
        raise CrmFileError(
            f"{filename}: the mapping leaves required field(s) {', '.join(missing)} without a column"
        )
    return columns


def columns_for(
    headers: tuple[str, ...], format: str, mapping: dict[str, str] | None, filename: str
) -> tuple[str, dict[str, Column]]:
    if format not in ("auto", *FORMATS):
        raise CrmFileError(f"unknown format '{format}': expected auto, {', '.join(FORMATS)}")
    if mapping is not None and format != "mapped":
        raise CrmFileError(f"{filename}: a mapping is only used with format 'mapped', not '{format}'")
    if format == "mapped":
        return format, _mapped_columns(headers, mapping, filename)
    if format == "auto":
        detected = detect_format(headers)
        if detected is None:
            raise CrmFileError(
                f"{filename}: not a HubSpot deals or Salesforce opportunities export "
                "(no 'Record ID' or 'Opportunity ID' column with that CRM's usual headers); "
                "map the file's columns to fields"
            )
        format = detected
    return format, _format_columns(headers, format, filename)
