"""Shared by the dashboard's page tests: the script each session runs, and the Training page on its own."""
import html
from pathlib import Path

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "navigation.py")  # what each session runs
SCREEN = (1236, 720)  # the main column's width and the window's height of a 1280×720 screen


def run_explorer(params: dict | None = None):
    """The app on its first page (the explorer) with these URL parameters, as a 1280×720 browser would see it;
    its first run checked to raise nothing."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["screen"] = {"size": list(SCREEN)}  # what the browser reports (dashboard/core/screen.py)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def training_page():
    """The Training page alone, as an AppTest script (AppTest runs this function's source)."""
    from dashboard.app_pages import training
    from dashboard.core.language import settle_language

    settle_language()  # ?lang= (else English: AppTest's browser has no language)
    training.show()


def mistakes_page():
    """The Mistakes page alone, as an AppTest script."""
    from dashboard.app_pages import mistakes
    from dashboard.core.language import settle_language

    settle_language()  # ?lang= (else English: AppTest's browser has no language)
    mistakes.show()


def filters_page():
    """The Filters page alone, as an AppTest script."""
    from dashboard.app_pages import filters
    from dashboard.core.language import settle_language

    settle_language()  # ?lang= (else English: AppTest's browser has no language)
    filters.show()


def step_page():
    """The One step page alone, as an AppTest script."""
    from dashboard.app_pages import step
    from dashboard.core.language import settle_language

    settle_language()  # ?lang= (else English: AppTest's browser has no language)
    step.show()


def open_page(script, page: str, model_key: str, size=(1876, 1000), lang: str = "en"):
    """An issue-13 page (mistakes, filters, step) run in AppTest on a shipped model, as a browser of that size
    would see it; its first run checked to raise nothing."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(script, default_timeout=120)
    at.session_state[f"screen_{page}"] = {"size": list(size)}  # what the page's size reporter would say
    at.session_state[f"{page}_model"] = model_key
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    return at


def charts(at) -> dict[str, dict]:
    """The page's Plotly figures by chart key."""
    import json

    return {c.proto.id.rsplit("-", 1)[-1]: json.loads(c.proto.spec) for c in at.get("plotly_chart")}


def pooling_page():
    """The Max or average? page alone, as an AppTest script."""
    from dashboard.app_pages import pooling
    from dashboard.core.language import settle_language

    settle_language()  # ?lang= (else English: AppTest's browser has no language)
    pooling.show()


def shown(markdown: str) -> str:
    """What a reader sees of a Markdown text that quotes user text (text.plain's character references decoded,
    its invisible joiners taken out)."""
    return html.unescape(markdown).replace("\u2060", "")
