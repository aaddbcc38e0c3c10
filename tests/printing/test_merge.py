"""Joining the chunks of a print batch: a valid PDF with every page in order, the streams
untouched; anything not drawn by reportlab is refused rather than guessed at."""

import subprocess

import pytest

from portal.printing import layout, merge
from tests.certificates.conftest import pdf_pages, pdf_text


def paper(number: int) -> layout.Paper:
    return layout.Paper(
        title="测试证照",
        subtitle=f"证号：第{number}号",
        rows=(("持证人", f"村民{number}"),),
        qr_url=f"https://example.gov.cn/verify/{number:026d}/",
        framed=True,
    )


def chunk(tmp_path, name: str, numbers) -> object:
    path = tmp_path / name
    path.write_bytes(layout.render([paper(n) for n in numbers]))
    return path


def test_pages_of_every_chunk_come_out_in_order(tmp_path):
    sources = [
        chunk(tmp_path, "a.pdf", [1, 2]),
        chunk(tmp_path, "b.pdf", [3]),
        chunk(tmp_path, "c.pdf", [4, 5, 6]),
    ]
    out = tmp_path / "all.pdf"
    with out.open("wb") as handle:
        assert merge.concatenate(sources, handle, title="批量打印") == 6
    data = out.read_bytes()
    assert pdf_pages(data) == 6
    text = pdf_text(data)
    positions = [text.index(f"证号：第{n}号") for n in range(1, 7)]
    assert positions == sorted(positions)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert info.stderr == "" and "批量打印" in info.stdout


def test_qpdf_finds_the_structure_sound(tmp_path):
    sources = [chunk(tmp_path, f"{n}.pdf", [n, n + 10]) for n in range(3)]
    out = tmp_path / "all.pdf"
    with out.open("wb") as handle:
        merge.concatenate(sources, handle)
    assert pdf_pages(out.read_bytes()) == 6  # (and the tools are there)
    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


def test_a_pdf_not_drawn_here_is_refused(tmp_path):
    source = chunk(tmp_path, "a.pdf", [1])
    data = source.read_bytes()
    foreign = tmp_path / "foreign.pdf"
    foreign.write_bytes(data.replace(b"startxref", b"startxref\n0\n%%EOF\n%% junk", 1)[:-40])
    with pytest.raises(merge.NotOurPdf), (tmp_path / "out.pdf").open("wb") as handle:
        merge.concatenate([foreign], handle)
