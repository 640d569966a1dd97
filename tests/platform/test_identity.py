"""Which sign-ins are trusted: an email is matched to a user only when the provider says it is verified."""

import pytest

from rollout.platform.identity import email_verified


@pytest.mark.parametrize(
    ("claim", "verified"),
    [
        (True, True),
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        (False, False),
        ("false", False),
        (None, False),
        (1, False),
        ("yes", False),
        ("", False),
    ],
)
def test_only_a_true_email_verified_claim_admits_by_email(claim, verified):
    assert email_verified({"email": "ana@x.example", "email_verified": claim}) is verified


def test_a_missing_email_verified_claim_is_not_verified():
    assert email_verified({"email": "ana@x.example"}) is False
