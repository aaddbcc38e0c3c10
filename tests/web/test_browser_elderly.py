"""长辈版 (elderly mode) measured in the system Chromium on a 360-px phone, as issue 18 measured
it (gaps 17-19): on every public page the smallest tap area is at least 60 × 60 px, the smallest
text 24 px, every focus ring at least 3:1 against what is behind it, and at 200 % zoom (a
180-CSS-px viewport) nothing scrolls sideways; buttons that need JavaScript show only where it
runs and the browser can do what they offer; on an English page, read-aloud speaks Chinese data
with a Chinese voice.

The numbers per page are printed (run with -s to see them). One browser, one load per page, the
data built once for the walk."""

import json
from pathlib import Path

import pytest

from portal.offices.selectors import PLACE_COOKIE
from portal.web.context_processors import ELDERLY_COOKIE
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.certificates.conftest import approve, certified  # noqa: F401
from tests.ledger.conftest import Ledger
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

MEASURE = (Path(__file__).parent / "elderly_measure.js").read_text(encoding="utf-8")
PHONE = {"width": 360, "height": 740}
ZOOMED = {"width": 180, "height": 370}  # the same phone at 200 % zoom

TAP, TEXT, RING, CONTROL = 60, 24, 3.0, 32

# Wider than the viewport, or an element that scrolls sideways on its own (a table in a scroller).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > width + 1 && e.checkVisibility())
    .map((e) => e.tagName.toLowerCase() + "." + e.className);
  const scrollers = [...document.querySelectorAll("body *")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
    .map((e) => e.tagName.toLowerCase() + "." + e.className);
  return {page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5), scrollers};
}"""


def build_public_world(world, cases, approve) -> dict:  # noqa: F811
    """What the public pages show: a delegated item with materials, a policy, an application
    with a certificate, a promise on the township's list; returns the addresses to walk."""
    from cms.models import PolicyIndexPage
    from services_catalog.models import Synonym
    from services_catalog.search.services import search_index_rebuild
    from tests.cms.conftest import make_policy

    item = cases.items["dibao"]
    home = item.get_parent().get_parent()
    policies = home.add_child(instance=PolicyIndexPage(title="政策文件", slug="policies"))
    policy = make_policy(
        policies, body="<p>各镇人民政府：现将城乡低保标准调整为每人每月1,130元，自2024年1月1日起执行。</p>"
    )
    certificate = approve("dibao", "a1")
    tracked = cases.submitted("dibao", "a1")
    Ledger(world).in_progress("a1")
    Synonym.objects.create(phrase="低保", means="最低生活保障")
    search_index_rebuild()
    return {
        "home": "/",
        "guide": "/guide/",
        "item": item.url,
        "policy": policy.url,
        "search": "/search/?q=低保",
        "tracking form": "/track/",
        "tracking result": (
            tracked.number,
            tracked.applicant_mobile[-4:] or tracked.resident.id_number_masked[-4:],
        ),
        "wish form (radio buttons)": "/wishes/new/",
        "find my assistant": "/find-assistant/",
        "promises": "/promises/",
        "promise list": f"/promises/{world.village_a1.parent.code}/",
        "satisfaction": "/satisfaction/",
        "verify": "/verify/",
        "verified certificate": f"/verify/{certificate.token}/",
        "login": "/accounts/login/",
    }


def elderly_context(chromium, base: str, **options):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", **options)
    context.add_cookies([{"name": ELDERLY_COOKIE, "value": "1", "url": base}])
    return context


def measure(page) -> dict:
    """The numbers at the phone's width, then the sideways overflow at 200 % zoom."""
    numbers = page.evaluate(MEASURE)
    page.set_viewport_size(ZOOMED)
    numbers["sideways"] = page.evaluate(SIDEWAYS)
    page.set_viewport_size(PHONE)
    return numbers


