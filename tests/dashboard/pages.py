"""Shared by the dashboard's page tests: the script each session runs, and the Training page on its own."""
from pathlib import Path

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "navigation.py")  # what each session runs


def training_page():
    """The Training page alone, as an AppTest script (AppTest runs this function's source)."""
    from dashboard.app_pages import training

    training.show()


def mistakes_page():
    """The Mistakes page alone, as an AppTest script."""
    from dashboard.app_pages import mistakes

    mistakes.show()


def filters_page():
    """The Filters page alone, as an AppTest script."""
    from dashboard.app_pages import filters

    filters.show()


def step_page():
    """The One step page alone, as an AppTest script."""
    from dashboard.app_pages import step

    step.show()
