"""The Khmer/English switch in a real browser: Khmer first, the choice remembered, Khmer in its own font."""

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import ROOT, save_screenshot

pytestmark = pytest.mark.browser

KHMER_CATALOG = ROOT / "foundation" / "locale" / "km" / "LC_MESSAGES" / "messages.po"
FONT_PATH = "/fonts/noto-sans-khmer.ttf"
# document.fonts.check() is also true when no @font-face matches at all, so look for the face itself too.
KHMER_FONT_STATE = """async () => {
  await document.fonts.ready;
  return {
    check: document.fonts.check('16px "Noto Sans Khmer"', 'សួស្តី'),
    loaded: [...document.fonts].some(
      face => face.family.replace(/"/g, '') === 'Noto Sans Khmer' && face.status === 'loaded'),
  };
}"""


def test_switch_to_english_is_remembered_and_back_to_khmer_in_the_khmer_font(
    page: Page, live_server: str
) -> None:
    font_answers: list[int] = []

    def note_font(answer: Response) -> None:
        if answer.url == f"{live_server}{FONT_PATH}":
            font_answers.append(answer.status)

    page.on("response", note_font)
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)

    page.goto("/")
    expect(html).to_have_attribute("lang", "km")

    page.locator("form.language-switch").get_by_role("button", name="English", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("NISA Training & Certification")
    expect(page.locator(".session-tools a[href='/login']")).to_have_text("Sign in")
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies.get("nisa_lang") == "en", cookies

    page.goto("/login")  # a new page load: the cookie, not the form, decides the language now
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Sign in")

    page.goto("/")
    page.locator("form.language-switch").get_by_role("button", name="ខ្មែរ", exact=True).click()
    expect(html).to_have_attribute("lang", "km")
    expect(page.locator("form.language-switch button[aria-pressed=true]")).to_have_text("ខ្មែរ")
    expect(page).to_have_url(f"{live_server}/")

    font = page.evaluate(KHMER_FONT_STATE)
    save_screenshot(page, "khmer-home.png")
    assert font == {"check": True, "loaded": True}, font
    assert 200 in font_answers, f"{FONT_PATH} answered {font_answers or 'nothing'}"


@pytest.mark.skipif(
    not KHMER_CATALOG.exists(), reason=f"no Khmer catalog yet at {KHMER_CATALOG.relative_to(ROOT)}"
)
def test_khmer_page_shows_the_glossary_word_for_sign_in(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    # GLOSSARY.md: sign in = ចូល
    expect(page.locator(".session-tools a[href='/login']")).to_have_text("ចូល")
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("ចូល")
