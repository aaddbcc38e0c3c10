"""网办 from afar: every change the assistant's link to the villager's phone makes.

The assistant sends a one-time link by text message (`remote_link_send`); the villager opens it
on their phone with a 6-digit code texted to the same number (`remote_code_send`,
`remote_link_open`: approvals' one-time code machinery, scope REMOTE), which binds the link to
that browser; there they upload the materials asked for (`remote_upload`, one file a request),
answer the form's fields asked for (`remote_fields_save`), sign the authorisation
(`remote_consent_sign`) and hand back (`remote_link_finish`). The assistant may withdraw a link
(`remote_link_revoke`) and submits as always.

Every villager request passes one check, `remote_access`: the link is live, this browser is
the one bound to it, the application can still be changed; then `require_asked` for the thing
touched. Nothing here tells whether a link exists: an unknown token is answered exactly like a
link not yet opened in this browser, codes are "sent" (a row, no text) for both, and wrong codes
count alike. Only the SHA-256 of the token is stored.
"""

import base64
import binascii
import datetime
import hashlib
import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from approvals import item_data
from approvals import services as approvals_services
from approvals.models import Application, ApplicationFile, TrackingCode
from approvals.states import Act, Who
from approvals.tracking import TrackingRefused, code_open, code_send, is_mobile
from portal import workflow
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import mask_mobile
from portal.outbox.services import message_queue
from portal.outbox.tasks import outbox_send_task
from portal.people.identity import normalise_mobile
from portal.people.models import User
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import limit_reached
from portal.throttle.services import attempt_guard, attempt_record
from services_catalog.models import Material

from . import consent as consent_words
from .models import Consent, RemoteLink
from .policies import may_manage_links
from .printing import consent_pdf

OPEN_LIMITS = (limits.REMOTE_OPEN_PER_CLIENT, limits.REMOTE_OPEN_PER_LINK)
SIGNATURE_MAX_BYTES = 300 * 1024
SIGNATURE_MAX_SIDE = 2400
NOTE_MAX = 300

CODE_MESSAGE = gettext_lazy(
    "[村办] Your code to open the link from your village assistant is %(code)s, valid %(minutes)s "
    "minutes. Never tell it to anyone, staff included."
)
SIGN_CODE_MESSAGE = gettext_lazy(
    "[村办] Your code to sign the authorisation (授权委托书) is %(code)s, valid %(minutes)s minutes. "
    "Type it only if you agree to what the page says."
)


class RemoteRefused(DomainError):
    """The villager's request is refused; the message says what to do (ask the assistant)."""


class NotOpened(RemoteRefused):
    """This browser has not opened the link with a code (or the link does not exist: the same)."""


class OtherDevice(RemoteRefused):
    """The right code, but the link was opened in another browser first."""


@dataclass(frozen=True)
class Sent:
    link: RemoteLink
    url: str


# -- tokens, keys and browsers --------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def link_key(token: str) -> str:
    """What names the link (or an invented token, alike) to the limits and the codes."""
    return token_hash(token)[: RemoteLink.KEY_LENGTH]


def device_hash(browser: str) -> str:
    return salted_hmac("cunban.remote.device", browser or "", algorithm="sha256").hexdigest()


def link_hours() -> int:
    return int(getattr(settings, "CUNBAN_REMOTE_LINK_HOURS", 48))


def link_url(token: str) -> str:
    return f"{settings.SITE_BASE_URL}{reverse('online:open', args=[token])}"


# -- the assistant's side -------------------------------------------------------------------------


def _require_manager(actor: User, application: Application) -> None:
    if not may_manage_links(actor, application):
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": application.reference})


def _asks(application: Application, materials, fields, consent: bool, note: str) -> dict:
    """What the assistant asks for, checked against the item: its materials, its form's fields
    that the villager answers (never an office field, 核定)."""
    checklist = {m.pk: m for m in application.item.materials.all()}
    material_ids = []
    for material in materials:
        pk = material.pk if isinstance(material, Material) else int(material)
        if pk not in checklist:
            raise DomainError(_("That material is not on this item's checklist."))
        if pk not in material_ids:
            material_ids.append(pk)
    form = item_data.form_of(application)
    keys = []
    for key in fields:
        spec = form.field(key)
        if spec is None or spec.office_only:
            raise DomainError(_("That field is not on this application's form."))
        if key not in keys:
            keys.append(key)
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise DomainError(
            _("Keep the note to the villager under %(count)s characters.") % {"count": NOTE_MAX}
        )
    if not material_ids and not keys and not consent:
        raise DomainError(_("Tick at least one thing for the villager to do on their phone."))
    return {"materials": material_ids, "fields": keys, "consent": bool(consent), "note": note}


