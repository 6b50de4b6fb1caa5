"""Invoice headers, document kinds, payment terms and line layouts (course model, invented texts)."""

from __future__ import annotations

from aieng.llm.course_model.skills import bills, ledger
from aieng.llm.course_model.skills.entities import analyse
from aieng.llm.course_model.skills.records import line_rows
from aieng.llm.course_model.skills.slots import fill_object

VET = """Willow Lane Veterinary Ltd
Invoice no. WL-3381
Invoice date: 09/06/2026
Terms: Net 15

Consultation                      1 x 45.00      45.00
Vaccine booster (canine)          2 x 22.50      45.00
Subtotal                                          90.00
VAT 20%                                           18.00
Total                                            108.00"""

SCHEMA = {
    "type": "object",
    "properties": {
        "supplier": {"type": ["string", "null"]},
        "invoice_number": {"type": ["string", "null"]},
        "invoice_date": {"type": ["string", "null"], "format": "date"},
        "due_date": {"type": ["string", "null"], "format": "date"},
        "total": {"type": ["number", "null"]},
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"description": {"type": "string"}, "amount": {"type": "number"}},
            },
        },
    },
    "required": ["supplier", "invoice_number", "invoice_date", "due_date", "total", "lines"],
}


def test_terms_give_the_due_date_from_the_issue_date():
    assert bills.issue_date(VET) == "2026-06-09"
    assert bills.due_date(VET) == "2026-06-24"
    dutch = (
        "Bakkerij Zon B.V.\nFactuur 88-12\nDatum: 4 mei 2026\nBetalen binnen 14 dagen\nTotaal 12,00"
    )
    assert bills.due_date(dutch) == "2026-05-18"
    german = "Rechnung Nr. 5521\nRechnungsdatum: 01.07.2026\nZahlungsziel 10 Tage\nGesamt 50,00"
    assert bills.due_date(german) == "2026-07-11"


def test_due_on_receipt_and_printed_due_dates():
    text = "Harbour Florists\nReceipt #771   2 May 2026\nTotal £40.00\nPayment due on receipt"
    assert bills.due_date(text) == "2026-05-02"
    printed = "Invoice 12 | Date: 3 June 2026 | Échéance : 3 juillet 2026\nTotal 10.00"
    assert bills.due_date(printed) == "2026-07-03"
    paid = "Corner Books\nReceipt 4410\n12 May 2026\nNovel 9.99\nTotal 9.99\nPaid by card"
    assert bills.due_date(paid) is None


def test_document_numbers_follow_their_label():
    assert bills.number(VET) == "WL-3381"
    assert bills.number("FACTURA nº VT-204\nFecha: 2 de junio de 2026") == "VT-204"
    assert bills.number("Factuurnummer / Invoice no.: 2026-77\nTotaal 5,00") == "2026-77"
    assert bills.number("Invoice date: 3 June 2026\nTotal 4.00") is None


def test_the_kind_of_document_decides_whether_it_is_an_invoice():
    assert bills.is_bill(VET)
    quote = "GREEN ROOF SYSTEMS LTD\nQUOTATION Q-55\nSedum mat 20 x 12.00 240.00\nTotal 240.00"
    assert not bills.is_bill(quote)
    note = "PAKBON / DELIVERY NOTE 7781\nTegels 40"
    assert not bills.is_bill(note)
    reminder = "Subject: Payment reminder - invoice 4410\nPlease pay the total of 99.00."
    assert not bills.is_bill(reminder)
    receipt = "TAQUERIA SOL\n2x Taco 7.00\nTOTAL 7.00"
    assert bills.is_bill(receipt)


def test_letter_spaced_words_and_quote_markers_are_read_as_words():
    assert bills.clean("> > O R C H A R D   P R E S S   L T D") == "ORCHARD PRESS LTD"
    assert ledger.issuer("> > -------- Forwarded --------\n> > ORCHARD PRESS LTD\n> > Total 5.00")


def test_short_and_dashed_dates():
    assert [s.value for s in analyse("Tax point: 7 Jun 26   Due: 7 Jul 26").of("date")] == [
        "2026-06-07",
        "2026-07-07",
    ]
    assert analyse("Datum: 21-04-2026").of("date")[0].value == "2026-04-21"
    assert analyse("3 mrt 2026").of("date")[0].value == "2026-03-03"


def test_rows_keep_numbers_inside_descriptions_and_signed_discounts():
    rows = line_rows(
        "Pos  Description            Qty   Price    Amount\n"
        "1    Projector lamp 230 V     3    30.00     90.00\n"
        "2    Paddle set (x4)          1    12.00     12.00\n"
        "Member discount 10%                          -10.20\n"
        "Subtotal                                      91.80"
    )
    got = [(r.description, r.quantity, r.amount) for r in rows]
    assert got == [
        ("Projector lamp 230 V", 3, 90.0),
        ("Paddle set (x4)", 1, 12.0),
        ("Member discount", 1.0, -10.2),
    ]


def test_priced_lines_named_like_a_tax_and_leading_counts():
    rows = line_rows("2x Espresso   5,00\nTourist tax  2 x 3,50  7,00\nTotal 12,00")
    assert [(r.description, r.quantity, r.amount) for r in rows] == [
        ("Espresso", 2, 5.0),
        ("Tourist tax", 2, 7.0),
    ]


def test_labelled_figures_skip_reference_numbers_and_payments():
    text = "VAT 552 1100 09\nNet   £200.00\nVAT   £40.00\nGross £240.00\nPaid -240.00\nBalance due 0.00"
    assert ledger.labelled_amount(text, "subtotal") == 200.0
    assert ledger.labelled_amount(text, "tax") == 40.0
    assert ledger.labelled_amount(text, "total") == 240.0
    assert ledger.labelled_amount("Terms: Net 30\nSubtotal 12.00", "subtotal") == 12.0


def test_the_customer_the_instructions_name_is_never_the_issuer():
    text = "SEASIDE LODGE\nBooked by Polaris Analytics Ltd travel desk\nRoom 2 x 80.00 160.00\nTotal 160.00"
    assert ledger.issuer(text) == "Polaris Analytics Ltd"
    assert ledger.issuer(text, "never Polaris (the customer)") == "SEASIDE LODGE"


def test_invoice_schema_on_an_invoice_and_on_a_quote():
    got = fill_object(SCHEMA, VET).value
    assert got["invoice_number"] == "WL-3381"
    assert got["due_date"] == "2026-06-24"
    assert got["total"] == 108
    assert [line["description"] for line in got["lines"]][:1] == ["Consultation"]
    quote = "Orchard Press Ltd\nESTIMATE E-19\nBrochures 500 x 0.40 200.00\nTotal 200.00"
    empty = fill_object(SCHEMA, quote).value
    assert empty["invoice_number"] is None and empty["total"] is None and empty["lines"] == []
