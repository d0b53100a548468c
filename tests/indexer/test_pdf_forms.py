"""Form field values and annotation text come out as page text, in reading order, never inside a word."""

import io

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

from indexer.formats import pdf

HEIGHT = 792  # letter, in points


def _page_with_blanks() -> bytes:
    doc = FPDF(unit="pt", format="letter")
    doc.add_page()
    doc.set_font("helvetica", size=11)
    doc.text(72, 100, "This agreement is made between the Department and the ____________________.")
    doc.text(72, 130, "Signed for the agency by:")
    doc.text(72, 200, "Agency name as printed: Harbour Unit Seven")
    doc.text(72, 260, "The closing paragraph follows the signatures.")
    return bytes(doc.output())


def _field(name: str, value: str, rect: tuple[float, float, float, float], flags: int = 4) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject(name),
            NameObject("/V"): TextStringObject(value),
            NameObject("/F"): NumberObject(flags),
            NameObject("/Rect"): ArrayObject(FloatObject(v) for v in rect),
        }
    )


def _form_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_page_with_blanks())))
    fields = [
        _field("agency_name_field", "Marigold Sheriff Office", (330, HEIGHT - 104, 470, HEIGHT - 90)),
        _field("signatory_field", "Captain Rosalind Quartermaine", (72, HEIGHT - 160, 300, HEIGHT - 145)),
        _field("printed_again_field", "Harbour Unit Seven", (190, HEIGHT - 204, 300, HEIGHT - 190)),
        _field("hidden_field", "Invisible Zephyr", (72, HEIGHT - 300, 200, HEIGHT - 285), flags=2),
    ]
    for field in fields:
        writer.add_annotation(0, field)
    writer.add_annotation(0, FreeText(text="Reviewed by counsel", rect=(72, HEIGHT - 240, 250, HEIGHT - 225)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_field_values_are_text_and_field_names_are_not():
    text = pdf.extract(_form_pdf()).text
    assert "Marigold Sheriff Office" in text
    assert "Captain Rosalind Quartermaine" in text
    assert "Reviewed by counsel" in text
    assert "_field" not in text and "agency_name" not in text
    assert "Invisible Zephyr" not in text  # a hidden field shows nothing


def test_field_values_land_in_reading_order_as_whole_words():
    text = pdf.extract(_form_pdf()).text
    order = [
        "made between the Department",
        "Marigold Sheriff Office",
        "Signed for the agency by:",
        "Captain Rosalind Quartermaine",
        "Agency name as printed",
        "Reviewed by counsel",
        "The closing paragraph",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, text
    assert positions == sorted(positions), text


def test_a_value_the_page_already_shows_in_its_box_is_not_doubled():
    text = pdf.extract(_form_pdf()).text
    assert text.count("Harbour Unit Seven") == 1


def _agreement(corpus, prefix: str):
    path = next((corpus / "topic" / "287g" / "pdf").glob(prefix + "*.pdf"))
    return pdf.extract(path.read_bytes())


def _page(extracted, number: int) -> str:
    start, end = extracted.page_spans[number - 1]
    return extracted.text[start:end]


def test_arcadia_agreement_fields_are_on_their_pages(corpus):
    extracted = _agreement(corpus, "FLORIDA__Arcadia_Police_Department__")
    assert "Arcadia Police Dept (APD)" in _page(extracted, 1)
    assert "Orlando, FL Sub-Office" in _page(extracted, 7)
    assert "City Marshal Quinn Jones" in _page(extracted, 10)
    assert "Asst. Marshal Gary Evans" in _page(extracted, 10)
    assert "March 5, 2025" in _page(extracted, 9)
    assert "Quinn Jones" in _page(extracted, 9)  # a FreeText annotation by the signature
    assert "Name of LEA" not in extracted.text and "Text6" not in extracted.text


def test_filled_in_agreement_keeps_words_whole(corpus):
    # Franklin County's form was flattened (Fill & Sign): the values are page text drawn over the blanks
    text = _agreement(corpus, "ALABAMA__Franklin_County_Sheriffs_Office__").text
    assert "Department of Homeland Security" in text
    assert "AlabamaSecurity" not in text
    assert "Franklin County Sheriff's Office, Alabama" in text