@transaction.atomic
def remote_link_send(
    *,
    actor: User,
    application: Application,
    mobile: str = "",
    materials=(),
    fields=(),
    consent: bool = True,
    note: str = "",
) -> Sent:
    """Text the villager a one-time link to do what is asked on their own phone. The mobile is
    the one on the application unless the assistant types another. The text carries the link,
    never a code: the code comes in its own text when the phone opens the link."""
    locked = workflow.lock(application)
    _require_manager(actor, locked)
    mobile = normalise_mobile(mobile or "") or locked.applicant_mobile
    if not is_mobile(mobile):
        raise DomainError(
            _("Type the villager's mobile (11 digits): the link is sent there by text message.")
        )
    asks = _asks(locked, materials, fields, consent, note)
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    link = RemoteLink.objects.create(
        application=locked,
        token_hash=token_hash(token),
        mobile=mobile,
        sent_by=actor,
        asks=asks,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=link_hours()),
    )
    url = link_url(token)
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "[村办] %(assistant)s of %(station)s asks you to do “%(item)s” on your phone: %(url)s "
            "Open it by %(until)s; a code by text message opens it."
        ) % {
            "assistant": actor.get_full_name() or actor.get_username(),
            "station": locked.station.name,
            "item": locked.item_title,
            "url": url,
            "until": f"{timezone.localtime(link.expires_at):%m-%d %H:%M}",
        }
    message_queue(to_mobile=mobile, body=body, topic="remote-link", reference=locked.reference[:40])
    workflow.record(
        locked,
        None,
        actor,
        act=Act.REMOTE_LINK_SENT,
        who=Who.FILER,
        comment=asks["note"],
        data={
            "link": link.pk,
            "mobile": mask_mobile(mobile),
            "expires_at": link.expires_at.isoformat(),
            **asks,
        },
    )
    transaction.on_commit(outbox_send_task.enqueue)
    return Sent(link=link, url=url)


@transaction.atomic
def remote_link_revoke(*, actor: User, link: RemoteLink) -> RemoteLink:
    """Withdraw a link: it opens no more, in any browser. Withdrawing twice changes nothing."""
    locked = workflow.lock(link.application)
    _require_manager(actor, locked)
    link = RemoteLink.objects.select_for_update().get(pk=link.pk, application=locked)
    if link.revoked_at is not None:
        return link
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    workflow.record(locked, None, actor, act=Act.REMOTE_LINK_REVOKED, who=Who.FILER, data={"link": link.pk})
    return link


@transaction.atomic
def remote_link_start_bound(*, application: Application, browser: str) -> str:
    """A link for the villager who started `application` online themselves (网上申请, from the
    item's page): made by the system (`sent_by` empty), bound at once to the browser that just
    proved the mobile with a texted code (`online.start`), and asking for everything the
    villager can do: every material of the checklist, every field of the form they answer (never
    核定) and the authorisation. Nothing is texted: the villager is already on the page. Returns
    the token, which only the villager's address bar holds (as for a texted link)."""
    locked = workflow.lock(application)
    if locked.origin != Application.Origin.VILLAGER_ONLINE or not locked.awaits_taking:
        raise NotPermitted(_("You may not change application %(ref)s.") % {"ref": locked.reference})
    if not browser:
        raise ValueError("a bound link needs the browser's value from its session")
    form = item_data.form_of(locked)
    asks = {
        "materials": list(locked.item.materials.values_list("pk", flat=True)),
        "fields": [spec.key for spec in form.fields() if not spec.office_only],
        "consent": True,
        "note": "",
    }
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    RemoteLink.objects.create(
        application=locked,
        token_hash=token_hash(token),
        mobile=locked.applicant_mobile,
        sent_by=None,
        asks=asks,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=link_hours()),
        bound_at=now,
        device_hash=device_hash(browser),
    )
    return token


# -- the villager's way in ------------------------------------------------------------------------


def _link_for(token: str, *, lock: bool = False) -> RemoteLink | None:
    rows = RemoteLink.objects.select_related("application__item", "application__station", "sent_by")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.filter(token_hash=token_hash(token)).first()


def _locked_out(key: str) -> bool:
    return limit_reached([limits.REMOTE_OPEN_PER_LINK], key=key) is not None


