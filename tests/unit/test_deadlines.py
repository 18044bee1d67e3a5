"""A job's deadline is in the past once its date is over everywhere on earth."""

from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from marketplace.jobs.schemas import not_past


def test_the_date_still_current_in_the_latest_time_zone_is_not_past():
    latest_today = (datetime.now(UTC) - timedelta(hours=12)).date()

    not_past(latest_today)
    not_past(None)
    with pytest.raises(ValidationError, match="past"):
        not_past(latest_today - timedelta(days=1))