def problems(name: str, numbers: dict) -> list[str]:
    found = []
    for target in numbers["targets"]:
        if target["width"] < TAP or target["height"] < TAP:
            found.append(f"{name}: tap area {target['width']}×{target['height']} of {target['what']}")
        if target["control"] is not None and target["control"] < CONTROL:
            found.append(f"{name}: control {target['control']} px of {target['what']}")
    found += [f"{name}: {t['size']} px text in {t['what']}" for t in numbers["texts"] if t["size"] < TEXT]
    found += [
        f"{name}: focus ring {r['ratio']}:1 ({r['width']} px) on {r['what']}"
        for r in numbers["rings"]
        if r["ratio"] < RING
    ]
    sideways = numbers["sideways"]
    if sideways["page"] > 0 or sideways["scrollers"]:
        found.append(
            f"{name}: scrolls sideways at 200 % by {sideways['page']} px: {sideways['wide']} {sideways['scrollers']}"
        )
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_elderly_mode_meets_its_numbers_on_every_public_page(live_server, chromium, world, cases, approve):  # noqa: F811
    pages = build_public_world(world, cases, approve)
    base = live_server.url
    context = elderly_context(chromium, base)
    # A remembered village: the item page and the search results then show 更换 (change), the
    # office's phone and the assistant's call button.
    context.add_cookies([{"name": PLACE_COOKIE, "value": world.village_a1.code, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found, table = [], []
    for name, where in pages.items():
        if name == "tracking result":
            number, last4 = where
            page.fill("input[name=number]", number)
            page.fill("input[name=last4]", last4)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"**/track/{number}/")
            page.wait_for_load_state()
        else:
            response = page.goto(base + where)
            assert response is not None and response.status == 200, (name, where)
        assert page.locator("body.elderly").count() == 1
        if name in ("item", "search"):
            assert page.locator("a[href^='/find-assistant/?next=']").count() == 1, name  # 更换
        numbers = measure(page)
        assert numbers["targets"] and numbers["texts"] and numbers["rings"], name
        if name.startswith("wish form"):
            assert any(target["control"] for target in numbers["targets"])  # the radio buttons were measured
        found += problems(name, numbers)
        smallest = min(
            numbers["targets"], key=lambda t: (min(t["width"], t["height"]), t["width"] * t["height"])
        )
        table.append(
            {
                "page": name,
                "smallest tap (w×h)": f"{smallest['width']}×{smallest['height']} {smallest['what']}",
                "narrowest": min(t["width"] for t in numbers["targets"]),
                "lowest": min(t["height"] for t in numbers["targets"]),
                "smallest text": min(t["size"] for t in numbers["texts"]),
                "weakest ring": min(r["ratio"] for r in numbers["rings"]),
                "sideways at 200 %": numbers["sideways"]["page"],
            }
        )
    print("\n长辈版 on a 360-px phone:\n" + "\n".join(json.dumps(row, ensure_ascii=False) for row in table))
    assert not found, "\n".join(found)
    # A table reflows into stacked rows, each number labelled.
    page.goto(base + "/satisfaction/")
    page.set_viewport_size(ZOOMED)
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.figures tbody tr')).display") == "block"
    )
    label, shown = page.evaluate(
        "(() => { const cell = document.querySelector('table.figures td[data-label]');"
        " return [cell.dataset.label, getComputedStyle(cell, '::before').content]; })()"
    )
    assert label and shown == f'"{label}"'  # each number says what it counts
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_buttons_that_need_javascript_show_only_where_it_runs(live_server, chromium, dibao):  # noqa: F811
    checklist = f"{live_server.url}{dibao.url}checklist/"

    def visible(context) -> dict:
        page = context.new_page()
        page.goto(checklist)
        page.wait_for_load_state("load")
        shown = {name: page.locator(f"button.{name}").is_visible() for name in ("readaloud", "print")}
        context.close()
        return shown

    assert visible(elderly_context(chromium, live_server.url, java_script_enabled=False)) == {
        "readaloud": False,
        "print": False,
    }
    without_speech = elderly_context(chromium, live_server.url)
    without_speech.add_init_script("delete window.speechSynthesis; delete Window.prototype.speechSynthesis;")
    assert visible(without_speech) == {"readaloud": False, "print": True}
    with_speech = elderly_context(chromium, live_server.url)
    with_speech.add_init_script(FAKE_SPEECH)
    assert visible(with_speech) == {"readaloud": True, "print": True}


# A speech engine that writes down what it is asked to say, and in which language.
FAKE_SPEECH = """
window.spoken = [];
const engine = {
  speaking: false, pending: false,
  speak(u) { window.spoken.push({text: u.text, lang: u.lang}); },
  cancel() {}, getVoices() { return [{lang: "zh-CN", name: "Tingting"}, {lang: "en-US", name: "Samantha"}]; },
};
Object.defineProperty(window, "speechSynthesis", {value: engine, configurable: true});
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_english_page_reads_chinese_data_with_a_chinese_voice(live_server, chromium, dibao):  # noqa: F811
    context = chromium.new_context(viewport=PHONE, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    page.goto(live_server.url + dibao.url)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1 [lang='zh-Hans']").inner_text() == dibao.title
    page.click("button.readaloud")
    spoken = page.evaluate("window.spoken")
    chinese = " ".join(part["text"] for part in spoken if part["lang"] == "zh-CN")
    english = " ".join(part["text"] for part in spoken if part["lang"] == "en")
    assert dibao.title in chinese and "居民身份证" in chinese
    assert "What to bring" in english and "What to bring" not in chinese
    assert dibao.title not in english
    context.close()