def _openable(link: RemoteLink | None) -> bool:
    return (
        link is not None
        and link.is_live()
        and link.application.state in approvals_services.VILLAGER_EDITABLE
        and not _locked_out(link.key)
    )


def remote_code_send(*, token: str, address: str | None, browser: str, purpose: str = "open") -> None:
    """Text a code for this link to its mobile, for this browser: `purpose` "open" (the way in)
    or "sign" (the typed-name signature). For a token nobody has, or a link that no longer opens,
    a row is written and nothing is texted, with the same answer (`code_sent_answer`). Raises
    RemoteRefused only for a limit (per link, per mobile, per client)."""
    key = link_key(token)
    link = _link_for(token)
    mobile = link.mobile if _openable(link) and link is not None else ""
    if purpose == "sign":
        if link is None or link.device_hash != device_hash(browser):
            mobile = ""  # only the browser the link is bound to asks for a signing code
        number, message = f"{key}:sign", SIGN_CODE_MESSAGE
    else:
        number, message = key, CODE_MESSAGE
    refusal = None
    if mobile:
        with attempt_guard(scope=Scope.REMOTE_CODE_MOBILE, key=mobile):
            reached = limit_reached([limits.REMOTE_CODES_PER_MOBILE], key=mobile)
            if reached is None:
                attempt_record(scope=Scope.REMOTE_CODE_MOBILE, key=mobile, outcome=Attempt.Outcome.OK)
            else:
                refusal = RemoteRefused(reached.message)
    if refusal is not None:
        raise refusal
    try:
        code_send(
            scope=TrackingCode.Scope.REMOTE,
            number=number,
            mobile=mobile,
            message=message,
            address=address,
            browser=browser,
        )
    except TrackingRefused as error:
        raise RemoteRefused(str(error)) from None


def _code_try(*, key: str, number: str, code: str, address: str | None, browser: str) -> RemoteRefused | None:
    """Check a typed code, counted on the link and the client whether or not the link exists;
    returns the refusal (raised by the caller after the guard's transaction kept the count)."""
    with attempt_guard(scope=Scope.REMOTE_OPEN, key=key, client=address):
        reached = limit_reached(OPEN_LIMITS, key=key, client=address)
        if reached is not None:
            return RemoteRefused(reached.message)
        ok = code_open(scope=TrackingCode.Scope.REMOTE, number=number, code=code, browser=browser)
        outcome = Attempt.Outcome.OK if ok else Attempt.Outcome.FAILED
        attempt_record(scope=Scope.REMOTE_OPEN, key=key, client=address, outcome=outcome)
        if not ok:
            return RemoteRefused(limits.CODE_WRONG_TRIES.refusal(0))
    return None


def remote_link_open(*, token: str, code: str, address: str | None, browser: str) -> RemoteLink:
    """The link, bound to this browser, when `code` is the live code texted for it here; else
    RemoteRefused (the same for every token), or OtherDevice when the link was opened in
    another browser first (then only a new link from the assistant helps). Not one transaction:
    a wrong try must stay counted when the refusal is raised."""
    key = link_key(token)
    refusal = _code_try(key=key, number=key, code=code, address=address, browser=browser)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        link = _link_for(token, lock=True)
        if link is None or not _openable(link):  # withdrawn or expired since the code was sent
            raise RemoteRefused(limits.CODE_WRONG_TRIES.refusal(0))
        mine = device_hash(browser)
        if link.bound_at is not None and link.device_hash != mine:
            raise OtherDevice(other_device_refusal())
        if link.bound_at is None:
            link.bound_at = timezone.now()
            link.device_hash = mine
            link.save(update_fields=["bound_at", "device_hash"])
    return link


def other_device_refusal() -> str:
    return _(
        "This link was already opened on another phone or browser, and works only there. "
        "Ask your village assistant to send you a new link."
    )


def remote_access(*, token: str, browser: str, change: bool = True) -> RemoteLink:
    """The one check of every villager request after the code: the link exists and is bound to
    this browser (else NotOpened, the same as for an unknown token), is not withdrawn or expired,
    and its application can still be changed (`change`; else RemoteRefused saying so)."""
    link = _link_for(token)
    if link is None or link.bound_at is None or link.device_hash != device_hash(browser):
        raise NotOpened(_("Type the code we texted you to open this page."))
    if not change:
        return link
    assistant = link.sent_by.get_full_name() if link.sent_by else _("your village assistant")
    if link.revoked_at is not None:
        raise RemoteRefused(
            _("%(assistant)s withdrew this link. Ask them for a new one if needed.")
            % {"assistant": assistant}
        )
    if link.finished_at is not None:
        raise RemoteRefused(
            _("You handed this back to %(assistant)s. Ask them for a new link to change anything.")
            % {"assistant": assistant}
        )
    if link.expires_at <= timezone.now():
        raise RemoteRefused(
            _("This link has expired. Ask %(assistant)s to send you a new one.") % {"assistant": assistant}
        )
    if link.application.state not in approvals_services.VILLAGER_EDITABLE:
        raise RemoteRefused(
            _("Application %(ref)s was already handed in: nothing more can be added here.")
            % {"ref": link.application.reference}
        )
    return link


