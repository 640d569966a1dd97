"""What a deal file may hold; the README's "Limits" table lists the same numbers.

The readers look them up here at call time (`limits.MAX_ROWS`), so a test can lower one.
"""

from decimal import Decimal

from rollout.platform.uploads import MAX_UPLOAD_BYTES

MAX_BYTES = MAX_UPLOAD_BYTES  # size, content kind and zip bombs: see rollout/platform/uploads.py
# HubSpot's maximum for one exported file.
MAX_ROWS = 250_000
# Far more than any CRM export has; a row is read as wide as its last cell, so this bounds the work.
MAX_COLUMNS = 1_000
# Characters in one cell: the csv module's own field limit, applied to workbooks too.
MAX_CELL_CHARACTERS = 131_072
# Amounts are stored as a count of cents in a 64-bit integer; this leaves room for sums.
MAX_AMOUNT = Decimal(10) ** 15
# Dates and amounts are never longer; the check also keeps their regular expressions fast on junk.
MAX_VALUE_LENGTH = 64
