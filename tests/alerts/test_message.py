"""The alert texts: Swedish, exact amounts, only what needs action (pure functions, no servers)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bokslut.alerts.message import MAX_POSTINGS, SLACK_MAX_SECTION, failure_alert, kr, warning_digest
from bokslut.controls.model import ControlRun
from tests.alerts.sample import REPORT, make_run, posting, result, voucher

pytestmark = pytest.mark.unit

NBSP = "\u00a0"


def test_amounts_read_like_the_citys_reports():
    assert kr(-123456789) == f"-1{NBSP}234{NBSP}567,89 kr"
    assert kr(0) == "0,00 kr"
    assert kr(None) == "–"


def test_failure_alert_lists_each_blocking_failure_with_swedish_labels():
    message = failure_alert(make_run(), REPORT)

    assert message.subject == "[bokslut] Kontroll underkänd: 191 period 202413 – KK02.3, KK10.1"
    assert message.kind == "failure"
    assert message.control_ids == ("KK02.3", "KK10.1")
    for body in (message.text, message.html):
        for expected in ("KK02.3", "Kontroll Motpart 9* / Summa 2991", "KK10.1", "Period", "202413",
                         "Förväntat", "Faktiskt", "Differens", "Var ska man leta",
                         "Konteringar på 2991 med motpart 9*; rätta motparten i Agresso.",
                         f"-1{NBSP}234{NBSP}567,89 kr", f"50{NBSP}000,00 kr", "0,00 kr",
                         REPORT, "Perioden är inte publicerad; tidigare publicerade uppgifter är oförändrade."):
            assert expected in body, expected
        # warnings, ok lines and info lines are not part of the failure alert
        for absent in ("KK12.1", "KK01.1", "KK05.2", "Interna utbetalningar", f"7{NBSP}777,77"):
            assert absent not in body, absent


def test_offending_vouchers_are_listed_largest_contribution_first_with_their_postings():
    message = failure_alert(make_run(), REPORT)
    text = message.text

    header = "Period  Konto  Ansvar  Verksamhet  Projekt  Motpart  Anslag  Vertyp  Vernr"
    assert header in text
    for column in ("Period", "Konto", "Ansvar", "Verksamhet", "Projekt", "Motpart", "Anslag", "Vertyp", "Vernr",
                   "Belopp"):
        assert f">{column}</th>" in message.html
    assert "Verifikationer som förklarar differensen (störst bidrag först" in text
    headings = [line.strip() for line in text.splitlines() if line.strip()[:3] in {f"{n}. " for n in range(1, 10)}
                or line.strip().startswith("10. ")]
    assert headings[0] == (f"1. Verifikation HC 3999, period 202413: netto -1{NBSP}234{NBSP}557,89 kr "
                           "(2 konteringar)")
    assert headings[1].startswith("2. Verifikation HC 400012, period 202413: netto -120,00 kr (1 kontering)")
    kk02_rows = [line for line in text.splitlines() if line.strip().startswith("202413  2991")]
    assert len(kk02_rows) == 11  # 2 postings of the first voucher, 1 of each of the next nine
    assert "3999" in kk02_rows[0] and "P77" in kk02_rows[0]
    assert "400003" not in text  # beyond the listed vouchers: counted, not shown
    more = "… och ytterligare 3 verifikationer med mindre bidrag (visas inte)."
    assert more in text and more in message.html
    assert "500123" in text and "brutto 50" in text  # KK10.1 ranks by absolute amounts
    assert text.count("ytterligare") == 1
    assert "Verifikation HC 3999, period 202413" in message.html


def test_postings_beyond_the_limit_of_a_voucher_are_counted():
    many = voucher(*(posting("4901", "0001", "777", n * 100) for n in range(1, 30)))
    shown = replace(many, postings=many.postings[:MAX_POSTINGS])
    run = ControlRun(1, "191", 202413, [result("KK01.1", "Kontroll konto 49xx / 4901", "fel", many.net_ore,
                                               offending_vouchers=(shown,), offending_voucher_count=1)])
    text = failure_alert(run, REPORT).text
    assert len([line for line in text.splitlines() if "  4901  " in line]) == MAX_POSTINGS
    assert "… och ytterligare 9 konteringar i verifikationen." in text
    assert "verifikationer med mindre bidrag" not in text


def test_warning_digest_is_one_message_with_every_warning_and_nothing_else():
    run = make_run()
    run.results.append(result("KK12.2", "Interna konton / 2542 med extern motpart", "varning", 4200))
    message = warning_digest(run, REPORT)

    assert message.kind == "warnings"
    assert message.subject == "[bokslut] Kontroll med varningar: 191 period 202413 – KK12.1, KK12.2"
    assert "2 kontroller med varning" in message.text
    for expected in ("KK12.1", "KK12.2", f"-123{NBSP}417,00 kr", "42,00 kr", "Konto 1542 med motpart utanför staden.",
                     REPORT):
        assert expected in message.text and expected in message.html
    for absent in ("KK02.3", "KK10.1", "KK01.1", "KK05.2", "inte publicerad"):
        assert absent not in message.text and absent not in message.html


def test_no_message_without_something_to_report():
    quiet = ControlRun(1, "191", 202401, [result("KK01.1", "Kontroll konto 49xx", "ok", 0),
                                          result("KK05.2", "Info", "info", None)])
    with pytest.raises(ValueError):
        failure_alert(quiet, REPORT)
    with pytest.raises(ValueError):
        warning_digest(quiet, REPORT)


def test_html_escapes_record_text_and_links_urls():
    run = make_run()
    run.results[1] = replace(run.results[1], name="Konto <2991> & motpart", where_to_look='"9*" <b>')
    html = failure_alert(run, "https://bokslut.example.se/rapport?forv=191&period=202413").html

    assert "Konto &lt;2991&gt; &amp; motpart" in html
    assert "&quot;9*&quot; &lt;b&gt;" in html
    assert "<b>" not in html
    assert '<a href="https://bokslut.example.se/rapport?forv=191&amp;period=202413">' in html


def test_report_path_of_the_run_is_the_fallback_link():
    run = make_run()
    run.report_path = "/out/191/202413/rapport.html"
    assert "/out/191/202413/rapport.html" in failure_alert(run, None).text
    run.report_path = None
    assert "(ingen valideringsrapport skrevs)" in failure_alert(run, None).text


def test_slack_payload_carries_the_same_content():
    message = failure_alert(make_run(), REPORT)
    payload = message.slack_payload()
    blocks_text = json.dumps(payload["blocks"], ensure_ascii=False)

    assert payload["text"].startswith(message.subject)
    assert payload["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": message.subject}}
    for expected in ("KK02.3", "KK10.1", "Förväntat", "Faktiskt", "Differens", f"-1{NBSP}234{NBSP}567,89 kr",
                     "3999", "P77", "500123", "ytterligare 3 verifikationer", REPORT, "inte publicerad"):
        assert expected in blocks_text, expected
    assert "KK05.2" not in blocks_text and "KK12.1" not in blocks_text
    assert all(len(b["text"]["text"]) <= SLACK_MAX_SECTION for b in payload["blocks"])
    json.dumps(payload)  # plain JSON, nothing else


def test_slack_stays_within_block_limits_for_many_failures():
    many = [result(f"KK11.{i}", f"Kontroll UB kontra IB / grupp {i}", "fel", i * 100,
                   offending_vouchers=tuple(voucher(posting("1510", "", f"V{i}-{n}", n * 100)) for n in range(1, 20)))
            for i in range(1, 31)]
    message = failure_alert(ControlRun(3, "191", 202413, many), REPORT)

    assert message.subject.endswith("KK11.1, KK11.2, KK11.3, KK11.4, KK11.5, KK11.6 m.fl. (30 st)")
    assert len(message.slack_blocks) <= 50
    assert "10 kontroller till" in json.dumps(message.slack_payload(), ensure_ascii=False)
    assert all(f"KK11.{i} –" in message.text for i in range(1, 31))  # the mail lists every one