def require_asked(
    link: RemoteLink, *, material: int | None = None, field: str | None = None, consent: bool = False
) -> None:
    """Refuse anything the assistant did not ask for on this link (the same answer for a
    material of another item or none)."""
    if material is not None and material not in link.material_ids:
        raise NotPermitted(_("This link does not ask for that material."))
    if field is not None and field not in link.field_keys:
        raise NotPermitted(_("This link does not ask for that answer."))
    if consent and not link.asks_consent:
        raise NotPermitted(_("This link does not ask for the authorisation."))


# -- what the villager does -----------------------------------------------------------------------


def remote_upload(*, token: str, browser: str, material_id: int, uploaded) -> ApplicationFile:
    """One file for one material asked for, taken on the phone (one file a request, so a failed
    upload loses nothing else). Raises ValidationError with the field's message for a refused
    file, RemoteRefused/NotPermitted for the link."""
    link = remote_access(token=token, browser=browser)
    require_asked(link, material=material_id)
    material = link.application.item.materials.filter(pk=material_id).first()
    if material is None:
        raise NotPermitted(_("This link does not ask for that material."))
    return approvals_services.villager_file_attach(
        application=link.application,
        kind=ApplicationFile.Kind.MATERIAL,
        material=material,
        uploaded=uploaded,
        from_phone=True,
        event_data={"link": link.pk},
    )


def remote_fields_save(*, token: str, browser: str, raw):
    """The villager's answers to the fields asked for (approvals' rules; never 核定 fields)."""
    link = remote_access(token=token, browser=browser)
    if not link.field_keys:
        raise NotPermitted(_("This link does not ask for that answer."))
    return approvals_services.villager_item_data_save(
        application=link.application, raw=raw, keys=set(link.field_keys)
    )


def _signature_png(data_url: str) -> bytes:
    """The drawn signature as PNG bytes, checked: a PNG data URL, small, and not blank."""
    prefix = "data:image/png;base64,"
    if not data_url:
        raise ValidationError(_("The signature box is empty. Sign with your finger, then press the button."))
    refusal = ValidationError(
        _("The signature did not arrive. Sign again in the box, then press the button.")
    )
    if not data_url or not data_url.startswith(prefix) or len(data_url) > SIGNATURE_MAX_BYTES * 4 // 3 + 100:
        raise refusal
    try:
        data = base64.b64decode(data_url[len(prefix) :], validate=True)
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or max(image.size) > SIGNATURE_MAX_SIDE:
                raise refusal
            image.load()
            alpha = image.convert("RGBA").getchannel("A")
            grey = image.convert("L")
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        raise refusal from None
    inked = alpha.getbbox() is not None and grey.point(lambda v: 255 if v < 128 else 0).getbbox() is not None
    if not inked:
        raise ValidationError(_("The signature box is empty. Sign with your finger, then press the button."))
    return data


def _name_matches(typed: str, application: Application) -> bool:
    expected = "".join((application.applicant_name or "").split())
    return not expected or "".join(typed.split()) == expected


def consent_text_for(link: RemoteLink, *, now=None) -> str:
    application = link.application
    assistant = link.sent_by.get_full_name() if link.sent_by else ""
    return consent_words.consent_text(
        application, assistant=assistant, until=consent_words.valid_until(now or timezone.now())
    )


