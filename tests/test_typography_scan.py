"""The rules of tests/typography.py, each shown failing on a planted example and passing its fixed
form: the page-wide test (tests/test_typography.py) is only as good as these."""

import pytest

from tests import typography


def page(body, lang="zh-hans"):
    title = "申报 · 资金" if lang.startswith("zh") else "Declaration · Funds"
    return f'<!doctype html><html lang="{lang}"><head><title>{title}</title></head><body>{body}</body></html>'


@pytest.mark.parametrize(
    ("planted", "found"),
    [
        ("<p>支持金额上限: 1,600,000.00 元</p>", "支持金额上限: 1,600,000.0"),
        ("<p>申报单位营业执照, 投资协议</p>", "申报单位营业执照, 投资协议"),
        ("<p>请填写金额。;请上传附件。</p>", "请填写金额。;请上传附件。"),
        ("<dl><dt><strong>整改期限</strong>: 2026年12月15日</dt></dl>", "整改期限: 2026年12月15日"),
        ('<input type="text" placeholder="例如: 北京">', "例如: 北京"),
        ('<input type="submit" value="提交!">', "提交!"),
    ],
)
def test_half_width_punctuation_beside_chinese_is_found(planted, found):
    assert typography.findings(page(planted)) == {"half-width punctuation": [found]}


def test_a_half_width_bracket_on_either_side_of_chinese_is_found():
    found = typography.findings(page("<p>1,234,567.00 元 (约 123.46 万元)</p>"))
    assert found == {"half-width punctuation": [",234,567.00 元 (约 123.46 万元)", " (约 123.46 万元)"]}


@pytest.mark.parametrize(
    "fixed",
    [
        "<p>支持金额上限：1,600,000.00 元</p>",
        "<p>申报单位营业执照、投资协议</p>",
        "<p>1,234,567.00 元（约 123.46 万元）</p>",
        "<p>第十五条第（三）款 Art. 15 (3): classified</p>",
        "<table><tr><td>名称</td><td>(none)</td></tr></table>",
        "<script>var a = '名称: x';</script><style>p::after { content: '名称: x' }</style>",
        '<p lang="en">Zhongguancun (中关村): the park</p>',
    ],
)
def test_full_width_punctuation_and_half_width_away_from_chinese_pass(fixed):
    assert typography.findings(page(fixed)) == {}


def test_an_iso_date_in_the_text_of_a_chinese_page_is_found():
    assert typography.findings(page("<p>公示期至2026-12-09结束</p>")) == {"iso date": ["公示期至2026-12-09结束"]}


def test_iso_dates_in_attributes_inputs_and_text_areas_are_not_text():
    fixed = (
        '<p><time datetime="2026-12-09">2026年12月9日</time></p><input type="date" value="2026-12-09">'
        '<textarea name="note">2026-12-09</textarea><p>编号 BJ-2026-000123、PAY-20261209-01</p>'
    )
    assert typography.findings(page(fixed)) == {}


def test_english_pages_write_short_dates_as_iso_on_purpose():
    assert typography.findings(page("<p>Submitted 2026-12-09</p>", lang="en")) == {}


def test_chinese_on_an_english_page_is_found_unless_marked_or_typed_by_a_person():
    planted = page("<p>Award cap: 1,600,000.00 yuan 支持金额上限</p>", lang="en")
    assert typography.findings(planted) == {"other language": ["支持金额上限"]}
    marked = page('<p><code>credit_code</code> <span lang="zh-Hans">统一社会信用代码</span></p>', lang="en")
    assert typography.findings(marked) == {}
    typed = page("<p>Organisation: 北京光子芯片有限公司 (Haidian)</p>", lang="en")
    assert typography.findings(typed, allowed={"北京光子芯片有限公司", "en"}) == {}
    assert typography.findings(typed) == {"other language": ["北京光子芯片有限公司"]}


def test_an_english_sentence_on_a_chinese_page_is_found_but_codes_names_and_marked_text_are_not():
    planted = page("<p>请核对。Save the declaration first.</p>")
    assert typography.findings(planted) == {"other language": ["Save the declaration first"]}
    fixed = page(
        "<p>ART6 · API · PDF · CSV 下载</p><p><code>credit_code name list</code></p>"
        '<p lang="en">Beijing Photonics Chip Co Ltd</p><p>北京光子芯片</p>'
    )
    assert typography.findings(fixed) == {}
    typed = page("<p>项目名称：Quantum Sensing Platform</p>")
    assert typography.findings(typed, allowed={"Quantum Sensing Platform"}) == {}
    assert typography.findings(typed) == {"other language": ["Quantum Sensing Platform"]}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_raw_empty_choice_is_found(lang):
    planted = page('<select name="x"><option value="">---------</option><option>A</option></select>', lang)
    assert typography.findings(planted) == {"raw empty choice": ["---------"]}
    empty = "请选择" if lang == "zh-hans" else "Choose one"
    fixed = page(f'<select name="x"><option value="">{empty}</option><option>A</option></select>', lang)
    assert typography.findings(fixed) == {}


def test_the_text_of_a_notice_is_scanned_by_the_same_rules():
    planted = "关于申报书“量子传感”：公示期至2026-12-09结束\n\n备注: 请补充 Please add the receipts."
    assert typography.text_findings(planted, "zh") == {
        "other language": ["Please add the receipts"],
        "half-width punctuation": ["备注: 请补充 Please "],
        "iso date": ["书“量子传感”：公示期至2026-12-09结束"],
    }
    assert typography.text_findings("The publicity period ends on December 9, 2026.", "en") == {}
    assert typography.text_findings("公示期将于2026年12月9日结束。", "en") == {
        "other language": ["公示期将于", "年", "月", "日结束"]
    }


def test_pieces_carry_the_language_of_their_element_and_blocks_split_lines():
    pieces = typography.visible_text(page('<div>名称<strong>甲</strong></div><div lang="en">Name <b>A</b></div>'))
    assert pieces == [
        typography.Piece("申报 · 资金", "zh"),
        typography.Piece("名称甲", "zh"),
        typography.Piece("Name A", "en"),
    ]
