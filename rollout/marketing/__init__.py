"""Marketing: the local calendar and its events, campaigns, .ics, content, local talent."""
