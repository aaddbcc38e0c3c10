"""Batch printing: one merged PDF from a background task with progress on its page; a
certificate that cannot be printed is reported, not fatal; the command does the same."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from certificates import batches, services
from certificates.models import PrintBatch
from tests.certificates.conftest import pdf_pages, pdf_text, qr_codes

pytestmark = pytest.mark.django_db


def start_batch(client, django_capture_on_commit_callbacks, data) -> PrintBatch:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:print"), data)
    batch = PrintBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "certificates:batch", args=[batch.pk]
    )
    batch.refresh_from_db()
    return batch


class TestPrintPage:
    def test_it_lists_the_offices_certificates_in_force_in_few_queries(
        self, client, approve, world, django_assert_max_num_queries
    ):
        """Session, user, three permission look-ups, the count and the page of rows (with their
        check counts), the print batches and today's count; the session's idle stamp may be
        written too. The same number for 2 rows as for 8."""
        mine = [approve("dibao", "a1") for _ in range(2)]
        theirs = approve("dibao", "b1")
        client.force_login(world.clerk_a)
        for _ in range(2):
            with django_assert_max_num_queries(13):
                body = client.get(reverse("certificates:print")).content.decode()
            mine += [approve("dibao", "a1") for _ in range(6)]
        services.certificate_revoke(actor=world.supervisor_a, certificate=mine[0], reason="有误")
        body = client.get(reverse("certificates:print")).content.decode()
        for certificate in mine[1:]:
            assert certificate.licence_number in body
        assert mine[0].licence_number not in body and theirs.licence_number not in body

    def test_the_inbox_links_to_it(self, client, world):
        client.force_login(world.clerk_a)
        assert reverse("certificates:print") in client.get(reverse("approvals:inbox")).content.decode()

    def test_an_assistant_has_no_print_page(self, client, world, approve):
        approve("dibao", "a1")
        client.force_login(world.assistant_a1)
        assert client.get(reverse("certificates:print")).status_code == 404

    def test_all_issued_today_prints_into_one_pdf(
        self, client, approve, world, django_capture_on_commit_callbacks
    ):
        certificates = [approve("dibao", "a1") for _ in range(3)]
        client.force_login(world.clerk_a)
        batch = start_batch(client, django_capture_on_commit_callbacks, {"which": "today"})
        assert batch.status == PrintBatch.Status.DONE and batch.pages == 3 and not batch.failures
        page = client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
        assert (
            'http-equiv="refresh"' not in page and reverse("certificates:batch_file", args=[batch.pk]) in page
        )
        response = client.get(reverse("certificates:batch_file", args=[batch.pk]))
        data = b"".join(response.streaming_content)
        assert pdf_pages(data) == 3
        text = pdf_text(data)
        for certificate in certificates:
            assert certificate.licence_number in text
        assert qr_codes(data, page=2) == [f"http://127.0.0.1:8000/verify/{certificates[1].token}/"]

    def test_a_certificate_revoked_since_it_was_chosen_is_reported_and_left_out(
        self, client, approve, world, django_capture_on_commit_callbacks
    ):
        first, second = approve("dibao", "a1"), approve("dibao", "a1")
        client.force_login(world.clerk_a)
        batch = services.print_batch_create(actor=world.clerk_a, certificates=[first, second], title="两份")
        services.certificate_revoke(actor=world.supervisor_a, certificate=first, reason="有误")
        batch = batches.print_batch_run(batch_id=batch.pk)
        assert batch.status == PrintBatch.Status.DONE and batch.pages == 1
        assert batch.failures == [
            {"serial": first.licence_number, "error": re.sub(r"\s", " ", batch.failures[0]["error"])}
        ]
        assert "撤销" in batch.failures[0]["error"]
        page = client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
        assert first.licence_number in page and "1 份证照未打印" in page

    def test_a_certificate_that_fails_to_draw_does_not_stop_the_batch(self, approve, world, monkeypatch):
        from certificates import papers

        first, second = approve("dibao", "a1"), approve("dibao", "a1")
        real = papers.certificate_paper

        def flaky(certificate):
            if certificate.pk == first.pk:
                raise ValueError("字体缺字")
            return real(certificate)

        monkeypatch.setattr(papers, "certificate_paper", flaky)
        batch = services.print_batch_create(actor=world.clerk_a, certificates=[first, second], title="两份")
        batch = batches.print_batch_run(batch_id=batch.pk)
        assert batch.pages == 1 and "字体缺字" in batch.failures[0]["error"]

    def test_progress_survives_a_reload_while_it_runs(self, client, approve, world):
        certificate = approve("dibao", "a1")
        batch = services.print_batch_create(actor=world.clerk_a, certificates=[certificate], title="一份")
        PrintBatch.objects.filter(pk=batch.pk).update(status=PrintBatch.Status.RUNNING, progress_done=0)
        client.force_login(world.clerk_a)
        for _ in range(2):
            page = client.get(reverse("certificates:batch", args=[batch.pk])).content.decode()
            assert 'http-equiv="refresh"' in page.split("</head>")[0]  # no script needed
            assert "<progress" in page and "0 / 1" in page

    def test_a_batch_is_only_its_makers(self, client, approve, world):
        certificate = approve("dibao", "a1")
        batch = services.print_batch_create(actor=world.clerk_a, certificates=[certificate], title="一份")
        batches.print_batch_run(batch_id=batch.pk)
        client.force_login(world.supervisor_a)
        assert client.get(reverse("certificates:batch", args=[batch.pk])).status_code == 404
        assert client.get(reverse("certificates:batch_file", args=[batch.pk])).status_code == 404

    def test_no_one_prints_outside_their_jurisdiction(self, approve, world):
        theirs = approve("dibao", "b1")
        with pytest.raises(services.NotPermitted):
            services.print_batch_create(actor=world.clerk_a, certificates=[theirs], title="别人的")

    def test_a_batch_delivered_twice_prints_once(self, approve, world):
        certificate = approve("dibao", "a1")
        batch = services.print_batch_create(actor=world.clerk_a, certificates=[certificate], title="一份")
        first = batches.print_batch_run(batch_id=batch.pk)
        again = batches.print_batch_run(batch_id=batch.pk)
        assert first.file.name == again.file.name and again.status == PrintBatch.Status.DONE


class TestPrintCommand:
    def test_it_prints_todays_with_a_progress_bar(self, approve, world, tmp_path):
        certificates = [approve("dibao", "a1") for _ in range(2)]
        out, err = StringIO(), StringIO()
        path = tmp_path / "today.pdf"
        call_command(
            "print_certificates", "--as", "clerk_a", "--today", "--output", str(path), stdout=out, stderr=err
        )
        assert "[" + "#" * 30 + "] 2/2" in err.getvalue()
        assert pdf_pages(path.read_bytes()) == 2
        assert certificates[0].licence_number in pdf_text(path.read_bytes())

    def test_a_serial_outside_the_jurisdiction_is_refused(self, approve, world, tmp_path):
        theirs = approve("dibao", "b1")
        with pytest.raises(CommandError, match="找不到"):
            call_command(
                "print_certificates",
                "--as",
                "clerk_a",
                "--serial",
                theirs.licence_number,
                "--output",
                str(tmp_path / "x.pdf"),
            )
