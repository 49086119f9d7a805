"""The language in a real browser (issue 23, its first part): a Chinese browser gets Chinese without asking,
and switching keeps the view, the class filter's choice included (the browser sends a menu's choice as the text
it shows)."""
from __future__ import annotations

import contextlib

from tests.e2e.helpers import ARTIFACTS, assert_no_errors, wait_laid_out


@contextlib.contextmanager
def _browser_speaking(browser, locale: str):
    """A page at 1280×720 in a browser whose language is `locale`."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def test_a_chinese_browser_gets_chinese_and_switching_keeps_the_view(browser, server):
    with _browser_speaking(browser, "zh-CN") as page:
        page.goto(server + "/?idx=5&pool=avg&cls=Coat")
        wait_laid_out(page)
        page.wait_for_function("() => location.search.includes('lang=zh')")
        page.get_by_role("button", name="随机").wait_for()
        assert page.get_by_text("外套").count() >= 1  # the class filter's choice, in Chinese
        view = page.url.replace("lang=zh", "")  # (idx=5 is no coat: the link opened on the first coat)
        assert "cls=Coat" in view and "pool=avg" in view
        page.screenshot(path=str(ARTIFACTS / "20-explorer-zh-1280x720.png"))
        page.locator(".st-key-language").get_by_text("English").click()
        page.get_by_role("button", name="Random").wait_for()
        page.wait_for_function("() => location.search.includes('lang=en')")
        assert page.url.replace("lang=en", "") == view
        assert page.get_by_text("Coat").count() >= 1
        wait_laid_out(page)  # (the run after the switch over: a click during it can be cut short by it)
        page.locator(".st-key-language").get_by_text("中文").click()
        page.get_by_role("button", name="随机").wait_for()
        page.wait_for_function("() => location.search.includes('lang=zh')")
        assert page.url.replace("lang=zh", "") == view
        assert_no_errors(page)


def test_switching_in_an_open_detail_keeps_it_open_on_the_same_pixel(browser, server):
    """The dialog covers the header: its own row of buttons has the switch; the whole page is said anew and the
    detail stays open on its map and pixel, in the other language, and back."""
    with _browser_speaking(browser, "en-GB") as page:
        page.goto(server + "/?idx=3&pool=avg&stage=conv2&map=4&i=6&j=2")
        wait_laid_out(page)
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("Σ per input map").first.wait_for()
        view = page.url.replace("lang=en", "")
        dialog.get_by_text("中文", exact=True).click()
        page.get_by_role("dialog").get_by_text("各输入特征图之和").first.wait_for()
        page.wait_for_function("() => location.search.includes('lang=zh')")
        assert page.url.replace("lang=zh", "") == view  # the stage, its map, its pixel, the pooling
        page.get_by_role("dialog").get_by_text("卷积层 2").first.wait_for()  # the dialog's title, translated
        page.get_by_role("button", name="随机").wait_for(state="attached")  # and the page behind it
        page.screenshot(path=str(ARTIFACTS / "21-detail-zh-1280x720.png"))
        wait_laid_out(page)
        page.get_by_role("dialog").get_by_text("English", exact=True).click()
        page.get_by_role("dialog").get_by_text("Σ per input map").first.wait_for()
        page.wait_for_function("() => location.search.includes('lang=en')")
        assert page.url.replace("lang=en", "") == view
        assert_no_errors(page)
