"""The language in a real browser (issue 23, its first part): a Chinese browser gets Chinese without asking,
and switching keeps the view, the class filter's choice included (the browser sends a menu's choice as the text
it shows)."""
from __future__ import annotations

from tests.e2e.helpers import ARTIFACTS, assert_no_errors, wait_laid_out


def test_a_chinese_browser_gets_chinese_and_switching_keeps_the_view(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
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
    finally:
        context.close()
