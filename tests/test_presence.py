from bot.presence import status_means_away

NOW = 1_764_000_000.0


def test_slacks_vacation_and_sick_statuses_mean_away() -> None:
    assert status_means_away(":palm_tree:", "Vacationing", 0, NOW)
    assert status_means_away(":face_with_thermometer:", "Out sick", 0, NOW)
    assert status_means_away("", "Im Urlaub bis 6.1.", 0, NOW)
    assert status_means_away("", "OOO until Monday", 0, NOW)


def test_working_statuses_do_not_mean_away() -> None:
    assert not status_means_away(":house_with_garden:", "Working remotely", 0, NOW)
    assert not status_means_away(":spiral_calendar_pad:", "In a meeting", 0, NOW)
    assert not status_means_away("", "", 0, NOW)


def test_an_expired_status_no_longer_counts() -> None:
    assert not status_means_away(":palm_tree:", "Vacationing", int(NOW) - 60, NOW)
    assert status_means_away(":palm_tree:", "Vacationing", int(NOW) + 60, NOW)
