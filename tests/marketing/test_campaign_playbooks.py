"""The campaign playbooks file: the shipped one loads; a mistake in one is named with its file and key."""

from __future__ import annotations

import pytest

from rollout.marketing.campaign_playbooks import (
    CampaignPlaybookError,
    load_campaign_playbooks,
    parse_campaign_playbooks,
)
from rollout.platform.errors import RolloutError

SOURCE = "bad-playbooks.toml"

STEP = """
[[playbooks.steps]]
key = "invite"
name = "Invitation sent"
offset = -10
role = "marketer"
checklist = ["Sent"]
"""


def one_playbook(playbook: str = "", steps: str = STEP, roles: str = 'roles = ["marketer"]') -> str:
    playbook = playbook or 'key = "webinar"\nname = "Webinar"\nchannel = "webinar"\ndescription = "How to"'
    return f"{roles}\n\n[[playbooks]]\n{playbook}\n{steps}"


def parse_error(text: str) -> str:
    with pytest.raises(CampaignPlaybookError) as error:
        parse_campaign_playbooks(text, source=SOURCE)
    message = str(error.value)
    assert message.startswith(SOURCE), message
    return message


def test_the_shipped_file_has_the_five_playbooks():
    book = load_campaign_playbooks()
    assert [p.key for p in book.playbooks] == [
        "webinar",
        "emailing",
        "newsletter",
        "local_event",
        "ebook_from_webinar",
    ]
    for playbook in book.playbooks:
        assert playbook.description and playbook.templates and playbook.steps
        assert all(step.checklist and step.role in book.roles for step in playbook.steps)


def test_the_webinar_counts_back_from_its_live_day_as_the_issue_describes():
    webinar = load_campaign_playbooks().get("webinar")
    assert [(s.key, s.offset) for s in webinar.steps] == [
        ("topic_speaker", -20),
        ("landing_page", -15),
        ("invitation", -10),
        ("reminder", -2),
        ("rehearsal", -1),
        ("live", 0),
        ("replay", 1),
        ("derive_content", 10),
    ]
    assert webinar.channel == "webinar"


def test_steps_are_kept_in_offset_order():
    later = STEP.replace('"invite"', '"replay"').replace("-10", "1")
    parsed = parse_campaign_playbooks(one_playbook(steps=later + STEP), SOURCE)
    assert [s.key for s in parsed.playbooks[0].steps] == ["invite", "replay"]


def test_an_unknown_playbook_is_named_with_the_known_ones():
    with pytest.raises(RolloutError, match="'podcast' is not in .*known: webinar"):
        load_campaign_playbooks().get("podcast")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("roles = [", "Invalid"),
        (one_playbook(roles=""), "missing key 'roles'"),
        ('roles = ["marketer"]', "no [[playbooks]] defined"),
        (one_playbook(steps=""), "playbook 'webinar': no [[playbooks.steps]]"),
        (
            one_playbook(steps=STEP.replace('"marketer"', '"markter"')),
            "step 'invite': role 'markter' is not one",
        ),
        (one_playbook(steps=STEP.replace("-10", '"-10"')), "step 'invite': 'offset' must be int"),
        (one_playbook(steps=STEP.replace("-10", "-1000")), "'offset' must be within ±250"),
        (one_playbook(steps=STEP.replace('["Sent"]', "[]")), "'checklist' must be a non-empty list"),
        (one_playbook(steps=STEP + STEP), "step key 'invite' appears twice"),
        (one_playbook(steps=STEP.replace("role =", "roll =")), "unknown key(s) roll"),
        (one_playbook(steps=STEP.replace('"invite"', '"Invite me"')), "lower-case letters"),
        (
            one_playbook('key = "w"\nname = "W"\nchannel = "radio"\ndescription = "d"'),
            "playbook 'w': channel 'radio' is not one of",
        ),
        (
            one_playbook('key = "w"\nname = "W"\nchannel = "webinar"'),
            "playbook 'w': missing key 'description'",
        ),
        (
            one_playbook(
                'key = "w"\nname = "W"\nchannel = "webinar"\ndescription = "d"\n'
                'templates = [{ name = "Deck", url = "drive/deck" }]'
            ),
            "playbook 'w' templates[0]: url 'drive/deck' must start with https://",
        ),
    ],
)
def test_mistakes_name_the_file_and_the_key(text, expected):
    assert expected in parse_error(text)


def test_twin_playbooks_are_refused():
    text = one_playbook() + "\n[[playbooks]]\n" + 'key = "webinar"\nname = "W2"\nchannel = "webinar"\n'
    text += 'description = "d"\n' + STEP
    assert "playbook key 'webinar' appears twice" in parse_error(text)


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    path = tmp_path / "playbooks.toml"
    path.write_bytes(one_playbook().encode() + b"\n# caf\xe9\n")
    with pytest.raises(CampaignPlaybookError, match="is not UTF-8"):
        load_campaign_playbooks(path)