def remote_consent_sign(
    *,
    token: str,
    browser: str,
    name: str,
    method: str,
    signature: str = "",
    code: str = "",
    user_agent: str = "",
    address: str | None = None,
) -> Consent:
    """The villager agrees to the authorisation on the screen: a drawn signature, or (without
    JavaScript) their typed name and a fresh code texted for signing. Stored as an append-only
    record with the exact text and its hash; printed as the 授权委托书 PDF and attached as the
    application's consent file (from the villager's phone), which is what submission asks for."""
    link = remote_access(token=token, browser=browser)
    require_asked(link, consent=True)
    application = link.application
    name = " ".join((name or "").split())
    if not name or len(name) > 50:
        raise ValidationError(_("Type your name as on your ID card."))
    if not _name_matches(name, application):
        raise ValidationError(_("Type the name of the villager the application is for, as on the ID card."))
    png = b""
    if method == Consent.Method.SIGNATURE:
        png = _signature_png(signature)
    elif method == Consent.Method.TYPED:
        key = link.key
        refusal = _code_try(key=key, number=f"{key}:sign", code=code, address=address, browser=browser)
        if refusal is not None:
            raise refusal
    else:
        raise ValidationError(_("Sign in the box, or type your name and the code."))
    return _consent_record(link, name=name, method=method, png=png, user_agent=user_agent)


@transaction.atomic
def _consent_record(link: RemoteLink, *, name: str, method: str, png: bytes, user_agent: str) -> Consent:
    application = workflow.lock(link.application)
    link = RemoteLink.objects.select_related("sent_by").get(pk=link.pk)
    link.application = application
    now = timezone.now()
    text = consent_text_for(link, now=now)
    resident = application.resident
    id_masked = resident.id_number_masked if resident is not None else ""
    signature_sha256 = consent_words.digest(png) if png else ""
    user_agent = (user_agent or "")[:300]
    sha256 = consent_words.digest(
        consent_words.canonical(
            application_pk=application.pk,
            item=application.item_title,
            text_version=consent_words.TEXT_VERSION,
            text=text,
            name=name,
            id_masked=id_masked,
            signed_at=now,
            mobile=link.mobile,
            user_agent=user_agent,
            method=method,
            signature_sha256=signature_sha256,
        )
    )
    pdf = consent_pdf(
        reference=application.reference,
        item=application.item_title,
        text=text,
        name=name,
        id_masked=id_masked,
        signed_at=now,
        mobile=link.mobile,
        method_label=str(Consent.Method(method).label),
        sha256=sha256,
        signature_png=png,
    )
    with translation.override(settings.LANGUAGE_CODE):
        summary = _(
            "Signed by %(name)s (%(id)s) on the phone %(mobile)s at %(at)s, %(how)s; SHA-256 %(hash)s"
        ) % {
            "name": name,
            "id": id_masked or "—",
            "mobile": mask_mobile(link.mobile),
            "at": f"{timezone.localtime(now):%Y-%m-%d %H:%M}",
            "how": Consent.Method(method).label,
            "hash": sha256,
        }
    file = approvals_services.villager_file_attach(
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=SimpleUploadedFile("授权委托书.pdf", pdf, content_type="application/pdf"),
        from_phone=False,
        event_data={"link": link.pk, "sha256": sha256, "method": method, "summary": summary},
    )
    record = Consent(
        link=link,
        application=application,
        text_version=consent_words.TEXT_VERSION,
        text=text,
        name=name,
        id_masked=id_masked,
        signed_at=now,
        mobile=link.mobile,
        user_agent=user_agent,
        method=method,
        signature_sha256=signature_sha256,
        sha256=sha256,
        file=file,
    )
    if png:
        record.signature.save(f"{secrets.token_hex(16)}.png", ContentFile(png), save=False)
    record.save()
    return record


@transaction.atomic
def remote_link_finish(*, token: str, browser: str) -> RemoteLink:
    """The villager is done: the link closes and the assistant gets a text to look."""
    link = remote_access(token=token, browser=browser)
    application = workflow.lock(link.application)
    link = RemoteLink.objects.select_for_update().get(pk=link.pk)
    if link.finished_at is not None:
        return link
    link.finished_at = timezone.now()
    link.save(update_fields=["finished_at"])
    workflow.record(
        application, None, None, act=Act.VILLAGER_FINISHED, who=Who.VILLAGER, data={"link": link.pk}
    )
    if application.awaits_taking:  # 网上申请: handing back hands it to the station's assistants
        approvals_services.draft_hand_in_by_villager(application=application)
    sent_by = link.sent_by
    if sent_by is not None and (sent_by.mobile or sent_by.email):
        with translation.override(settings.LANGUAGE_CODE):
            body = _(
                "[村办] The villager finished “%(item)s” (%(ref)s) on their phone. Check it and submit."
            ) % {
                "item": application.item_title,
                "ref": application.reference,
            }
        message_queue(to_mobile=sent_by.mobile or "", to_user=sent_by, body=body, topic="remote-finished")
        transaction.on_commit(outbox_send_task.enqueue)
    return link
